"""How long the portal keeps each kind of record, and the one place that deletes them.

The schedule is a table of rules, one per kind of record. ``retention_apply``
counts (dry run) or deletes what each rule says has expired, in one transaction
per rule: the rows, the rows that cascade with them, their django-simple-history
rows (kept changes would otherwise outlive the record), any per-object grants,
and, once the transaction has committed, their files.

Audit functions built on the core add what is theirs from their AppConfig.ready:
``register_return_part`` for their records that belong to a return (and protect
it from deletion), ``register_retention_rule`` for a kind of record of their own.

Records no rule names are kept: frameworks, cycles, organisations, people (whose
accounts are deactivated, never deleted), accepted invitations, open actions, and
report versions the Executive agreed.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.deletion import CASCADE, Collector
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from .history import history_purge_allowed
from .models import (
    AccessRecord,
    ActionItem,
    ActionStatus,
    Evidence,
    ExportStatus,
    Invitation,
    OrganisationExport,
    Return,
    ScanStatus,
)
from .services.evidence import quarantine_path

logger = logging.getLogger(__name__)

# Returns, the documents behind them, the Business Unit's comments and completed
# actions are the partnership's evidence of what each agency said about its
# safeguarding arrangements at the time. Six years is the limitation period for
# most civil claims (Limitation Act 1980) and the period safeguarding partnerships
# commonly keep audit and assurance records for; it also spans three biennial or
# six annual cycles, so year-on-year comparison and a later case review can still
# see what was said and shown.
SAFEGUARDING_RECORD_YEARS = 6
# A version the Executive never agreed was a step towards one it did. Two years
# covers the next cycle's sign-off and any question about how an agreed wording
# came about; agreed versions are the partnership's record and are kept.
REPORT_DRAFT_YEARS = 2
# Enough to answer "who opened this return?" for its cycle and the next, as a
# data-protection request or a complaint needs, without keeping a lasting record
# of when each person worked.
ACCESS_LOG_YEARS = 2
# Sign-in attempts hold people's addresses and network addresses. A security
# review looks back months, not years; a lockout itself lasts fifteen minutes.
SIGN_IN_LOG_YEARS = 1
# Long enough for the Business Unit to see that someone never joined and to invite
# them again; an unused invitation is the name and address of someone who is not
# a user.
UNACCEPTED_INVITATION_DAYS = 90


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same local date and time ``years`` earlier (29 February becomes the 28th)."""
    local = timezone.localtime(moment)
    try:
        return local.replace(year=local.year - years)
    except ValueError:
        return local.replace(year=local.year - years, day=28)


# --- Deleting a record with everything that belongs to it -------------------------


def records_purge(records: QuerySet[Any]) -> None:
    """Delete the records and all that cascades with them, with their history, their
    per-object grants and (after the commit) their files. Call inside a transaction."""
    collector = Collector(using=records.db, origin=records)
    collector.collect(records)
    deleted = {model: {obj.pk for obj in objs} for model, objs in collector.data.items()}
    files = [
        *_stored_files((model, objs) for model, objs in collector.data.items()),
        *(
            (file_field.storage, name)
            for queryset in collector.fast_deletes
            for file_field in _file_fields(queryset.model)
            for name in queryset.values_list(file_field.attname, flat=True)
            if name
        ),
    ]
    # An infected document's bytes were moved out of the store into quarantine.
    quarantined = [
        quarantine_path(evidence)
        for evidence in collector.data.get(Evidence, ())
        if evidence.scan_status == ScanStatus.INFECTED
    ]
    collector.delete()
    _purge_history(deleted)
    _purge_object_permissions(deleted)
    # Only once the rows are surely gone: a rollback must never leave a row whose
    # file was deleted.
    transaction.on_commit(partial(_delete_files, files))
    transaction.on_commit(partial(_delete_quarantined, quarantined))


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _stored_files(
    groups: Iterable[tuple[type[models.Model], Iterable[models.Model]]],
) -> list[tuple[Storage, str]]:
    files = []
    for model, objs in groups:
        for file_field in _file_fields(model):
            for obj in objs:
                name = getattr(obj, file_field.attname).name
                if name:
                    files.append((file_field.storage, name))
    return files


