"""Reminders: leads of agencies and schools that have not submitted are chased 14, 7
and 1 days before the deadline, then weekly when overdue; overdue actions weekly.

The clock is frozen at 07:00 London time, when beat runs the job, and the job is
run day by day. Every reminder is recorded, and no step is ever sent twice.
"""

from __future__ import annotations

import datetime
import logging
import socket
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from audits import services
from audits.models import (
    ActionItem,
    ActionStatus,
    AuditCycle,
    Organisation,
    Reminder,
    ReminderKind,
    Return,
    Role,
    User,
)
from audits.reminders import ReminderRun, reminders_send_due
from audits.tasks import send_reminders
from csap_portal.celery import app as celery_app

from .factories import AgencyFactory, UserFactory, framework_with_criteria

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# The Section 11 cycle the design describes: Monday 28 February to Friday 29 April 2022.
OPENS = datetime.date(2022, 2, 28)
CLOSES = datetime.date(2022, 4, 29)


def day(month: int, day_of_month: int) -> datetime.date:
    return datetime.date(2022, month, day_of_month)


def section11_2022(*organisations: Organisation) -> AuditCycle:
    return services.cycle_create(
        framework=framework_with_criteria(standards=1, criteria_per_standard=1),
        name="Section 11 audit 2022",
        opens_on=OPENS,
        closes_on=CLOSES,
        organisations=organisations,
        actor=None,
    )


