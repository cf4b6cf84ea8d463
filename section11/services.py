"""Writes particular to Section 11: framework versions from the toolkit, opening a
cycle, carrying last year's answers forward, and equivalent (S-CAT/SAF) returns."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audits import services as core
from audits.models import (
    ActionItem,
    ActionStatus,
    AuditCycle,
    Criterion,
    Framework,
    FrameworkKind,
    Organisation,
    RatingScale,
    Response,
    Return,
    ReturnStatus,
    ScanStatus,
    Sector,
    User,
)
from audits.queueing import queue_on_commit
from audits.services._common import save

from .models import EquivalentReturn, EquivalentStatus

# Health partners may return their S-CAT or SAF instead of the portal's ratings.
EQUIVALENT_SECTORS = frozenset({Sector.HEALTH_PROVIDER, Sector.ICB})


@transaction.atomic
def section11_version_start(*, actor: User | None) -> Framework:
    """Start the next Section 11 framework version: a copy of the latest, or the
    portal's toolkit when there is none yet. The new version is a draft to edit."""
    latest = Framework.objects.filter(kind=FrameworkKind.SECTION_11).order_by("-version").first()
    if latest is not None:
        if not latest.is_frozen:
            raise ValidationError(
                f"Version {latest.version} is still a draft: edit it rather than starting another."
            )
        return core.framework_new_version(framework=latest, actor=actor)
    return section11_framework_from_toolkit(actor=actor)


@transaction.atomic
def section11_framework_from_toolkit(*, actor: User | None) -> Framework:
    from .toolkit import INTRODUCTION, SECTION_11_TOOLKIT

    framework = core.framework_create(
        kind=FrameworkKind.SECTION_11,
        name="Section 11 self-assessment",
        rating_scale=RatingScale.RAG,
        introduction=INTRODUCTION,
        actor=actor,
    )
    for position, area in enumerate(SECTION_11_TOOLKIT, start=1):
        standard = core.standard_create(
            framework=framework,
            code=area["code"],
            title=area["title"],
            description=area["description"],
            position=position,
            actor=actor,
        )
        for number, criterion in enumerate(area["criteria"], start=1):
            core.criterion_create(
                standard=standard,
                code=criterion["code"],
                text=criterion["text"],
                guidance=criterion["guidance"],
                evidence_hint=criterion["evidence_hint"],
                position=number,
                actor=actor,
            )
    return framework


@transaction.atomic
def section11_cycle_open(
    *,
    framework: Framework,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    organisations: Iterable[Organisation],
    actor: User,
) -> AuditCycle:
    """Open a Section 11 cycle for the chosen agencies and tell each agency's lead."""
    if framework.kind != FrameworkKind.SECTION_11:
        raise ValidationError({"framework": "Choose a Section 11 framework version."})
    agencies = list(organisations)
    if not agencies:
        raise ValidationError({"organisations": "Choose at least one agency."})
    if any(o.is_school for o in agencies):
        raise ValidationError({"organisations": "Section 11 is for agencies, not schools."})
    cycle = core.cycle_create(
        framework=framework,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        organisations=agencies,
        actor=actor,
    )
    from .tasks import notify_cycle_opened

    queue_on_commit(notify_cycle_opened, cycle.pk)
    return cycle


def previous_return(return_obj: Return) -> Return | None:
    """The organisation's return in the latest earlier cycle of the same kind."""
    return (
        Return.objects.filter(
            organisation_id=return_obj.organisation_id,
            cycle__framework__kind=return_obj.cycle.framework.kind,
            cycle__opens_on__lt=return_obj.cycle.opens_on,
        )
        .select_related("cycle")
        .order_by("-cycle__opens_on")
        .first()
    )


