"""Reads that cross relations. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .access import returns_visible_to
from .models import (
    AccessRecord,
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AuditCycle,
    Criterion,
    Evidence,
    Invitation,
    Membership,
    Organisation,
    OrganisationExport,
    Rating,
    Response,
    Return,
    ReturnStatus,
    ReviewComment,
    Role,
    ScanStatus,
    Standard,
    User,
)


def returns_to_complete(user: User) -> QuerySet[Return]:
    """The user's organisation's returns in cycles that have opened, newest first."""
    today = timezone.localdate()
    return (
        returns_visible_to(user)
        .filter(organisation_id__in=user.organisation_ids, cycle__opens_on__lte=today)
        .select_related("cycle__framework", "organisation")
        .annotate(answered=_answered_count(), total=_criteria_count())
        .order_by("-cycle__opens_on", "organisation__name")
    )


def _answered_count() -> Coalesce:
    answered = (
        Response.objects.filter(return_obj=OuterRef("pk"))
        .exclude(rating="")
        .values("return_obj")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(answered), 0)


def _criteria_count() -> Coalesce:
    criteria = (
        Criterion.objects.filter(standard__framework=OuterRef("cycle__framework"))
        .values("standard__framework")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(criteria), 0)


def returns_shared_with(user: User) -> QuerySet[Return]:
    """Other organisations' returns this person was granted, e.g. as a challenge peer."""
    if user.is_oversight:
        return Return.objects.none()
    return (
        returns_visible_to(user)
        .exclude(organisation_id__in=user.organisation_ids)
        .select_related("cycle__framework", "organisation")
        .order_by("-cycle__opens_on", "organisation__name")
    )


def actions_open_for(user: User) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(organisation_id__in=user.organisation_ids)
        .exclude(status=ActionStatus.COMPLETED)
        .select_related("organisation")
        .order_by("due_date")
    )


@dataclass
class CycleSummary:
    cycle: AuditCycle
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def received(self) -> int:
        return self.counts.get(ReturnStatus.SUBMITTED, 0) + self.counts.get(
            ReturnStatus.ACCEPTED, 0
        )

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def cycle_summaries(*, open_on: datetime.date | None = None) -> list[CycleSummary]:
    """Every cycle still open (or upcoming), with returns counted by status: two queries."""
    today = open_on or timezone.localdate()
    cycles = list(
        AuditCycle.objects.filter(closes_on__gte=today - datetime.timedelta(days=60))
        .select_related("framework")
        .order_by("closes_on")
    )
    summaries = {cycle.pk: CycleSummary(cycle) for cycle in cycles}
    rows = (
        Return.objects.filter(cycle__in=cycles)
        .values("cycle_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        summaries[row["cycle_id"]].counts[row["status"]] = row["n"]
    return list(summaries.values())


def invitations_pending() -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def return_overview(
    return_obj: Return,
) -> list[tuple[Standard, list[tuple[Criterion, Response | None]]]]:
    """The return's standards in order, each with its criteria and any answers."""
    responses = {r.criterion_id: r for r in return_obj.responses.all()}
    standards = Standard.objects.filter(
        framework_id=return_obj.cycle.framework_id
    ).prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "code"))
    )
    return [
        (standard, [(c, responses.get(c.pk)) for c in standard.criteria.all()])
        for standard in standards
    ]


