"""Headless Chromium from the operating system, driven by Playwright, checked by axe."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make beside it are ordinary synchronous calls all the same.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Anything the Content Security Policy blocks is a defect: the page relied on it.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not blocked, "\n".join(blocked)


def sign_in(page: Page, email: str) -> None:
    """Sign in as the person would. Someone with an authenticator app (set up now for
    the roles that need one, as at their first sign-in) types the code it shows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audits.models import User
    from tests.factories import PASSWORD, authenticator, totp_code

    user = User.objects.get(email__iexact=email)
    if user.two_factor_required:
        device = authenticator(user)
    else:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        expect(page.get_by_role("heading", name=CODE_PAGE)).to_be_visible()
        page.get_by_label("6-digit code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


CODE_PAGE = "Enter the 6-digit code from your authenticator app"


def assert_accessible(page: Page) -> None:
    """No serious or critical WCAG 2.2 AA violation on the page as it stands."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def _reference_data(reference_data: None) -> None:
    """Every browser test commits for real, so it needs the roles and geography."""


# Journeys that wait for the report service use the real worker, and a Redis of
# their own where the journey has it go away.
from tests.worker import celery_worker, private_redis  # noqa: E402

__all__ = ["CODE_PAGE", "assert_accessible", "celery_worker", "private_redis", "sign_in"]
