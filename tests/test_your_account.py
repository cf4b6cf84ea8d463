"""Your account: each person sees their details and changes their own email address
and password, each time giving their current password again."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountSession
from audits.models import User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_every_signed_in_person_reaches_their_account_from_the_navigation(as_persona, agency):
    html = as_persona("agency_lead").get(reverse("audits:home")).content.decode()
    assert f'href="{reverse("accounts:account")}">Your account</a>' in html
    page = as_persona("agency_lead").get(reverse("accounts:account")).content.decode()
    assert "Morgan Lead" in page
    assert agency.name in page
    assert "Agency lead" in page
    assert "Two-factor sign-in" in page
    assert "<strong>Off.</strong>" in page


def test_the_account_page_says_two_factor_is_on_and_stays_on_for_the_roles_that_need_it(
    as_persona,
):
    page = as_persona("scrutineer").get(reverse("accounts:account")).content.decode()
    assert "<strong>On.</strong>" in page
    assert "Your role needs two-factor sign-in, so it stays on." in page
    assert "Make new recovery codes" in page


# --- Email address -----------------------------------------------------------------


def test_changing_the_email_address_asks_for_the_password_and_tells_the_old_address(
    client, agency_lead, django_capture_on_commit_callbacks
):
    client.force_login(agency_lead)
    url = reverse("accounts:email_change")
    refused = client.post(url, {"email": "morgan.new@test.csap.example", "password": "guess"})
    assert refused.status_code == 400
    assert "That is not your current password." in refused.content.decode()
    assert 'value="morgan.new@test.csap.example"' in refused.content.decode()
    agency_lead.refresh_from_db()
    assert agency_lead.email != "morgan.new@test.csap.example"

    old = agency_lead.email
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Morgan.New@Test.csap.example", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:account")
    agency_lead.refresh_from_db()
    assert agency_lead.email == "morgan.new@test.csap.example"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [old]
    assert "email address of your CSAP Assurance Portal account was changed" in mail.outbox[0].body
    assert "morgan.new@test.csap.example" in mail.outbox[0].body
    assert User.history.filter(id=agency_lead.pk, history_change_reason="Email address changed")

    # The new address signs in; the old one no longer does.
    assert (
        Client().post(reverse("login"), {"username": old, "password": PASSWORD}).status_code == 200
    )
    assert (
        Client()
        .post(reverse("login"), {"username": agency_lead.email, "password": PASSWORD})
        .status_code
        == 302
    )


def test_an_address_someone_else_uses_is_refused_whatever_its_case(
    client, agency_lead, contributor
):
    client.force_login(agency_lead)
    response = client.post(
        reverse("accounts:email_change"),
        {"email": contributor.email.upper(), "password": PASSWORD},
    )
    assert response.status_code == 400
    assert "Someone else&#x27;s account uses this email address." in response.content.decode()
    assert mail.outbox == []


# --- Password ---------------------------------------------------------------------


def change_password(client: Client, old: str, new: str):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_changing_the_password_needs_the_current_one(client, agency_lead):
    client.force_login(agency_lead)
    response = change_password(client, "not my password", "quiet-harbour-lantern-seven")
    assert response.status_code == 400
    assert "Your old password was entered incorrectly." in response.content.decode()
    agency_lead.refresh_from_db()
    assert agency_lead.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short-pass1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("846210935712", "This password is entirely numeric."),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(client, agency_lead, new, message):
    client.force_login(agency_lead)
    response = change_password(client, PASSWORD, new)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("length", [64, 200])
def test_long_passwords_are_welcome(client, agency_lead, length):
    new = ("lantern harbour quiet seven " * 10)[:length]
    assert len(new) == length
    client.force_login(agency_lead)
    assert change_password(client, PASSWORD, new).status_code == 302
    agency_lead.refresh_from_db()
    assert agency_lead.check_password(new)
    signed_in = Client().post(reverse("login"), {"username": agency_lead.email, "password": new})
    assert signed_in.status_code == 302


@pytest.mark.parametrize("length", [64, 200])
def test_long_passwords_are_welcome_when_accepting_an_invitation(
    client, business_unit, agency, length
):
    from audits import services

    invitation = services.invitation_create(
        invited_by=business_unit,
        email="kit.long@test.csap.example",
        full_name="Kit Long",
        role="Agency lead",
        organisation=agency,
    )
    new = ("ribble moor lantern " * 12)[:length]
    url = reverse("audits:invitation_accept", args=[services.invitation_token(invitation)])
    assert client.post(url, {"password1": new, "password2": new}).status_code == 302
    assert User.objects.get(email="kit.long@test.csap.example").check_password(new)


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(
    client, agency_lead, django_capture_on_commit_callbacks
):
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": agency_lead.email, "password": PASSWORD})
    assert elsewhere.get(reverse("audits:home")).status_code == 200
    client.force_login(agency_lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = change_password(client, PASSWORD, "quiet-harbour-lantern-seven")
    assert response["Location"] == reverse("accounts:account")
    followed = client.get(response["Location"]).content.decode()
    assert "Your password is changed." in followed
    assert "those sessions have ended" in followed
    assert client.get(reverse("audits:home")).status_code == 200
    assert elsewhere.get(reverse("audits:home"))["Location"].startswith(reverse("login"))
    assert AccountSession.objects.filter(account_id=agency_lead.pk).count() == 1
    assert mail.outbox[-1].to == [agency_lead.email]
    assert "password of your CSAP Assurance Portal account was changed" in mail.outbox[-1].body


def test_a_password_change_is_in_the_account_history_but_the_password_is_not(client, agency_lead):
    client.force_login(agency_lead)
    change_password(client, PASSWORD, "quiet-harbour-lantern-seven")
    record = User.history.filter(id=agency_lead.pk).latest("history_date")
    assert record.history_change_reason == "Password changed"
    assert record.history_user_id == agency_lead.pk
    assert not hasattr(record, "password")
    assert not hasattr(record, "last_login")


def test_signing_in_adds_nothing_to_the_account_history(agency_lead):
    before = User.history.filter(id=agency_lead.pk).count()
    Client().post(reverse("login"), {"username": agency_lead.email, "password": PASSWORD})
    agency_lead.refresh_from_db()
    assert agency_lead.last_login is not None
    assert User.history.filter(id=agency_lead.pk).count() == before


def test_the_account_pages_are_for_the_signed_in_person_only(client):
    person = UserFactory()
    for name in ("accounts:account", "accounts:email_change", "accounts:password_change"):
        response = client.get(reverse(name))
        assert response["Location"].startswith(reverse("login")), name
    client.force_login(person)
    assert person.email in client.get(reverse("accounts:account")).content.decode()
