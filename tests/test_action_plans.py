"""Action plans outlive the cycle: agencies record progress through the year, and a
completed action keeps its evidence. Documents are only ever downloaded through a
view that checks who is asking."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import ActionItem, ActionStatus, Evidence

from .factories import open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(agency, agency_lead) -> ActionItem:
    return services.action_create(
        organisation=agency,
        description="Audit twenty supervision files",
        owner="Practice lead",
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        actor=agency_lead,
    )


def test_the_action_plan_lists_the_agencys_actions_with_overdue_ones_flagged(as_persona, action):
    html = as_persona("agency_lead").get(reverse("audits:action_list")).content.decode()
    assert "Audit twenty supervision files" in html
    assert "overdue" in html


def test_progress_is_recorded_and_completion_keeps_its_evidence(as_persona, action, agency_lead):
    client = as_persona("agency_lead")
    url = reverse("audits:action_detail", args=[action.pk])
    client.post(url, {"status": ActionStatus.IN_PROGRESS, "note": "Ten files audited"})
    response = client.post(
        url,
        {
            "status": ActionStatus.COMPLETED,
            "note": "All twenty audited; report attached",
            "evidence": SimpleUploadedFile("audit report.pdf", b"%PDF-1.7\n1 0 obj\n"),
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED
    assert action.completed_at is not None
    assert [u.note for u in action.updates.all()] == [
        "Ten files audited",
        "All twenty audited; report attached",
    ]
    evidence = Evidence.objects.get()
    assert (evidence.action, evidence.return_obj) == (action, None)
    page = client.get(url).content.decode()
    assert "audit report.pdf" in page
    assert "Completed on" in page
    assert action.history.filter(history_user=agency_lead).count() == 3


def test_a_refused_file_keeps_the_progress_note_unsaved_and_explained(as_persona, action):
    response = as_persona("agency_lead").post(
        reverse("audits:action_detail", args=[action.pk]),
        {
            "status": ActionStatus.COMPLETED,
            "note": "Done, see the macro workbook",
            "evidence": SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\0" * 600),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This type of file is not accepted" in html
    assert "Done, see the macro workbook" in html
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED
    assert not action.updates.exists()


def test_an_empty_note_is_explained(as_persona, action):
    response = as_persona("agency_lead").post(
        reverse("audits:action_detail", args=[action.pk]),
        {"status": ActionStatus.IN_PROGRESS, "note": ""},
    )
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("agency_lead", 200, 302),
        ("contributor", 200, 302),
        ("business_unit", 200, 403),
        ("executive", 200, 403),
        ("scrutineer", 200, 403),
        ("other_agency_lead", 404, 404),
        ("school_lead", 404, 404),
        ("auditor", 404, 404),
    ],
)
def test_who_can_see_and_update_an_action(as_persona, action, persona, read, write):
    client = as_persona(persona)
    url = reverse("audits:action_detail", args=[action.pk])
    assert client.get(url).status_code == read
    posted = client.post(url, {"status": ActionStatus.IN_PROGRESS, "note": "Progress"})
    assert posted.status_code == write


def test_anonymous_visitors_are_sent_to_sign_in(client, action):
    for url in [reverse("audits:action_list"), reverse("audits:action_detail", args=[action.pk])]:
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_the_action_plan_runs_a_bounded_number_of_queries(
    as_persona, agency, agency_lead, django_assert_max_num_queries
):
    return_obj = open_cycle(agency).returns.get()
    criterion = return_obj.cycle.framework.standards.first().criteria.first()
    for n in range(40):
        services.action_create(
            organisation=agency,
            source_return=return_obj,
            criterion=criterion,
            description=f"Action {n}",
            owner="Lead",
            due_date=timezone.localdate(),
            actor=agency_lead,
        )
    client = as_persona("agency_lead")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("audits:action_list")).status_code == 200


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
def test_who_can_download_a_returns_document(as_persona, agency, agency_lead, persona, expected):
    return_obj = open_cycle(agency).returns.get()
    evidence = services.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n"),
        return_obj=return_obj,
        actor=agency_lead,
    )
    response = as_persona(persona).get(reverse("audits:evidence_download", args=[evidence.pk]))
    assert response.status_code == expected


def test_anonymous_visitors_cannot_download_documents(client, agency, agency_lead):
    return_obj = open_cycle(agency).returns.get()
    evidence = services.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n"),
        return_obj=return_obj,
        actor=agency_lead,
    )
    response = client.get(reverse("audits:evidence_download", args=[evidence.pk]))
    assert response["Location"].startswith(reverse("login"))
