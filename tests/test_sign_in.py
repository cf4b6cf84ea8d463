"""Signing in with an email address, signing out, and resetting a forgotten password."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_in_any_case(client, agency_lead, password):
    response = client.post(
        reverse("login"), {"username": agency_lead.email.upper(), "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:home")


def test_a_wrong_password_is_explained_and_the_email_kept(client, agency_lead):
    response = client.post(
        reverse("login"), {"username": agency_lead.email, "password": "not-the-password"}
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The email address or password is not right." in html
    assert f'value="{agency_lead.email}"' in html


def test_a_disabled_account_cannot_sign_in(client, agency_lead, password):
    agency_lead.is_active = False
    agency_lead.save()
    response = client.post(reverse("login"), {"username": agency_lead.email, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client, agency_lead):
    client.force_login(agency_lead)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("audits:home")).status_code == 302


def test_a_forgotten_password_is_reset_by_email(client, agency_lead):
    client.post(reverse("password_reset"), {"email": agency_lead.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/account/password-reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "quiet-harbour-lantern-7"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    agency_lead.refresh_from_db()
    assert agency_lead.check_password(new)


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(
        reverse("password_reset"), {"email": "nobody@test.csap.example"}, follow=True
    )
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_five_wrong_passwords_pause_sign_in_for_that_address_and_are_all_logged(
    client, agency_lead, password
):
    from axes.models import AccessFailureLog, AccessLog

    for _ in range(5):
        client.post(reverse("login"), {"username": agency_lead.email, "password": "guess"})
    locked = client.post(
        reverse("login"), {"username": agency_lead.email.upper(), "password": password}
    )
    assert locked.status_code == 429
    assert "Sign-in is paused for this account" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username=agency_lead.email).count() >= 5
    assert not AccessLog.objects.exists()


def test_the_pause_ends_after_the_cool_off(client, agency_lead, password):
    import datetime

    import time_machine
    from django.utils import timezone

    for _ in range(5):
        client.post(reverse("login"), {"username": agency_lead.email, "password": "guess"})
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = client.post(
            reverse("login"), {"username": agency_lead.email, "password": password}
        )
        assert response.status_code == 302


@pytest.mark.parametrize(
    ("sign_in", "message"),
    [
        ("login", "The email address or password is not right."),
        ("admin:login", "Please enter the correct email address and password"),
    ],
)
def test_an_address_too_long_to_be_anyones_is_refused_like_a_wrong_one(client, sign_in, message):
    """The lockout records the address tried; one longer than its column must not break it."""
    from axes.models import AccessAttempt

    long_address = "a" * 100_000 + "@test.csap.example"
    response = client.post(reverse(sign_in), {"username": long_address, "password": "guess"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get()
    assert attempt.username == long_address[:255]


def test_a_lockout_for_one_account_does_not_lock_out_a_colleague(
    client, agency_lead, contributor, password
):
    for _ in range(5):
        client.post(reverse("login"), {"username": agency_lead.email, "password": "guess"})
    response = client.post(reverse("login"), {"username": contributor.email, "password": password})
    assert response.status_code == 302


def test_a_successful_sign_in_is_logged(client, agency_lead, password):
    from axes.models import AccessLog

    client.post(reverse("login"), {"username": agency_lead.email, "password": password})
    assert AccessLog.objects.filter(username=agency_lead.email).count() == 1


def test_a_session_ends_after_thirty_idle_minutes(client, agency_lead, password):
    import datetime

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": agency_lead.email, "password": password})
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert client.get(reverse("audits:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=29 + 31), tick=False):
        assert client.get(reverse("audits:home"))["Location"].startswith(reverse("login"))


def test_a_busy_session_still_ends_after_twelve_hours(client, agency_lead, password):
    import datetime

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": agency_lead.email, "password": password})
    for step in range(1, 29):  # a request every 25 minutes for 11 hours 40 minutes
        with time_machine.travel(start + datetime.timedelta(minutes=25 * step), tick=False):
            assert client.get(reverse("audits:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=5), tick=False):
        response = client.get(reverse("audits:home"))
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_signing_in_gives_a_new_session_key(client, agency_lead, password):
    client.get(reverse("login"))
    before = client.session.session_key
    client.post(reverse("login"), {"username": agency_lead.email, "password": password})
    assert client.session.session_key != before


def test_a_disabled_account_is_signed_out_everywhere_at_its_next_request(client, agency_lead):
    client.force_login(agency_lead)
    assert client.get(reverse("audits:home")).status_code == 200
    agency_lead.is_active = False
    agency_lead.save()
    assert client.get(reverse("audits:home"))["Location"].startswith(reverse("login"))
