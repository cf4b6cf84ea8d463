"""PostgreSQL dropping every connection under load costs at most the requests in flight.

The portal is served by gunicorn (two sync workers, as in production, each
keeping its database connection between requests) on the test database. While
four clients make requests, every server-side connection to that database is
terminated, as a PostgreSQL restart or failover does. Requests that were in
flight may fail; every request that starts afterwards succeeds, because Django
checks a kept connection before using it (CONN_HEALTH_CHECKS) and reconnects.
Only the test database's connections are terminated; the server is never restarted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import AgencyFactory, framework_with_criteria, open_cycle
from tests.worker import ROOT, database_url, free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
ROUNDS = 24
# The connections are cut during this round of requests, then between two others.
UNDER_LOAD_ROUND = 6
QUIET_ROUND = 14


@dataclass(frozen=True)
class Outcome:
    started: float
    finished: float
    status: int


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[str]:
    """The portal under gunicorn on the test database; yields its base URL."""
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "csap_portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "csap_portal.settings.test",
            "DATABASE_URL": database_url(),
            "DJANGO_DEBUG": "false",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(lambda: _status(base + "/healthz") == 200, timeout=60):
            pytest.fail((tmp_path / "gunicorn.log").read_text())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _status(url: str, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _terminate_portal_connections(keep: int) -> int:
    """Terminate every connection to the test database but this test's own (``keep``),
    waiting (up to five seconds each) until each backend has gone."""
    with psycopg.connect(database_url(), autocommit=True) as killer:
        row = killer.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
            [keep],
        ).fetchone()
    return row[0] if row else 0


def _own_backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_terminating_every_database_connection_fails_only_the_requests_in_flight(
    portal, client, business_unit
):
    cycle = open_cycle(*AgencyFactory.create_batch(3), framework=framework_with_criteria())
    client.force_login(business_unit)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    pages = [
        portal + reverse("reports:report_list"),
        portal + reverse("section11:cycle_tracker", args=[cycle.pk]),
        portal + reverse("audits:home"),
        portal + "/healthz",
    ]
    for page in pages * 3:
        assert _status(page, cookie) == 200, page

    own = _own_backend()
    # When each cut began and ended (connecting, terminating, waiting for the
    # backends to go), and how many connections it cut.
    cuts: list[tuple[float, float, int]] = []

    def cut() -> None:
        began = time.monotonic()
        terminated = _terminate_portal_connections(keep=own)
        cuts.append((began, time.monotonic(), terminated))

    def between_rounds() -> None:
        # Runs once all clients finish a round and before any starts the next.
        round_number = len(rounds)
        rounds.append(time.monotonic())
        if round_number == UNDER_LOAD_ROUND:
            # Shortly into the next round, with requests in flight.
            threading.Timer(0.05, cut).start()
        elif round_number == QUIET_ROUND:
            # With none in flight: each worker's kept connection is dead now.
            cut()

    rounds: list[float] = []
    barrier = threading.Barrier(CLIENTS, action=between_rounds)

    def visit(client_number: int) -> list[Outcome]:
        outcomes = []
        for n in range(ROUNDS):
            barrier.wait(timeout=60)
            started = time.monotonic()
            status = _status(pages[(client_number + n) % len(pages)], cookie)
            outcomes.append(Outcome(started, time.monotonic(), status))
        return outcomes

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        visits = [pool.submit(visit, number) for number in range(CLIENTS)]
        outcomes = [outcome for visit_ in visits for outcome in visit_.result()]

    assert len(cuts) == 2
    (load_began, load_ended, terminated_under_load), (_, quiet, terminated_quiet) = sorted(cuts)
    # Both times the gunicorn workers' kept connections were among those cut.
    assert terminated_under_load >= 1
    assert terminated_quiet >= 2
    in_flight = {o for o in outcomes if o.started <= load_ended and o.finished >= load_began}
    failed = {o for o in outcomes if o.status != 200}
    assert failed <= in_flight, sorted(failed, key=lambda o: o.started)
    assert len(failed) <= CLIENTS
    # Everything after the quiet cut succeeded: no request pays for a dead connection.
    after_quiet = [o.status for o in outcomes if o.started > quiet]
    assert len(after_quiet) == CLIENTS * (ROUNDS - QUIET_ROUND)
    assert after_quiet == [200] * len(after_quiet)
