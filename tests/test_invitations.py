"""A Business Unit officer invites someone; the emailed link sets their password once."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Invitation, Role, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-pebble-42"


def invite(client, django_capture_on_commit_callbacks, **overrides):
    data = {
        "full_name": "Kit Newlead",
        "email": "kit.newlead@test.csap.example",
        "role": Role.AGENCY_LEAD.value,
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("audits:invitation_create"), data)


def link_from_email() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^/\s]+(/invitations/accept/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_business_unit_invites_a_lead_who_sets_a_password_and_lands_on_home(
    as_persona, agency, django_capture_on_commit_callbacks
):
    client = as_persona("business_unit")
    response = invite(client, django_capture_on_commit_callbacks, organisation=agency.pk)
    assert response.status_code == 302
    assert "Kit Newlead" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kit.newlead@test.csap.example"]
    assert agency.name in mail.outbox[0].body
    assert Invitation.objects.get().sent_at is not None

    client.logout()
    link = link_from_email()
    page = client.get(link)
    assert "Set your password" in page.content.decode()
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    home = client.get(response["Location"]).content.decode()
    assert "Welcome, Kit" in home
    assert agency.name in home

    user = User.objects.get(email="kit.newlead@test.csap.example")
    assert user.roles == {Role.AGENCY_LEAD}
    assert user.organisation_ids == {agency.pk}
    assert user.check_password(NEW_PASSWORD)


def test_a_used_link_gets_a_clear_page_and_changes_nothing(
    as_persona, agency, django_capture_on_commit_callbacks, client
):
    invite(as_persona("business_unit"), django_capture_on_commit_callbacks, organisation=agency.pk)
    client.logout()
    link = link_from_email()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()
    replay = client.post(
        link, {"password1": "another-pass-phrase-9", "password2": "another-pass-phrase-9"}
    )
    assert replay.status_code == 410
    assert User.objects.get(email="kit.newlead@test.csap.example").check_password(NEW_PASSWORD)


def test_an_expired_link_gets_a_clear_page(
    as_persona, agency, django_capture_on_commit_callbacks, client
):
    invite(as_persona("business_unit"), django_capture_on_commit_callbacks, organisation=agency.pk)
    client.logout()
    link = link_from_email()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        page = client.get(link)
        assert page.status_code == 410
        assert "This invitation has expired" in page.content.decode()
        posted = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert posted.status_code == 410
    assert not User.objects.filter(email="kit.newlead@test.csap.example").exists()


def test_a_tampered_link_is_not_found(client):
    response = client.get(reverse("audits:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_a_weak_or_mismatched_password_is_explained_next_to_the_field(
    as_persona, agency, django_capture_on_commit_callbacks, client
):
    invite(as_persona("business_unit"), django_capture_on_commit_callbacks, organisation=agency.pk)
    client.logout()
    link = link_from_email()
    short = client.post(link, {"password1": "short", "password2": "short"}).content.decode()
    assert "There is a problem" in short
    assert "at least 12 characters" in short
    mismatch = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The two passwords do not match." in mismatch.content.decode()
    assert not User.objects.filter(email="kit.newlead@test.csap.example").exists()


def test_an_agency_role_without_an_organisation_keeps_what_was_typed(
    as_persona, django_capture_on_commit_callbacks
):
    response = invite(as_persona("business_unit"), django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the organisation this person acts for." in html
    assert 'value="Kit Newlead"' in html
    assert 'value="kit.newlead@test.csap.example"' in html
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_school_lead_must_belong_to_a_school(
    as_persona, agency, django_capture_on_commit_callbacks
):
    response = invite(
        as_persona("business_unit"),
        django_capture_on_commit_callbacks,
        role=Role.SCHOOL_LEAD.value,
        organisation=agency.pk,
    )
    assert "A school lead must belong to a school." in response.content.decode()


def test_inviting_an_existing_account_is_refused(
    as_persona, agency_lead, agency, django_capture_on_commit_callbacks
):
    response = invite(
        as_persona("business_unit"),
        django_capture_on_commit_callbacks,
        email=agency_lead.email.upper(),
        organisation=agency.pk,
    )
    assert "already has an account" in response.content.decode()


def test_a_malformed_email_is_explained(as_persona, agency, django_capture_on_commit_callbacks):
    response = invite(
        as_persona("business_unit"),
        django_capture_on_commit_callbacks,
        email="not an address",
        organisation=agency.pk,
    )
    assert "Enter a valid email address." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("business_unit", 200),
        ("executive", 403),
        ("scrutineer", 403),
        ("agency_lead", 404),
        ("contributor", 404),
        ("other_agency_lead", 404),
        ("school_lead", 404),
        ("auditor", 404),
    ],
)
@pytest.mark.parametrize("url_name", ["audits:invitation_list", "audits:invitation_create"])
def test_only_the_business_unit_manages_invitations(as_persona, persona, expected, url_name):
    assert as_persona(persona).get(reverse(url_name)).status_code == expected


@pytest.mark.parametrize("persona", ["executive", "agency_lead"])
def test_others_cannot_send_invitations_by_posting(as_persona, persona, agency):
    response = as_persona(persona).post(
        reverse("audits:invitation_create"),
        {
            "full_name": "X",
            "email": "x@test.csap.example",
            "role": "Agency lead",
            "organisation": agency.pk,
        },
    )
    assert response.status_code in {403, 404}
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("url_name", ["audits:invitation_list", "audits:invitation_create"])
def test_anonymous_visitors_are_sent_to_sign_in_for_invitations(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_invitation_list_queries_are_bounded(
    as_persona, business_unit, agency, django_assert_max_num_queries
):
    for n in range(30):
        services.invitation_create(
            invited_by=business_unit,
            email=f"person{n}@invitees.example",
            full_name=f"Invitee {n}",
            role=Role.AGENCY_CONTRIBUTOR,
            organisation=agency,
        )
    client = as_persona("business_unit")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("audits:invitation_list")).status_code == 200


def test_an_executive_member_is_invited_for_a_statutory_partner(
    as_persona, django_capture_on_commit_callbacks, client
):
    bu = as_persona("business_unit")
    missing = invite(bu, django_capture_on_commit_callbacks, role=Role.EXECUTIVE.value)
    assert "Choose the statutory partner" in missing.content.decode()
    invite(
        bu,
        django_capture_on_commit_callbacks,
        role=Role.EXECUTIVE.value,
        statutory_partner="police",
    )
    bu.logout()
    link = link_from_email()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user = User.objects.get(email="kit.newlead@test.csap.example")
    assert user.roles == {Role.EXECUTIVE}
    assert user.statutory_partner == "police"
