"""Challenge events: who may see them, the reads behind their pages, and every write.

A challenge event tests one agency's submitted Section 11 return against its
evidence. The Business Unit runs them; Executive members and the Independent
Scrutineer read them. A peer from a similar organisation may be an outside
user: sitting on the panel grants them that one return (django-guardian) and
nothing else, so these pages stay closed to them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from audits.models import (
    RATING_RANK,
    AuditCycle,
    Framework,
    FrameworkKind,
    Organisation,
    OrganisationKind,
    Rating,
    Response,
    Return,
    ReturnStatus,
    Role,
    Standard,
    User,
    weakest_rating,
)
from audits.services._common import save

from .models import (
    AreaOutcome,
    ChallengeAreaFinding,
    ChallengeEvent,
    ChallengePanelMember,
    ChallengeRecommendation,
)

# Only a return the agency has finished can be tested against its evidence.
CHALLENGEABLE_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)
# The one thing a panel seat grants: reading that agency's return.
VIEW_RETURN = "audits.view_return"


def moderation_direction(self_rating: str, moderated_rating: str) -> str:
    """ "up" if the panel rated the area better than the agency did, "down" if
    worse, "" when the two cannot be compared (no self-rating, say)."""
    if self_rating not in RATING_RANK or moderated_rating not in RATING_RANK:
        return ""
    if RATING_RANK[moderated_rating] > RATING_RANK[self_rating]:
        return "up"
    if RATING_RANK[moderated_rating] < RATING_RANK[self_rating]:
        return "down"
    return ""


def moderation_ratings(framework: Framework) -> tuple[Rating, ...]:
    """The ratings a panel may give an area: the framework's scale without N/A,
    since a panel that finds an area does not apply says so in its findings."""
    return tuple(r for r in framework.ratings if r in RATING_RANK)


def _rating_label(value: str) -> str:
    return str(Rating(value).label) if value else ""


# Access ---------------------------------------------------------------------


def challenge_events_visible_to(user: User) -> QuerySet[ChallengeEvent]:
    """The oversight roles read every Section 11 challenge event; no one else any.

    A peer on a panel is deliberately left out: their grant is for the return.
    """
    events = ChallengeEvent.objects.filter(
        return_obj__cycle__framework__kind=FrameworkKind.SECTION_11
    )
    if not (user.is_authenticated and user.is_active and user.is_oversight):
        return events.none()
    return events


def get_challenge_event_for_user(user: User, pk: int, *, manage: bool = False) -> ChallengeEvent:
    """The event, if this person may see it. Outsiders get 404; with ``manage``,
    Executive members and the Scrutineer (who read but do not change) get 403."""
    event = (
        challenge_events_visible_to(user)
        .select_related("return_obj__cycle__framework", "return_obj__organisation")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404("No such challenge event.")
    if manage and not user.has_role(Role.BUSINESS_UNIT):
        raise PermissionDenied("Only the Business Unit can change a challenge event.")
    return event


# Selectors ------------------------------------------------------------------


def challenge_shortlist(cycle: AuditCycle, limit: int | None = 10) -> list[Return]:
    """Agency returns worth challenging in this cycle, the strongest candidates first.

    Every submitted or accepted agency return without an event in this cycle,
    annotated with ``red``, ``amber`` and ``green`` (criteria so self-rated),
    ``score`` (two per Red, one per Amber) and ``last_challenged_on`` (the
    agency's latest event in an earlier cycle; None if never). Ranked by score,
    then longest since last challenged, never-challenged first. One query.
    """

    def rated(rating: Rating) -> Count:
        return Count("responses", filter=Q(responses__rating=rating))

    last_challenged = (
        ChallengeEvent.objects.filter(
            return_obj__organisation=OuterRef("organisation"),
            return_obj__cycle__opens_on__lt=cycle.opens_on,
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    candidates = (
        Return.objects.filter(
            cycle=cycle,
            status__in=CHALLENGEABLE_STATUSES,
            organisation__kind=OrganisationKind.AGENCY,
            challenge__isnull=True,
        )
        .select_related("organisation")
        .annotate(red=rated(Rating.RED), amber=rated(Rating.AMBER), green=rated(Rating.GREEN))
        .annotate(score=F("red") * 2 + F("amber"), last_challenged_on=Subquery(last_challenged))
        .order_by(
            "-score", F("last_challenged_on").asc(nulls_first=True), "organisation__name", "pk"
        )
    )
    return list(candidates if limit is None else candidates[:limit])


def challenge_events_for_cycle(cycle: AuditCycle) -> QuerySet[ChallengeEvent]:
    """The cycle's events by date, with their panels and how far each has got."""
    return (
        ChallengeEvent.objects.filter(return_obj__cycle=cycle)
        .select_related("return_obj__organisation")
        .prefetch_related("panel")
        .annotate(
            areas_recorded=Count("findings", distinct=True),
            recommendation_count=Count("recommendations", distinct=True),
        )
        .order_by("held_on", "return_obj__organisation__name")
    )


def similar_organisations(organisation: Organisation) -> QuerySet[Organisation]:
    """Agencies in the same sector: where a panel's peer should come from."""
    if not organisation.sector:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.AGENCY, sector=organisation.sector, is_active=True
        )
        .exclude(pk=organisation.pk)
        .order_by("name")
    )


