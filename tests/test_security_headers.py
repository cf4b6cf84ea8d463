"""Every page carries the headers that keep browsers from being turned against users."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("persona", ["anonymous", "agency_lead", "business_unit"])
def test_pages_forbid_inline_script_framing_and_powerful_features(as_persona, persona):
    response = as_persona(persona).get(reverse("audits:home"), follow=True)
    policy = response["Content-Security-Policy"]
    directives = dict(
        ([*part.split(" ", 1), ""])[:2] for part in (p.strip() for p in policy.split(";"))
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_carries_inline_script_or_style():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "reports/pdf" in template.as_posix():
            continue  # PDF templates never reach a browser.
        text = template.read_text()
        if 'style="' in text or " onclick=" in text or "<script>" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_production_sends_hsts_and_secure_cookies():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "SECRET_KEY": "a-long-random-production-secret-for-the-test-only-0123456789",
        "DATABASE_URL": "postgres://portal@db:5432/portal",
        "REDIS_URL": "redis://redis:6379/0",
    }
    code = (
        "import json, csap_portal.settings.production as s; print(json.dumps("
        "[s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.DEBUG]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    hsts, subdomains, session_secure, csrf_secure, redirect, debug = json.loads(result.stdout)
    assert hsts >= 31536000
    assert subdomains
    assert session_secure
    assert csrf_secure
    assert redirect
    assert not debug
