"""A return's history shows who changed what, and when, to those who may read it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Criterion

from .factories import framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(agency, other_agency, agency_lead, contributor, business_unit):
    return_obj = open_cycle(agency, other_agency, framework=framework_with_criteria()).returns.get(
        organisation=agency
    )
    first = Criterion.objects.filter(standard__framework=return_obj.cycle.framework).first()
    services.response_save(
        return_obj=return_obj,
        criterion=first,
        rating="green",
        narrative="Draft",
        revision=0,
        actor=contributor,
    )
    services.response_save(
        return_obj=return_obj,
        criterion=first,
        rating="amber",
        narrative="Reworded",
        revision=1,
        actor=agency_lead,
    )
    services.action_create(
        organisation=agency,
        source_return=return_obj,
        criterion=first,
        description="Train the night team",
        owner="Lead",
        due_date=timezone.localdate(),
        actor=agency_lead,
    )
    evidence = services.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n"),
        return_obj=return_obj,
        actor=contributor,
    )
    services.evidence_remove(evidence=evidence, actor=agency_lead)
    return return_obj


def test_the_history_names_each_change_and_who_made_it(as_persona, story):
    html = (
        as_persona("agency_lead")
        .get(reverse("audits:return_history", args=[story.pk]))
        .content.decode()
    )
    assert "Status: In progress" in html
    assert "1.1: rating none → Green: fully compliant; commentary written" in html
    assert (
        "1.1: rating Green: fully compliant → Amber: partially compliant; commentary changed"
        in html
    )
    assert "Action added for 1.1: Train the night team" in html
    assert "Document added: plan.pdf" in html
    assert "Document removed: plan.pdf" in html
    assert "Sam Contributor" in html
    assert "Morgan Lead" in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("agency_lead", 200),
        ("contributor", 200),
        ("business_unit", 200),
        ("executive", 200),
        ("scrutineer", 200),
        ("other_agency_lead", 404),
        ("school_lead", 404),
        ("auditor", 404),
    ],
)
def test_who_can_read_a_returns_history(as_persona, story, persona, expected):
    url = reverse("audits:return_history", args=[story.pk])
    assert as_persona(persona).get(url).status_code == expected


def test_the_history_page_runs_a_bounded_number_of_queries(
    as_persona, story, agency_lead, django_assert_max_num_queries
):
    for criterion in Criterion.objects.filter(standard__framework=story.cycle.framework)[1:]:
        services.response_save(
            return_obj=story,
            criterion=criterion,
            rating="green",
            narrative="x",
            revision=0,
            actor=agency_lead,
        )
    client = as_persona("agency_lead")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("audits:return_history", args=[story.pk])).status_code == 200


def test_the_admin_shows_history_but_cannot_put_an_old_version_back(client, story):
    from audits.models import Return

    from .factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    first = Return.history.filter(id=story.pk).order_by("history_id").first()
    url = reverse("admin:audits_return_simple_history", args=[story.pk, first.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Revert" not in page.content.decode()
    posted = client.post(url, {"status": "not_started", "cycle": story.cycle_id})
    assert posted.status_code == 403
    story.refresh_from_db()
    assert story.status == "in_progress"
