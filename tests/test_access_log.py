"""Who opened or downloaded a return, a document or a restricted report is logged,
and the Business Unit and the Scrutineer can see it on the return's history."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services as core
from audits.models import AccessKind, AccessRecord, Criterion, Evidence, Return, Role
from reports import services as reports
from reports.models import ReportVersion

from .factories import UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_return(agency, other_agency) -> Return:
    cycle = open_cycle(agency, other_agency, framework=framework_with_criteria())
    return cycle.returns.get(organisation=agency)


@pytest.fixture
def document(own_return, agency_lead) -> Evidence:
    return core.evidence_attach(
        organisation=own_return.organisation,
        upload=SimpleUploadedFile("safer-recruitment.pdf", b"%PDF-1.7\n"),
        return_obj=own_return,
        actor=agency_lead,
    )


def records_of(obj) -> list[AccessRecord]:
    return list(
        AccessRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("pk")
    )


# --- What is logged ----------------------------------------------------------------


def test_opening_the_printable_return_logs_who_when_and_from_where(
    as_persona, own_return, business_unit
):
    before = timezone.now()
    response = as_persona("business_unit").get(
        reverse("audits:return_detail", args=[own_return.pk]), REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200
    [record] = records_of(own_return)
    assert record.user == business_unit
    assert record.kind == AccessKind.VIEWED
    assert record.organisation == own_return.organisation
    assert record.client_address == "203.0.113.7"
    assert record.path == reverse("audits:return_detail", args=[own_return.pk])
    assert record.at >= before
    assert record.description == str(own_return)


@pytest.mark.parametrize(
    "page",
    ["section11:return_overview", "section11:return_evidence", "area"],
)
def test_each_section11_page_of_a_return_is_logged_once_per_view(
    as_persona, own_return, contributor, page
):
    if page == "area":
        code = own_return.cycle.framework.standards.order_by("position").first().code
        url = reverse("section11:return_area", args=[own_return.pk, code])
    else:
        url = reverse(page, args=[own_return.pk])
    client = as_persona("contributor")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert [(r.user, r.kind, r.path) for r in records_of(own_return)] == [
        (contributor, AccessKind.VIEWED, url),
        (contributor, AccessKind.VIEWED, url),
    ]


def test_saving_answers_and_uploading_are_not_logged_as_opening(as_persona, own_return):
    criterion = Criterion.objects.filter(standard__framework=own_return.cycle.framework).first()
    client = as_persona("agency_lead")
    autosave = client.post(
        reverse("section11:response_save", args=[own_return.pk, criterion.pk]),
        {
            f"c{criterion.pk}-rating": "green",
            f"c{criterion.pk}-narrative": "In place",
            f"c{criterion.pk}-revision": 0,
        },
        headers={"X-Autosave": "1"},
    )
    assert autosave.status_code == 200
    upload = client.post(
        reverse("section11:return_evidence", args=[own_return.pk]),
        {"file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n")},
    )
    assert upload.status_code == 302
    assert records_of(own_return) == []


def test_the_documents_list_refreshing_itself_is_not_logged_again(as_persona, own_return):
    """While a document is checked for viruses the page asks for its list every few
    seconds; that is still the one visit."""
    url = reverse("section11:return_evidence", args=[own_return.pk])
    client = as_persona("agency_lead")
    assert client.get(url).status_code == 200
    for _ in range(3):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert len(records_of(own_return)) == 1


def test_the_review_page_is_logged_for_each_reader(as_persona, own_return, scrutineer):
    assert (
        as_persona("scrutineer")
        .get(reverse("section11:return_review", args=[own_return.pk]))
        .status_code
        == 200
    )
    [record] = records_of(own_return)
    assert (record.user, record.kind) == (scrutineer, AccessKind.VIEWED)


def test_someone_turned_away_leaves_no_record(as_persona, own_return, document):
    reader = as_persona("other_agency_lead")
    assert reader.get(reverse("audits:return_detail", args=[own_return.pk])).status_code == 404
    assert reader.get(reverse("audits:evidence_download", args=[document.pk])).status_code == 404
    area = reverse("section11:return_area", args=[own_return.pk, "no-such-area"])
    assert as_persona("agency_lead").get(area).status_code == 404
    assert AccessRecord.objects.count() == 0


def test_downloading_a_document_is_logged_with_its_name_and_organisation(
    as_persona, document, executive
):
    response = as_persona("executive").get(reverse("audits:evidence_download", args=[document.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n"
    [record] = records_of(document)
    assert record.user == executive
    assert record.kind == AccessKind.DOWNLOADED
    assert record.description == "safer-recruitment.pdf"
    assert record.organisation == document.organisation


@pytest.fixture
def rendered(own_return, business_unit) -> ReportVersion:
    version = reports.report_request(cycle=own_return.cycle, actor=business_unit)
    return reports.report_version_render(version_id=version.pk)


def test_downloading_an_unpublished_report_version_is_logged(as_persona, rendered, executive):
    response = as_persona("executive").get(reverse("reports:version_download", args=[rendered.pk]))
    b"".join(response.streaming_content)
    [record] = records_of(rendered)
    assert (record.user, record.kind, record.organisation) == (
        executive,
        AccessKind.DOWNLOADED,
        None,
    )


def test_a_published_version_is_public_and_its_downloads_are_not_logged(
    as_persona, client, rendered
):
    ReportVersion.objects.filter(pk=rendered.pk).update(
        signoff_status="agreed", agreed_at=timezone.now(), published_at=timezone.now()
    )
    signed_in = as_persona("executive").get(reverse("reports:version_download", args=[rendered.pk]))
    b"".join(signed_in.streaming_content)
    client.logout()
    public = client.get(reverse("reports:public_download", args=[rendered.pk]))
    b"".join(public.streaming_content)
    assert records_of(rendered) == []


# --- Who sees it --------------------------------------------------------------------

HEADING = "Who opened or downloaded this return"


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("business_unit", True),
        ("scrutineer", True),
        ("agency_lead", False),
        ("contributor", False),
        ("executive", False),
    ],
)
def test_only_the_business_unit_and_scrutineer_see_who_opened_a_return(
    as_persona, own_return, document, contributor, persona, sees
):
    as_persona("contributor").get(reverse("audits:return_detail", args=[own_return.pk]))
    as_persona("contributor").get(reverse("audits:evidence_download", args=[document.pk]))
    html = (
        as_persona(persona)
        .get(reverse("audits:return_history", args=[own_return.pk]))
        .content.decode()
    )
    assert (HEADING in html) is sees
    assert ("Downloaded safer-recruitment.pdf" in html) is sees
    assert ("Opened the return" in html) is sees


def test_a_peer_granted_the_return_reads_its_history_but_not_who_opened_it(
    client, own_return, other_agency
):
    from guardian.shortcuts import assign_perm

    peer = UserFactory(roles=[Role.AGENCY_LEAD], organisation=other_agency)
    assign_perm("audits.view_return", peer, own_return)
    client.force_login(peer)
    response = client.get(reverse("audits:return_history", args=[own_return.pk]))
    assert response.status_code == 200
    assert HEADING not in response.content.decode()


def test_downloads_of_a_document_since_removed_stay_on_the_return(
    as_persona, own_return, document, agency_lead
):
    as_persona("agency_lead").get(reverse("audits:evidence_download", args=[document.pk]))
    core.evidence_remove(evidence=document, actor=agency_lead)
    html = (
        as_persona("business_unit")
        .get(reverse("audits:return_history", args=[own_return.pk]))
        .content.decode()
    )
    assert "Downloaded safer-recruitment.pdf" in html
    assert "Morgan Lead" in html


def test_another_returns_records_are_not_shown(as_persona, own_return, other_agency_lead):
    other = own_return.cycle.returns.exclude(pk=own_return.pk).get()
    as_persona("other_agency_lead").get(reverse("audits:return_detail", args=[other.pk]))
    html = (
        as_persona("business_unit")
        .get(reverse("audits:return_history", args=[own_return.pk]))
        .content.decode()
    )
    assert "Jordan Otherlead" not in html
    assert "Nobody has opened it yet." in html


def test_the_log_is_paged_newest_first_with_a_bounded_number_of_queries(
    as_persona, own_return, document, django_assert_max_num_queries
):
    readers = UserFactory.create_batch(3, roles=[Role.EXECUTIVE])
    start = timezone.now() - datetime.timedelta(days=30)
    types = ContentType.objects.get_for_models(Return, Evidence)
    AccessRecord.objects.bulk_create(
        AccessRecord(
            user=readers[n % 3],
            kind=AccessKind.DOWNLOADED if n % 2 else AccessKind.VIEWED,
            content_type=types[Evidence] if n % 2 else types[Return],
            object_id=document.pk if n % 2 else own_return.pk,
            description="safer-recruitment.pdf" if n % 2 else str(own_return),
            organisation=own_return.organisation,
            path="/",
            at=start + datetime.timedelta(minutes=n),
        )
        for n in range(120)
    )
    client = as_persona("business_unit")
    url = reverse("audits:return_history", args=[own_return.pk])
    with django_assert_max_num_queries(12):
        first = client.get(url).content.decode()
    newest = timezone.localtime(start + datetime.timedelta(minutes=119)).strftime(
        "%-d %b %Y, %H:%M"
    )
    oldest = timezone.localtime(start).strftime("%-d %b %Y, %H:%M")
    assert "Page 1 of 3" in first
    assert newest in first
    assert oldest not in first
    assert first.count("<td>Downloaded safer-recruitment.pdf</td>") == 25
    with django_assert_max_num_queries(12):
        last = client.get(url, {"opened": 3}).content.decode()
    assert "Page 3 of 3" in last
    assert oldest in last
    # Nonsense in the page number shows the first page rather than failing.
    assert "Page 1 of 3" in client.get(url, {"opened": "x"}).content.decode()


# --- Append-only ----------------------------------------------------------------------


def test_the_admin_shows_the_log_but_cannot_add_change_or_delete(client, own_return):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.get(reverse("audits:return_detail", args=[own_return.pk]))
    record = AccessRecord.objects.get()
    assert client.get(reverse("admin:audits_accessrecord_changelist")).status_code == 200
    change = reverse("admin:audits_accessrecord_change", args=[record.pk])
    assert client.get(change).status_code == 200  # shown, read-only
    client.post(change, {"description": "Nothing happened", "kind": "viewed"})
    assert client.get(reverse("admin:audits_accessrecord_add")).status_code == 403
    deleting = reverse("admin:audits_accessrecord_delete", args=[record.pk])
    assert client.post(deleting, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.description == str(own_return)