def morning(on: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(on, datetime.time(7), tzinfo=LONDON)


@pytest.fixture
def run_on(django_capture_on_commit_callbacks) -> Callable[[datetime.date], ReminderRun]:
    """Run the job as beat would at 07:00 on a day, emails sent as the run commits."""

    def run(on: datetime.date) -> ReminderRun:
        with (
            time_machine.travel(morning(on), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return reminders_send_due()

    return run


@pytest.fixture
def run_daily(run_on) -> Callable[[datetime.date, datetime.date], dict[datetime.date, list[str]]]:
    """Run the job every day from first to last; say what was sent on which day."""

    def run(first: datetime.date, last: datetime.date) -> dict[datetime.date, list[str]]:
        sent: dict[datetime.date, list[str]] = {}
        on = first
        while on <= last:
            before = set(Reminder.objects.values_list("pk", flat=True))
            emails_before = len(mail.outbox)
            run_on(on)
            new = Reminder.objects.exclude(pk__in=before).select_related(
                "return_obj__organisation", "action"
            )
            if new:
                sent[on] = sorted(f"{target(r)}: {r.step}" for r in new)
                assert len(mail.outbox) > emails_before
            else:
                assert len(mail.outbox) == emails_before
            on += datetime.timedelta(days=1)
        return sent

    return run


def target(reminder: Reminder) -> str:
    if reminder.return_obj is not None:
        return reminder.return_obj.organisation.name
    return reminder.action.description


def the_return(cycle: AuditCycle, organisation: Organisation) -> Return:
    return Return.objects.select_related("cycle").get(cycle=cycle, organisation=organisation)


def submit(return_obj: Return, lead: User) -> None:
    for criterion in return_obj.cycle.framework.standards.get().criteria.all():
        services.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="Policy reviewed by the board.",
            revision=0,
            actor=lead,
        )
    services.return_submit(return_obj=return_obj, actor=lead)
    return_obj.refresh_from_db()


# --- Returns -----------------------------------------------------------------


def test_a_return_is_chased_14_7_and_1_days_before_closing_then_weekly_when_overdue(
    agency, agency_lead, run_daily
):
    section11_2022(agency)

    sent = run_daily(OPENS, day(5, 31))

    agency_name = agency.name
    assert sent == {
        day(4, 15): [f"{agency_name}: due-14"],
        day(4, 22): [f"{agency_name}: due-7"],
        day(4, 28): [f"{agency_name}: due-1"],
        day(4, 30): [f"{agency_name}: overdue-week-1"],
        day(5, 7): [f"{agency_name}: overdue-week-2"],
        day(5, 14): [f"{agency_name}: overdue-week-3"],
        day(5, 21): [f"{agency_name}: overdue-week-4"],
        day(5, 28): [f"{agency_name}: overdue-week-5"],
    }
    kinds = dict(Reminder.objects.values_list("step", "kind"))
    assert kinds["due-1"] == ReminderKind.RETURN_DUE
    assert kinds["overdue-week-1"] == ReminderKind.RETURN_OVERDUE
    assert all(email.to == [agency_lead.email] for email in mail.outbox)
    assert Reminder.objects.filter(recipients=agency_lead.email).count() == 8


def test_the_email_names_the_cycle_organisation_deadline_days_left_and_link(
    agency, agency_lead, run_on
):
    return_obj = the_return(section11_2022(agency), agency)
    link = settings.SITE_URL + reverse("section11:return_overview", args=[return_obj.pk])

    run_on(day(4, 22))
    due = mail.outbox[-1]
    assert due.subject == (
        f"Reminder: Section 11 audit 2022 return for {agency.name} is due in 7 days"
    )
    assert "Section 11 audit 2022" in due.body
    assert agency.name in due.body
    assert "Friday 29 April 2022" in due.body
    assert "7 days left" in due.body
    assert link in due.body

    run_on(day(4, 28))
    assert mail.outbox[-1].subject.endswith("is due in 1 day")
    assert "1 day left" in mail.outbox[-1].body

    run_on(day(5, 1))
    overdue = mail.outbox[-1]
    assert overdue.subject == f"Overdue: Section 11 audit 2022 return for {agency.name}"
    assert "was due on Friday 29 April 2022" in overdue.body
    assert "2 days overdue" in overdue.body
    assert link in overdue.body


def test_running_twice_on_the_same_day_sends_nothing_more(agency, agency_lead, run_on):
    section11_2022(agency)

    first = run_on(day(4, 15))
    assert first == ReminderRun(returns_reminded=1, emails=1)
    again = run_on(day(4, 15))

    assert again == ReminderRun()
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_a_submitted_or_accepted_return_is_not_chased_until_it_is_reopened(
    agency, agency_lead, business_unit, run_daily
):
    return_obj = the_return(section11_2022(agency), agency)
    submit(return_obj, agency_lead)

    assert run_daily(day(4, 10), day(5, 5)) == {}

    services.return_accept(return_obj=return_obj, actor=business_unit)
    assert run_daily(day(5, 6), day(5, 8)) == {}
    assert mail.outbox == []

    services.return_reopen(
        return_obj=return_obj, reason="Wrong policy attached.", actor=business_unit
    )
    assert run_daily(day(5, 9), day(5, 9)) == {day(5, 9): [f"{agency.name}: overdue-week-2"]}


def test_an_extended_deadline_moves_the_schedule(
    agency, agency_lead, other_agency, other_agency_lead, business_unit, run_daily
):
    cycle = section11_2022(agency, other_agency)
    services.return_extend_deadline(
        return_obj=the_return(cycle, agency), until=day(5, 13), actor=business_unit
    )

    sent = run_daily(day(4, 1), day(5, 21))

    late, on_time = agency.name, other_agency.name
    assert sent == {
        day(4, 15): [f"{on_time}: due-14"],
        day(4, 22): [f"{on_time}: due-7"],
        day(4, 28): [f"{on_time}: due-1"],
        day(4, 29): [f"{late}: due-14@2022-05-13"],
        day(4, 30): [f"{on_time}: overdue-week-1"],
        day(5, 6): [f"{late}: due-7@2022-05-13"],
        day(5, 7): [f"{on_time}: overdue-week-2"],
        day(5, 12): [f"{late}: due-1@2022-05-13"],
        day(5, 14): [f"{on_time}: overdue-week-3", f"{late}: overdue-week-1@2022-05-13"],
        day(5, 21): [f"{on_time}: overdue-week-4", f"{late}: overdue-week-2@2022-05-13"],
    }
    to_late_lead = [e for e in mail.outbox if e.to == [agency_lead.email]]
    assert "Friday 13 May 2022 (the extended deadline)" in to_late_lead[0].body


def test_an_extension_granted_after_the_deadline_starts_the_reminders_again(
    agency, agency_lead, business_unit, run_daily
):
    return_obj = the_return(section11_2022(agency), agency)
    assert run_daily(day(4, 30), day(5, 2)) == {day(4, 30): [f"{agency.name}: overdue-week-1"]}

    services.return_extend_deadline(return_obj=return_obj, until=day(5, 20), actor=business_unit)

    assert run_daily(day(5, 3), day(5, 21)) == {
        day(5, 6): [f"{agency.name}: due-14@2022-05-20"],
        day(5, 13): [f"{agency.name}: due-7@2022-05-20"],
        day(5, 19): [f"{agency.name}: due-1@2022-05-20"],
        day(5, 21): [f"{agency.name}: overdue-week-1@2022-05-20"],
    }


def test_after_missed_days_only_the_latest_due_step_is_sent(agency, agency_lead, run_on):
    section11_2022(agency)

    # Nothing ran until five days before closing: 'due-7' goes, never a late 'due-14'.
    assert run_on(day(4, 24)).returns_reminded == 1
    assert list(Reminder.objects.values_list("step", flat=True)) == ["due-7"]
    assert "5 days left" in mail.outbox[-1].body

    # Nothing ran again until closing day: 'due-1' still goes, as due today.
    run_on(day(4, 29))
    assert mail.outbox[-1].subject.endswith("is due today")

    # A job that first runs after the deadline sends the overdue step, no 'due-*'.
    run_on(day(5, 10))
    assert sorted(Reminder.objects.values_list("step", flat=True)) == [
        "due-1",
        "due-7",
        "overdue-week-2",
    ]
    assert len(mail.outbox) == 3


def test_nothing_is_sent_before_the_cycle_opens(agency, agency_lead, run_daily):
    services.cycle_create(
        framework=framework_with_criteria(),
        name="Short notice audit",
        opens_on=day(4, 20),
        closes_on=day(4, 29),
        organisations=[agency],
        actor=None,
    )

    # Opening nine days before closing, the first reminder is 'due-14', nine days ahead.
    assert run_daily(day(4, 10), day(4, 20)) == {day(4, 20): [f"{agency.name}: due-14"]}
    assert "9 days left" in mail.outbox[-1].body


def test_only_active_leads_of_the_organisation_are_emailed_not_contributors(
    agency, agency_lead, contributor, other_agency_lead, run_on
):
    second_lead = UserFactory(
        full_name="Drew Deputy", roles=[Role.AGENCY_LEAD], organisation=agency
    )
    UserFactory(
        full_name="Pat Left", roles=[Role.AGENCY_LEAD], organisation=agency, is_active=False
    )
    section11_2022(agency)

    run_on(day(4, 15))

    (email,) = mail.outbox
    assert sorted(email.to) == sorted([agency_lead.email, second_lead.email])
    assert contributor.email not in email.to
    assert other_agency_lead.email not in email.to
    assert Reminder.objects.get().recipients.splitlines() == sorted(email.to)


def test_a_school_lead_is_chased_for_the_schools_return(school, school_lead, run_on):
    section11_2022(school)

    run_on(day(4, 15))

    assert [email.to for email in mail.outbox] == [[school_lead.email]]
    assert school.name in mail.outbox[0].body


def test_with_no_lead_nothing_is_recorded_and_the_step_goes_once_a_lead_exists(
    agency, contributor, run_on, caplog
):
    section11_2022(agency)

    with caplog.at_level(logging.WARNING, logger="audits.reminders"):
        run = run_on(day(4, 15))

    assert run == ReminderRun(without_lead=1)
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert f"{agency.name} has no active lead" in caplog.text

    lead = UserFactory(full_name="Nia Newlead", roles=[Role.AGENCY_LEAD], organisation=agency)
    run_on(day(4, 16))
    assert [email.to for email in mail.outbox] == [[lead.email]]
    assert Reminder.objects.get().step == "due-14"


def test_an_email_that_cannot_be_sent_is_not_recorded_and_goes_the_next_day(
    agency, agency_lead, run_on, settings, caplog
):
    section11_2022(agency)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_TIMEOUT = 2

    with caplog.at_level(logging.ERROR, logger="audits.reminders"):
        run_on(day(4, 15))

    assert "Could not reach the mail server" in caplog.text
    assert not Reminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_on(day(4, 16))
    assert Reminder.objects.get().step == "due-14"
    assert len(mail.outbox) == 1


# --- Actions -----------------------------------------------------------------


def test_an_overdue_action_is_chased_weekly_from_its_due_date_until_completed(
    agency, agency_lead, run_daily
):
    action = services.action_create(
        organisation=agency,
        description="Refresh the safer recruitment policy",
        owner="Head of HR",
        due_date=day(3, 31),
        actor=agency_lead,
    )

    sent = run_daily(day(3, 25), day(4, 21))

    what = action.description
    assert sent == {
        day(4, 1): [f"{what}: overdue-week-1"],
        day(4, 8): [f"{what}: overdue-week-2"],
        day(4, 15): [f"{what}: overdue-week-3"],
    }
    assert set(Reminder.objects.values_list("kind", flat=True)) == {ReminderKind.ACTION_OVERDUE}

    services.action_record_progress(
        action=action, note="Policy approved.", status=ActionStatus.COMPLETED, actor=agency_lead
    )
    assert run_daily(day(4, 22), day(5, 31)) == {}


def test_the_action_email_goes_to_the_leads_naming_the_owner_due_date_and_days_overdue(
    agency, agency_lead, contributor, run_on
):
    return_obj = the_return(section11_2022(agency), agency)
    for description, owner in [
        ("Train all staff in the new referral pathway", "Training manager"),
        ("Add safeguarding to the supervision template", "Named nurse"),
    ]:
        services.action_create(
            organisation=agency,
            description=description,
            owner=owner,
            due_date=day(6, 30),
            source_return=return_obj,
            actor=agency_lead,
        )

    run = run_on(day(7, 4))

    assert run.actions_reminded == 2
    # The return is overdue too: one email for it, one listing both actions.
    (email,) = [e for e in mail.outbox if "action" in e.subject]
    assert email.subject == f"2 overdue actions for {agency.name}"
    assert email.to == [agency_lead.email]
    for text in [
        "Train all staff in the new referral pathway",
        "Owner: Training manager",
        "Add safeguarding to the supervision template",
        "Owner: Named nurse",
        "Due: Thursday 30 June 2022, 4 days overdue",
        "From: Section 11 audit 2022",
        settings.SITE_URL + reverse("audits:home"),
    ]:
        assert text in email.body
    assert Reminder.objects.filter(action__isnull=False).count() == 2


def test_actions_not_yet_overdue_or_completed_are_never_chased(agency, agency_lead, run_daily):
    services.action_create(
        organisation=agency,
        description="Due next month",
        owner="Designated lead",
        due_date=day(5, 31),
        actor=agency_lead,
    )
    done = services.action_create(
        organisation=agency,
        description="Done on time",
        owner="Designated lead",
        due_date=day(4, 1),
        actor=agency_lead,
    )
    services.action_record_progress(
        action=done, note="Finished.", status=ActionStatus.COMPLETED, actor=agency_lead
    )

    assert run_daily(day(4, 1), day(5, 31)) == {}
    assert ActionItem.objects.count() == 2


# --- The job -----------------------------------------------------------------


@pytest.mark.parametrize("organisations", [5, 40])
def test_the_run_takes_the_same_few_queries_however_many_returns(
    organisations, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    agencies = [AgencyFactory() for _ in range(organisations)]
    for agency in agencies:
        lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=agency)
        services.action_create(
            organisation=agency,
            description="Audit supervision records",
            owner="Named nurse",
            due_date=day(4, 1),
            actor=lead,
        )
    section11_2022(*agencies)

    # Savepoint, returns, actions, reminders already sent, leads, one insert, release.
    with (
        time_machine.travel(morning(day(4, 15)), tick=False),
        django_assert_max_num_queries(7),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = reminders_send_due()

    assert run == ReminderRun(
        returns_reminded=organisations, actions_reminded=organisations, emails=2 * organisations
    )
    assert len(mail.outbox) == 2 * organisations


def test_the_task_runs_the_service(agency, agency_lead, django_capture_on_commit_callbacks):
    section11_2022(agency)

    with (
        time_machine.travel(morning(day(4, 15)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = send_reminders.delay()

    assert result.get() == {
        "returns_reminded": 1,
        "actions_reminded": 0,
        "emails": 1,
        "without_lead": 0,
    }
    assert Reminder.objects.get().step == "due-14"
    assert mail.outbox[0].to == [agency_lead.email]


def test_beat_runs_the_task_every_morning_at_seven_london_time():
    entry = celery_app.conf.beat_schedule["send-reminders"]

    assert entry["task"] == "audits.tasks.send_reminders"
    assert entry["task"] == send_reminders.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert celery_app.conf.timezone == "Europe/London"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(reference_data, agency, agency_lead):
    """The second run waits for the first to commit, then finds nothing left to send."""
    section11_2022(agency)
    services.action_create(
        organisation=agency,
        description="Update the allegations procedure",
        owner="LADO liaison",
        due_date=day(4, 1),
        actor=agency_lead,
    )
    second_runs: list[ReminderRun | BaseException] = []

    def second_run() -> None:
        try:
            second_runs.append(reminders_send_due())
        except BaseException as error:
            second_runs.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=second_run)
    with time_machine.travel(morning(day(4, 15)), tick=False):
        with transaction.atomic():
            first = reminders_send_due()
            other.start()
            other.join(timeout=1)
            assert other.is_alive(), "the second run should wait for the first to commit"
        other.join(timeout=10)

    assert first == ReminderRun(returns_reminded=1, actions_reminded=1, emails=2)
    assert second_runs == [ReminderRun()]
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2
