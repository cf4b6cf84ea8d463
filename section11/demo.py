"""Section 11 demo data: a closed 2022 cycle with every return in and two challenge
events, and a current cycle with agencies at every stage.

Ratings and narratives are invented and generated from a fixed seed, so every
run gives the same data; nothing is added if the cycles already exist.
"""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from audits import services as core
from audits.models import (
    ActionItem,
    ActionStatus,
    AuditCycle,
    Criterion,
    Framework,
    Organisation,
    OrganisationKind,
    Rating,
    Response,
    Return,
    Role,
    User,
    weakest_rating,
)

from . import challenges
from . import services as s11

CLOSED_CYCLE = "Section 11 audit 2022"
CURRENT_CYCLE = "Section 11 audit 2026-27"

NARRATIVES = {
    Rating.GREEN: [
        "In place and reviewed this year; minutes of the safeguarding board show it.",
        "Policy current and published on the intranet; staff survey shows good awareness.",
        "Audited in the spring with no gaps found; audit report uploaded.",
        "Standing item on the senior leadership agenda; quarterly reports to the board.",
    ],
    Rating.AMBER: [
        "In place for most teams; two services still to adopt the new process.",
        "Policy drafted but not yet approved; approval due at the next board.",
        "Training completion is 78% against a 90% target.",
    ],
    Rating.RED: [
        "Not yet in place following the restructure; interim arrangements only.",
        "No audit completed this year because of staffing pressures.",
    ],
}
ACTIONS = [
    "Complete the outstanding training for the remaining teams",
    "Approve and publish the revised policy",
    "Carry out a dip-sample audit of case files",
    "Add the standing item to the board's forward plan",
]


def _rating(rng: random.Random, weights: tuple[int, int, int, int]) -> Rating:
    return rng.choices([Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE], weights)[0]


def _answer(
    return_obj: Return,
    criteria: list[Criterion],
    actor: User,
    rng: random.Random,
    *,
    weights: tuple[int, int, int, int] = (84, 10, 4, 2),
) -> None:
    """Answer the given criteria, with an action for every Amber or Red."""
    for criterion in criteria:
        rating = _rating(rng, weights)
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative=rng.choice(NARRATIVES.get(rating, ["Not applicable to our service."])),
            not_applicable_reason="We provide no services of this kind."
            if rating == Rating.NOT_APPLICABLE
            else "",
            revision=0,
            actor=actor,
        )
        if rating in (Rating.AMBER, Rating.RED):
            core.action_create(
                organisation=return_obj.organisation,
                source_return=return_obj,
                criterion=criterion,
                description=rng.choice(ACTIONS),
                owner="Named safeguarding lead",
                due_date=return_obj.cycle.closes_on
                + datetime.timedelta(days=rng.choice([60, 120, 240])),
                actor=actor,
            )


def _agency_actor(organisation: Organisation, leads: dict[int, User], fallback: User) -> User:
    return leads.get(organisation.pk, fallback)


