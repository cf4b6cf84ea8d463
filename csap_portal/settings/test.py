"""Tests run on PostgreSQL, as production does."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/csap_portal")
# Uploaded files go to a fresh folder per run, never a developer's var/media; the
# environment carries it to the worker processes the integration tests start.
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="csap-test-media-"))
os.environ.setdefault("QUARANTINE_ROOT", tempfile.mkdtemp(prefix="csap-test-quarantine-"))
# Redis database 15 keeps test messages apart from a developer's own queue.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: F403

# Fast hashing: the suite creates many users; strength is not under test here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; tests/integration drives a real worker over Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Virus scanning is off unless a test turns it on against its own clamd (tests/clamd.py).
CLAMD_SOCKET = ""
CLAMD_HOST = ""
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise looks for collected files; the suite serves them from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