@dataclass(frozen=True)
class AreaResult:
    """One area of one event: the agency's self-rating beside the panel's view.

    The self-rating is the one the panel recorded against, once it has recorded
    a finding; until then it is read live from the return.
    """

    standard: Standard
    self_rating: str
    finding: ChallengeAreaFinding | None

    @property
    def self_rating_label(self) -> str:
        return _rating_label(self.self_rating)

    @property
    def rating_after(self) -> str:
        """The area's rating once challenged: the moderated one, or the confirmed self-rating."""
        if self.finding is None:
            return ""
        if self.finding.outcome == AreaOutcome.MODERATED:
            return self.finding.moderated_rating
        return self.self_rating

    @property
    def rating_after_label(self) -> str:
        return _rating_label(self.rating_after)

    @property
    def direction(self) -> str:
        if self.finding is None or self.finding.outcome != AreaOutcome.MODERATED:
            return ""
        return moderation_direction(self.self_rating, self.finding.moderated_rating)


@dataclass(frozen=True)
class EventRecord:
    event: ChallengeEvent
    panel: list[ChallengePanelMember]
    areas: list[AreaResult]
    recommendations: list[ChallengeRecommendation]


def _event_records(events: list[ChallengeEvent], standards: list[Standard]) -> list[EventRecord]:
    """Everything recorded at each event, area by area: four queries however many events."""
    prefetch_related_objects(
        events,
        "panel",
        "findings",
        Prefetch(
            "recommendations",
            queryset=ChallengeRecommendation.objects.select_related("standard"),
        ),
    )
    answers: dict[tuple[int, int], list[str]] = defaultdict(list)
    rows = Response.objects.filter(return_obj_id__in=[e.return_obj_id for e in events]).values_list(
        "return_obj_id", "criterion__standard_id", "rating"
    )
    for return_id, standard_id, rating in rows:
        answers[return_id, standard_id].append(rating)

    records = []
    for event in events:
        findings = {f.standard_id: f for f in event.findings.all()}
        areas = []
        for standard in standards:
            finding = findings.get(standard.pk)
            self_rating = (
                finding.self_rating
                if finding is not None
                else weakest_rating(answers[event.return_obj_id, standard.pk])
            )
            areas.append(AreaResult(standard, self_rating, finding))
        records.append(
            EventRecord(event, list(event.panel.all()), areas, list(event.recommendations.all()))
        )
    return records


def challenge_event_record(event: ChallengeEvent) -> EventRecord:
    """One event's panel, areas and recommendations (``event`` with its return's cycle)."""
    standards = list(Standard.objects.filter(framework_id=event.return_obj.cycle.framework_id))
    return _event_records([event], standards)[0]


