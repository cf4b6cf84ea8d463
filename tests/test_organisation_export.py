"""All our data: an organisation's lead (or the Business Unit, for any organisation)
downloads every return, action, comment and document as one archive."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services as core
from audits.models import (
    AccessKind,
    AccessRecord,
    Criterion,
    Evidence,
    ExportStatus,
    OrganisationExport,
    Return,
    ScanStatus,
)
from audits.selectors import organisation_records

from .factories import framework_with_criteria
from .worker import free_port, web_publishes_to

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FORMULA = '=HYPERLINK("http://bad.example","Open")'


def pdf(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.7\n% {text}\n".encode())


@pytest.fixture
def history(agency, other_agency, agency_lead, other_agency_lead, business_unit) -> dict:
    """Two cycles of our agency's returns, with answers, comments, actions and documents;
    and the other agency's, none of which may appear in our archive."""
    framework = framework_with_criteria(standards=2, criteria_per_standard=2)
    last = core.cycle_create(
        framework=framework,
        name="Section 11 audit 2024",
        opens_on=TODAY - datetime.timedelta(days=400),
        closes_on=TODAY - datetime.timedelta(days=340),
        organisations=[agency, other_agency],
        actor=None,
    )
    this = core.cycle_create(
        framework=framework,
        name="Section 11 audit 2025",
        opens_on=TODAY - datetime.timedelta(days=7),
        closes_on=TODAY + datetime.timedelta(days=30),
        organisations=[agency, other_agency],
        actor=None,
    )
    criterion = Criterion.objects.filter(standard__framework=framework).order_by("pk").first()
    ours = {}
    for cycle, rating, narrative in (
        (last, "green", "Supervision is monthly."),
        (this, "amber", FORMULA),
    ):
        return_obj = cycle.returns.get(organisation=agency)
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative=narrative,
            revision=0,
            actor=agency_lead,
        )
        core.evidence_attach(
            organisation=agency,
            upload=pdf("supervision policy.pdf", cycle.name),
            return_obj=return_obj,
            criterion=criterion,
            actor=agency_lead,
        )
        core.review_comment_add(
            return_obj=return_obj,
            criterion=criterion,
            text=f"Please add the audit for {cycle.name}.",
            actor=business_unit,
        )
        ours[cycle.name] = return_obj
    action = core.action_create(
        organisation=agency,
        source_return=ours["Section 11 audit 2025"],
        criterion=criterion,
        description="Audit supervision records quarterly",
        owner="Head of safeguarding",
        due_date=TODAY + datetime.timedelta(days=60),
        actor=agency_lead,
    )
    core.action_record_progress(
        action=action, note="First audit done in June.", status="in_progress", actor=agency_lead
    )
    core.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("audit-results.txt", b"12 of 12 records in date\n"),
        action=action,
        actor=agency_lead,
    )
    theirs = this.returns.get(organisation=other_agency)
    core.response_save(
        return_obj=theirs,
        criterion=criterion,
        rating="red",
        narrative="Hillside's own words.",
        revision=0,
        actor=other_agency_lead,
    )
    core.evidence_attach(
        organisation=other_agency,
        upload=pdf("hillside-secret.pdf", "theirs"),
        return_obj=theirs,
        actor=other_agency_lead,
    )
    return ours


