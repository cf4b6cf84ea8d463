"""Reminders to organisations: returns not yet submitted, and actions that are overdue.

Celery beat runs ``reminders_send_due`` every morning. A return is reminded 14, 7
and 1 days before its deadline, then once a week while it is overdue; an action
once a week from the day after its due date. Each reminder is a ``Reminder`` row,
unique per target and step, so a step is never sent twice.

Record first, send on commit. If the rows are written and the email then fails,
one reminder is lost; if the email went first and the write failed, the next run
would send it again. A second copy of a chaser undermines trust in every later
one, and a lost one is caught by the next step (and by the Business Unit's
tracker), so we choose to lose rather than repeat. A send that fails outright
has its row deleted, so the next run, still inside the step's window, tries again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    EDITABLE_STATUSES,
    ActionItem,
    ActionStatus,
    Organisation,
    Reminder,
    ReminderKind,
    Return,
)
from .selectors import organisation_leads

logger = logging.getLogger(__name__)

# Days before the deadline on which a return not yet submitted is chased.
DUE_STEPS = (14, 7, 1)


@dataclass(frozen=True)
class ReminderRun:
    """What one run did: reminders recorded and emails queued for sending on commit."""

    returns_reminded: int = 0
    actions_reminded: int = 0
    emails: int = 0
    # Returns and actions that were due a reminder but whose organisation has no
    # active lead; nothing is recorded, so they are reminded once a lead exists.
    without_lead: int = 0


@dataclass(frozen=True)
class OverdueAction:
    """An action as its reminder describes it."""

    action: ActionItem
    days_overdue: int


@dataclass
class _Outgoing:
    message: EmailMessage
    reminders: list[Reminder] = field(default_factory=list)


def _overdue_step(days_overdue: int) -> str:
    """Days 1-7 after the date are week 1, days 8-14 week 2, and so on."""
    return f"overdue-week-{(days_overdue - 1) // 7 + 1}"


def _return_step(return_obj: Return, today: datetime.date) -> tuple[ReminderKind, str] | None:
    """The step this return is at today, or None if nothing is due yet.

    After a missed run the latest step passed is the one due, never an earlier
    one: at five days to go that is 'due-7', not a late 'due-14'.
    """
    deadline = return_obj.deadline
    days_left = (deadline - today).days
    if days_left >= 0:
        passed = [days for days in DUE_STEPS if days_left <= days]
        if not passed:
            return None
        kind, step = ReminderKind.RETURN_DUE, f"due-{min(passed)}"
    else:
        kind, step = ReminderKind.RETURN_OVERDUE, _overdue_step(-days_left)
    if return_obj.extended_deadline is not None:
        # Steps against an extended deadline are named with it, so that an
        # extension restarts the schedule instead of colliding with the steps
        # already sent against the cycle's closing date (the unique constraint
        # is per return and step, and Reminder does not record the deadline).
        step = f"{step}@{deadline.isoformat()}"
    return kind, step


def _returns_to_remind(today: datetime.date) -> list[Return]:
    """Open returns, in cycles that have opened, within 14 days of their deadline or past it.

    Locked (in primary-key order, so two runs queue rather than deadlock) until
    the run commits: a second run waits here, then sees the first run's rows.
    """
    horizon = today + datetime.timedelta(days=max(DUE_STEPS))
    return list(
        Return.objects.select_for_update(of=("self",))
        .filter(
            Q(extended_deadline__lte=horizon)
            | Q(extended_deadline__isnull=True, cycle__closes_on__lte=horizon),
            status__in=EDITABLE_STATUSES,
            cycle__opens_on__lte=today,
            # A closed agency or school is no longer chased.
            organisation__is_active=True,
        )
        .select_related("cycle__framework", "organisation")
        .order_by("pk")
    )


def _actions_overdue(today: datetime.date) -> list[ActionItem]:
    """Unfinished actions past their due date, locked like the returns."""
    return list(
        ActionItem.objects.select_for_update(of=("self",))
        .filter(due_date__lt=today, organisation__is_active=True)
        .exclude(status=ActionStatus.COMPLETED)
        .select_related("organisation", "source_return__cycle")
        .order_by("pk")
    )


def _render(template: str, context: dict[str, object]) -> str:
    return render_to_string(f"emails/{template}", context)


def _subject(template: str, context: dict[str, object]) -> str:
    # A subject is one header line: a stray newline would make the send fail.
    return " ".join(_render(template, context).split())


def _return_message(
    return_obj: Return, kind: ReminderKind, today: datetime.date, to: list[str]
) -> EmailMessage:
    days = (return_obj.deadline - today).days
    context: dict[str, object] = {
        "return": return_obj,
        "cycle": return_obj.cycle,
        "organisation": return_obj.organisation,
        "deadline": return_obj.deadline,
        "overdue": kind == ReminderKind.RETURN_OVERDUE,
        "days_left": max(days, 0),
        "days_overdue": max(-days, 0),
        "link": settings.SITE_URL + return_obj.get_absolute_url(),
    }
    return EmailMessage(
        subject=_subject("reminder_return_subject.txt", context),
        body=_render("reminder_return_body.txt", context),
        to=to,
    )


def _action_message(
    organisation: Organisation, overdue: Sequence[OverdueAction], to: list[str]
) -> EmailMessage:
    context: dict[str, object] = {
        "organisation": organisation,
        "actions": overdue,
        "link": settings.SITE_URL + reverse("audits:home"),
    }
    return EmailMessage(
        subject=_subject("reminder_action_subject.txt", context),
        body=_render("reminder_action_body.txt", context),
        to=to,
    )


@transaction.atomic
def reminders_send_due(*, today: datetime.date | None = None) -> ReminderRun:
    """Record and email every reminder due today that has not been sent.

    Runs the same handful of queries however many returns and actions there
    are. Safe to run again, or twice at once: a step already recorded is skipped.
    """
    today = today or timezone.localdate()
    returns = _returns_to_remind(today)
    actions = _actions_overdue(today)

    return_steps = {r.pk: due for r in returns if (due := _return_step(r, today))}
    action_steps = {a.pk: _overdue_step((today - a.due_date).days) for a in actions}
    recorded = _already_recorded({pk: step for pk, (_, step) in return_steps.items()}, action_steps)
    leads = organisation_leads(
        {r.organisation_id for r in returns if r.pk in return_steps}
        | {a.organisation_id for a in actions}
    )

    def addresses(organisation_id: int) -> list[str]:
        return sorted({lead.email for lead in leads.get(organisation_id, [])})

    outgoing: list[_Outgoing] = []
    without_lead = 0
    for return_obj in returns:
        if return_obj.pk not in return_steps:
            continue
        kind, step = return_steps[return_obj.pk]
        if ("return", return_obj.pk, step) in recorded:
            continue
        to = addresses(return_obj.organisation_id)
        if not to:
            logger.warning(
                "Return %s (%s) is due reminder %s but %s has no active lead.",
                return_obj.pk,
                return_obj,
                step,
                return_obj.organisation,
            )
            without_lead += 1
            continue
        reminder = Reminder(kind=kind, step=step, return_obj=return_obj, recipients="\n".join(to))
        outgoing.append(_Outgoing(_return_message(return_obj, kind, today, to), [reminder]))
    returns_reminded = sum(len(item.reminders) for item in outgoing)

    # One email per organisation lists its actions that reached a new step
    # today: action plans often give many actions the same due date.
    due_actions: dict[int, list[ActionItem]] = {}
    for action in actions:
        if ("action", action.pk, action_steps[action.pk]) not in recorded:
            due_actions.setdefault(action.organisation_id, []).append(action)
    for organisation_id, organisation_actions in due_actions.items():
        to = addresses(organisation_id)
        if not to:
            logger.warning(
                "%s overdue action(s) of %s not reminded: it has no active lead.",
                len(organisation_actions),
                organisation_actions[0].organisation,
            )
            without_lead += len(organisation_actions)
            continue
        message = _action_message(
            organisation_actions[0].organisation,
            [OverdueAction(a, (today - a.due_date).days) for a in organisation_actions],
            to,
        )
        reminders = [
            Reminder(
                kind=ReminderKind.ACTION_OVERDUE,
                step=action_steps[a.pk],
                action=a,
                recipients="\n".join(to),
            )
            for a in organisation_actions
        ]
        outgoing.append(_Outgoing(message, reminders))

    # No full_clean(): each row is built here from rows just read, and the
    # database's check and unique constraints guard them without a query per row.
    Reminder.objects.bulk_create([r for item in outgoing for r in item.reminders])
    transaction.on_commit(lambda: _deliver(outgoing))
    return ReminderRun(
        returns_reminded=returns_reminded,
        actions_reminded=sum(len(item.reminders) for item in outgoing) - returns_reminded,
        emails=len(outgoing),
        without_lead=without_lead,
    )


def _already_recorded(
    return_steps: dict[int, str], action_steps: dict[int, str]
) -> set[tuple[str, int, str]]:
    """Which of today's steps are already recorded, as ("return" | "action", pk, step)."""
    wanted = Q(return_obj_id__in=list(return_steps), step__in=set(return_steps.values())) | Q(
        action_id__in=list(action_steps), step__in=set(action_steps.values())
    )
    recorded: set[tuple[str, int, str]] = set()
    rows = Reminder.objects.filter(wanted).values_list("return_obj_id", "action_id", "step")
    for return_id, action_id, step in rows:
        if return_id is not None:
            recorded.add(("return", return_id, step))
        else:
            recorded.add(("action", action_id, step))
    return recorded


def _deliver(outgoing: list[_Outgoing]) -> None:
    """Send each email; un-record the reminders of any that could not be sent."""
    undelivered: list[Reminder] = []
    remaining: Iterator[_Outgoing] = iter(outgoing)
    try:
        with get_connection() as connection:
            for item in remaining:
                try:
                    connection.send_messages([item.message])
                except OSError:
                    logger.exception("Reminder email to %s failed.", ", ".join(item.message.to))
                    undelivered.extend(item.reminders)
    except OSError:
        # The mail server could not be reached, or dropped us. What was never
        # tried is still in ``remaining``; what was tried has been counted above.
        logger.exception("Could not reach the mail server to send reminders.")
        for item in remaining:
            undelivered.extend(item.reminders)
    if undelivered:
        Reminder.objects.filter(pk__in=[r.pk for r in undelivered]).delete()
