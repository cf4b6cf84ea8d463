"""Cycles, returns, answers and their review."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    RATINGS_NEEDING_ACTION,
    AuditCycle,
    Criterion,
    Evidence,
    Framework,
    Organisation,
    Rating,
    Response,
    Return,
    ReturnStatus,
    ReviewComment,
    ScanStatus,
    User,
)

if TYPE_CHECKING:
    pass


from ._common import save as _save


@transaction.atomic
def cycle_create(
    *,
    framework: Framework,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    organisations: Iterable[Organisation],
    actor: User | None,
) -> AuditCycle:
    """Open a cycle: freeze the framework and give each organisation its return."""
    if not Criterion.objects.filter(standard__framework=framework).exists():
        raise ValidationError({"framework": "This framework has no criteria to answer yet."})
    cycle = AuditCycle(
        framework=framework, name=name, opens_on=opens_on, closes_on=closes_on, created_by=actor
    )
    _save(cycle, actor=actor)
    if not framework.is_frozen:
        framework.frozen_at = timezone.now()
        _save(framework, actor=actor)
    for organisation in organisations:
        _save(Return(cycle=cycle, organisation=organisation), actor=actor)
    return cycle


@transaction.atomic
def return_extend_deadline(*, return_obj: Return, until: datetime.date, actor: User) -> Return:
    if until <= return_obj.cycle.closes_on:
        raise ValidationError(
            {"extended_deadline": "An extended deadline must be after the cycle closes."}
        )
    return_obj.extended_deadline = until
    _save(return_obj, actor=actor)
    return return_obj


class StaleResponse(Exception):
    """Someone else saved this answer after the form was loaded."""

    def __init__(self, current: Response) -> None:
        super().__init__("stale response")
        self.current = current


@transaction.atomic
def response_save(
    *,
    return_obj: Return,
    criterion: Criterion,
    rating: str,
    narrative: str,
    not_applicable_reason: str = "",
    revision: int,
    actor: User,
) -> Response:
    """Save one answer. ``revision`` is the one the user's form was built from."""
    return_obj = (
        Return.objects.select_for_update(of=("self",))
        .select_related("cycle__framework")
        .get(pk=return_obj.pk)
    )
    if not return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    if not Criterion.objects.filter(
        pk=criterion.pk, standard__framework_id=return_obj.cycle.framework_id
    ).exists():
        raise ValidationError("That question is not part of this return.")
    allowed = {r.value for r in return_obj.cycle.framework.ratings}
    if rating and rating not in allowed:
        raise ValidationError({"rating": "Choose one of the ratings offered."})
    response, _ = Response.objects.select_for_update().get_or_create(
        return_obj=return_obj, criterion=criterion
    )
    if response.revision != revision:
        raise StaleResponse(response)
    response.rating = rating
    response.narrative = narrative
    response.not_applicable_reason = (
        not_applicable_reason if rating == Rating.NOT_APPLICABLE else ""
    )
    response.revision += 1
    response.updated_by = actor
    _save(response, actor=actor)
    if return_obj.status == ReturnStatus.NOT_STARTED:
        return_obj.status = ReturnStatus.IN_PROGRESS
        _save(return_obj, actor=actor)
    return response


def return_submission_blockers(return_obj: Return) -> list[tuple[Criterion, str]]:
    """Everything that stops a return being submitted, in framework order."""
    criteria = Criterion.objects.filter(standard__framework_id=return_obj.cycle.framework_id)
    responses = {r.criterion_id: r for r in return_obj.responses.all()}
    criteria_with_actions = set(
        return_obj.actions.exclude(criterion=None).values_list("criterion_id", flat=True)
    )
    blockers: list[tuple[Criterion, str]] = []
    for criterion in criteria.select_related("standard").order_by(
        "standard__position", "position", "code"
    ):
        response = responses.get(criterion.pk)
        if response is None or not response.rating:
            blockers.append((criterion, "not rated"))
        elif (
            response.rating == Rating.NOT_APPLICABLE and not response.not_applicable_reason.strip()
        ):
            blockers.append((criterion, "rated N/A without a reason"))
        elif (
            response.rating in RATINGS_NEEDING_ACTION and criterion.pk not in criteria_with_actions
        ):
            blockers.append((criterion, f"rated {response.get_rating_display()} without an action"))
    return blockers


