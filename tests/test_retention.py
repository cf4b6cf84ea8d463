"""The retention schedule: each kind of record is kept for its period, then deleted
with its documents, its history and its grants; a dry run only counts."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.models import AccountSession as Session
from accounts.sessions import SessionStore
from audits import services as core
from audits.models import (
    AccessKind,
    AccessRecord,
    ActionItem,
    AuditCycle,
    Evidence,
    Invitation,
    Organisation,
    OrganisationExport,
    Reminder,
    ReminderKind,
    Response,
    Return,
    ReviewComment,
    Role,
    ScanStatus,
    Sector,
    StatutoryPartner,
    User,
)
from audits.retention import retention_apply, retention_due, years_before
from reports import services as reports
from reports.models import ReportVersion, SignOff
from section11 import services as section11
from section11.challenges import challenge_event_create, challenge_panel_add
from section11.models import ChallengeEvent, ChallengePanelMember, EquivalentReturn, PanelRole

from .clamd import EICAR
from .factories import AgencyFactory, UserFactory, framework_with_criteria

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2017, 3, 10, 10, 0, tzinfo=datetime.UTC)
LAST_YEAR = datetime.datetime(2023, 3, 10, 10, 0, tzinfo=datetime.UTC)
NOW = datetime.datetime(2024, 6, 3, 12, 0, tzinfo=datetime.UTC)


def pdf(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{text}.pdf", f"%PDF-1.7\n% {text}\n".encode())


def at(moment: datetime.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@dataclass
class Past:
    old_return: Return  # its cycle closed in April 2017: past six years
    old_plain_return: Return  # another agency's, in the same cycle, never started
    recent_return: Return  # its cycle closed in April 2023: kept
    kept_document: Evidence
    old_files: list[str]
    done_action: ActionItem  # completed in 2017
    open_action: ActionItem  # raised in 2017, still open: kept
    peer: User
    draft: ReportVersion  # never agreed, from 2017
    agreed: ReportVersion  # agreed in 2017: kept
    old_invitation: Invitation  # expired in 2017, never accepted
    fresh_invitation: Invitation  # expired in April 2024: within 90 days
    accepted_invitation: Invitation  # accepted in 2017: kept
    old_export: OrganisationExport
    fresh_export: OrganisationExport
    old_session: str
    fresh_session: str


def cycle(framework, name, opens_on, closes_on, organisations) -> AuditCycle:
    return core.cycle_create(
        framework=framework,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        organisations=organisations,
        actor=None,
    )


def partners() -> list[User]:
    return [
        UserFactory(roles=[Role.EXECUTIVE], statutory_partner=partner)
        for partner in StatutoryPartner
    ]


@pytest.fixture
def past(agency, business_unit, other_agency_lead) -> Past:
    health = AgencyFactory(name="Fellside Community Health", sector=Sector.HEALTH_PROVIDER)
    framework = framework_with_criteria(standards=1, criteria_per_standard=2)
    criterion = framework.standards.get().criteria.order_by("position").first()
    with at(LONG_AGO):
        lead = UserFactory(
            full_name="Kit Healthlead", roles=[Role.AGENCY_LEAD], organisation=health
        )
        old_cycle = cycle(
            framework,
            "Section 11 audit 2017",
            datetime.date(2017, 2, 27),
            datetime.date(2017, 4, 28),
            [health, agency],
        )
        old = old_cycle.returns.get(organisation=health)
        core.response_save(
            return_obj=old,
            criterion=criterion,
            rating="amber",
            narrative="Partly",
            revision=0,
            actor=lead,
        )
        kept_old = core.evidence_attach(
            organisation=health, upload=pdf("old-policy"), return_obj=old, actor=lead
        )
        withdrawn = core.evidence_attach(
            organisation=health, upload=pdf("withdrawn"), return_obj=old, actor=lead
        )
        core.evidence_remove(evidence=withdrawn, actor=lead)
        core.review_comment_add(
            return_obj=old, criterion=criterion, text="Add the audit.", actor=business_unit
        )
        Reminder.objects.create(
            kind=ReminderKind.RETURN_DUE, step="due-14", return_obj=old, recipients=lead.email
        )
        done = core.action_create(
            organisation=health,
            source_return=old,
            criterion=criterion,
            description="Audit supervision",
            owner="Lead",
            due_date=datetime.date(2017, 9, 1),
            actor=lead,
        )
        action_proof = core.evidence_attach(
            organisation=health, upload=pdf("audit-done"), action=done, actor=lead
        )
        core.action_record_progress(action=done, note="Done", status="completed", actor=lead)
        still_open = core.action_create(
            organisation=health,
            source_return=old,
            criterion=criterion,
            description="Rewrite the training plan",
            owner="Lead",
            due_date=datetime.date(2017, 12, 1),
            actor=lead,
        )
        equivalent = section11.equivalent_return_submit(
            return_obj=old, form="scat", upload=pdf("s-cat"), actor=lead
        )
        event = challenge_event_create(
            return_obj=old, held_on=datetime.date(2017, 5, 20), actor=business_unit
        )
        challenge_panel_add(
            event=event, role=PanelRole.PEER, name="", user=other_agency_lead, actor=business_unit
        )
        AccessRecord.objects.create(
            user=business_unit,
            kind=AccessKind.VIEWED,
            content_type=ContentType.objects.get_for_model(Return),
            object_id=old.pk,
            description=str(old),
            organisation=health,
            path="/",
        )
        AccessAttempt.objects.create(
            username="kit@test.csap.example", ip_address="192.0.2.1", failures_since_start=2
        )
        for model in (AccessLog, AccessFailureLog):
            model.objects.create(username="kit@test.csap.example", ip_address="192.0.2.1")
        old_invitation = core.invitation_create(
            invited_by=business_unit,
            email="never.came@test.csap.example",
            full_name="Never Came",
            role=Role.AGENCY_CONTRIBUTOR,
            organisation=health,
        )
        accepted = core.invitation_create(
            invited_by=business_unit,
            email="did.come@test.csap.example",
            full_name="Did Come",
            role=Role.AGENCY_CONTRIBUTOR,
            organisation=health,
        )
        core.invitation_accept(invitation=accepted, password="a-long-enough-password")
        signatories = partners()
        draft = reports.report_request(cycle=old_cycle, actor=business_unit)
        draft = reports.report_version_render(version_id=draft.pk)
        reports.report_send_for_signoff(version=draft, actor=business_unit)
        reports.report_signoff_record(
            version=draft,
            decision="changes_requested",
            comment="Add the trend.",
            actor=signatories[0],
        )
        agreed = reports.report_request(cycle=old_cycle, actor=business_unit)
        agreed = reports.report_version_render(version_id=agreed.pk)
        reports.report_send_for_signoff(version=agreed, actor=business_unit)
        for partner in signatories:
            reports.report_signoff_record(
                version=agreed, decision="agreed", comment="", actor=partner
            )
        old_export = core.organisation_export_request(organisation=health, actor=lead)
        old_export = core.organisation_export_build(export_id=old_export.pk)
        old_session = SessionStore()
        old_session.create()
    with at(LAST_YEAR):
        recent = cycle(
            framework,
            "Section 11 audit 2023",
            datetime.date(2023, 2, 27),
            datetime.date(2023, 4, 28),
            [health],
        ).returns.get()
        core.response_save(
            return_obj=recent,
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=lead,
        )
        kept_document = core.evidence_attach(
            organisation=health, upload=pdf("recent-policy"), return_obj=recent, actor=lead
        )
    with at(NOW - datetime.timedelta(days=400)):
        AccessRecord.objects.create(
            user=business_unit,
            kind=AccessKind.VIEWED,
            content_type=ContentType.objects.get_for_model(Return),
            object_id=recent.pk,
            description=str(recent),
            organisation=health,
            path="/",
        )
    with at(NOW - datetime.timedelta(days=200)):
        for model in (AccessLog, AccessFailureLog):
            model.objects.create(username="kit@test.csap.example", ip_address="192.0.2.2")
    with at(NOW - datetime.timedelta(days=70)):
        fresh_invitation = core.invitation_create(
            invited_by=business_unit,
            email="still.time@test.csap.example",
            full_name="Still Time",
            role=Role.AGENCY_CONTRIBUTOR,
            organisation=health,
        )
    with at(NOW - datetime.timedelta(days=1)):
        fresh_export = core.organisation_export_build(
            export_id=core.organisation_export_request(organisation=health, actor=lead).pk
        )
    with at(NOW - datetime.timedelta(minutes=5)):
        fresh_session = SessionStore()
        fresh_session.create()
    return Past(
        old_return=old,
        old_plain_return=old_cycle.returns.get(organisation=agency),
        recent_return=recent,
        kept_document=kept_document,
        old_files=[
            kept_old.file.name,
            action_proof.file.name,
            equivalent.document.file.name,
            draft.file.name,
            old_export.file.name,
        ],
        done_action=done,
        open_action=still_open,
        peer=other_agency_lead,
        draft=draft,
        agreed=agreed,
        old_invitation=old_invitation,
        fresh_invitation=fresh_invitation,
        accepted_invitation=Invitation.objects.get(pk=accepted.pk),
        old_export=old_export,
        fresh_export=fresh_export,
        old_session=old_session.session_key,
        fresh_session=fresh_session.session_key,
    )


def everything() -> dict[str, int]:
    """How many rows of each kind there are, history included."""
    models = [
        Return,
        Response,
        Evidence,
        ReviewComment,
        Reminder,
        ActionItem,
        EquivalentReturn,
        ChallengeEvent,
        ChallengePanelMember,
        AccessRecord,
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
        Invitation,
        Session,
        ReportVersion,
        SignOff,
        OrganisationExport,
        UserObjectPermission,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    for model in (Return, Response, Evidence, ActionItem, EquivalentReturn, ChallengeEvent):
        counts[f"history of {model.__name__}"] = model.history.count()
    return counts


EXPECTED_DUE = {
    "returns": 2,
    "actions": 1,
    "report_drafts": 1,
    "access_log": 1,
    "sign_in_attempts": 3,
    "invitations": 1,
    "sessions": 1,
    "exports": 1,
}


def test_the_cut_off_of_each_rule_is_its_period_before_now(past):
    with at(NOW):
        cutoffs = {o.rule.key: timezone.localtime(o.cutoff) for o in retention_due()}
    assert cutoffs["returns"].date() == datetime.date(2018, 6, 3)
    assert cutoffs["report_drafts"].date() == datetime.date(2022, 6, 3)
    assert cutoffs["access_log"].date() == datetime.date(2022, 6, 3)
    assert cutoffs["sign_in_attempts"].date() == datetime.date(2023, 6, 3)
    assert cutoffs["invitations"] == NOW - datetime.timedelta(days=90)
    assert cutoffs["exports"] == NOW - datetime.timedelta(days=settings.EXPORT_VALID_DAYS)
    assert years_before(datetime.datetime(2024, 2, 29, 12, tzinfo=datetime.UTC), 1).day == 28


def test_a_dry_run_counts_what_would_go_and_changes_nothing(past, capsys):
    before = everything()
    with at(NOW):
        call_command("apply_retention", dry_run=True)
        due = {o.rule.key: o.count for o in retention_due()}
    assert due == EXPECTED_DUE
    assert everything() == before
    assert all(default_storage.exists(name) for name in past.old_files)
    out = capsys.readouterr().out
    assert "Dry run: nothing is deleted." in out
    assert "Cut-off 3 June 2018, 13:00: 2 would go." in out


def test_a_real_run_deletes_exactly_what_has_expired_with_its_files_and_history(
    past, django_capture_on_commit_callbacks, caplog
):
    health: Organisation = past.old_return.organisation
    old_pk = past.old_return.pk
    with (
        at(NOW),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.INFO, logger="audits.retention"),
    ):
        outcomes = retention_apply()
    assert {o.rule.key: o.count for o in outcomes} == EXPECTED_DUE

    # The 2017 returns, and everything that was part of them, history included.
    assert list(Return.objects.all()) == [past.recent_return]
    assert not Return.history.filter(id__in=[old_pk, past.old_plain_return.pk]).exists()
    assert not Response.history.filter(return_obj_id=old_pk).exists()
    # Even the history of the document withdrawn from the draft in 2017.
    assert not Evidence.history.filter(return_obj_id=old_pk).exists()
    assert not ReviewComment.objects.filter(return_obj_id=old_pk).exists()
    assert not Reminder.objects.exists()
    assert not EquivalentReturn.objects.exists()
    assert not EquivalentReturn.history.exists()
    assert not ChallengeEvent.objects.exists()
    assert not ChallengeEvent.history.exists()
    assert not ChallengePanelMember.history.exists()
    # The peer's grant to the return went with it.
    assert not UserObjectPermission.objects.filter(user=past.peer).exists()
    # The completed action went; the open one stays, no longer tied to a return.
    assert list(ActionItem.objects.all()) == [past.open_action]
    assert not ActionItem.history.filter(id=past.done_action.pk).exists()
    assert ActionItem.history.filter(id=past.open_action.pk).exists()
    past.open_action.refresh_from_db()
    assert past.open_action.source_return is None
    # Every file of what went, gone from storage; the recent return's document stays.
    assert not any(default_storage.exists(name) for name in past.old_files)
    assert default_storage.exists(past.kept_document.file.name)
    assert list(Evidence.objects.all()) == [past.kept_document]
    assert Response.history.filter(return_obj_id=past.recent_return.pk).exists()

    # Reports: the draft and the partner's decision on it went; the agreed version stays.
    assert list(ReportVersion.objects.all()) == [past.agreed]
    assert set(SignOff.objects.values_list("version_id", flat=True)) == {past.agreed.pk}
    assert default_storage.exists(past.agreed.file.name)

    # The access log and sign-in logs keep only what is within their periods.
    assert list(AccessRecord.objects.values_list("object_id", flat=True)) == [past.recent_return.pk]
    assert not AccessAttempt.objects.exists()
    assert set(AccessLog.objects.values_list("ip_address", flat=True)) == {"192.0.2.2"}
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"192.0.2.2"}
    # Invitations: the long-expired unanswered one went; the accepted one is kept.
    assert set(Invitation.objects.all()) == {past.fresh_invitation, past.accepted_invitation}
    assert not Invitation.history.filter(id=past.old_invitation.pk).exists()
    assert User.objects.filter(email="did.come@test.csap.example").exists()
    assert list(OrganisationExport.objects.all()) == [past.fresh_export]
    assert set(Session.objects.values_list("session_key", flat=True)) == {past.fresh_session}
    assert health.returns.count() == 1

    [line] = [r.getMessage() for r in caplog.records if r.name == "audits.retention"]
    assert line == (
        "Retention schedule applied: returns=2, actions=1, report_drafts=1, access_log=1, "
        "sign_in_attempts=3, invitations=1, sessions=1, exports=1"
    )

    # A second run finds nothing more to do.
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        assert sum(o.count for o in retention_apply()) == 0


def test_returns_go_only_once_six_years_have_passed_since_their_cycle_closed(past):
    # The 2017 cycle closed on 28 April 2017.
    with at(datetime.datetime(2023, 4, 28, 12, 0, tzinfo=datetime.UTC)):
        assert next(o.count for o in retention_due() if o.rule.key == "returns") == 0
    with at(datetime.datetime(2023, 4, 29, 12, 0, tzinfo=datetime.UTC)):
        assert next(o.count for o in retention_due() if o.rule.key == "returns") == 2


def test_a_quarantined_copy_goes_with_its_expired_return(
    scanning, agency, agency_lead, django_capture_on_commit_callbacks
):
    framework = framework_with_criteria(standards=1, criteria_per_standard=1)
    with at(LONG_AGO):
        old = cycle(
            framework,
            "Section 11 audit 2017",
            datetime.date(2017, 2, 27),
            datetime.date(2017, 4, 28),
            [agency],
        ).returns.get()
        with django_capture_on_commit_callbacks(execute=True):
            infected = core.evidence_attach(
                organisation=agency,
                upload=SimpleUploadedFile("notes.txt", EICAR),
                return_obj=old,
                actor=agency_lead,
            )
    infected.refresh_from_db()
    assert infected.scan_status == ScanStatus.INFECTED
    quarantined = core.quarantine_path(infected)
    assert quarantined.exists()
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        retention_apply()
    assert not Return.objects.filter(pk=old.pk).exists()
    assert not quarantined.exists()


def test_files_stay_if_the_deletion_is_rolled_back(past):
    """Files go only once the rows are surely gone."""

    def fail_after_the_deletes() -> None:
        with transaction.atomic():
            retention_apply()
            raise RuntimeError("the transaction fails after the deletes")

    with at(NOW), pytest.raises(RuntimeError):
        fail_after_the_deletes()
    assert all(default_storage.exists(name) for name in past.old_files)
    assert Return.objects.filter(pk=past.old_return.pk).exists()


def test_history_rows_are_deleted_although_the_database_guards_them(past):
    """History is append-only (audits.history): the database refuses to delete a
    history row unless the transaction is applying the retention schedule."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Return.history.filter(id=past.old_return.pk).delete()
    with at(NOW):
        retention_apply()
    assert not Return.history.filter(id=past.old_return.pk).exists()
    assert Return.history.filter(id=past.recent_return.pk).exists()


def test_beat_applies_the_schedule_every_week():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "audits.tasks.apply_retention"
    assert entry["schedule"].day_of_week == {0}
    from audits.tasks import apply_retention

    assert apply_retention.delay().get() == dict.fromkeys(EXPECTED_DUE, 0)


# --- The page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("business_unit", 200),
        ("executive", 403),
        ("scrutineer", 403),
        ("agency_lead", 404),
        ("contributor", 404),
    ],
)
def test_the_business_unit_reads_the_schedule(as_persona, persona, expected):
    assert as_persona(persona).get(reverse("audits:retention_schedule")).status_code == expected


def test_the_schedule_page_shows_each_period_and_what_is_due(
    as_persona, past, business_unit, django_assert_max_num_queries
):
    with at(NOW):
        client = as_persona("business_unit")
        # Signing in (with the session's two-factor device), then one count per kind
        # of record, however many there are.
        with django_assert_max_num_queries(14):
            html = client.get(reverse("audits:retention_schedule")).content.decode()
    assert "6 years after the cycle closes" in html
    assert "2 years after they were requested (agreed versions are kept)" in html
    assert "90 days after they expire" in html
    assert "<td>2</td>" in html  # the two 2017 returns
