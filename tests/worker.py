"""A real Celery worker, over real Redis, working on the test database.

Used by the integration tests and by browser journeys that wait for the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def running_worker(tmp_path: Path, **env_overrides: str) -> Iterator[Path]:
    """Run a worker process on the test database while the block runs; yield the folder
    it writes emails to. ``env_overrides`` reach its settings (for example CLAMD_SOCKET)."""
    redis_url = settings.REDIS_URL
    redis.Redis.from_url(redis_url).flushdb()
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csap_portal.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Virus scanning only where a test asks for it, whatever a developer's .env says.
        "CLAMD_SOCKET": "",
        "CLAMD_HOST": "",
        **env_overrides,
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "csap_portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        _wait_until_ready(worker, tmp_path / "worker.log")
        yield mail_dir
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


@pytest.fixture
def celery_worker(transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """Start a worker process on the test database; yield the folder it writes emails to."""
    with running_worker(tmp_path) as mail_dir:
        yield mail_dir


def _wait_until_ready(worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"The worker exited:\n{log.read_text()}")
        if "ready." in log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"The worker did not start in time:\n{log.read_text()}")


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
