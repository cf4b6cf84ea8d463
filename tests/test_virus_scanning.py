"""With a virus scanner (clamd) configured, every upload is held as "being checked"
until clamd finds it clean. Nobody can download it meanwhile; an infected file is
moved to quarantine, its uploader is emailed and shown what to do, and a return
cannot be submitted while one of its documents is unchecked or removed.

These tests run tasks in-process against a real clamd (tests/clamd.py); the
worker and browser journeys are in tests/integration and tests/browser.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services as core
from audits.models import (
    Criterion,
    Evidence,
    Organisation,
    Return,
    ReturnStatus,
    ScanStatus,
    Sector,
    User,
)
from audits.scanning import ScannerUnavailable
from audits.tasks import rescan_pending_evidence
from section11 import services as s11
from section11.models import EquivalentForm, EquivalentStatus

from .clamd import EICAR, REPORTED_SIGNATURE
from .factories import open_cycle

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
REMOVAL_MESSAGE = "This file contained a virus and has been removed. Upload a clean copy."


@pytest.fixture
def draft(agency: Organisation, other_agency: Organisation) -> Return:
    return open_cycle(agency, other_agency).returns.get(organisation=agency)


def documents_url(return_obj: Return) -> str:
    return reverse("section11:return_evidence", args=[return_obj.pk])


def download_url(evidence: Evidence) -> str:
    return reverse("audits:evidence_download", args=[evidence.pk])


def attach(return_obj: Return, actor: User, name: str, content: bytes, **kwargs) -> Evidence:
    return core.evidence_attach(
        organisation=return_obj.organisation,
        upload=SimpleUploadedFile(name, content),
        return_obj=return_obj,
        actor=actor,
        **kwargs,
    )


def link_to(evidence: Evidence) -> str:
    return f'href="{download_url(evidence)}"'


def stored(evidence: Evidence) -> bool:
    return Evidence.file.field.storage.exists(evidence.file.name)


# --- Scanning off -------------------------------------------------------------


def test_without_a_scanner_uploads_are_available_at_once(as_persona, draft, agency_lead):
    evidence = attach(draft, agency_lead, "policy.pdf", PDF)
    assert evidence.scan_status == ScanStatus.NOT_SCANNED
    response = as_persona("agency_lead").get(download_url(evidence))
    assert response.status_code == 200


# --- A clean file --------------------------------------------------------------


def test_an_upload_is_held_until_clamd_finds_it_clean(
    scanning, as_persona, draft, django_capture_on_commit_callbacks
):
    client = as_persona("agency_lead")
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            documents_url(draft), {"file": SimpleUploadedFile("Policy.pdf", PDF)}
        )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.scan_status == ScanStatus.PENDING

    # Before the worker has scanned it: listed, but not a link, and not downloadable.
    page = client.get(documents_url(draft)).content.decode()
    assert "Being checked for viruses" in page
    assert link_to(evidence) not in page
    refused = client.get(download_url(evidence))
    assert refused.status_code == 409
    assert "This file is being checked for viruses" in refused.content.decode()
    assert "Content-Disposition" not in refused

    # The scan the upload queued, run here as the worker would run it.
    assert len(queued) == 1
    queued[0]()
    evidence.refresh_from_db()
    assert evidence.scan_status == ScanStatus.CLEAN
    assert evidence.scanned_at is not None
    page = client.get(documents_url(draft)).content.decode()
    assert "Being checked for viruses" not in page
    assert link_to(evidence) in page
    download = client.get(download_url(evidence))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert [h.scan_status for h in evidence.history.order_by("history_date")] == [
        ScanStatus.PENDING,
        ScanStatus.CLEAN,
    ]


def test_clamd_is_also_reached_over_tcp(clamd, settings, draft, agency_lead):
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = clamd.port
    evidence = attach(draft, agency_lead, "minutes.txt", b"Minutes of the March meeting.")
    assert core.evidence_scan(evidence_id=evidence.pk).scan_status == ScanStatus.CLEAN
    infected = attach(draft, agency_lead, "notes.txt", EICAR)
    assert core.evidence_scan(evidence_id=infected.pk).virus_name == REPORTED_SIGNATURE


# --- An infected file ----------------------------------------------------------


def test_an_infected_upload_is_quarantined_and_its_uploader_told(
    scanning, settings, as_persona, draft, contributor, django_capture_on_commit_callbacks
):
    client = as_persona("contributor")
    content = b"Notes from the training day.\n" + EICAR + b"\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            documents_url(draft), {"file": SimpleUploadedFile("Training notes.txt", content)}
        )
    evidence = Evidence.objects.get()
    assert evidence.scan_status == ScanStatus.INFECTED
    assert evidence.virus_name == REPORTED_SIGNATURE
    history = evidence.history.order_by("history_date").last()
    assert (history.scan_status, history.virus_name) == (ScanStatus.INFECTED, REPORTED_SIGNATURE)

    # Out of the evidence store, into quarantine, readable by the portal's account only.
    assert not stored(evidence)
    quarantined = core.quarantine_path(evidence)
    assert quarantined.is_relative_to(settings.QUARANTINE_ROOT)
    assert quarantined.read_bytes() == content
    assert quarantined.stat().st_mode & 0o777 == 0o600

    # The uploader is emailed, with a link to where they can upload a clean copy.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [contributor.email]
    assert "Training notes.txt" in email.subject
    assert REPORTED_SIGNATURE in email.body
    assert f"{settings.SITE_URL}{documents_url(draft)}" in email.body
    assert email.alternatives[0][1] == "text/html"

    # The page where the document is listed says what happened and what to do.
    page = client.get(documents_url(draft)).content.decode()
    assert "Removed: virus found" in page
    assert REMOVAL_MESSAGE in page
    assert link_to(evidence) not in page
    refused = client.get(download_url(evidence))
    assert refused.status_code == 410
    assert "This file was removed: it contained a virus" in refused.content.decode()


def test_removing_an_infected_entry_keeps_the_quarantined_copy(
    scanning, as_persona, draft, agency_lead
):
    evidence = attach(draft, agency_lead, "notes.txt", EICAR)
    core.evidence_scan(evidence_id=evidence.pk)
    evidence.refresh_from_db()
    quarantined = core.quarantine_path(evidence)
    response = as_persona("agency_lead").post(
        reverse("section11:evidence_remove", args=[draft.pk, evidence.pk])
    )
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert quarantined.exists()


# --- clamd unreachable ---------------------------------------------------------


def test_while_clamd_is_unreachable_the_file_stays_pending_and_unavailable(
    settings, tmp_path, as_persona, draft, agency_lead
):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd-here.sock")
    evidence = attach(draft, agency_lead, "policy.pdf", PDF)
    with pytest.raises(ScannerUnavailable):
        core.evidence_scan(evidence_id=evidence.pk)
    evidence.refresh_from_db()
    assert evidence.scan_status == ScanStatus.PENDING
    assert stored(evidence)
    assert as_persona("agency_lead").get(download_url(evidence)).status_code == 409


def test_a_lost_scan_is_queued_again_by_the_sweep(
    scanning, draft, agency_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        recent = attach(draft, agency_lead, "recent.pdf", PDF)
        lost = attach(draft, agency_lead, "lost.pdf", PDF)
    Evidence.objects.filter(pk=lost.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert rescan_pending_evidence() == 1
    assert Evidence.objects.get(pk=lost.pk).scan_status == ScanStatus.CLEAN
    assert Evidence.objects.get(pk=recent.pk).scan_status == ScanStatus.PENDING


def test_turning_scanning_off_never_releases_an_unchecked_file(
    scanning, settings, as_persona, draft, agency_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        evidence = attach(draft, agency_lead, "policy.pdf", PDF)
    Evidence.objects.filter(pk=evidence.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=2)
    )
    settings.CLAMD_SOCKET = ""
    assert rescan_pending_evidence() == 0
    with pytest.raises(ScannerUnavailable):
        core.evidence_scan(evidence_id=evidence.pk)
    assert as_persona("agency_lead").get(download_url(evidence)).status_code == 409


# --- Wherever evidence is listed -------------------------------------------------


@pytest.fixture
def checked_and_removed(
    scanning, draft: Return, agency_lead: User, django_capture_on_commit_callbacks
) -> tuple[Evidence, Evidence]:
    criterion = Criterion.objects.filter(standard__framework=draft.cycle.framework).first()
    with django_capture_on_commit_callbacks(execute=False):
        pending = attach(draft, agency_lead, "Pending policy.pdf", PDF, criterion=criterion)
        infected = attach(draft, agency_lead, "Infected notes.txt", EICAR, criterion=criterion)
    core.evidence_scan(evidence_id=infected.pk)
    return pending, infected


@pytest.mark.parametrize(
    ("persona", "page", "told_to_replace"),
    [
        ("agency_lead", "section11:return_evidence", True),
        ("agency_lead", "area", True),
        ("business_unit", "section11:return_review", False),
        ("scrutineer", "section11:return_review", False),
    ],
)
def test_every_page_listing_documents_shows_their_scan_state(
    as_persona, draft, checked_and_removed, persona, page, told_to_replace
):
    pending, infected = checked_and_removed
    if page == "area":
        standard = Criterion.objects.get(pk=pending.criterion_id).standard
        url = reverse("section11:return_area", args=[draft.pk, standard.code])
    else:
        url = reverse(page, args=[draft.pk])
    html = as_persona(persona).get(url).content.decode()
    assert 'Pending policy.pdf <span class="badge text-bg-secondary">Being checked' in html
    assert 'Infected notes.txt <span class="badge text-bg-danger">Removed: virus found' in html
    assert link_to(pending) not in html
    assert link_to(infected) not in html
    assert (REMOVAL_MESSAGE in html) is told_to_replace


def test_an_actions_evidence_shows_its_scan_state(scanning, as_persona, agency, agency_lead):
    action = core.action_create(
        organisation=agency,
        description="Audit supervision files",
        owner="Named nurse",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        actor=agency_lead,
    )
    evidence = core.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("audit.txt", EICAR),
        action=action,
        actor=agency_lead,
    )
    core.evidence_scan(evidence_id=evidence.pk)
    url = reverse("audits:action_detail", args=[action.pk])
    assert REMOVAL_MESSAGE in as_persona("agency_lead").get(url).content.decode()
    executive_view = as_persona("executive").get(url).content.decode()
    assert "Removed: virus found" in executive_view
    assert REMOVAL_MESSAGE not in executive_view


def test_the_documents_list_refreshes_itself_only_while_a_document_is_checked(
    scanning, as_persona, draft, agency_lead, django_capture_on_commit_callbacks
):
    client = as_persona("agency_lead")
    with django_capture_on_commit_callbacks(execute=False):
        evidence = attach(draft, agency_lead, "policy.pdf", PDF)
    polled = client.get(documents_url(draft), HTTP_HX_REQUEST="true").content.decode()
    assert polled.lstrip().startswith('<div id="documents"')
    assert 'hx-trigger="every 3s"' in polled
    assert "1 document is being checked for viruses" in polled
    core.evidence_scan(evidence_id=evidence.pk)
    polled = client.get(documents_url(draft), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in polled
    assert link_to(evidence) in polled


def test_the_documents_page_runs_a_bounded_number_of_queries(
    scanning, as_persona, draft, agency_lead, django_assert_max_num_queries
):
    for n in range(12):
        attach(draft, agency_lead, f"policy {n}.pdf", PDF)
    client = as_persona("agency_lead")
    with django_assert_max_num_queries(12):
        client.get(documents_url(draft))
    with django_assert_max_num_queries(8):
        client.get(documents_url(draft), HTTP_HX_REQUEST="true")


# --- Submission ----------------------------------------------------------------


def answer_everything(return_obj: Return, actor: User) -> None:
    for criterion in Criterion.objects.filter(standard__framework=return_obj.cycle.framework):
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="In place.",
            revision=0,
            actor=actor,
        )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "still being checked for viruses: wait a minute, then check again"),
        (
            EICAR,
            "contained a virus and has been removed: upload a clean copy, then remove this one",
        ),
    ],
    ids=["pending", "infected"],
)
def test_a_return_cannot_be_submitted_while_a_document_is_unchecked_or_removed(
    scanning, as_persona, draft, agency_lead, content, reason, django_capture_on_commit_callbacks
):
    answer_everything(draft, agency_lead)
    with django_capture_on_commit_callbacks(execute=False):
        evidence = attach(draft, agency_lead, "Evidence.txt", content or b"Plain notes.")
    if content:
        core.evidence_scan(evidence_id=evidence.pk)
    client = as_persona("agency_lead")
    page = client.get(reverse("section11:return_submit", args=[draft.pk])).content.decode()
    assert "1 thing to fix" in page
    assert f"Document Evidence.txt: {reason}" in page
    response = client.post(reverse("section11:return_submit", args=[draft.pk]))
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status != ReturnStatus.SUBMITTED
    with pytest.raises(core.SubmissionBlocked) as blocked:
        core.return_submit(return_obj=draft, actor=agency_lead)
    assert blocked.value.documents == [(evidence, reason)]


def test_once_its_documents_are_checked_the_return_can_be_submitted(
    scanning, as_persona, draft, agency_lead, django_capture_on_commit_callbacks
):
    answer_everything(draft, agency_lead)
    with django_capture_on_commit_callbacks(execute=True):
        attach(draft, agency_lead, "Evidence.pdf", PDF)
    response = as_persona("agency_lead").post(reverse("section11:return_submit", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.SUBMITTED


def test_an_equivalent_return_is_not_accepted_until_its_document_is_found_clean(
    scanning,
    as_persona,
    other_agency_lead,
    other_agency,
    agency,
    django_capture_on_commit_callbacks,
):
    # Hillside Health Trust, a health partner, may send an S-CAT in place of ratings.
    Organisation.objects.filter(pk=other_agency.pk).update(sector=Sector.HEALTH_PROVIDER)
    return_obj = open_cycle(other_agency, agency).returns.get(organisation=other_agency)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        equivalent = s11.equivalent_return_submit(
            return_obj=return_obj,
            form=EquivalentForm.SCAT,
            upload=SimpleUploadedFile("S-CAT 2026.pdf", PDF),
            actor=other_agency_lead,
        )
    client = as_persona("business_unit")
    review = reverse("section11:return_review", args=[return_obj.pk])
    assert "Being checked for viruses" in client.get(review).content.decode()
    decide = reverse("section11:review_equivalent", args=[return_obj.pk])
    response = client.post(decide, {"decision": "accept", "reason": ""})
    assert response.status_code == 400
    assert "still being checked for viruses" in response.content.decode()
    equivalent.refresh_from_db()
    assert equivalent.status == EquivalentStatus.PENDING

    for callback in queued:
        callback()
    response = client.post(decide, {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    equivalent.refresh_from_db()
    assert equivalent.status == EquivalentStatus.ACCEPTED


def test_the_returns_history_shows_what_the_scanner_found(
    scanning, as_persona, draft, agency_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attach(draft, agency_lead, "Clean policy.pdf", PDF)
        attach(draft, agency_lead, "Bad notes.txt", EICAR)
    html = (
        as_persona("business_unit")
        .get(reverse("audits:return_history", args=[draft.pk]))
        .content.decode()
    )
    assert "Document checked, no virus found: Clean policy.pdf" in html
    assert f"Virus found ({REPORTED_SIGNATURE}), document removed: Bad notes.txt" in html
    assert "<td>The portal</td>" in html