@dataclass
class AreaSummary:
    """How one area fared across the cycle's events."""

    standard: Standard
    confirmed: int = 0
    moderated: int = 0
    moderated_up: int = 0
    moderated_down: int = 0
    not_recorded: int = 0


@dataclass(frozen=True)
class Collation:
    cycle: AuditCycle
    events: list[EventRecord]
    areas: list[AreaSummary]


def challenge_collation(cycle: AuditCycle) -> Collation:
    """Every event in the cycle as the Board reads it, and a summary per area.

    A fixed number of queries, however many events and agencies.
    """
    events = list(
        ChallengeEvent.objects.filter(return_obj__cycle=cycle)
        .select_related("return_obj__organisation")
        .order_by("held_on", "return_obj__organisation__name")
    )
    standards = list(Standard.objects.filter(framework_id=cycle.framework_id))
    records = _event_records(events, standards)
    summaries = {standard.pk: AreaSummary(standard) for standard in standards}
    for record in records:
        for area in record.areas:
            summary = summaries[area.standard.pk]
            if area.finding is None:
                summary.not_recorded += 1
            elif area.finding.outcome == AreaOutcome.CONFIRMED:
                summary.confirmed += 1
            else:
                summary.moderated += 1
                summary.moderated_up += area.direction == "up"
                summary.moderated_down += area.direction == "down"
    return Collation(cycle, records, list(summaries.values()))


# Services -------------------------------------------------------------------


def _locked(event: ChallengeEvent) -> ChallengeEvent:
    # Writes to one event queue behind each other, so that two people recording
    # the same area cannot both create it.
    return (
        ChallengeEvent.objects.select_for_update(of=("self",))
        .select_related("return_obj__cycle__framework", "return_obj__organisation")
        .get(pk=event.pk)
    )


def _check_area(event: ChallengeEvent, standard: Standard | None, field: str) -> None:
    if standard is not None and standard.framework_id != event.return_obj.cycle.framework_id:
        raise ValidationError({field: "That area is not part of this return's framework."})


@transaction.atomic
def challenge_event_create(
    *, return_obj: Return, held_on: datetime.date, actor: User
) -> ChallengeEvent:
    """Plan a challenge event for one agency's submitted or accepted Section 11 return."""
    return_obj = (
        Return.objects.select_for_update(of=("self",))
        .select_related("cycle__framework", "organisation")
        .get(pk=return_obj.pk)
    )
    if return_obj.cycle.framework.kind != FrameworkKind.SECTION_11:
        raise ValidationError("Challenge events are for Section 11 returns only.")
    if return_obj.status not in CHALLENGEABLE_STATUSES:
        raise ValidationError(
            f"{return_obj.organisation} has not submitted its return yet: "
            "only a submitted or accepted return can be challenged."
        )
    if ChallengeEvent.objects.filter(return_obj=return_obj).exists():
        raise ValidationError(
            f"{return_obj.organisation} already has a challenge event in this cycle."
        )
    event = ChallengeEvent(return_obj=return_obj, held_on=held_on, created_by=actor)
    save(event, actor=actor)
    return event


@transaction.atomic
def challenge_event_update(
    *, event: ChallengeEvent, held_on: datetime.date, summary: str, actor: User
) -> ChallengeEvent:
    event = _locked(event)
    event.held_on = held_on
    event.summary = summary
    save(event, actor=actor)
    return event