def _delete_files(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _delete_quarantined(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _history_of(model: type[models.Model]) -> QuerySet[Any] | None:
    try:
        return get_history_manager_for_model(model).all()
    except NotHistoricalModelError:
        return None


def _purge_history(deleted: dict[type[models.Model], set[Any]]) -> None:
    """The history of every deleted row, and of rows that would have cascaded with
    them but were deleted earlier (a document withdrawn from a draft return)."""
    for model, pks in deleted.items():
        if not pks:
            continue
        history = _history_of(model)
        if history is not None:
            history.filter(**{f"{model._meta.pk.attname}__in": pks}).delete()
        for relation in model._meta.related_objects:
            if relation.on_delete is not CASCADE or relation.many_to_many:
                continue
            child_history = _history_of(relation.related_model)
            if child_history is not None:
                child_history.filter(**{f"{relation.field.attname}__in": pks}).delete()


def _purge_object_permissions(deleted: dict[type[models.Model], set[Any]]) -> None:
    """django-guardian grants name objects by content type and id, with no key to cascade."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    for model, pks in deleted.items():
        if not pks:
            continue
        content_type = ContentType.objects.get_for_model(model)
        ids = [str(pk) for pk in pks]
        for grants in (UserObjectPermission, GroupObjectPermission):
            grants.objects.filter(content_type=content_type, object_pk__in=ids).delete()


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record: how long it is kept, why, and which rows have expired."""

    key: str
    records: str
    kept: str
    why: str
    position: int
    cutoff: Callable[[datetime.datetime], datetime.datetime]
    expired: Callable[[datetime.datetime], list[QuerySet[Any]]]
    purge: Callable[[QuerySet[Any]], None] = field(default=records_purge)


@dataclass(frozen=True)
class RetentionOutcome:
    rule: RetentionRule
    cutoff: datetime.datetime
    count: int


# --- Parts of a return other apps keep -------------------------------------------

_RETURN_PARTS: list[Callable[[QuerySet[Return]], QuerySet[Any]]] = []


def register_return_part(part: Callable[[QuerySet[Return]], QuerySet[Any]]) -> None:
    """An audit function's records that belong to returns and protect them (a challenge
    event, an equivalent document): deleted first, whenever their return is."""
    if part not in _RETURN_PARTS:
        _RETURN_PARTS.append(part)


def _purge_returns(returns: QuerySet[Return]) -> None:
    for part in _RETURN_PARTS:
        records_purge(part(returns))
    records_purge(returns)


# --- The schedule ----------------------------------------------------------------


def _returns_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    return [Return.objects.filter(cycle__closes_on__lt=timezone.localdate(cutoff))]


def _actions_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    return [ActionItem.objects.filter(status=ActionStatus.COMPLETED, completed_at__lt=cutoff)]


def _access_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    return [AccessRecord.objects.filter(at__lt=cutoff)]


def _sign_ins_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [
        model.objects.filter(attempt_time__lt=cutoff)
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    ]


def _invitations_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    return [Invitation.objects.filter(accepted_at=None, expires_at__lt=cutoff)]


def _sessions_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    # The table of whichever session engine is set (accounts.sessions keeps its own).
    model = import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()
    return [model.objects.filter(expire_date__lt=cutoff)]


def _clear_sessions(expired: QuerySet[Any]) -> None:
    # What `manage.py clearsessions` does, for whichever session engine is set.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def _export_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.EXPORT_VALID_DAYS)


def _exports_expired(cutoff: datetime.datetime) -> list[QuerySet[Any]]:
    # Ready ones once their link has expired; ones never ready (failed, or lost
    # with a worker) as long after they were asked for.
    now = cutoff + datetime.timedelta(days=settings.EXPORT_VALID_DAYS)
    return [
        OrganisationExport.objects.filter(
            Q(status=ExportStatus.READY, expires_at__lt=now)
            | (~Q(status=ExportStatus.READY) & Q(requested_at__lt=cutoff))
        )
    ]


_RULES: list[RetentionRule] = [
    RetentionRule(
        key="returns",
        records="Returns, with their answers, documents, review comments, reminders, "
        "challenge events and history",
        kept=f"{SAFEGUARDING_RECORD_YEARS} years after the cycle closes",
        why="The partnership's evidence of what each agency said and showed at the time; "
        "the limitation period for most claims, and three biennial cycles to compare.",
        position=10,
        cutoff=lambda now: years_before(now, SAFEGUARDING_RECORD_YEARS),
        expired=_returns_expired,
        purge=_purge_returns,
    ),
    RetentionRule(
        key="actions",
        records="Completed actions, with their progress notes, documents and history",
        kept=f"{SAFEGUARDING_RECORD_YEARS} years after completion (open actions are kept)",
        why="An action is part of the record of the return it answered, and lives on "
        "after it until it is done.",
        position=20,
        cutoff=lambda now: years_before(now, SAFEGUARDING_RECORD_YEARS),
        expired=_actions_expired,
    ),
    RetentionRule(
        key="access_log",
        records="Who opened or downloaded a return, document, report or export",
        kept=f"{ACCESS_LOG_YEARS} years",
        why="Answers who looked at a record for its cycle and the next, without keeping "
        "a lasting record of when each person worked.",
        position=40,
        cutoff=lambda now: years_before(now, ACCESS_LOG_YEARS),
        expired=_access_expired,
    ),
    RetentionRule(
        key="sign_in_attempts",
        records="Sign-in attempts, failures and lockouts",
        kept=f"{SIGN_IN_LOG_YEARS} year",
        why="A security review looks back months; they hold people's email and network addresses.",
        position=50,
        cutoff=lambda now: years_before(now, SIGN_IN_LOG_YEARS),
        expired=_sign_ins_expired,
    ),
    RetentionRule(
        key="invitations",
        records="Invitations that expired without being accepted, with their history",
        kept=f"{UNACCEPTED_INVITATION_DAYS} days after they expire",
        why="Time to notice someone never joined and invite them again; accepted "
        "invitations are kept with the account they created.",
        position=60,
        cutoff=lambda now: now - datetime.timedelta(days=UNACCEPTED_INVITATION_DAYS),
        expired=_invitations_expired,
    ),
    RetentionRule(
        key="sessions",
        records="Signed-in sessions",
        kept="Until they expire (Django's clearsessions)",
        why="An expired session cannot be used again.",
        position=70,
        cutoff=lambda now: now,
        expired=_sessions_expired,
        purge=_clear_sessions,
    ),
    RetentionRule(
        key="exports",
        records='"All our data" archives',
        kept=f"Until the download link expires ({settings.EXPORT_VALID_DAYS} days)",
        why="Each holds every return and document of an organisation; a new one can be "
        "prepared at any time.",
        position=80,
        cutoff=_export_cutoff,
        expired=_exports_expired,
    ),
]


def register_retention_rule(rule: RetentionRule) -> None:
    """A kind of record an audit function or the reports app keeps, added to the schedule."""
    if all(existing.key != rule.key for existing in _RULES):
        _RULES.append(rule)


def retention_schedule() -> list[RetentionRule]:
    return sorted(_RULES, key=lambda rule: rule.position)


def retention_due(*, now: datetime.datetime | None = None) -> list[RetentionOutcome]:
    """What each rule would delete now: one count query per kind of record."""
    now = now or timezone.now()
    outcomes = []
    for rule in retention_schedule():
        cutoff = rule.cutoff(now)
        count = sum(records.count() for records in rule.expired(cutoff))
        outcomes.append(RetentionOutcome(rule=rule, cutoff=cutoff, count=count))
    return outcomes


def retention_apply(
    *, dry_run: bool = False, now: datetime.datetime | None = None
) -> list[RetentionOutcome]:
    """Delete what has expired, one transaction per kind of record; with ``dry_run``
    only count it. Logs one summary line."""
    now = now or timezone.now()
    if dry_run:
        return retention_due(now=now)
    outcomes = []
    for rule in retention_schedule():
        cutoff = rule.cutoff(now)
        # One transaction per kind, in which (and only in which) history may be deleted.
        with history_purge_allowed():
            expired = rule.expired(cutoff)
            count = sum(records.count() for records in expired)
            if count:
                for records in expired:
                    rule.purge(records)
        outcomes.append(RetentionOutcome(rule=rule, cutoff=cutoff, count=count))
    logger.info(
        "Retention schedule applied: %s",
        ", ".join(f"{o.rule.key}={o.count}" for o in outcomes),
    )
    return outcomes
