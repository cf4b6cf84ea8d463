"""`make run`'s own script on SQLite: run twice, the second run duplicates nothing."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_portal_and_fetch(env: dict[str, str], port: int, log: Path) -> str:
    """Start bin/run-portal, fetch the sign-in page once it serves, then stop it."""
    with log.open("w") as out:
        portal = subprocess.Popen(
            ["bin/run-portal"],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if portal.poll() is not None:
                    pytest.fail(f"bin/run-portal exited:\n{log.read_text()}")
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/account/login/", timeout=5
                    ) as page:
                        return page.read().decode()
                except OSError:
                    time.sleep(0.5)
            pytest.fail(f"The portal never answered:\n{log.read_text()}")
        finally:
            os.killpg(portal.pid, signal.SIGTERM)
            portal.wait(timeout=30)


def test_make_run_path_on_sqlite_twice(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "PY": sys.executable,
        "DJANGO_SETTINGS_MODULE": "csap_portal.settings.base",
        "DATABASE_URL": f"sqlite:///{database}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_DIR": str(tmp_path / "celery"),
    }
    first = run_portal_and_fetch(env, free_port(), tmp_path / "first.log")
    assert "Sign in" in first
    first_log = (tmp_path / "first.log").read_text()
    assert "agency.lead@demo.csap.example" in first_log
    assert "business.unit@demo.csap.example" in first_log

    def counts() -> tuple[int, int]:
        with sqlite3.connect(database) as db:
            organisations = db.execute("select count(*) from audits_organisation").fetchone()[0]
            users = db.execute("select count(*) from audits_user").fetchone()[0]
        return organisations, users

    after_first = counts()
    assert after_first[0] > 600
    second = run_portal_and_fetch(env, free_port(), tmp_path / "second.log")
    assert "Sign in" in second
    assert counts() == after_first
    with sqlite3.connect(database) as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
