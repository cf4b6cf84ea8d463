"""Production settings refuse to start without the secrets and services they need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Variables a test run may set that production never has.
TEST_ONLY = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
COMPLETE = {
    "SECRET_KEY": "a-long-random-production-secret-for-the-test-only-0123456789",
    "DATABASE_URL": "postgres://portal@db:5432/portal",
    "REDIS_URL": "redis://redis:6379/0",
}


def load_production(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {*COMPLETE, *TEST_ONLY}}
    return subprocess.run(
        [sys.executable, "-c", "import csap_portal.settings.production"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_load_when_everything_is_given():
    result = load_production(COMPLETE)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(COMPLETE))
def test_production_settings_refuse_to_start_without(missing):
    result = load_production({k: v for k, v in COMPLETE.items() if k != missing})
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_settings_refuse_sqlite():
    result = load_production({**COMPLETE, "DATABASE_URL": "sqlite:////tmp/portal.sqlite3"})
    assert result.returncode != 0
    assert "must point at PostgreSQL" in result.stderr


def test_deploy_checks_pass_with_production_settings():
    clean = {k: v for k, v in os.environ.items() if k not in {*COMPLETE, *TEST_ONLY}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            **COMPLETE,
            "DJANGO_SETTINGS_MODULE": "csap_portal.settings.production",
            "ALLOWED_HOSTS": "portal.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
