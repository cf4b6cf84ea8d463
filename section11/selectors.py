"""Reads for completing and reviewing Section 11 returns. Each runs a fixed number
of queries, however many areas, criteria, documents or agencies there are."""

from __future__ import annotations

from dataclasses import dataclass, field

import django_filters
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest

from audits.models import (
    RATINGS_NEEDING_ACTION,
    ActionItem,
    AuditCycle,
    Criterion,
    Evidence,
    Framework,
    Membership,
    Rating,
    Response,
    Return,
    ReturnStatus,
    ReviewComment,
    Role,
    Sector,
    Standard,
)

from .access import section11_cycles


@dataclass
class CriterionState:
    criterion: Criterion
    response: Response | None
    actions: list[ActionItem] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def rating(self) -> str:
        return self.response.rating if self.response else ""

    @property
    def is_answered(self) -> bool:
        return bool(self.rating)

    @property
    def needs_action(self) -> bool:
        return self.rating in RATINGS_NEEDING_ACTION and not self.actions

    @property
    def needs_reason(self) -> bool:
        return (
            self.rating == Rating.NOT_APPLICABLE
            and self.response is not None
            and not self.response.not_applicable_reason.strip()
        )


@dataclass
class AreaState:
    standard: Standard
    criteria: list[CriterionState]

    @property
    def answered(self) -> int:
        return sum(1 for c in self.criteria if c.is_answered)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def is_complete(self) -> bool:
        return all(
            c.is_answered and not c.needs_action and not c.needs_reason for c in self.criteria
        )


@dataclass
class ReturnState:
    return_obj: Return
    areas: list[AreaState]

    @property
    def answered(self) -> int:
        return sum(a.answered for a in self.areas)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.areas)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    def area(self, code: str) -> AreaState | None:
        return next((a for a in self.areas if a.standard.code == code), None)


def return_state(return_obj: Return) -> ReturnState:
    """Every area and criterion of a return with its answer, actions, documents and
    review comments: five queries in all."""
    standards = list(
        Standard.objects.filter(framework_id=return_obj.cycle.framework_id).prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("position", "code"))
        )
    )
    responses = {
        r.criterion_id: r
        for r in Response.objects.filter(return_obj=return_obj).select_related("updated_by")
    }
    by_criterion: dict[int | None, CriterionState] = {}
    areas = []
    for standard in standards:
        states = []
        for criterion in standard.criteria.all():
            state = CriterionState(criterion, responses.get(criterion.pk))
            by_criterion[criterion.pk] = state
            states.append(state)
        areas.append(AreaState(standard, states))
    for action in ActionItem.objects.filter(source_return=return_obj).order_by("due_date", "pk"):
        if action.criterion_id in by_criterion:
            by_criterion[action.criterion_id].actions.append(action)
    for evidence in Evidence.objects.filter(return_obj=return_obj).order_by("original_name"):
        if evidence.criterion_id in by_criterion:
            by_criterion[evidence.criterion_id].evidence.append(evidence)
    for comment in ReviewComment.objects.filter(return_obj=return_obj).select_related("author"):
        if comment.criterion_id in by_criterion:
            by_criterion[comment.criterion_id].comments.append(comment)
    return ReturnState(return_obj, areas)


def return_documents(return_obj: Return) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(return_obj=return_obj)
        .select_related("criterion__standard", "uploaded_by")
        .order_by("criterion__standard__position", "criterion__position", "original_name")
    )


def general_comments(return_obj: Return) -> QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(return_obj=return_obj, criterion=None).select_related(
        "author"
    )


# --- Set-up -----------------------------------------------------------------


def section11_versions() -> QuerySet[Framework]:
    return Framework.objects.filter(kind="section11").annotate(
        criteria_count=Count("standards__criteria", distinct=True),
        cycles_count=Count("cycles", distinct=True),
    )


def framework_outline(framework: Framework) -> list[Standard]:
    return list(
        framework.standards.prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("position", "code"))
        )
    )


def cycles_overview() -> QuerySet[AuditCycle]:
    received = [ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED]
    return (
        section11_cycles()
        .select_related("framework")
        .annotate(
            total=Count("returns", distinct=True),
            received=Count("returns", filter=Q(returns__status__in=received), distinct=True),
        )
        .order_by("-opens_on")
    )


# --- The tracker ------------------------------------------------------------


def tracker_rows(cycle: AuditCycle) -> QuerySet[Return]:
    """Every return in the cycle with its last activity, deadline and reminders sent."""
    last_answer = (
        Response.objects.filter(return_obj=OuterRef("pk"))
        .order_by()
        .values("return_obj")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    reminders = Return.objects.filter(pk=OuterRef("pk")).annotate(n=Count("reminders")).values("n")
    return (
        Return.objects.filter(cycle=cycle)
        .select_related("organisation", "equivalent")
        .annotate(
            last_activity=Greatest(
                F("updated_at"),
                Coalesce(Subquery(last_answer), F("updated_at"), output_field=DateTimeField()),
            ),
            due_on=Coalesce(
                F("extended_deadline"), F("cycle__closes_on"), output_field=DateField()
            ),
            reminders_sent=Subquery(reminders),
            has_lead=Exists(
                Membership.objects.filter(
                    organisation=OuterRef("organisation"),
                    user__is_active=True,
                    user__groups__name__in=[Role.AGENCY_LEAD.value, Role.SCHOOL_LEAD.value],
                )
            ),
        )
    )


class TrackerFilter(django_filters.FilterSet):
    """Filter and sort the tracker; every option is a plain GET parameter."""

    organisation = django_filters.CharFilter(
        field_name="organisation__name", lookup_expr="icontains", label="Agency name contains"
    )
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices, empty_label="Any status")
    sector = django_filters.ChoiceFilter(
        field_name="organisation__sector", choices=Sector.choices, empty_label="Any sector"
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        empty_label="Agency name",
        fields=(
            ("organisation__name", "agency"),
            ("status", "status"),
            ("last_activity", "activity"),
            ("due_on", "deadline"),
            ("reminders_sent", "reminders"),
        ),
        field_labels={
            "organisation__name": "Agency",
            "status": "Status",
            "last_activity": "Last activity",
            "due_on": "Deadline",
            "reminders_sent": "Reminders sent",
        },
    )

    class Meta:
        model = Return
        fields: list[str] = []