def request_and_build(client, organisation, django_capture_on_commit_callbacks):
    """Ask through the page; the test settings run the queued task in-process."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audits:organisation_export", args=[organisation.pk]))
    export = OrganisationExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:export_detail", args=[export.pk])
    export.refresh_from_db()
    return export


def download(client, export) -> zipfile.ZipFile:
    response = client.get(reverse("audits:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_lead_gets_every_return_action_comment_and_document_of_their_agency(
    as_persona, agency, history, django_capture_on_commit_callbacks
):
    client = as_persona("agency_lead")
    export = request_and_build(client, agency, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY
    archive = download(client, export)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "returns.csv",
        "returns.json",
        "actions.csv",
        "action_updates.csv",
        "review_comments.csv",
        "documents.csv",
    } <= names

    answers = read_csv(archive, "returns.csv")
    assert [(a["Cycle"], a["Rating"]) for a in answers if a["Rating"]] == [
        ("Section 11 audit 2024", "Green: fully compliant"),
        ("Section 11 audit 2025", "Amber: partially compliant"),
    ]
    assert "Supervision is monthly." in {a["Commentary"] for a in answers}
    readable = json.loads(archive.read("returns.json"))
    assert readable["organisation"] == "Northshore Police Service"
    assert [r["cycle"] for r in readable["returns"]] == [
        "Section 11 audit 2024",
        "Section 11 audit 2025",
    ]
    assert readable["returns"][1]["answers"][0]["commentary"] == FORMULA
    assert readable["actions"][0]["progress"][0]["note"] == "First audit done in June."

    comments = read_csv(archive, "review_comments.csv")
    assert {c["Comment"] for c in comments} == {
        "Please add the audit for Section 11 audit 2024.",
        "Please add the audit for Section 11 audit 2025.",
    }
    [action] = read_csv(archive, "actions.csv")
    assert action["What will be done"] == "Audit supervision records quarterly"
    [update] = read_csv(archive, "action_updates.csv")
    assert update["Progress note"] == "First audit done in June."

    # Every document, under its cycle's folder, byte for byte as uploaded.
    documents = read_csv(archive, "documents.csv")
    folders = sorted(d["File in this archive"].rsplit("/", 1)[0] for d in documents)
    assert folders == [
        "documents/section-11-audit-2024",
        "documents/section-11-audit-2025",
        "documents/section-11-audit-2025/actions",
    ]
    for document in documents:
        content = archive.read(document["File in this archive"])
        assert hashlib.sha256(content).hexdigest() == document["SHA-256"]
        assert Evidence.objects.get(sha256=document["SHA-256"]).organisation_id == agency.pk
    readme = archive.read("README.txt").decode()
    assert "All of Northshore Police Service's data" in readme
    assert "2 returns, 1 action and 3 documents" in readme


def test_nothing_of_another_organisation_is_in_the_archive(
    as_persona, agency, history, django_capture_on_commit_callbacks
):
    client = as_persona("agency_lead")
    archive = download(
        client, request_and_build(client, agency, django_capture_on_commit_callbacks)
    )
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Hillside" not in everything
    assert b"hillside-secret" not in everything


def test_spreadsheet_cells_that_look_like_formulas_are_made_text(
    as_persona, agency, history, django_capture_on_commit_callbacks
):
    client = as_persona("agency_lead")
    archive = download(
        client, request_and_build(client, agency, django_capture_on_commit_callbacks)
    )
    commentary = {a["Commentary"] for a in read_csv(archive, "returns.csv")}
    assert f"'{FORMULA}" in commentary
    assert FORMULA not in commentary


def test_the_business_unit_exports_any_organisation(
    as_persona, other_agency, history, django_capture_on_commit_callbacks
):
    client = as_persona("business_unit")
    archive = download(
        client, request_and_build(client, other_agency, django_capture_on_commit_callbacks)
    )
    answers = read_csv(archive, "returns.csv")
    assert "Hillside's own words." in {a["Commentary"] for a in answers}


def test_each_download_is_in_the_access_log(
    as_persona, agency, agency_lead, history, django_capture_on_commit_callbacks
):
    client = as_persona("agency_lead")
    export = request_and_build(client, agency, django_capture_on_commit_callbacks)
    download(client, export)
    [record] = AccessRecord.objects.all()
    assert (record.user, record.kind, record.organisation, record.target) == (
        agency_lead,
        AccessKind.DOWNLOADED,
        agency,
        export,
    )


def test_asking_twice_while_it_is_being_prepared_gives_the_same_archive(
    as_persona, agency, history
):
    client = as_persona("agency_lead")
    url = reverse("audits:organisation_export", args=[agency.pk])
    first = client.post(url)
    second = client.post(url)
    assert first["Location"] == second["Location"]
    assert OrganisationExport.objects.get().status == ExportStatus.QUEUED


def test_progress_is_shown_until_ready_then_the_page_reloads_with_the_download(
    as_persona, agency, agency_lead, history
):
    export = core.organisation_export_request(organisation=agency, actor=agency_lead)
    client = as_persona("agency_lead")
    page = client.get(reverse("audits:export_detail", args=[export.pk])).content.decode()
    assert "Queued." in page
    assert 'hx-trigger="every 2s"' in page
    status_url = reverse("audits:export_status", args=[export.pk])
    assert "HX-Refresh" not in client.get(status_url, headers={"HX-Request": "true"})
    assert client.get(reverse("audits:export_download", args=[export.pk])).status_code == 404
    core.organisation_export_build(export_id=export.pk)
    finished = client.get(status_url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    assert "Download the archive (zip)" in finished.content.decode()


def test_with_the_broker_down_the_request_is_queued_and_handed_over_later(
    reference_data, as_persona, agency, history
):
    # Committed for real, so that the request publishes as it does in production.
    client = as_persona("agency_lead")
    with web_publishes_to(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        response = client.post(reverse("audits:organisation_export", args=[agency.pk]), follow=True)
    assert "queued and will be prepared as soon as the export service is available" in (
        response.content.decode()
    )
    export = OrganisationExport.objects.get()
    assert export.status == ExportStatus.QUEUED
    # The service is back (the test settings run tasks in-process): beat's sweep
    # hands over what is still queued a few minutes on.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert core.organisation_exports_requeue_lost() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY


def test_a_second_copy_of_the_task_leaves_an_archive_being_prepared_alone(
    agency, agency_lead, history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        export = core.organisation_export_request(organisation=agency, actor=agency_lead)
    OrganisationExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.BUILDING, started_at=timezone.now()
    )
    assert core.organisation_export_build(export_id=export.pk).status == ExportStatus.BUILDING
    assert core.organisation_exports_requeue_lost() == 0
    export.refresh_from_db()
    assert not export.file


def test_an_archive_whose_worker_died_is_prepared_again(
    agency, agency_lead, history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        export = core.organisation_export_request(organisation=agency, actor=agency_lead)
    OrganisationExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.BUILDING, started_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    assert core.organisation_exports_requeue_lost() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.sha256 == hashlib.sha256(export.file.read()).hexdigest()


def test_an_archive_lost_for_over_an_hour_is_failed_rather_than_tried_for_ever(
    agency, agency_lead, history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        export = core.organisation_export_request(organisation=agency, actor=agency_lead)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        assert core.organisation_exports_requeue_lost() == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "could not be prepared in time" in export.failure_reason


def test_a_failed_archive_says_why_and_offers_another_try(as_persona, agency, agency_lead):
    export = core.organisation_export_request(organisation=agency, actor=agency_lead)
    core.organisation_export_fail(export_id=export.pk, reason="The archive could not be prepared.")
    page = (
        as_persona("agency_lead")
        .get(reverse("audits:export_detail", args=[export.pk]))
        .content.decode()
    )
    assert "Failed." in page
    assert "The archive could not be prepared." in page
    assert reverse("audits:organisation_export", args=[agency.pk]) in page


def test_an_archive_expires_after_the_days_allowed(
    as_persona, agency, agency_lead, history, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_VALID_DAYS = 3
    client = as_persona("agency_lead")
    export = request_and_build(client, agency, django_capture_on_commit_callbacks)
    assert export.expires_at - export.started_at == datetime.timedelta(days=3)
    # Days later the lead signs in afresh: sessions last twelve hours at most.
    with time_machine.travel(export.expires_at - datetime.timedelta(minutes=1)):
        client.force_login(agency_lead)
        archive = client.get(reverse("audits:export_download", args=[export.pk]))
        assert archive.status_code == 200
        b"".join(archive.streaming_content)
    with time_machine.travel(export.expires_at + datetime.timedelta(minutes=1)):
        client.force_login(agency_lead)
        gone = client.get(reverse("audits:export_download", args=[export.pk]))
        assert gone.status_code == 410
        assert "This archive has expired" in gone.content.decode()
        listing = client.get(reverse("audits:organisation_export", args=[agency.pk]))
        assert "Expired" in listing.content.decode()
    assert AccessRecord.objects.count() == 1  # only the download that happened


def test_a_document_missing_from_storage_is_named_rather_than_failing_the_archive(
    as_persona, agency, history, django_capture_on_commit_callbacks
):
    lost = Evidence.objects.filter(organisation=agency, action=None).order_by("pk").first()
    lost.file.storage.delete(lost.file.name)
    client = as_persona("agency_lead")
    export = request_and_build(client, agency, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY
    archive = download(client, export)
    readme = archive.read("README.txt").decode()
    assert f"supervision policy.pdf (number {lost.pk})" in readme
    assert len(read_csv(archive, "documents.csv")) == 2


@pytest.mark.parametrize("status", [ScanStatus.PENDING, ScanStatus.INFECTED])
def test_a_document_not_cleared_by_the_virus_scanner_is_named_but_not_included(
    as_persona, agency, history, django_capture_on_commit_callbacks, status
):
    held = Evidence.objects.filter(organisation=agency, action=None).order_by("pk").first()
    Evidence.objects.filter(pk=held.pk).update(
        scan_status=status,
        scanned_at=timezone.now(),
        virus_name="Eicar-Test-Signature" if status == ScanStatus.INFECTED else "",
    )
    client = as_persona("agency_lead")
    export = request_and_build(client, agency, django_capture_on_commit_callbacks)
    archive = download(client, export)
    readme = archive.read("README.txt").decode()
    assert "still\nbeing checked for viruses or was removed as infected" in readme
    assert f"supervision policy.pdf (number {held.pk})" in readme
    names = [row["Original name"] for row in read_csv(archive, "documents.csv")]
    assert len(names) == 2
    assert len([n for n in archive.namelist() if n.startswith("documents/")]) == 2


# --- Who may ----------------------------------------------------------------------

WHO = {
    "agency_lead": 200,
    # A contributor drafts parts of the return; taking everything away is the lead's.
    "contributor": 403,
    "other_agency_lead": 404,
    "school_lead": 404,
    "business_unit": 200,
    "auditor": 404,
    # They read returns in the portal, but a copy of all of an agency's data is not theirs.
    "executive": 403,
    "scrutineer": 403,
}


@pytest.mark.parametrize(("persona", "expected"), WHO.items())
def test_who_may_open_and_ask_for_an_organisations_archive(
    as_persona, agency, agency_lead, persona, expected
):
    client = as_persona(persona)
    url = reverse("audits:organisation_export", args=[agency.pk])
    assert client.get(url).status_code == expected
    posted = client.post(url)
    assert posted.status_code == (302 if expected == 200 else expected)
    export = core.organisation_export_request(organisation=agency, actor=agency_lead)
    for name in ("audits:export_detail", "audits:export_status"):
        assert client.get(reverse(name, args=[export.pk])).status_code == expected


def test_an_auditor_is_told_no_for_their_own_organisation(as_persona, other_agency):
    url = reverse("audits:organisation_export", args=[other_agency.pk])
    assert as_persona("auditor").get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, agency):
    response = client.get(reverse("audits:organisation_export", args=[agency.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "sees"), [("agency_lead", True), ("contributor", False), ("business_unit", False)]
)
def test_the_home_page_offers_all_our_data_to_the_lead(as_persona, agency, persona, sees):
    html = as_persona(persona).get(reverse("audits:home")).content.decode()
    link = reverse("audits:organisation_export", args=[agency.pk])
    assert (link in html) is sees


def test_the_review_page_offers_the_business_unit_the_agencys_data(as_persona, history, agency):
    url = reverse("section11:return_review", args=[history["Section 11 audit 2025"].pk])
    link = reverse("audits:organisation_export", args=[agency.pk])
    assert link in as_persona("business_unit").get(url).content.decode()
    assert link not in as_persona("scrutineer").get(url).content.decode()


# --- Bounded ----------------------------------------------------------------------


def test_gathering_the_records_runs_a_fixed_number_of_queries(
    agency, agency_lead, history, django_assert_max_num_queries
):
    def gather():
        records = organisation_records(agency)
        for return_obj in records.returns:
            for answer in return_obj.responses.all():
                assert answer.criterion.standard.code
            list(return_obj.comments.all())
            list(return_obj.evidence.all())
        for action in records.actions:
            list(action.updates.all())
            list(action.evidence.all())

    with django_assert_max_num_queries(7):
        gather()
    this = history["Section 11 audit 2025"]
    for criterion in Criterion.objects.filter(standard__framework=this.cycle.framework)[1:]:
        core.response_save(
            return_obj=this,
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=agency_lead,
        )
        core.evidence_attach(
            organisation=agency,
            upload=pdf("minutes.pdf", criterion.code),
            return_obj=this,
            criterion=criterion,
            actor=agency_lead,
        )
    with django_assert_max_num_queries(7):
        gather()
    assert Return.objects.filter(organisation=agency).count() == 2


def test_the_archive_page_runs_a_bounded_number_of_queries(
    as_persona, agency, agency_lead, django_assert_max_num_queries
):
    for _ in range(15):
        export = core.organisation_export_request(organisation=agency, actor=agency_lead)
        core.organisation_export_fail(export_id=export.pk, reason="Test")
    client = as_persona("agency_lead")
    with django_assert_max_num_queries(8):
        page = client.get(reverse("audits:organisation_export", args=[agency.pk]))
    assert page.content.decode().count("Failed") == 10
