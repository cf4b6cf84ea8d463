"""Section 11 dashboard figures, and the cycle's data as CSV and XLSX.

Every selector here runs a fixed number of queries however many agencies,
criteria or actions a cycle has: counting happens in the database
(``values()`` + ``annotate()``), never one return at a time.

Which returns count
    A return is *received* when it is submitted or accepted, or when the
    Business Unit has accepted an S-CAT/SAF equivalent in its place. A health
    partner's equivalent (submitted and awaiting a decision, or accepted) is a
    document, not ratings, so the rating figures come only from the other
    received returns; the dashboard says how many equivalents there were
    instead of quietly shrinking the denominator.

How the figures are worked out
    * The share of each rating (Green, Amber, Red, N/A) is of every rated
      answer, N/A included, so that the four shares describe all the answers.
    * "Fully compliant" is the annual report's figure: Green as a share of
      Green, Amber and Red. N/A is left out because a criterion that does not
      apply to an agency says nothing about its compliance; counting N/A would
      make an agency with fewer duties look less compliant.
    * Moderated figures use the *effective* rating: the Business Unit's
      moderated rating where one was recorded, otherwise the self-rating.
    * Percentages are whole numbers rounded half up, as the annual report
      quotes them; each is rounded on its own, so shares may add up to 99 or
      101.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from audits.models import (
    ActionItem,
    ActionStatus,
    AuditCycle,
    FrameworkKind,
    Rating,
    Response,
    Return,
    ReturnStatus,
    Standard,
    weakest_rating,
)

from ..models import EquivalentForm, EquivalentReturn, EquivalentStatus

RECEIVED_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)
# The order figures are shown in, best first.
RAG_RATINGS = (Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE)
# Rating labels are long ("Green: fully compliant"); tables and cells need one word.
RATING_WORDS = {
    Rating.GREEN: "Green",
    Rating.AMBER: "Amber",
    Rating.RED: "Red",
    Rating.NOT_APPLICABLE: "N/A",
}
EQUIVALENT_WORDS = {EquivalentForm.SCAT: "S-CAT", EquivalentForm.SAF: "SAF"}
# An equivalent in these states stands in for the return's ratings; a rejected
# one sends the return back for the agency to rate after all.
STANDING_EQUIVALENT = (EquivalentStatus.PENDING, EquivalentStatus.ACCEPTED)


def percent(part: int, whole: int) -> int | None:
    """``part`` as a whole-number percentage of ``whole``; None when ``whole`` is 0."""
    if whole == 0:
        return None
    exact = Decimal(part * 100) / Decimal(whole)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Counting ---------------------------------------------------------------


def _rating_counts() -> dict[str, Count]:
    """Conditional counts of every rating, self and effective (moderated), in one pass."""
    counts: dict[str, Count] = {}
    for rating in RAG_RATINGS:
        counts[f"self_{rating}"] = Count("pk", filter=Q(rating=rating))
        counts[f"moderated_{rating}"] = Count(
            "pk", filter=Q(moderated_rating=rating) | Q(moderated_rating="", rating=rating)
        )
    return counts


# What an area with no rated answers counts as.
_NO_COUNTS = {f"{prefix}_{r}": 0 for prefix in ("self", "moderated") for r in RAG_RATINGS}


def _received() -> Q:
    # Accepting an equivalent also accepts its return, but the figures must not
    # depend on that: an accepted equivalent is received whatever the status says.
    return Q(status__in=RECEIVED_STATUSES) | Q(equivalent__status=EquivalentStatus.ACCEPTED)


def _rated_returns(cycle: AuditCycle) -> QuerySet[Return]:
    """Received returns that carry ratings: not standing on an S-CAT/SAF equivalent."""
    return Return.objects.filter(cycle=cycle, status__in=RECEIVED_STATUSES).exclude(
        equivalent__status__in=STANDING_EQUIVALENT
    )


def _areas(cycle: AuditCycle) -> list[Standard]:
    return list(
        Standard.objects.filter(framework_id=cycle.framework_id).order_by("position", "code")
    )


@dataclass(frozen=True)
class RatingShare:
    rating: str
    word: str
    count: int
    percent: int | None


@dataclass(frozen=True)
class BarSegment:
    """A piece of a rating bar, in the units of a 0-100 SVG viewBox."""

    rating: str
    x: str
    width: str


@dataclass(frozen=True)
class RatingShares:
    """How many rated answers had each rating."""

    green: int = 0
    amber: int = 0
    red: int = 0
    not_applicable: int = 0

    @classmethod
    def from_row(cls, row: dict[str, int], prefix: str) -> RatingShares:
        return cls(
            green=row[f"{prefix}_{Rating.GREEN}"],
            amber=row[f"{prefix}_{Rating.AMBER}"],
            red=row[f"{prefix}_{Rating.RED}"],
            not_applicable=row[f"{prefix}_{Rating.NOT_APPLICABLE}"],
        )

    def count(self, rating: str) -> int:
        return {
            Rating.GREEN: self.green,
            Rating.AMBER: self.amber,
            Rating.RED: self.red,
            Rating.NOT_APPLICABLE: self.not_applicable,
        }[Rating(rating)]

    @property
    def rated(self) -> int:
        return self.green + self.amber + self.red + self.not_applicable

    @property
    def fully_compliant(self) -> int | None:
        """Green as a share of Green, Amber and Red (N/A excluded: see the module notes)."""
        return percent(self.green, self.green + self.amber + self.red)

    @property
    def breakdown(self) -> list[RatingShare]:
        return [
            RatingShare(r.value, RATING_WORDS[r], self.count(r), percent(self.count(r), self.rated))
            for r in RAG_RATINGS
        ]

    @property
    def bar(self) -> list[BarSegment]:
        # Widths come from the exact counts, not the rounded percentages, so the
        # segments always fill the bar exactly. Formatted here so that the
        # template's number localisation cannot turn "12.5" into "12,5".
        segments: list[BarSegment] = []
        x = Decimal(0)
        for share in self.breakdown:
            if not share.count:
                continue
            width = Decimal(share.count * 100) / Decimal(self.rated)
            segments.append(BarSegment(share.rating, f"{x:.2f}", f"{width:.2f}"))
            x += width
        return segments

    @property
    def description(self) -> str:
        """The bar in words, for its accessible name."""
        return ", ".join(
            f"{s.word} {s.count} ({s.percent}%)" for s in self.breakdown if s.percent is not None
        )


def _area_counts(cycle: AuditCycle) -> dict[str, dict[str, int]]:
    """Rating counts per area code over the cycle's received, rated returns."""
    rows = (
        Response.objects.filter(return_obj__in=_rated_returns(cycle))
        .values("criterion__standard__code")
        .annotate(**_rating_counts())
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        code = row.pop("criterion__standard__code")
        counts[code] = row
    return counts


# --- The dashboard ----------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class AreaFigures:
    code: str
    title: str
    self_ratings: RatingShares
    moderated: RatingShares

    def shares(self, *, moderated: bool) -> RatingShares:
        return self.moderated if moderated else self.self_ratings


@dataclass(frozen=True)
class AgencyActions:
    agency: str
    open: int
    overdue: int


@dataclass(frozen=True)
class CycleDashboard:
    cycle: AuditCycle
    total: int
    received: int
    by_status: list[StatusCount]
    # Received returns that are S-CAT/SAF equivalents, so have no ratings, and
    # how many of those still await the Business Unit's decision.
    equivalents: int
    equivalents_pending: int
    areas: list[AreaFigures]
    open_actions: int
    overdue_actions: int
    actions_by_agency: list[AgencyActions]

    @property
    def rated_returns(self) -> int:
        """Received returns whose ratings feed the figures."""
        return self.received - self.equivalents

    def area_shares(self, *, moderated: bool) -> list[tuple[AreaFigures, RatingShares]]:
        return [(area, area.shares(moderated=moderated)) for area in self.areas]


def cycle_dashboard(cycle: AuditCycle, *, today: datetime.date | None = None) -> CycleDashboard:
    """Returns received, rating shares per area and actions for one cycle: four queries."""
    today = today or timezone.localdate()

    statuses: dict[str, int] = dict.fromkeys(ReturnStatus.values, 0)
    total = received = equivalents = equivalents_pending = 0
    rows = (
        Return.objects.filter(cycle=cycle)
        .values("status", "equivalent__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        n, equivalent = row["n"], row["equivalent__status"]
        total += n
        statuses[row["status"]] += n
        if row["status"] not in RECEIVED_STATUSES and equivalent != EquivalentStatus.ACCEPTED:
            continue
        received += n
        if equivalent in STANDING_EQUIVALENT:
            equivalents += n
        if equivalent == EquivalentStatus.PENDING:
            equivalents_pending += n

    counts = _area_counts(cycle)
    areas = []
    for standard in _areas(cycle):
        row = counts.get(standard.code, _NO_COUNTS)
        areas.append(
            AreaFigures(
                code=standard.code,
                title=standard.title,
                self_ratings=RatingShares.from_row(row, "self"),
                moderated=RatingShares.from_row(row, "moderated"),
            )
        )

    # Actions raised from this cycle's returns; they outlive the cycle, so they
    # are counted as they stand today.
    open_by_agency = (
        ActionItem.objects.filter(source_return__cycle=cycle)
        .exclude(status=ActionStatus.COMPLETED)
        .values("organisation__name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by("-overdue", "-open", "organisation__name")
    )
    actions_by_agency = [
        AgencyActions(row["organisation__name"], row["open"], row["overdue"])
        for row in open_by_agency
    ]

    return CycleDashboard(
        cycle=cycle,
        total=total,
        received=received,
        by_status=[StatusCount(s.value, str(s.label), statuses[s.value]) for s in ReturnStatus],
        equivalents=equivalents,
        equivalents_pending=equivalents_pending,
        areas=areas,
        open_actions=sum(a.open for a in actions_by_agency),
        overdue_actions=sum(a.overdue for a in actions_by_agency),
        actions_by_agency=actions_by_agency,
    )


# --- The heat map -----------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    rating: str

    @property
    def word(self) -> str:
        return RATING_WORDS[Rating(self.rating)] if self.rating else ""


@dataclass(frozen=True)
class HeatMapRow:
    agency: str
    sector: str
    # For example "S-CAT equivalent accepted" when a document stands in for ratings.
    equivalent: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    areas: list[Standard]
    rows: list[HeatMapRow]
    moderated: bool


def heat_map(cycle: AuditCycle, *, moderated: bool = False) -> HeatMap:
    """Received returns by area, each cell the ``weakest_rating`` of that agency: three queries."""
    areas = _areas(cycle)
    returns = (
        Return.objects.filter(cycle=cycle)
        .filter(_received())
        .select_related("organisation", "equivalent")
        .order_by("organisation__name")
    )
    rows = (
        Response.objects.filter(return_obj__in=_rated_returns(cycle))
        .values("return_obj_id", "criterion__standard__code")
        .annotate(**_rating_counts())
        .order_by()
    )
    prefix = "moderated" if moderated else "self"
    cells: dict[tuple[int, str], str] = {
        (row["return_obj_id"], row["criterion__standard__code"]): weakest_rating(
            r for r in RAG_RATINGS if row[f"{prefix}_{r}"]
        )
        for row in rows
    }
    return HeatMap(
        areas=areas,
        rows=[_heat_map_row(return_obj, areas, cells) for return_obj in returns],
        moderated=moderated,
    )


def _heat_map_row(
    return_obj: Return, areas: list[Standard], ratings: dict[tuple[int, str], str]
) -> HeatMapRow:
    equivalent = _standing_equivalent(return_obj)
    return HeatMapRow(
        agency=return_obj.organisation.name,
        sector=return_obj.organisation.get_sector_display(),
        equivalent=equivalent,
        # An equivalent has no ratings to show, not a row of blank ones.
        cells=[]
        if equivalent
        else [HeatCell(ratings.get((return_obj.pk, area.code), "")) for area in areas],
    )


def _equivalent(return_obj: Return) -> EquivalentReturn | None:
    # The reverse one-to-one raises rather than returning None when absent.
    try:
        return return_obj.equivalent
    except EquivalentReturn.DoesNotExist:
        return None


def _equivalent_name(equivalent: EquivalentReturn) -> str:
    return EQUIVALENT_WORDS.get(EquivalentForm(equivalent.form), equivalent.form)


def _standing_equivalent(return_obj: Return) -> str:
    equivalent = _equivalent(return_obj)
    if equivalent is None or equivalent.status not in STANDING_EQUIVALENT:
        return ""
    decision = "accepted" if equivalent.status == EquivalentStatus.ACCEPTED else "awaiting decision"
    return f"{_equivalent_name(equivalent)} equivalent {decision}"


# --- Year on year -----------------------------------------------------------


@dataclass(frozen=True)
class AreaChange:
    code: str
    title: str
    then: int | None
    now: int | None

    @property
    def change(self) -> int | None:
        """Percentage points, from the rounded figures shown, so that the table adds up."""
        if self.then is None or self.now is None:
            return None
        return self.now - self.then

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "Not comparable"
        if change == 0:
            return "No change"
        points = "point" if abs(change) == 1 else "points"
        return f"{'Up' if change > 0 else 'Down'} {abs(change)} {points}"


@dataclass(frozen=True)
class YearOnYear:
    previous: AuditCycle
    areas: list[AreaChange]
    moderated: bool


def previous_cycle(cycle: AuditCycle) -> AuditCycle | None:
    """The latest Section 11 cycle that opened before this one, whatever its framework version."""
    return (
        AuditCycle.objects.filter(
            framework__kind=FrameworkKind.SECTION_11, opens_on__lt=cycle.opens_on
        )
        .select_related("framework")
        .order_by("-opens_on", "-pk")
        .first()
    )


def year_on_year(cycle: AuditCycle, *, moderated: bool = False) -> YearOnYear | None:
    """% fully compliant per area, then and now; None without an earlier cycle. Four queries.

    Areas are matched by ``Standard.code``, which stays the same across
    framework versions. The areas are this cycle's: one new this year has no
    earlier figure, and one since dropped is not shown.
    """
    previous = previous_cycle(cycle)
    if previous is None:
        return None
    prefix = "moderated" if moderated else "self"
    now, then = _area_counts(cycle), _area_counts(previous)

    def fully_compliant(counts: dict[str, dict[str, int]], code: str) -> int | None:
        row = counts.get(code)
        return RatingShares.from_row(row, prefix).fully_compliant if row else None

    return YearOnYear(
        previous=previous,
        areas=[
            AreaChange(
                code=area.code,
                title=area.title,
                then=fully_compliant(then, area.code),
                now=fully_compliant(now, area.code),
            )
            for area in _areas(cycle)
        ],
        moderated=moderated,
    )
