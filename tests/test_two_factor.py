"""Two-factor sign-in: a code from an authenticator app after the password, required
for the roles that read every agency's returns, offered to everyone else.

These tests sign in through the real pages with a plain client, so that nothing is
verified for them; the shared ``client`` fixture does the same in one step.
"""

from __future__ import annotations

import datetime
import re
from base64 import b32decode
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.middleware import OPEN_BEFORE_TWO_FACTOR
from audits.models import Role

from .factories import (
    PASSWORD,
    UserFactory,
    authenticator,
    framework_with_criteria,
    open_cycle,
)
from .factories import totp_code as current_code

pytestmark = pytest.mark.django_db

CODE_PAGE = "Enter the 6-digit code from your authenticator app"


def password_sign_in(user, next_url: str = "") -> tuple[Client, str]:
    """Sign in with the password alone, as the sign-in page does; return the client
    and where the page sent the person."""
    client = Client()
    response = client.post(
        reverse("login") + (f"?next={next_url}" if next_url else ""),
        {"username": user.email, "password": PASSWORD, "next": next_url},
        follow=True,
    )
    return client, response.redirect_chain[-1][0] if response.redirect_chain else ""


# --- Who is asked for what ------------------------------------------------------


@pytest.mark.parametrize("role", [Role.BUSINESS_UNIT, Role.EXECUTIVE, Role.SCRUTINEER])
def test_the_oversight_roles_are_taken_to_set_up_before_anything_else(role):
    person = UserFactory(roles=[role])
    client, landed = password_sign_in(person)
    assert landed.startswith(reverse("accounts:otp_setup"))
    for page in (
        reverse("audits:home"),
        reverse("section11:cycle_list"),
        reverse("accounts:account"),
    ):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_technical_staff_must_set_it_up_too():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client, landed = password_sign_in(staff)
    assert landed.startswith(reverse("accounts:otp_setup"))
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:otp_setup"))


def test_an_agency_lead_signs_in_with_a_password_alone(agency_lead):
    client, landed = password_sign_in(agency_lead)
    assert landed == reverse("audits:home")
    assert client.get(reverse("audits:home")).status_code == 200


def test_anyone_with_an_authenticator_is_asked_for_its_code_and_then_sent_on(agency_lead):
    device = authenticator(agency_lead)
    wanted = reverse("audits:action_list")
    client, landed = password_sign_in(agency_lead, next_url=wanted)
    assert landed.startswith(reverse("accounts:otp_verify"))
    page = client.get(landed)
    html = page.content.decode()
    assert CODE_PAGE in html
    assert "Use a recovery code instead" in html
    assert 'autocomplete="one-time-code"' in html
    response = client.post(landed, {"code": current_code(device), "next": wanted})
    assert response.status_code == 302
    assert response["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_passing_the_code_gives_the_session_a_new_key(business_unit):
    device = authenticator(business_unit)
    client, landed = password_sign_in(business_unit)
    before = client.session.session_key
    client.post(landed, {"code": current_code(device)})
    assert client.session.session_key != before
    assert client.get(reverse("audits:home")).status_code == 200


# --- The enforcement: one list of pages, closed by default -------------------------


def test_an_unverified_session_reaches_only_the_short_list_of_pages(business_unit, world_urls):
    authenticator(business_unit)
    client, _ = password_sign_in(business_unit)
    client.raise_request_exception = False
    for name, url in world_urls.items():
        turned_back = f"{reverse('accounts:otp_verify')}?{urlencode({'next': url})}"
        for response in (client.get(url), client.post(url)):
            if name in OPEN_BEFORE_TWO_FACTOR:
                assert response.get("Location") != turned_back, name
            else:
                assert response.status_code == 302, name
                assert response["Location"] == turned_back, name


def test_the_open_pages_are_exactly_these():
    assert sorted(OPEN_BEFORE_TWO_FACTOR) == [
        "accounts:otp_recover",
        "accounts:otp_setup",
        "accounts:otp_verify",
        "audits:healthz",
        "logout",
        "reports:public_download",
        "reports:public_list",
    ]


def test_an_unverified_session_cannot_open_the_admin_site_or_post_anywhere(business_unit):
    business_unit.is_staff = True
    business_unit.is_superuser = True
    business_unit.save()
    authenticator(business_unit)
    client, _ = password_sign_in(business_unit)
    for url in ("/admin/", "/admin/audits/user/", "/admin/login/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:otp_verify")), url
    posted = client.post(reverse("section11:cycle_open"), {"name": "A cycle"})
    assert posted["Location"].startswith(reverse("accounts:otp_verify"))


