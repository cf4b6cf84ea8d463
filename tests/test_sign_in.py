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