def organisation_leads(organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active leads (agency or school) of each organisation, in one query."""
    leads: dict[int, list[User]] = {}
    memberships = Membership.objects.filter(
        organisation_id__in=list(organisation_ids),
        user__is_active=True,
        user__groups__name__in=[Role.AGENCY_LEAD.value, Role.SCHOOL_LEAD.value],
    ).select_related("user")
    for membership in memberships.distinct():
        leads.setdefault(membership.organisation_id, []).append(membership.user)
    return leads


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    what: str


_ANSWER_FIELDS = (
    ("rating", "rating"),
    ("moderated_rating", "moderated rating"),
    ("narrative", "commentary"),
    ("not_applicable_reason", "reason for N/A"),
    ("moderation_note", "moderation note"),
)


def _who(record: object) -> str:
    user = getattr(record, "history_user", None)
    return user.full_name if user else "The portal"


def _rating_word(value: str) -> str:
    return str(Rating(value).label) if value else "none"


def _answer_changes(previous: object | None, record: object) -> list[str]:
    changes = []
    for name, label in _ANSWER_FIELDS:
        before = getattr(previous, name, "") if previous is not None else ""
        after = getattr(record, name)
        if before == after:
            continue
        if name in {"rating", "moderated_rating"}:
            changes.append(f"{label} {_rating_word(before)} → {_rating_word(after)}")
        else:
            changes.append(f"{label} {'written' if not before else 'changed'}")
    return changes


def return_history(return_obj: Return, *, limit: int = 500) -> list[HistoryEntry]:
    """Who changed what in a return, and when, newest first: five queries."""
    entries: list[HistoryEntry] = []
    previous_status = None
    for record in (
        Return.history.filter(id=return_obj.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        if record.status != previous_status:
            what = f"Status: {record.get_status_display()}"
            if record.status_reason and record.status in {"returned", "in_progress"}:
                what += f" ({record.status_reason})" if previous_status else ""
            entries.append(HistoryEntry(record.history_date, _who(record), what))
        previous_status = record.status
    codes = dict(
        Criterion.objects.filter(standard__framework_id=return_obj.cycle.framework_id).values_list(
            "pk", "code"
        )
    )
    last_answer: dict[int, object] = {}
    for record in (
        Response.history.filter(return_obj_id=return_obj.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        changes = _answer_changes(last_answer.get(record.id), record)
        last_answer[record.id] = record
        if changes:
            code = codes.get(record.criterion_id, "?")
            entries.append(
                HistoryEntry(record.history_date, _who(record), f"{code}: {'; '.join(changes)}")
            )
    last_scan: dict[int, str] = {}
    for record in (
        Evidence.history.filter(return_obj_id=return_obj.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        verb = {"+": "added", "-": "removed"}.get(record.history_type)
        scanned = last_scan.get(record.id) != record.scan_status
        last_scan[record.id] = record.scan_status
        if verb:
            what = f"Document {verb}: {record.original_name}"
        elif scanned and record.scan_status == ScanStatus.CLEAN:
            what = f"Document checked, no virus found: {record.original_name}"
        elif scanned and record.scan_status == ScanStatus.INFECTED:
            what = f"Virus found ({record.virus_name}), document removed: {record.original_name}"
        else:
            continue
        entries.append(HistoryEntry(record.history_date, _who(record), what))
    last_status: dict[int, str] = {}
    for record in (
        ActionItem.history.filter(source_return_id=return_obj.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        before = last_status.get(record.id)
        if before is None:
            code = codes.get(record.criterion_id, "")
            what = f"Action added{f' for {code}' if code else ''}: {record.description}"
        elif before != record.status:
            what = f"Action {record.description[:40]}: {record.get_status_display()}"
        else:
            what = ""
        last_status[record.id] = record.status
        if what:
            entries.append(HistoryEntry(record.history_date, _who(record), what))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def return_access_records(return_obj: Return) -> QuerySet[AccessRecord]:
    """Who opened the return or downloaded one of its documents (even one since
    removed), newest first, as one query to page through."""
    types = ContentType.objects.get_for_models(Return, Evidence)
    documents = Evidence.history.filter(return_obj_id=return_obj.pk).values("id")
    return (
        AccessRecord.objects.filter(
            Q(content_type=types[Return], object_id=return_obj.pk)
            | Q(content_type=types[Evidence], object_id__in=documents)
        )
        .select_related("user", "content_type")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class OrganisationRecords:
    """Everything an organisation has in the portal, loaded for its archive."""

    organisation: Organisation
    returns: list[Return]
    actions: list[ActionItem]


def organisation_records(organisation: Organisation) -> OrganisationRecords:
    """Every return (answers, comments, documents) and every action (progress notes,
    documents) of the organisation, oldest cycle first: seven queries, however many."""
    returns = list(
        Return.objects.filter(organisation=organisation)
        .select_related("cycle__framework", "submitted_by")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.select_related(
                    "criterion__standard", "updated_by"
                ).order_by("criterion__standard__position", "criterion__position"),
            ),
            Prefetch(
                "comments",
                queryset=ReviewComment.objects.select_related("author", "criterion").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("criterion", "uploaded_by").order_by(
                    "uploaded_at", "pk"
                ),
            ),
        )
        .order_by("cycle__opens_on", "pk")
    )
    actions = list(
        ActionItem.objects.filter(organisation=organisation)
        .select_related("source_return__cycle", "criterion")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ActionUpdate.objects.select_related("author").order_by("created_at", "pk"),
            ),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(return_obj=None)
                .select_related("uploaded_by")
                .order_by("uploaded_at", "pk"),
            ),
        )
        .order_by("due_date", "pk")
    )
    return OrganisationRecords(organisation=organisation, returns=returns, actions=actions)


def organisation_exports(organisation: Organisation) -> QuerySet[OrganisationExport]:
    return OrganisationExport.objects.filter(organisation=organisation).select_related(
        "requested_by"
    )