# Documents that stop a return being submitted: one not yet checked for viruses
# (nobody may read it yet), or one removed because it carried a virus (the agency
# meant to supply it and has not replaced it).
DOCUMENT_BLOCKING_REASONS = {
    ScanStatus.PENDING: "still being checked for viruses: wait a minute, then check again",
    ScanStatus.INFECTED: (
        "contained a virus and has been removed: upload a clean copy, then remove this one"
    ),
}


def return_document_blockers(return_obj: Return) -> list[tuple[Evidence, str]]:
    documents = return_obj.evidence.filter(scan_status__in=DOCUMENT_BLOCKING_REASONS)
    return [
        (document, DOCUMENT_BLOCKING_REASONS[ScanStatus(document.scan_status)])
        for document in documents.order_by("original_name", "pk")
    ]


class SubmissionBlocked(ValidationError):
    def __init__(
        self,
        blockers: list[tuple[Criterion, str]],
        documents: list[tuple[Evidence, str]] | None = None,
    ) -> None:
        documents = documents or []
        super().__init__(
            [f"{c.code}: {reason}" for c, reason in blockers]
            + [f"{d.original_name}: {reason}" for d, reason in documents]
        )
        self.blockers = blockers
        self.documents = documents


@transaction.atomic
def return_submit(*, return_obj: Return, actor: User) -> Return:
    return_obj = Return.objects.select_for_update().select_related("cycle").get(pk=return_obj.pk)
    if not return_obj.is_editable:
        raise ValidationError("This return has already been submitted.")
    blockers = return_submission_blockers(return_obj)
    documents = return_document_blockers(return_obj)
    if blockers or documents:
        raise SubmissionBlocked(blockers, documents)
    return_obj.status = ReturnStatus.SUBMITTED
    return_obj.submitted_at = timezone.now()
    return_obj.submitted_by = actor
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def return_send_back(*, return_obj: Return, reason: str, actor: User) -> Return:
    """The Business Unit returns a submitted return for changes, saying why."""
    if return_obj.status != ReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be returned for changes.")
    if not reason.strip():
        raise ValidationError({"status_reason": "Say what needs to change."})
    return_obj.status = ReturnStatus.RETURNED
    return_obj.status_reason = reason
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def return_accept(*, return_obj: Return, actor: User) -> Return:
    if return_obj.status != ReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be accepted.")
    return_obj.status = ReturnStatus.ACCEPTED
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def return_reopen(*, return_obj: Return, reason: str, actor: User) -> Return:
    """Reopen a submitted or accepted return; the reason is kept in its history."""
    if return_obj.is_editable:
        raise ValidationError("This return is already open for changes.")
    if not reason.strip():
        raise ValidationError({"status_reason": "Give a reason for reopening the return."})
    return_obj.status = ReturnStatus.IN_PROGRESS
    return_obj.status_reason = reason
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def response_moderate(
    *, response: Response, moderated_rating: str, note: str, actor: User
) -> Response:
    """Record the reviewer's rating beside the self-rating; both are kept."""
    allowed = {r.value for r in response.return_obj.cycle.framework.ratings}
    if moderated_rating and moderated_rating not in allowed:
        raise ValidationError({"moderated_rating": "Choose one of the ratings offered."})
    response.moderated_rating = moderated_rating
    response.moderation_note = note
    _save(response, actor=actor)
    return response


def review_comment_add(
    *, return_obj: Return, text: str, actor: User, criterion: Criterion | None = None
) -> ReviewComment:
    if not text.strip():
        raise ValidationError({"text": "Write a comment."})
    comment = ReviewComment(return_obj=return_obj, criterion=criterion, author=actor, text=text)
    comment.full_clean()
    comment.save()
    return comment
