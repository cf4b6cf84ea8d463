"""Accounts in a real browser: setting up two-factor sign-in at first sign-in, a leaver
disabled from the people pages, and a password changed from Your account."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import CODE_PAGE, assert_accessible, sign_in
from tests.factories import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_scrutineer_sets_up_two_factor_at_first_sign_in_then_signs_in_with_a_code(
    page: Page, scrutineer
):
    sign_in_with_password(page, scrutineer.email)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Section 11")
    assert_accessible(page)

    # What someone does who cannot scan: type the key into the app, which then shows codes.
    key = page.locator("#setup-key code").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    app_key = b32decode(key.replace(" ", ""))
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code is not right.").first).to_be_visible()
    assert_accessible(page)
    page.wait_for_timeout(1100)  # a wrong code makes the next try wait a second
    page.get_by_label("6-digit code").fill(f"{totp(app_key):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Your recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("this is the only time they are shown")).to_be_visible()
    expect(page.get_by_role("button", name="Print the codes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", name="Welcome, Rowan")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, scrutineer.email)
    expect(page.get_by_role("heading", name=CODE_PAGE)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("6-digit code").fill(totp_code(TOTPDevice.objects.get(user=scrutineer)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Welcome, Rowan")).to_be_visible()


def test_a_business_unit_officer_disables_a_leaver_who_is_signed_out_at_the_next_click(
    page: Page, browser, live_server, business_unit, agency_lead
):
    leaver = browser.new_context(base_url=live_server.url).new_page()
    sign_in(leaver, agency_lead.email)

    sign_in(page, business_unit.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name or email contains").fill("Morgan")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="Morgan Lead").click()
    expect(page.get_by_role("heading", name="Morgan Lead")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Disable account").click()

    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is this account being disabled?").fill("Left the partnership.")
    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_text("Morgan Lead's account is disabled. 1 session ended")).to_be_visible()
    expect(page.get_by_text("Disabled: Left the partnership.").first).to_be_visible()
    assert_accessible(page)

    leaver.get_by_role("navigation", name="Main").get_by_role("link", name="Action plan").click()
    expect(leaver.get_by_role("heading", name="Sign in")).to_be_visible()
    leaver.get_by_label("Email address").fill(agency_lead.email)
    leaver.get_by_label("Password").fill(PASSWORD)
    leaver.get_by_role("button", name="Sign in").click()
    expect(leaver.get_by_text("The email address or password is not right.").first).to_be_visible()
    leaver.context.close()


def test_an_agency_lead_changes_their_password_from_your_account(page: Page, agency_lead):
    sign_in(page, agency_lead.email)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change your password").click()

    new = "moorland-lantern-harbour-quiet"
    page.get_by_label("Your current password").fill("not my password")
    page.get_by_label(re.compile(r"^\s*New password")).fill(new)
    page.get_by_label("Type the new password again").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your old password was entered incorrectly.").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_label(re.compile(r"^\s*New password")).fill(new)
    page.get_by_label("Type the new password again").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, agency_lead.email, new)
    expect(page.get_by_role("heading", name="Welcome, Morgan")).to_be_visible()
