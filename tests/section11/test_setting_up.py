"""The Business Unit prepares a framework version and opens a cycle for chosen agencies."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from audits.models import Criterion, Framework, FrameworkKind, Role
from section11 import services
from section11.toolkit import SECTION_11_TOOLKIT

from ..factories import AgencyFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

NINE_AREAS = [
    "Leadership",
    "Commitment",
    "Accountability and governance",
    "Service development and review",
    "Training",
    "Supervision",
    "Safe recruitment",
    "Interagency working",
    "Information sharing",
]


def test_the_first_version_comes_from_the_toolkit_with_nine_areas(as_persona):
    client = as_persona("business_unit")
    response = client.post(reverse("section11:framework_start_version"))
    framework = Framework.objects.get(kind=FrameworkKind.SECTION_11)
    assert response["Location"] == reverse("section11:framework_detail", args=[framework.pk])
    assert [s.title for s in framework.standards.all()] == NINE_AREAS
    criteria = Criterion.objects.filter(standard__framework=framework)
    assert criteria.count() == sum(len(a["criteria"]) for a in SECTION_11_TOOLKIT) >= 27
    assert not criteria.filter(guidance="").exists()
    assert not criteria.filter(evidence_hint="").exists()
    page = client.get(response["Location"]).content.decode()
    assert "This version is a draft" in page
    assert "Add a question to Leadership" in page


def test_a_draft_question_is_edited_and_a_new_one_added(as_persona):
    framework = services.section11_framework_from_toolkit(actor=None)
    criterion = Criterion.objects.filter(standard__framework=framework).first()
    client = as_persona("business_unit")
    response = client.post(
        reverse("section11:criterion_edit", args=[criterion.pk]),
        {
            "text": "Is there a named senior lead?",
            "guidance": "Who it is.",
            "evidence_hint": "Org chart",
        },
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.text == "Is there a named senior lead?"
    assert criterion.history.latest().history_user.full_name == "Riley Officer"
    standard = criterion.standard
    added = client.post(
        reverse("section11:criterion_add", args=[standard.pk]),
        {"code": "1.9", "text": "A new question", "guidance": "", "evidence_hint": ""},
    )
    assert added.status_code == 302
    assert standard.criteria.filter(code="1.9").exists()


def test_a_duplicate_question_code_is_explained_and_what_was_typed_kept(as_persona):
    framework = services.section11_framework_from_toolkit(actor=None)
    standard = framework.standards.first()
    response = as_persona("business_unit").post(
        reverse("section11:criterion_add", args=[standard.pk]),
        {
            "code": "1.1",
            "text": "My carefully worded question",
            "guidance": "",
            "evidence_hint": "",
        },
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "already exists" in html
    assert "My carefully worded question" in html


def test_a_frozen_version_cannot_be_edited_and_the_next_version_copies_it(as_persona):
    framework = services.section11_framework_from_toolkit(actor=None)
    services.section11_cycle_open(
        framework=framework,
        name="Section 11 audit 2026",
        opens_on=datetime.date(2026, 2, 28),
        closes_on=datetime.date(2026, 4, 29),
        organisations=[AgencyFactory()],
        actor=UserFactory(roles=[Role.BUSINESS_UNIT]),
    )
    client = as_persona("business_unit")
    criterion = Criterion.objects.filter(standard__framework=framework).first()
    assert client.get(reverse("section11:criterion_edit", args=[criterion.pk])).status_code == 403
    assert (
        "was frozen"
        in client.get(reverse("section11:framework_detail", args=[framework.pk])).content.decode()
    )
    client.post(reverse("section11:framework_start_version"))
    second = Framework.objects.get(kind=FrameworkKind.SECTION_11, version=2)
    assert list(second.standards.values_list("code", flat=True)) == list(
        framework.standards.values_list("code", flat=True)
    )


def test_opening_a_cycle_creates_returns_and_emails_each_agency_lead(
    as_persona, agency, agency_lead, contributor, other_agency, django_capture_on_commit_callbacks
):
    framework = services.section11_framework_from_toolkit(actor=None)
    unchosen = AgencyFactory(name="Not This Year Trust")
    client = as_persona("business_unit")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("section11:cycle_open"),
            {
                "framework": framework.pk,
                "name": "Section 11 audit 2026",
                "opens_on": "2026-02-28",
                "closes_on": "2026-04-29",
                "organisations": [agency.pk, other_agency.pk],
            },
        )
    assert response.status_code == 302
    cycle = framework.cycles.get()
    assert response["Location"] == reverse("section11:cycle_tracker", args=[cycle.pk])
    assert set(cycle.returns.values_list("organisation__name", flat=True)) == {
        agency.name,
        other_agency.name,
    }
    assert not cycle.returns.filter(organisation=unchosen).exists()
    framework.refresh_from_db()
    assert framework.is_frozen
    assert [m.to for m in mail.outbox] == [[agency_lead.email]]
    assert "Section 11 audit 2026 is open" in mail.outbox[0].subject
    own = cycle.returns.get(organisation=agency)
    assert reverse("section11:return_overview", args=[own.pk]) in mail.outbox[0].body


def test_bad_dates_and_no_agencies_are_explained_and_the_form_kept(as_persona):
    framework = services.section11_framework_from_toolkit(actor=None)
    response = as_persona("business_unit").post(
        reverse("section11:cycle_open"),
        {
            "framework": framework.pk,
            "name": "Section 11 audit 2026",
            "opens_on": "2026-04-29",
            "closes_on": "2026-02-28",
        },
    )
    html = response.content.decode()
    assert "The closing date must be on or after the opening date." in html
    assert "This field is required." in html
    assert 'value="Section 11 audit 2026"' in html
    assert not framework.cycles.exists()


def test_schools_cannot_take_part_in_section_11(business_unit):
    framework = services.section11_framework_from_toolkit(actor=None)
    with pytest.raises(Exception, match="agencies, not schools"):
        services.section11_cycle_open(
            framework=framework,
            name="S11",
            opens_on=datetime.date(2026, 2, 28),
            closes_on=datetime.date(2026, 4, 29),
            organisations=[SchoolFactory()],
            actor=business_unit,
        )


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
@pytest.mark.parametrize("url_name", ["section11:cycle_open", "section11:framework_list"])
def test_only_the_business_unit_sets_up_section_11(as_persona, persona, expected, url_name):
    assert as_persona(persona).get(reverse(url_name)).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("business_unit", 200),
        ("executive", 200),
        ("scrutineer", 200),
        ("agency_lead", 404),
        ("contributor", 404),
        ("school_lead", 404),
        ("auditor", 404),
    ],
)
def test_the_cycle_list_is_for_the_oversight_roles(as_persona, persona, expected):
    assert as_persona(persona).get(reverse("section11:cycle_list")).status_code == expected


@pytest.mark.parametrize("persona", ["executive", "agency_lead"])
def test_others_cannot_start_a_version_or_open_a_cycle_by_posting(as_persona, persona):
    client = as_persona(persona)
    assert client.post(reverse("section11:framework_start_version")).status_code in {403, 404}
    assert client.post(reverse("section11:cycle_open"), {}).status_code in {403, 404}
    assert not Framework.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in [
        reverse("section11:cycle_list"),
        reverse("section11:cycle_open"),
        reverse("section11:framework_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
