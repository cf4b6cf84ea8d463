"""An agency lead signs in, sees what to do next, and signs out, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, open_cycle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_agency_lead_signs_in_sees_home_and_signs_out(page: Page, agency_lead, agency):
    open_cycle(agency)

    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email address").fill(agency_lead.email)
    page.get_by_label("Password").fill("a wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(agency_lead.email)
    assert_accessible(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Welcome, Morgan")).to_be_visible()
    returns = page.get_by_role("table", name="Returns for your organisation")
    expect(returns).to_contain_text(agency.name)
    expect(returns).to_contain_text("Not started")
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Invitations")
    assert_accessible(page)

    page.get_by_role("link", name="Skip to main content").focus()
    expect(page.get_by_role("link", name="Skip to main content")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/$"))