def test_an_unverified_session_may_sign_out_and_read_public_pages(business_unit):
    authenticator(business_unit)
    client, _ = password_sign_in(business_unit)
    assert client.get(reverse("reports:public_list")).status_code == 200
    assert client.get(reverse("audits:healthz")).status_code == 200
    html = client.get(reverse("accounts:otp_verify")).content.decode()
    assert ">Section 11</a>" not in html  # no navigation to pages it cannot open
    assert ">Your account</a>" not in html
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_set_up_cannot_replace_an_authenticator_before_its_code_is_given(business_unit):
    authenticator(business_unit)
    client, _ = password_sign_in(business_unit)
    response = client.get(reverse("accounts:otp_setup"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert TOTPDevice.objects.filter(user=business_unit).count() == 1


def test_a_device_removed_mid_session_sends_the_session_back_to_set_up(client, scrutineer):
    client.force_login(scrutineer)
    assert client.get(reverse("audits:home")).status_code == 200
    TOTPDevice.objects.filter(user=scrutineer).delete()
    assert client.get(reverse("audits:home"))["Location"].startswith(reverse("accounts:otp_setup"))


# --- Wrong codes and throttling -----------------------------------------------------


def test_a_wrong_code_is_explained_next_to_the_field(business_unit):
    authenticator(business_unit)
    client, landed = password_sign_in(business_unit)
    response = client.post(landed, {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    # Beside the field, and in the summary at the top that links to it.
    assert '<span id="error_1_id_code"><strong>That code is not right.' in html
    assert '<a href="#id_code">6-digit code: That code is not right.' in html
    malformed = client.post(landed, {"code": "12ab"}).content.decode()
    assert "Enter the 6 digits your authenticator app shows, numbers only." in malformed


def test_repeated_wrong_codes_make_the_next_try_wait_even_with_the_right_code(business_unit):
    device = authenticator(business_unit)
    client, landed = password_sign_in(business_unit)
    start = timezone.now()

    def at(seconds: float) -> time_machine.travel:
        return time_machine.travel(start + datetime.timedelta(seconds=seconds), tick=False)

    # Each wrong code doubles the wait before the next is checked: 1, 2, then 4 seconds.
    for seconds in (0, 1.5, 4):
        with at(seconds):
            wrong = client.post(landed, {"code": "000000"})
            assert "That code is not right." in wrong.content.decode()
    with at(5):
        refused = client.post(landed, {"code": current_code(device)})
    assert "Too many wrong codes in a row." in refused.content.decode()
    assert "wait 3 seconds, then try again" in refused.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    assert client.get(reverse("audits:home"))["Location"].startswith(reverse("accounts:otp_verify"))
    with at(9):
        accepted = client.post(landed, {"code": current_code(device)})
    assert accepted.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_every_code_tried_is_logged(business_unit, caplog):
    device = authenticator(business_unit)
    client, landed = password_sign_in(business_unit)
    with caplog.at_level("INFO", logger="accounts.services"):
        client.post(landed, {"code": "000000"})
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
            client.post(landed, {"code": current_code(device)})
    assert [r.getMessage() for r in caplog.records if r.name == "accounts.services"] == [
        f"Wrong two-factor code for account {business_unit.pk} (Authenticator app)",
        f"Two-factor code accepted for account {business_unit.pk} (Authenticator app)",
    ]


def test_a_code_works_only_once(business_unit):
    device = authenticator(business_unit)
    code = current_code(device)
    first, landed = password_sign_in(business_unit)
    assert first.post(landed, {"code": code}).status_code == 302
    second, landed = password_sign_in(business_unit)
    response = second.post(landed, {"code": code})
    assert "That code is not right." in response.content.decode()


# --- Recovery codes ---------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(business_unit):
    authenticator(business_unit)
    codes = services.recovery_codes_replace(user=business_unit)
    client, _ = password_sign_in(business_unit)
    recover = reverse("accounts:otp_recover")
    response = client.post(recover, {"code": codes[0].upper()[:4] + " " + codes[0][4:]})
    assert response.status_code == 302
    followed = client.get(response["Location"], follow=True).content.decode()
    assert "You signed in with a recovery code. You have 9 left." in followed

    again, _ = password_sign_in(business_unit)
    reused = again.post(recover, {"code": codes[0]})
    assert reused.status_code == 400
    assert "each code works once" in reused.content.decode()
    assert StaticToken.objects.filter(device__user=business_unit).count() == 9


def test_wrong_recovery_codes_are_throttled_too(business_unit):
    authenticator(business_unit)
    codes = services.recovery_codes_replace(user=business_unit)
    client, _ = password_sign_in(business_unit)
    recover = reverse("accounts:otp_recover")
    with time_machine.travel(timezone.now(), tick=False):
        client.post(recover, {"code": "aaaaaaaa"})
        refused = client.post(recover, {"code": codes[1]})
    assert "Too many wrong codes in a row." in refused.content.decode()
    assert StaticToken.objects.filter(device__user=business_unit).count() == 10


# --- Setting it up ------------------------------------------------------------------


def setup_key(html: str) -> bytes:
    key = re.search(r'class="setup-key"[^>]*><code>([A-Z2-7 ]+)</code>', html).group(1)
    return b32decode(key.replace(" ", ""))


def test_set_up_shows_a_qr_code_and_the_key_then_ten_recovery_codes_once(scrutineer):
    client, landed = password_sign_in(scrutineer)
    page = client.get(landed)
    html = page.content.decode()
    assert "Set up two-factor sign-in" in html
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<path" in svg
    assert "<script" not in svg
    assert "style=" not in svg  # the Content Security Policy would block it
    assert 'role="img" aria-label="QR code' in html
    key = setup_key(html)
    assert setup_key(client.get(landed).content.decode()) == key  # the same key until confirmed

    wrong = client.post(landed, {"code": "123456"})
    assert "That code is not right." in wrong.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        response = client.post(landed, {"code": f"{totp(key):06d}"})
    assert response["Location"].startswith(reverse("accounts:recovery_codes"))

    shown = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{4}) ([a-z2-7]{4})</code></li>", shown)
    assert len(codes) == 10
    assert "this is the only time they are shown" in shown
    assert "each of these codes lets you sign in once" in shown
    assert "<li><code>" not in client.get(response["Location"]).content.decode()

    device = TOTPDevice.objects.get(user=scrutineer)
    assert device.confirmed
    assert client.get(reverse("audits:home")).status_code == 200


def test_the_codes_page_is_never_cached(client, business_unit):
    client.force_login(business_unit)
    response = client.get(reverse("accounts:recovery_codes"))
    assert "no-store" in response["Cache-Control"]


def test_moving_to_a_new_phone_asks_for_the_password_and_retires_the_old_one(client, business_unit):
    client.force_login(business_unit)
    old = TOTPDevice.objects.get(user=business_unit)
    old_codes = services.recovery_codes_replace(user=business_unit)
    html = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "Move two-factor sign-in to a new phone" in html
    key = setup_key(html)
    refused = client.post(
        reverse("accounts:otp_setup"), {"code": f"{totp(key):06d}", "password": "not it"}
    )
    assert "That is not your current password." in refused.content.decode()
    client.post(reverse("accounts:otp_setup"), {"code": f"{totp(key):06d}", "password": PASSWORD})
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.get(user=business_unit).bin_key == key
    assert not StaticToken.objects.filter(token__in=old_codes).exists()


def test_new_recovery_codes_ask_for_the_password_and_replace_the_old_ones(client, business_unit):
    client.force_login(business_unit)
    old = services.recovery_codes_replace(user=business_unit)
    url = reverse("accounts:recovery_codes")
    refused = client.post(url, {"password": "wrong password"})
    assert refused.status_code == 400
    assert "That is not your current password." in refused.content.decode()
    assert client.post(url, {"password": PASSWORD})["Location"] == url
    codes = re.findall(r"<li><code>(\w{4}) (\w{4})</code>", client.get(url).content.decode())
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token__in=old).exists()


def test_someone_not_required_may_turn_it_on_and_off_with_their_password(client, agency_lead):
    client.force_login(agency_lead)
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-factor sign-in" in account
    html = client.get(reverse("accounts:otp_setup")).content.decode()
    client.post(reverse("accounts:otp_setup"), {"code": f"{totp(setup_key(html)):06d}"})
    assert "Turn off two-factor sign-in" in client.get(reverse("accounts:account")).content.decode()

    url = reverse("accounts:otp_turn_off")
    assert (
        "That is not your current password." in client.post(url, {"password": "x"}).content.decode()
    )
    assert client.post(url, {"password": PASSWORD})["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=agency_lead).exists()
    _, landed = password_sign_in(agency_lead)
    assert landed == reverse("audits:home")


def test_the_roles_that_need_it_cannot_turn_it_off(client, executive):
    client.force_login(executive)
    assert "Turn off" not in client.get(reverse("accounts:account")).content.decode()
    response = client.post(reverse("accounts:otp_turn_off"), {"password": PASSWORD})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=executive).exists()


# --- Fixtures -------------------------------------------------------------------------


@pytest.fixture
def world_urls(agency, business_unit) -> dict[str, str]:
    """One URL for every pattern without arguments, and a few with, to walk."""
    from .test_every_url import url_patterns

    cycle = open_cycle(agency, framework=framework_with_criteria(standards=1))
    return_obj = cycle.returns.get()
    urls = {
        name: route
        for name, route in url_patterns().items()
        # Signing out is walked last, in its own test.
        if "<" not in route and name not in {"login", "logout"}
    }
    urls.update(
        {
            "section11:cycle_tracker": reverse("section11:cycle_tracker", args=[cycle.pk]),
            "section11:return_overview": reverse("section11:return_overview", args=[return_obj.pk]),
            "accounts:person_detail": reverse("accounts:person_detail", args=[business_unit.pk]),
            "admin:index": "/admin/",
        }
    )
    return urls