@transaction.atomic
def return_carry_forward(*, return_obj: Return, actor: User) -> int:
    """Start from last cycle's answers and open actions, so agencies update rather than
    retype. Criteria are matched by area and criterion code; answers already given in
    this cycle are never overwritten. Returns how many answers were brought forward."""
    return_obj = Return.objects.select_for_update().select_related("cycle").get(pk=return_obj.pk)
    if not return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    earlier = previous_return(return_obj)
    if earlier is None:
        raise ValidationError("There is no earlier return to start from.")
    criteria = {
        (c.standard.code, c.code): c
        for c in Criterion.objects.filter(
            standard__framework_id=return_obj.cycle.framework_id
        ).select_related("standard")
    }
    answered = set(
        return_obj.responses.exclude(rating="", narrative="").values_list("criterion_id", flat=True)
    )
    brought = 0
    for old in earlier.responses.select_related("criterion__standard"):
        criterion = criteria.get((old.criterion.standard.code, old.criterion.code))
        if criterion is None or criterion.pk in answered or not (old.rating or old.narrative):
            continue
        response, _ = Response.objects.get_or_create(return_obj=return_obj, criterion=criterion)
        response.rating = old.rating
        response.narrative = old.narrative
        response.not_applicable_reason = old.not_applicable_reason
        response.revision += 1
        response.updated_by = actor
        save(response, actor=actor)
        brought += 1
    # Open actions move to this cycle's return: the same improvement, still under way.
    for action in (
        ActionItem.objects.filter(source_return=earlier)
        .exclude(status=ActionStatus.COMPLETED)
        .select_related("criterion__standard")
    ):
        if action.criterion is not None:
            key = (action.criterion.standard.code, action.criterion.code)
            action.criterion = criteria.get(key)
        action.source_return = return_obj
        save(action, actor=actor)
    if brought and return_obj.status == ReturnStatus.NOT_STARTED:
        return_obj.status = ReturnStatus.IN_PROGRESS
        save(return_obj, actor=actor)
    return brought


# --- Equivalent returns -----------------------------------------------------


@transaction.atomic
def equivalent_return_submit(
    *, return_obj: Return, form: str, upload: UploadedFile, actor: User
) -> EquivalentReturn:
    """A health partner submits its S-CAT or SAF document in place of ratings."""
    return_obj = (
        Return.objects.select_for_update()
        .select_related("organisation", "cycle")
        .get(pk=return_obj.pk)
    )
    if return_obj.organisation.sector not in EQUIVALENT_SECTORS:
        raise ValidationError("Only health partners may submit an S-CAT or SAF instead.")
    if not return_obj.is_editable:
        raise ValidationError("This return has already been submitted.")
    document = core.evidence_attach(
        organisation=return_obj.organisation, upload=upload, actor=actor, return_obj=return_obj
    )
    equivalent = EquivalentReturn.objects.filter(return_obj=return_obj).first()
    if equivalent is None:
        equivalent = EquivalentReturn(return_obj=return_obj)
    equivalent.form = form
    equivalent.document = document
    equivalent.status = EquivalentStatus.PENDING
    equivalent.decision_reason = ""
    equivalent.decided_at = None
    equivalent.decided_by = None
    save(equivalent, actor=actor)
    return_obj.status = ReturnStatus.SUBMITTED
    return_obj.submitted_at = timezone.now()
    return_obj.submitted_by = actor
    save(return_obj, actor=actor)
    return equivalent


@transaction.atomic
def equivalent_return_decide(
    *, equivalent: EquivalentReturn, accept: bool, reason: str, actor: User
) -> EquivalentReturn:
    """The Business Unit accepts the document as the return, or sends it back."""
    equivalent = (
        EquivalentReturn.objects.select_for_update()
        .select_related("document")
        .get(pk=equivalent.pk)
    )
    if equivalent.status != EquivalentStatus.PENDING:
        raise ValidationError("This equivalent return has already been decided.")
    if not accept and not reason.strip():
        raise ValidationError({"reason": "Say why the document is not accepted."})
    if accept and equivalent.document.scan_status == ScanStatus.PENDING:
        raise ValidationError(
            "The document is still being checked for viruses. Read it once it can be "
            "downloaded, then decide."
        )
    if accept and equivalent.document.scan_status == ScanStatus.INFECTED:
        raise ValidationError(
            "The document contained a virus and has been removed, so it cannot be accepted. "
            "Send it back, asking for a clean copy."
        )
    equivalent.status = EquivalentStatus.ACCEPTED if accept else EquivalentStatus.REJECTED
    equivalent.decision_reason = reason
    equivalent.decided_by = actor
    equivalent.decided_at = timezone.now()
    save(equivalent, actor=actor)
    return_obj = Return.objects.select_for_update().get(pk=equivalent.return_obj_id)
    if accept:
        core.return_accept(return_obj=return_obj, actor=actor)
    else:
        core.return_send_back(return_obj=return_obj, reason=reason, actor=actor)
    return equivalent