def _demo_pdf(name: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% Demo document: {name}\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    return SimpleUploadedFile(name, body.encode())


def _closed_cycle(
    framework: Framework, agencies: list[Organisation], officer: User, leads: dict[int, User]
) -> AuditCycle:
    # Demo data, not security: a fixed seed gives the same answers every run.
    rng = random.Random(2022)  # noqa: S311  # nosec B311
    cycle = core.cycle_create(
        framework=framework,
        name=CLOSED_CYCLE,
        opens_on=datetime.date(2022, 2, 28),
        closes_on=datetime.date(2022, 4, 29),
        organisations=agencies,
        actor=officer,
    )
    criteria = list(
        Criterion.objects.filter(standard__framework=framework).order_by(
            "standard__position", "position"
        )
    )
    for return_obj in cycle.returns.select_related("organisation", "cycle__framework"):
        actor = _agency_actor(return_obj.organisation, leads, officer)
        _answer(return_obj, criteria, actor, rng)
        core.return_submit(return_obj=return_obj, actor=actor)
        core.return_accept(return_obj=Return.objects.get(pk=return_obj.pk), actor=officer)
    # A few ratings moderated by the Business Unit, and some actions since completed.
    greens = Response.objects.filter(return_obj__cycle=cycle, rating=Rating.GREEN).order_by("pk")
    for response in rng.sample(list(greens), 6):
        core.response_moderate(
            response=response,
            moderated_rating=Rating.AMBER,
            note="The evidence supplied covers only part of the agency.",
            actor=officer,
        )
    for action in list(ActionItem.objects.filter(source_return__cycle=cycle).order_by("pk"))[::2]:
        core.action_record_progress(
            action=action,
            note="Completed; evidence held by the safeguarding lead.",
            status=ActionStatus.COMPLETED,
            actor=_agency_actor(action.organisation, leads, officer),
        )
    return cycle


def _challenge_events(cycle: AuditCycle, officer: User, peer: User) -> None:
    chosen = challenges.challenge_shortlist(cycle, limit=2)
    held = [datetime.date(2022, 6, 14), datetime.date(2022, 7, 5)]
    for return_obj, held_on in zip(chosen, held, strict=False):
        event = challenges.challenge_event_create(
            return_obj=return_obj, held_on=held_on, actor=officer
        )
        challenges.challenge_panel_add(
            event=event,
            role="chair",
            name=officer.full_name,
            organisation_name="CSAP Joint Business Unit",
            user=officer,
            actor=officer,
        )
        challenges.challenge_panel_add(
            event=event,
            role="peer",
            name=peer.full_name,
            organisation_name="Fylde Coast Hospitals Trust",
            user=peer,
            actor=officer,
        )
        standards = list(cycle.framework.standards.order_by("position"))
        ratings: dict[int, list[str]] = {}
        for standard_id, rating in return_obj.responses.values_list(
            "criterion__standard_id", "rating"
        ):
            ratings.setdefault(standard_id, []).append(rating)
        for position, standard in enumerate(standards):
            # The panel moderates two areas the agency rated Green; it confirms the rest.
            self_rating = weakest_rating(ratings.get(standard.pk, []))
            moderated = position in (2, 6) and self_rating == Rating.GREEN
            challenges.challenge_finding_record(
                event=event,
                standard=standard,
                outcome="moderated" if moderated else "confirmed",
                moderated_rating=Rating.AMBER if moderated else "",
                findings="Evidence seen for most, but not all, services."
                if moderated
                else "The evidence supports the self-rating.",
                actor=officer,
            )
        challenges.challenge_recommendation_add(
            event=event,
            text="Extend the audit of supervision records to every team.",
            owner="Head of Safeguarding",
            due_date=datetime.date(2022, 12, 31),
            standard=standards[5],
            actor=officer,
        )
        challenges.challenge_event_update(
            event=event,
            held_on=held_on,
            summary="A constructive session. The panel found strong leadership and "
            "recommended wider auditing of supervision.",
            actor=officer,
        )


def _current_cycle(
    framework: Framework, agencies: list[Organisation], officer: User, leads: dict[int, User]
) -> AuditCycle:
    # Demo data, not security: a fixed seed gives the same answers every run.
    rng = random.Random(2026)  # noqa: S311  # nosec B311
    today = timezone.localdate()
    cycle = core.cycle_create(
        framework=framework,
        name=CURRENT_CYCLE,
        opens_on=today - datetime.timedelta(days=20),
        closes_on=today + datetime.timedelta(days=25),
        organisations=agencies,
        actor=officer,
    )
    criteria = list(
        Criterion.objects.filter(standard__framework=framework).order_by(
            "standard__position", "position"
        )
    )
    returns = list(cycle.returns.select_related("organisation").order_by("organisation__name"))
    for index, return_obj in enumerate(returns):
        actor = _agency_actor(return_obj.organisation, leads, officer)
        name = return_obj.organisation.name
        if name == "Red Rose Constabulary":
            # The demo agency lead's own return: well under way, one document in.
            _answer(return_obj, criteria[:14], actor, rng, weights=(70, 20, 8, 2))
            core.evidence_attach(
                organisation=return_obj.organisation,
                upload=_demo_pdf("Safeguarding policy 2026.pdf"),
                return_obj=return_obj,
                criterion=criteria[0],
                actor=actor,
            )
            continue
        if name == "Fylde Coast Hospitals Trust":
            continue  # The other demo lead has not started: a health partner who may send an S-CAT.
        stage = index % 6
        if stage == 0:
            continue  # not started
        if stage in (1, 2):
            _answer(return_obj, criteria[: rng.randint(5, 25)], actor, rng)
            continue
        _answer(return_obj, criteria, actor, rng)
        core.return_submit(return_obj=return_obj, actor=actor)
        if stage == 4:
            core.return_accept(return_obj=Return.objects.get(pk=return_obj.pk), actor=officer)
        elif stage == 5 and index % 12 == 5:
            core.return_send_back(
                return_obj=Return.objects.get(pk=return_obj.pk),
                reason="Please upload the training figures that support area 5.",
                actor=officer,
            )
    return cycle


@transaction.atomic
def seed_demo() -> None:
    if AuditCycle.objects.filter(name__in=[CLOSED_CYCLE, CURRENT_CYCLE]).exists():
        return
    officer = User.objects.get(email="business.unit@demo.csap.example")
    peer = User.objects.get(email="other.lead@demo.csap.example")
    agencies = list(Organisation.objects.filter(kind=OrganisationKind.AGENCY).order_by("name"))
    leads: dict[int, User] = {}
    for user in User.objects.filter(groups__name=Role.AGENCY_LEAD.value).prefetch_related(
        "memberships"
    ):
        for membership in user.memberships.all():
            leads.setdefault(membership.organisation_id, user)
    # The 2022 cycle freezes version 1; the current cycle uses version 2, whose
    # areas keep version 1's codes so that the years compare.
    first = s11.section11_framework_from_toolkit(actor=officer)
    closed = _closed_cycle(first, agencies, officer, leads)
    _challenge_events(closed, officer, peer)
    second = core.framework_new_version(framework=first, actor=officer)
    _current_cycle(second, agencies, officer, leads)
