"""The return's status workflow and its history: who changed what, and when."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits import services
from audits.models import Rating, Return, ReturnStatus

from .factories import open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def return_obj(agency) -> Return:
    return open_cycle(agency).returns.get()


def criteria(return_obj: Return):
    from audits.models import Criterion

    return list(
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework).order_by(
            "standard__position", "position"
        )
    )


def answer_all(return_obj: Return, actor, rating=Rating.GREEN) -> None:
    for criterion in criteria(return_obj):
        services.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative="We do this.",
            revision=0,
            actor=actor,
        )


def test_first_answer_moves_the_return_to_in_progress_and_is_attributed(return_obj, contributor):
    first = criteria(return_obj)[0]
    response = services.response_save(
        return_obj=return_obj,
        criterion=first,
        rating=Rating.AMBER,
        narrative="Partly.",
        revision=0,
        actor=contributor,
    )
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.IN_PROGRESS
    record = response.history.latest()
    assert record.history_user == contributor
    assert record.rating == Rating.AMBER


def test_a_stale_save_is_refused_and_the_earlier_answer_kept(return_obj, agency_lead, contributor):
    first = criteria(return_obj)[0]
    services.response_save(
        return_obj=return_obj,
        criterion=first,
        rating=Rating.GREEN,
        narrative="Lead's words",
        revision=0,
        actor=agency_lead,
    )
    with pytest.raises(services.StaleResponse) as stale:
        services.response_save(
            return_obj=return_obj,
            criterion=first,
            rating=Rating.RED,
            narrative="Contributor's words",
            revision=0,
            actor=contributor,
        )
    assert stale.value.current.narrative == "Lead's words"
    assert return_obj.responses.get().rating == Rating.GREEN


def test_a_rating_outside_the_scale_is_refused(return_obj, agency_lead):
    with pytest.raises(ValidationError):
        services.response_save(
            return_obj=return_obj,
            criterion=criteria(return_obj)[0],
            rating=Rating.OUTSTANDING,
            narrative="",
            revision=0,
            actor=agency_lead,
        )


def test_submission_lists_every_blocker_at_once(return_obj, agency_lead):
    first, second, third, *rest = criteria(return_obj)
    services.response_save(
        return_obj=return_obj,
        criterion=first,
        rating=Rating.RED,
        narrative="",
        revision=0,
        actor=agency_lead,
    )
    services.response_save(
        return_obj=return_obj,
        criterion=second,
        rating=Rating.NOT_APPLICABLE,
        narrative="",
        revision=0,
        actor=agency_lead,
    )
    with pytest.raises(services.SubmissionBlocked) as blocked:
        services.return_submit(return_obj=return_obj, actor=agency_lead)
    reasons = [(c.code, why) for c, why in blocked.value.blockers]
    assert reasons[0] == (first.code, "rated Red: not compliant without an action")
    assert reasons[1] == (second.code, "rated N/A without a reason")
    assert (third.code, "not rated") in reasons
    assert len(reasons) == 2 + 1 + len(rest)
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.IN_PROGRESS


def test_an_amber_criterion_with_an_action_can_be_submitted(return_obj, agency_lead):
    answer_all(return_obj, agency_lead, rating=Rating.AMBER)
    for criterion in criteria(return_obj):
        services.action_create(
            organisation=return_obj.organisation,
            source_return=return_obj,
            criterion=criterion,
            description="Train all staff",
            owner="Training lead",
            due_date=timezone.localdate() + datetime.timedelta(days=90),
            actor=agency_lead,
        )
    services.return_submit(return_obj=return_obj, actor=agency_lead)
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.SUBMITTED
    assert return_obj.submitted_by == agency_lead


def test_a_submitted_return_is_read_only_until_reopened_with_a_reason(
    return_obj, agency_lead, business_unit
):
    answer_all(return_obj, agency_lead)
    services.return_submit(return_obj=return_obj, actor=agency_lead)
    return_obj.refresh_from_db()
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.response_save(
            return_obj=return_obj,
            criterion=criteria(return_obj)[0],
            rating=Rating.RED,
            narrative="",
            revision=1,
            actor=agency_lead,
        )
    with pytest.raises(ValidationError):
        services.return_reopen(return_obj=return_obj, reason="  ", actor=business_unit)
    services.return_reopen(return_obj=return_obj, reason="Evidence missing", actor=business_unit)
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.IN_PROGRESS
    assert return_obj.status_reason == "Evidence missing"


def test_send_back_and_accept_keep_the_whole_story_in_history(
    return_obj, agency_lead, business_unit
):
    answer_all(return_obj, agency_lead)
    services.return_submit(return_obj=return_obj, actor=agency_lead)
    services.return_send_back(
        return_obj=Return.objects.get(pk=return_obj.pk),
        reason="Add the training figures",
        actor=business_unit,
    )
    services.return_submit(return_obj=Return.objects.get(pk=return_obj.pk), actor=agency_lead)
    services.return_accept(return_obj=Return.objects.get(pk=return_obj.pk), actor=business_unit)

    story = [
        (h.status, h.history_user)
        for h in Return.history.filter(id=return_obj.pk).order_by("history_date", "history_id")
    ]
    assert story == [
        (ReturnStatus.NOT_STARTED, None),
        (ReturnStatus.IN_PROGRESS, agency_lead),
        (ReturnStatus.SUBMITTED, agency_lead),
        (ReturnStatus.RETURNED, business_unit),
        (ReturnStatus.SUBMITTED, agency_lead),
        (ReturnStatus.ACCEPTED, business_unit),
    ]


def test_only_a_submitted_return_can_be_accepted(return_obj, business_unit):
    with pytest.raises(ValidationError):
        services.return_accept(return_obj=return_obj, actor=business_unit)


def test_a_deadline_extension_must_be_after_closing(return_obj, business_unit):
    with pytest.raises(ValidationError):
        services.return_extend_deadline(
            return_obj=return_obj, until=return_obj.cycle.closes_on, actor=business_unit
        )
    later = return_obj.cycle.closes_on + datetime.timedelta(days=14)
    services.return_extend_deadline(return_obj=return_obj, until=later, actor=business_unit)
    return_obj.refresh_from_db()
    assert return_obj.deadline == later
    assert return_obj.history.latest().history_user == business_unit


def test_action_progress_is_recorded_and_completion_time_stamped(agency, agency_lead):
    action = services.action_create(
        organisation=agency,
        description="Audit supervision files",
        owner="Practice lead",
        due_date=timezone.localdate(),
        actor=agency_lead,
    )
    with pytest.raises(ValidationError):
        services.action_record_progress(
            action=action, note="", status="in_progress", actor=agency_lead
        )
    services.action_record_progress(
        action=action, note="Half done", status="in_progress", actor=agency_lead
    )
    services.action_record_progress(
        action=action, note="All files audited", status="completed", actor=agency_lead
    )
    action.refresh_from_db()
    assert action.completed_at is not None
    assert [u.note for u in action.updates.all()] == ["Half done", "All files audited"]
    assert action.history.count() == 3
