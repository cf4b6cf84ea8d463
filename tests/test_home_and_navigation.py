"""Each person's home page shows what they have to do next, and nothing that is not theirs."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Rating, Role

from .conftest import PERSONAS
from .factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


def nav_labels(html: str) -> set[str]:
    return {label for label in ("Invitations", "People", "Admin site") if f">{label}</a>" in html}


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("audits:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_agency_lead_sees_own_return_with_progress_and_deadline(as_persona, agency, other_agency):
    cycle = open_cycle(agency, other_agency)
    own = cycle.returns.get(organisation=agency)
    criterion = cycle.framework.standards.first().criteria.first()
    lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=agency)
    services.response_save(
        return_obj=own,
        criterion=criterion,
        rating=Rating.GREEN,
        narrative="",
        revision=0,
        actor=lead,
    )

    response = as_persona("agency_lead").get(reverse("audits:home"))

    html = response.content.decode()
    assert "Your returns" in html
    assert agency.name in html
    assert "1 of 6" in html
    assert "In progress" in html
    assert cycle.closes_on.strftime("%-d %B %Y") in html
    assert reverse("audits:return_detail", args=[own.pk]) in html
    other = cycle.returns.get(organisation=other_agency)
    assert reverse("audits:return_detail", args=[other.pk]) not in html


def test_agency_lead_sees_open_actions_with_overdue_flag(as_persona, agency, agency_lead):
    services.action_create(
        organisation=agency,
        description="Refresh the supervision policy",
        owner="Head of Training",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        actor=agency_lead,
    )
    html = as_persona("agency_lead").get(reverse("audits:home")).content.decode()
    assert "Refresh the supervision policy" in html
    assert "overdue" in html


def test_agency_lead_with_nothing_to_do_is_told_so(as_persona):
    html = as_persona("agency_lead").get(reverse("audits:home")).content.decode()
    assert "There is no return for your organisation to complete at the moment." in html
    assert "Your organisation has no open actions." in html


def test_school_lead_sees_the_school_return_only(as_persona, school, agency):
    cycle = open_cycle(school, agency)
    html = as_persona("school_lead").get(reverse("audits:home")).content.decode()
    assert school.name in html
    assert reverse("audits:return_detail", args=[cycle.returns.get(organisation=school).pk]) in html
    assert agency.name not in html


@pytest.mark.parametrize("persona", ["business_unit", "executive", "scrutineer"])
def test_oversight_roles_see_returns_received_per_cycle(as_persona, persona):
    agencies = AgencyFactory.create_batch(3)
    cycle = open_cycle(*agencies)
    html = as_persona(persona).get(reverse("audits:home")).content.decode()
    assert cycle.name in html
    assert "0 of 3" in html


def test_business_unit_sees_pending_invitations_and_can_invite(
    as_persona, business_unit, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            invited_by=business_unit,
            email="new.lead@test.csap.example",
            full_name="Kit Newlead",
            role=Role.AGENCY_LEAD,
            organisation=agency,
        )
    html = as_persona("business_unit").get(reverse("audits:home")).content.decode()
    assert "Kit Newlead" in html
    assert reverse("audits:invitation_create") in html


def test_auditor_is_told_there_are_no_case_audits_yet(as_persona):
    html = as_persona("auditor").get(reverse("audits:home")).content.decode()
    assert "You have no case audits to complete." in html
    assert "Your returns" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_navigation_shows_only_what_the_role_may_use(as_persona, persona):
    html = as_persona(persona).get(reverse("audits:home")).content.decode()
    expected = {
        "business_unit": {"Invitations", "People"},
        "executive": {"People"},
        "scrutineer": {"People"},
    }.get(persona, set())
    assert nav_labels(html) == expected
    assert "Skip to main content" in html
    assert "Sign out" in html
    assert f'href="{reverse("accounts:account")}">Your account</a>' in html


def test_technical_staff_see_the_admin_site_link(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert "Admin site" in nav_labels(client.get(reverse("audits:home")).content.decode())


@pytest.mark.parametrize("persona", ["agency_lead", "business_unit"])
def test_home_page_queries_do_not_grow_with_data(
    as_persona, persona, agency, django_assert_max_num_queries
):
    # Many cycles, organisations and answers: the page must still run a fixed number of queries.
    framework = framework_with_criteria(standards=4, criteria_per_standard=3)
    for _ in range(4):
        open_cycle(agency, *AgencyFactory.create_batch(10), framework=framework)
    client = as_persona(persona)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audits:home"))
    assert response.status_code == 200
