"""Requesting, rendering, signing off, publishing and downloading summary reports."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from audits import services as core
from audits.models import FrameworkKind, RatingScale, StatutoryPartner
from reports import services
from reports.models import Decision, RenderStatus, Report, ReportVersion, SignOffStatus

from ..factories import AgencyFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


def requested(cycle, actor, django_capture_on_commit_callbacks) -> ReportVersion:
    """Request through the service; the test settings run the queued task in-process."""
    with django_capture_on_commit_callbacks(execute=True):
        version = services.report_request(cycle=cycle, actor=actor)
    version.refresh_from_db()
    return version


def agreed(version, executives) -> ReportVersion:
    for user in executives.values():
        services.report_signoff_record(version=version, decision="agreed", comment="", actor=user)
    version.refresh_from_db()
    return version


def test_a_request_queues_a_version_which_the_worker_renders_with_its_hash(
    as_persona, cycle, business_unit, django_capture_on_commit_callbacks
):
    client = as_persona("business_unit")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_request", args=[cycle.pk]))
    version = ReportVersion.objects.get()
    assert response["Location"] == reverse("reports:version_detail", args=[version.pk])
    assert (version.number, version.render_status) == (1, RenderStatus.READY)
    data = version.file.read()
    assert data.startswith(b"%PDF")
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.size == len(data)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "2 of 3" in text
    assert [m.to for m in mail.outbox] == [[business_unit.email]]
    assert "Ready:" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("persona", "offered"), [("business_unit", True), ("executive", True), ("scrutineer", False)]
)
def test_the_cycle_tracker_offers_the_report_to_those_who_may_request_it(
    as_persona, cycle, persona, offered
):
    html = (
        as_persona(persona)
        .get(reverse("section11:cycle_tracker", args=[cycle.pk]))
        .content.decode()
    )
    assert ("Request the summary report" in html) == offered
    assert (reverse("reports:report_request", args=[cycle.pk]) in html) == offered


def test_the_request_page_itself_never_renders(
    as_persona, cycle, django_capture_on_commit_callbacks
):
    # Without the commit hook the task never runs: the web request only queues.
    as_persona("business_unit").post(reverse("reports:report_request", args=[cycle.pk]))
    assert ReportVersion.objects.get().render_status == RenderStatus.QUEUED


def test_asking_twice_while_queued_gives_the_same_version(cycle, business_unit):
    first = services.report_request(cycle=cycle, actor=business_unit)
    second = services.report_request(cycle=cycle, actor=business_unit)
    assert first == second
    assert ReportVersion.objects.count() == 1


def test_rendering_the_same_version_twice_gives_one_file(cycle, business_unit, settings):
    version = services.report_request(cycle=cycle, actor=business_unit)
    services.report_version_render(version_id=version.pk)
    version.refresh_from_db()
    first_name, first_hash = version.file.name, version.sha256
    # A worker that lost its acknowledgement renders again: nothing new appears.
    ReportVersion.objects.filter(pk=version.pk).update(render_status=RenderStatus.RENDERING)
    services.report_version_render(version_id=version.pk)
    version.refresh_from_db()
    assert version.file.name == first_name
    folder = version.file.storage.path(first_name).rsplit("/", 1)[0]
    assert os.listdir(folder) == [first_name.rsplit("/", 1)[1]]
    # The hash always describes the one file that is kept.
    assert version.sha256 == hashlib.sha256(version.file.read()).hexdigest()
    assert first_hash


def test_a_version_that_cannot_be_produced_fails_with_a_reason_and_can_be_retried(
    as_persona, business_unit, django_capture_on_commit_callbacks
):
    framework = core.framework_create(
        kind=FrameworkKind.MULTI_AGENCY,
        name="Case audit",
        rating_scale=RatingScale.GRADE,
        actor=None,
    )
    standard = core.standard_create(framework=framework, code="s", title="S", actor=None)
    core.criterion_create(standard=standard, code="1", text="Q", actor=None)
    other_cycle = open_cycle(AgencyFactory(), framework=framework)
    report = Report.objects.create(kind="section11_summary", cycle=other_cycle, title="Wrong")
    version = ReportVersion.objects.create(
        report=report, number=1, title="Wrong", requested_by=business_unit
    )
    services.report_version_render(version_id=version.pk)
    version.refresh_from_db()
    assert version.render_status == RenderStatus.FAILED
    assert "needs a Section 11 cycle" in version.failure_reason

    client = as_persona("business_unit")
    page = client.get(reverse("reports:version_detail", args=[version.pk])).content.decode()
    assert "Failed." in page
    assert "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:version_retry", args=[version.pk]))
    version.refresh_from_db()
    assert version.attempts == 2
    assert version.render_status == RenderStatus.FAILED


def test_the_progress_panel_polls_until_done_then_reloads_the_page(
    as_persona, cycle, business_unit, django_capture_on_commit_callbacks
):
    version = services.report_request(cycle=cycle, actor=business_unit)
    client = as_persona("executive")
    url = reverse("reports:version_status", args=[version.pk])
    polling = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in polling.content.decode()
    assert "Queued." in polling.content.decode()
    assert "HX-Refresh" not in polling
    services.report_version_render(version_id=version.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


# --- Sign-off ---------------------------------------------------------------


@pytest.fixture
def ready(cycle, business_unit, django_capture_on_commit_callbacks) -> ReportVersion:
    return requested(cycle, business_unit, django_capture_on_commit_callbacks)


def test_the_executive_is_emailed_when_a_version_awaits_them(
    ready, business_unit, executives, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_send_for_signoff(version=ready, actor=business_unit)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in executives.values())
    assert all("For your decision" in m.subject for m in mail.outbox)


def test_all_three_partners_agreeing_freezes_the_version(ready, business_unit, executives):
    services.report_send_for_signoff(version=ready, actor=business_unit)
    partners = list(executives.values())
    for user in partners[:2]:
        services.report_signoff_record(version=ready, decision="agreed", comment="", actor=user)
    ready.refresh_from_db()
    assert ready.signoff_status == SignOffStatus.AWAITING
    services.report_signoff_record(version=ready, decision="agreed", comment="", actor=partners[2])
    ready.refresh_from_db()
    assert ready.signoff_status == SignOffStatus.AGREED
    assert ready.is_frozen
    with pytest.raises(Exception, match="not awaiting"):
        services.report_signoff_record(
            version=ready, decision="changes_requested", comment="Too late", actor=partners[0]
        )


def test_one_request_for_changes_sends_it_back_and_a_new_version_carries_new_words(
    ready, business_unit, executives, cycle, django_capture_on_commit_callbacks
):
    services.report_send_for_signoff(version=ready, actor=business_unit)
    police = executives[StatutoryPartner.POLICE]
    with pytest.raises(Exception, match="Say what needs to change"):
        services.report_signoff_record(
            version=ready, decision="changes_requested", comment="", actor=police
        )
    services.report_signoff_record(
        version=ready, decision="changes_requested", comment="Add the police figures", actor=police
    )
    ready.refresh_from_db()
    assert ready.signoff_status == SignOffStatus.CHANGES_REQUESTED
    services.report_update_text(
        report=ready.report,
        title=ready.title,
        themes="Supervision needs attention.",
        recommendations="Audit supervision",
        actor=business_unit,
    )
    second = requested(cycle, business_unit, django_capture_on_commit_callbacks)
    assert second.number == 2
    assert second.themes == "Supervision needs attention."
    ready.refresh_from_db()
    assert ready.themes == ""  # version 1 keeps the words it was made with
    assert ready.file
    assert ready.render_status == RenderStatus.READY


def test_only_an_executive_with_a_partner_can_sign_off(ready, business_unit, executive):
    services.report_send_for_signoff(version=ready, actor=business_unit)
    with pytest.raises(Exception, match="representing a partner"):
        services.report_signoff_record(
            version=ready, decision="agreed", comment="", actor=executive
        )
    with pytest.raises(Exception, match="representing a partner"):
        services.report_signoff_record(
            version=ready, decision="agreed", comment="", actor=business_unit
        )


def test_a_version_must_be_ready_before_it_goes_to_the_executive(cycle, business_unit):
    queued = services.report_request(cycle=cycle, actor=business_unit)
    with pytest.raises(Exception, match="must be ready"):
        services.report_send_for_signoff(version=queued, actor=business_unit)


def test_only_an_agreed_version_is_published_and_it_replaces_the_earlier_one(
    ready, business_unit, executives, cycle, django_capture_on_commit_callbacks
):
    with pytest.raises(Exception, match="agreed"):
        services.report_publish(version=ready, actor=business_unit)
    services.report_send_for_signoff(version=ready, actor=business_unit)
    agreed(ready, executives)
    services.report_publish(version=ready, actor=business_unit)
    second = requested(cycle, business_unit, django_capture_on_commit_callbacks)
    services.report_send_for_signoff(version=second, actor=business_unit)
    agreed(second, executives)
    services.report_publish(version=second, actor=business_unit)
    ready.refresh_from_db()
    assert ready.published_at is None
    assert list(ReportVersion.objects.exclude(published_at=None)) == [second]


def test_history_records_who_signed_off(ready, business_unit, executives):
    services.report_send_for_signoff(version=ready, actor=business_unit)
    agreed(ready, executives)
    users = set(ready.history.values_list("history_user__full_name", flat=True))
    assert {"Riley Officer", "Quinn Health"} <= users


# --- The pages, as each person sees them ----------------------------------------


def test_the_executive_agrees_through_the_page_and_downloads_the_pdf(
    client, ready, business_unit, executives
):
    services.report_send_for_signoff(version=ready, actor=business_unit)
    client.force_login(executives[StatutoryPartner.LOCAL_AUTHORITY])
    page = client.get(reverse("reports:version_detail", args=[ready.pk])).content.decode()
    assert "Your decision for Local authority" in page
    refused = client.post(
        reverse("reports:version_signoff", args=[ready.pk]), {"decision": "changes_requested"}
    )
    assert refused.status_code == 400
    assert "Say what needs to change." in refused.content.decode()
    client.post(reverse("reports:version_signoff", args=[ready.pk]), {"decision": "agreed"})
    assert ready.signoffs.get().decision == Decision.AGREED
    download = client.get(reverse("reports:version_download", args=[ready.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"


def test_the_public_page_lists_only_published_reports_without_sign_in(
    client, ready, business_unit, executives
):
    assert (
        "No report has been published yet."
        in client.get(reverse("reports:public_list")).content.decode()
    )
    assert client.get(reverse("reports:public_download", args=[ready.pk])).status_code == 404
    services.report_send_for_signoff(version=ready, actor=business_unit)
    agreed(ready, executives)
    services.report_publish(version=ready, actor=business_unit)
    listing = client.get(reverse("reports:public_list")).content.decode()
    assert ready.title in listing
    assert "Completed" in listing
    download = client.get(reverse("reports:public_download", args=[ready.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


READERS = {"business_unit": 200, "executive": 200, "scrutineer": 200}
OUTSIDERS = ["agency_lead", "contributor", "other_agency_lead", "school_lead", "auditor"]


@pytest.mark.parametrize("persona", [*READERS, *OUTSIDERS])
def test_who_can_read_reports_and_download_versions(as_persona, ready, persona):
    client = as_persona(persona)
    expected = READERS.get(persona, 404)
    for url in [
        reverse("reports:report_list"),
        reverse("reports:report_detail", args=[ready.report_id]),
        reverse("reports:version_detail", args=[ready.pk]),
        reverse("reports:version_status", args=[ready.pk]),
        reverse("reports:version_download", args=[ready.pk]),
    ]:
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("persona", "request_", "send", "publish", "sign"),
    [
        ("business_unit", 302, 302, 302, 403),
        ("executive", 302, 403, 403, 302),
        ("scrutineer", 403, 403, 403, 403),
        ("agency_lead", 404, 404, 404, 404),
        ("school_lead", 404, 404, 404, 404),
        ("auditor", 404, 404, 404, 404),
    ],
)
def test_who_can_request_send_publish_and_sign_off(
    as_persona, ready, executives, persona, request_, send, publish, sign, cycle
):
    services.report_send_for_signoff(version=ready, actor=executives[StatutoryPartner.POLICE])
    client = as_persona(persona)
    assert client.post(reverse("reports:report_request", args=[cycle.pk])).status_code == request_
    assert client.post(reverse("reports:version_send", args=[ready.pk])).status_code == send
    assert client.post(reverse("reports:version_publish", args=[ready.pk])).status_code == publish
    assert (
        client.post(
            reverse("reports:version_signoff", args=[ready.pk]), {"decision": "agreed"}
        ).status_code
        == sign
    )


def test_only_the_business_unit_edits_the_words(as_persona, ready):
    url = reverse("reports:report_detail", args=[ready.report_id])
    data = {"title": "New", "themes": "x", "recommendations": ""}
    assert as_persona("executive").post(url, data).status_code == 403
    assert as_persona("business_unit").post(url, data).status_code == 302


def test_anonymous_visitors_are_sent_to_sign_in_for_every_private_report_page(client, ready, cycle):
    for url in [
        reverse("reports:report_list"),
        reverse("reports:version_detail", args=[ready.pk]),
        reverse("reports:version_download", args=[ready.pk]),
    ]:
        assert client.get(url)["Location"].startswith(reverse("login"))
    assert client.post(reverse("reports:report_request", args=[cycle.pk]))["Location"].startswith(
        reverse("login")
    )


def test_report_pages_run_a_bounded_number_of_queries(
    as_persona, business_unit, django_assert_max_num_queries
):
    for _ in range(6):
        cycle = open_cycle(*AgencyFactory.create_batch(3), framework=framework_with_criteria())
        for _n in range(3):
            version = services.report_request(cycle=cycle, actor=business_unit)
            ReportVersion.objects.filter(pk=version.pk).update(render_status=RenderStatus.FAILED)
    client = as_persona("executive")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reports:report_list")).status_code == 200
    report = Report.objects.first()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        version = report.versions.first()
        assert client.get(reverse("reports:version_detail", args=[version.pk])).status_code == 200
