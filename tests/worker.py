"""A real Celery worker, over real Redis, working on the test database.

Used by the integration tests and by browser journeys that wait for the worker.
``start_worker`` runs one in a process group of its own, so that a test can kill
it outright, as a power cut or the out-of-memory killer would; ``private_redis``
runs a Redis server of the test's own, which the test may stop and start again
(the shared server on 6379 is never stopped).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings

from csap_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: no chance to hand anything back."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def start_worker(
    folder: Path,
    *,
    name: str = "worker",
    redis_url: str | None = None,
    pool: str = "solo",
    environment: dict[str, str] | None = None,
) -> Worker:
    """Start a worker on the test database and wait until it is ready.

    Its emails are written to ``folder / "mail"``, its log to ``folder / f"{name}.log"``.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csap_portal.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url or settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder / "mail"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Virus scanning only where a test asks for it, whatever a developer's .env says.
        "CLAMD_SOCKET": "",
        "CLAMD_HOST": "",
        **(environment or {}),
    }
    log = folder / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "csap_portal",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{name}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log)
    try:
        _wait_until_ready(worker)
    except BaseException:
        worker.kill()
        raise
    return worker


@contextlib.contextmanager
def running_worker(tmp_path: Path, **environment: str) -> Iterator[Path]:
    """Run a worker on the test database while the block runs, with this process
    publishing to it; yield the folder it writes emails to. ``environment`` reaches
    the worker's settings (for example CLAMD_SOCKET)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    celery_app.conf.task_always_eager = False
    worker = None
    try:
        worker = start_worker(tmp_path, environment=environment)
        yield tmp_path / "mail"
    finally:
        celery_app.conf.task_always_eager = True
        if worker is not None:
            worker.stop()


@pytest.fixture
def celery_worker(transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """Start a worker process on the test database; yield the folder it writes emails to."""
    with running_worker(tmp_path) as mail_dir:
        yield mail_dir


def _wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited:\n{worker.log.read_text()}")
        if "ready." in worker.log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"The worker did not start in time:\n{worker.log.read_text()}")


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateRedis:
    """A Redis server of this test's own, on a free port, that it may stop."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        if not wait_for(lambda: _answers(client), timeout=10):
            pytest.fail("The private Redis server did not start.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(port=free_port(), folder=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def web_publishes_to(broker_url: str) -> Iterator[None]:
    """Make this (the web) process publish tasks to ``broker_url`` rather than run them."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = broker_url, False
    _drop_broker_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _drop_broker_connections()


def _drop_broker_connections() -> None:
    # Celery holds on to the connection pool of the URL it first saw. The pools
    # themselves stay open in kombu's registry (one per URL), for the next user.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
