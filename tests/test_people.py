"""The people pages: the Business Unit finds anyone, disables a leaver in one step and
resets a lost phone's two-factor sign-in; Executive members and the Scrutineer read.

A disabled account sees nothing anywhere: its sessions end at once, and every access
rule in the portal shuts it out even where it holds a role, a membership or a grant.
"""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from accounts import services
from accounts.access import people_visible_to
from accounts.models import AccountSession
from audits import access as core_access
from audits import services as core
from audits.models import Invitation, Role, User
from reports import access as reports_access
from section11 import access as section11_access
from section11.challenges import (
    challenge_event_create,
    challenge_events_visible_to,
    challenge_panel_add,
    get_challenge_event_for_user,
)
from section11.models import PanelRole

from .conftest import PortalClient
from .factories import PASSWORD, AgencyFactory, UserFactory, authenticator, framework_with_criteria
from .factories import open_cycle as open_cycle_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def signed_in(user: User) -> Client:
    """A browser of the person's own, signed in through the sign-in page."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def disable(client: Client, person: User, reason: str = "Left the partnership on 31 March."):
    return client.post(reverse("accounts:person_disable", args=[person.pk]), {"reason": reason})


# --- The list and the person page ------------------------------------------------


def test_the_list_shows_organisation_roles_status_and_two_factor(as_persona, agency_lead, agency):
    authenticator(agency_lead)
    leaver = UserFactory(full_name="Lee Leaver", roles=[Role.AUDITOR], organisation=agency)
    leaver.is_active = False
    leaver.save()
    html = as_persona("business_unit").get(reverse("accounts:person_list")).content.decode()
    row = html[html.index("Morgan Lead") :].split("</tr>", 1)[0]
    assert agency.name in row
    assert "Agency lead" in row
    assert "Active" in row
    assert "<td>On</td>" in row
    leaver_row = html[html.index("Lee Leaver") :].split("</tr>", 1)[0]
    assert "<strong>Disabled</strong>" in leaver_row
    assert "<td>Off</td>" in leaver_row


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "otherlead"}, "Jordan Otherlead", "Morgan Lead"),
        ({"organisation": "hillside"}, "Jordan Otherlead", "Morgan Lead"),
        ({"role": Role.SCHOOL_LEAD.value}, "Alex Dsl", "Morgan Lead"),
        ({"status": "disabled"}, "Lee Leaver", "Morgan Lead"),
        ({"status": "active"}, "Morgan Lead", "Lee Leaver"),
        ({"two_factor": "on"}, "Riley Officer", "Morgan Lead"),
        ({"two_factor": "off"}, "Morgan Lead", "Riley Officer"),
    ],
)
def test_the_list_is_searched_and_filtered(
    as_persona, agency_lead, other_agency_lead, school_lead, query, shown, hidden
):
    leaver = UserFactory(full_name="Lee Leaver")
    leaver.is_active = False
    leaver.save()
    html = as_persona("business_unit").get(reverse("accounts:person_list"), query).content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert shown in table
    assert hidden not in table


def test_the_list_runs_a_bounded_number_of_queries(
    as_persona, agency, django_assert_max_num_queries
):
    for organisation in AgencyFactory.create_batch(8):
        for _ in range(8):
            authenticator(
                UserFactory(roles=[Role.AGENCY_LEAD, Role.AUDITOR], organisation=organisation)
            )
    client = as_persona("executive")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:person_list"), {"role": Role.AGENCY_LEAD.value})
    assert response.status_code == 200
    assert "64 people: page 1 of 2" in response.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:person_list"), {"page": 2}).status_code == 200


def test_the_person_page_offers_the_business_unit_its_actions_and_reads_for_others(
    as_persona, agency_lead
):
    url = reverse("accounts:person_detail", args=[agency_lead.pk])
    html = as_persona("business_unit").get(url).content.decode()
    assert "Morgan Lead" in html
    assert "Disable account" in html
    assert "Account created" in html
    read_only = as_persona("scrutineer").get(url).content.decode()
    assert "Morgan Lead" in read_only
    assert "Disable account" not in read_only


@pytest.mark.parametrize("persona", ["executive", "scrutineer"])
def test_executive_and_scrutineer_may_not_change_accounts(as_persona, agency_lead, persona):
    client = as_persona(persona)
    for name in ("person_disable", "person_enable", "person_two_factor_reset"):
        response = client.post(reverse(f"accounts:{name}", args=[agency_lead.pk]), {"reason": "x"})
        assert response.status_code == 403, name
    agency_lead.refresh_from_db()
    assert agency_lead.is_active


@pytest.mark.parametrize("persona", ["agency_lead", "contributor", "school_lead", "auditor"])
def test_the_people_pages_do_not_exist_for_anyone_else(as_persona, business_unit, persona):
    client = as_persona(persona)
    assert client.get(reverse("accounts:person_list")).status_code == 404
    assert client.get(reverse("accounts:person_detail", args=[business_unit.pk])).status_code == 404


# --- Disabling a leaver -----------------------------------------------------------


def test_disabling_needs_a_reason_and_says_what_it_will_do(as_persona, agency_lead):
    client = as_persona("business_unit")
    page = client.get(reverse("accounts:person_disable", args=[agency_lead.pk])).content.decode()
    assert "they cannot sign in, and wherever they are signed in now, they are signed out" in page
    refused = disable(client, agency_lead, reason="   ")
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    agency_lead.refresh_from_db()
    assert agency_lead.is_active


def test_disabling_ends_every_session_at_once_and_records_who_when_and_why(
    as_persona, business_unit, agency_lead
):
    laptop, phone = signed_in(agency_lead), signed_in(agency_lead)
    assert AccountSession.objects.filter(account_id=agency_lead.pk).count() == 2

    response = disable(as_persona("business_unit"), agency_lead)
    assert response["Location"] == reverse("accounts:person_detail", args=[agency_lead.pk])

    assert not AccountSession.objects.filter(account_id=agency_lead.pk).exists()
    for browser in (laptop, phone):
        assert browser.get(reverse("audits:home"))["Location"].startswith(reverse("login"))
    assert signed_in_refused(agency_lead)

    record = User.history.filter(id=agency_lead.pk).latest("history_date")
    assert record.history_change_reason == "Disabled"
    assert record.history_user == business_unit
    assert record.disabled_reason == "Left the partnership on 31 March."
    assert record.history_date > timezone.now() - datetime.timedelta(minutes=1)
    page = (
        as_persona("business_unit")
        .get(reverse("accounts:person_detail", args=[agency_lead.pk]))
        .content.decode()
    )
    assert "Disabled: Left the partnership on 31 March." in page
    assert "Riley Officer" in page


def signed_in_refused(user: User) -> bool:
    response = Client().post(reverse("login"), {"username": user.email, "password": PASSWORD})
    return response.status_code == 200


def test_disabling_withdraws_the_invitations_they_sent_and_any_sent_to_them(
    as_persona, business_unit, agency
):
    colleague = UserFactory(full_name="Kim Colleague", roles=[Role.BUSINESS_UNIT])
    sent = core.invitation_create(
        invited_by=colleague,
        email="kit.new@test.csap.example",
        full_name="Kit New",
        role=Role.AGENCY_LEAD,
        organisation=agency,
    )
    used = core.invitation_create(
        invited_by=colleague,
        email="ash.used@test.csap.example",
        full_name="Ash Used",
        role=Role.AGENCY_LEAD,
        organisation=agency,
    )
    core.invitation_accept(invitation=used, password="quiet-harbour-lantern-7")
    other = core.invitation_create(
        invited_by=business_unit,
        email="jo.other@test.csap.example",
        full_name="Jo Other",
        role=Role.AGENCY_LEAD,
        organisation=agency,
    )
    response = disable(as_persona("business_unit"), colleague)
    followed = as_persona("business_unit").get(response["Location"]).content.decode()
    assert "1 invitation withdrawn" in followed
    sent.refresh_from_db()
    assert sent.revoked_at is not None
    assert Invitation.objects.get(pk=used.pk).revoked_at is None
    assert Invitation.objects.get(pk=other.pk).revoked_at is None

    link = reverse("audits:invitation_accept", args=[core.invitation_token(sent)])
    page = Client().get(link)
    assert page.status_code == 410
    assert "This invitation has been withdrawn" in page.content.decode()
    posted = Client().post(link, {"password1": "quiet-harbour-7x", "password2": "quiet-harbour-7x"})
    assert posted.status_code == 410
    assert not User.objects.filter(email="kit.new@test.csap.example").exists()


def test_disabling_takes_away_a_peer_reviewers_return_and_enabling_does_not_give_it_back(
    as_persona, business_unit, agency, other_agency, agency_lead
):
    cycle = open_cycle_for(agency, framework=framework_with_criteria(standards=1))
    return_obj = cycle.returns.get()
    for criterion in cycle.framework.standards.get().criteria.all():
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="",
            revision=0,
            actor=agency_lead,
        )
    core.return_submit(return_obj=return_obj, actor=agency_lead)
    event = challenge_event_create(return_obj=return_obj, held_on=TODAY, actor=business_unit)
    peer = UserFactory(
        full_name="Pat Peer", roles=[Role.AGENCY_LEAD], organisation=AgencyFactory(name="Peers")
    )
    challenge_panel_add(event=event, role=PanelRole.PEER, name="", user=peer, actor=business_unit)
    peer_browser = signed_in(peer)
    shared = reverse("audits:return_detail", args=[return_obj.pk])
    assert peer_browser.get(shared).status_code == 200

    client = as_persona("business_unit")
    disable(client, peer)
    assert not UserObjectPermission.objects.filter(user=peer).exists()

    client.post(reverse("accounts:person_enable", args=[peer.pk]))
    peer.refresh_from_db()
    assert peer.is_active
    again = signed_in(peer)
    assert again.get(shared).status_code == 404
    assert again.get(reverse("audits:home")).status_code == 200  # their own role is back
    record = User.history.filter(id=peer.pk).latest("history_date")
    assert (record.history_change_reason, record.history_user) == ("Enabled again", business_unit)


def test_the_enable_message_says_that_shared_returns_are_not_shared_again(as_persona, agency_lead):
    client = as_persona("business_unit")
    disable(client, agency_lead)
    response = client.post(reverse("accounts:person_enable", args=[agency_lead.pk]), follow=True)
    assert "are not shared again" in response.content.decode()


def test_no_one_disables_their_own_account(as_persona, business_unit):
    response = disable(as_persona("business_unit"), business_unit)
    assert response.status_code == 400
    assert "You cannot disable your own account." in response.content.decode()
    business_unit.refresh_from_db()
    assert business_unit.is_active


def test_a_disabled_account_sees_nothing_anywhere(
    business_unit, agency_lead, agency, executive, other_agency
):
    """Every access helper refuses a disabled account, even one handed a user object
    with its roles, membership and a grant still in place (a worker, a shell, a
    cached object), not only through the request."""
    cycle = open_cycle_for(agency, other_agency, framework=framework_with_criteria(standards=1))
    own = cycle.returns.get(organisation=agency)
    theirs = cycle.returns.get(organisation=other_agency)
    action = core.action_create(
        organisation=agency,
        description="Train the team.",
        owner="Lead",
        due_date=TODAY,
        source_return=own,
        criterion=None,
        actor=agency_lead,
    )
    from guardian.shortcuts import assign_perm

    assign_perm("audits.view_return", agency_lead, theirs)
    services.user_disable(user=agency_lead, reason="Left.", actor=business_unit)
    # The grant was taken away; give it back behind the service's back, to show that
    # the access rules refuse the account all the same.
    assign_perm("audits.view_return", agency_lead, theirs)
    services.user_disable(user=executive, reason="Left the Board.", actor=business_unit)
    services.user_disable(
        user=(officer := UserFactory(roles=[Role.BUSINESS_UNIT])),
        reason="Left.",
        actor=business_unit,
    )

    for person in (
        User.objects.get(pk=agency_lead.pk),
        User.objects.get(pk=executive.pk),
        User.objects.get(pk=officer.pk),
    ):
        assert person.roles == frozenset()
        assert person.organisation_ids == frozenset()
        assert not person.is_oversight
        assert not core_access.returns_visible_to(person).exists()
        assert not core_access.actions_visible_to(person).exists()
        assert not core_access.can_edit_return(person, own)
        assert not core_access.can_submit_return(person, own)
        assert not core_access.can_update_action(person, action)
        assert not core_access.can_review_return(person)
        for lookup in (
            lambda p: core_access.get_return_for_user(p, own.pk),
            lambda p: core_access.get_return_for_user(p, theirs.pk),
            lambda p: core_access.get_action_for_user(p, action.pk),
            lambda p: core_access.require_business_unit(p),
            lambda p: core_access.invitations_visible_to(p),
            lambda p: section11_access.get_cycle_for_user(p, cycle.pk),
            lambda p: reports_access.get_report_for_user(p, 1),
        ):
            with pytest.raises(Http404):
                lookup(person)
        assert not challenge_events_visible_to(person).exists()
        assert not reports_access.reports_visible_to(person).exists()
        assert not reports_access.can_request_reports(person)
        assert not reports_access.can_manage_reports(person)
        assert not reports_access.can_sign_off(person)
        with pytest.raises(Http404):
            get_challenge_event_for_user(person, 1)
        with pytest.raises(Http404):
            people_visible_to(person)


# --- Resetting two-factor sign-in (a lost phone) ----------------------------------


def test_resetting_two_factor_signs_the_person_out_and_they_set_it_up_again(as_persona, scrutineer):
    device = authenticator(scrutineer)
    services.recovery_codes_replace(user=scrutineer)
    their_browser = PortalClient()
    their_browser.force_login(scrutineer)
    assert their_browser.get(reverse("audits:home")).status_code == 200

    response = as_persona("business_unit").post(
        reverse("accounts:person_two_factor_reset", args=[scrutineer.pk]), follow=True
    )
    assert "two-factor sign-in is reset and they are signed out" in response.content.decode()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not StaticDevice.objects.filter(user=scrutineer).exists()
    assert their_browser.get(reverse("audits:home"))["Location"].startswith(reverse("login"))
    assert (
        signed_in(scrutineer)
        .get(reverse("audits:home"))["Location"]
        .startswith(reverse("accounts:otp_setup"))
    )
    record = User.history.filter(id=scrutineer.pk).latest("history_date")
    assert record.history_change_reason == "Two-factor sign-in reset"
    assert record.history_user.full_name == "Riley Officer"