@transaction.atomic
def challenge_panel_add(
    *,
    event: ChallengeEvent,
    role: str,
    name: str,
    organisation_name: str = "",
    user: User | None = None,
    actor: User,
) -> ChallengePanelMember:
    """Put someone on the panel.

    A portal user is granted read access to this one return, so that a peer
    from outside the oversight roles can test it against the evidence. The
    panel member's history is the record of who was given that access.
    """
    event = _locked(event)
    if user is not None and not user.is_active:
        raise ValidationError({"user": "This account is disabled. Choose someone else."})
    name = name.strip() or (user.full_name if user is not None else "")
    if not name:
        raise ValidationError({"name": "Give the panel member's name, or choose a portal user."})
    organisation_name = organisation_name.strip()
    if not organisation_name and user is not None:
        # Someone who acts for exactly one organisation is there on its behalf.
        organisations = list(Organisation.objects.filter(memberships__user=user)[:2])
        if len(organisations) == 1:
            organisation_name = organisations[0].name
    member = ChallengePanelMember(
        event=event, role=role, user=user, name=name, organisation_name=organisation_name
    )
    save(member, actor=actor)
    if user is not None:
        assign_perm(VIEW_RETURN, user, event.return_obj)
    return member


@transaction.atomic
def challenge_panel_remove(*, member: ChallengePanelMember, actor: User) -> None:
    """Take someone off the panel, and their access to the return with them,
    unless they still sit on a panel for that return in another place."""
    event = _locked(member.event)
    user = member.user
    member._history_user = actor  # type: ignore[attr-defined]
    member.delete()
    if user is None:
        return
    still_on_a_panel = ChallengePanelMember.objects.filter(
        user=user, event__return_obj_id=event.return_obj_id
    ).exists()
    if not still_on_a_panel:
        remove_perm(VIEW_RETURN, user, event.return_obj)


@transaction.atomic
def challenge_finding_record(
    *,
    event: ChallengeEvent,
    standard: Standard,
    outcome: str,
    moderated_rating: str = "",
    findings: str = "",
    actor: User,
) -> ChallengeAreaFinding:
    """Record (or correct) the panel's view of one area.

    The self-rating is taken from the return's answers now, so the record shows
    what the panel tested even if the return is later reopened and changed.
    """
    event = _locked(event)
    _check_area(event, standard, "standard")
    self_rating = weakest_rating(
        Response.objects.filter(
            return_obj_id=event.return_obj_id, criterion__standard=standard
        ).values_list("rating", flat=True)
    )
    if outcome == AreaOutcome.MODERATED:
        allowed = {r.value for r in moderation_ratings(event.return_obj.cycle.framework)}
        if not moderated_rating:
            raise ValidationError(
                {"moderated_rating": "Choose the rating the panel gives this area."}
            )
        if moderated_rating not in allowed:
            raise ValidationError({"moderated_rating": "Choose one of the ratings offered."})
        if moderated_rating == self_rating:
            raise ValidationError(
                {
                    "moderated_rating": "That is the agency's own rating. "
                    "Choose “Self-rating confirmed” instead."
                }
            )
    else:
        # A confirmed self-rating stands alone; an earlier moderation no longer applies.
        moderated_rating = ""
    finding = ChallengeAreaFinding.objects.filter(event=event, standard=standard).first()
    if finding is None:
        finding = ChallengeAreaFinding(event=event, standard=standard)
    finding.self_rating = self_rating
    finding.outcome = outcome
    finding.moderated_rating = moderated_rating
    finding.findings = findings
    save(finding, actor=actor)
    return finding


@transaction.atomic
def challenge_recommendation_add(
    *,
    event: ChallengeEvent,
    text: str,
    owner: str,
    due_date: datetime.date | None = None,
    standard: Standard | None = None,
    actor: User,
) -> ChallengeRecommendation:
    event = _locked(event)
    _check_area(event, standard, "standard")
    if not text.strip():
        raise ValidationError({"text": "Write the recommendation."})
    if not owner.strip():
        raise ValidationError({"owner": "Say who will act on the recommendation."})
    if due_date is not None and due_date < event.held_on:
        raise ValidationError({"due_date": "The due date cannot be before the event."})
    recommendation = ChallengeRecommendation(
        event=event, standard=standard, text=text.strip(), owner=owner.strip(), due_date=due_date
    )
    save(recommendation, actor=actor)
    return recommendation
