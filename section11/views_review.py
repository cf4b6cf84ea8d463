"""Reviewing Section 11 returns: the cycle tracker and the review of one return."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audits import services as core
from audits.access import get_return_for_user
from audits.forms import add_service_errors
from audits.models import AccessKind, Criterion, FrameworkKind, Return, Role, User

from . import services
from .access import get_cycle_for_user
from .forms import (
    CommentForm,
    DeadlineForm,
    DecisionForm,
    EquivalentDecisionForm,
    ModerationForm,
    ReopenForm,
)
from .models import EquivalentStatus
from .selectors import TrackerFilter, general_comments, return_documents, return_state, tracker_rows


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def cycle_tracker(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    cycle = get_cycle_for_user(user, pk)
    rows = tracker_rows(cycle)
    filtered = TrackerFilter(request.GET or None, queryset=rows)
    returns = filtered.qs if filtered.is_bound else rows.order_by("organisation__name")
    today = timezone.localdate()
    return render(
        request,
        "section11/cycles/tracker.html",
        {
            "cycle": cycle,
            "filter": filtered,
            "returns": returns,
            "today": today,
            "can_manage": user.has_role(Role.BUSINESS_UNIT),
        },
    )


def _reviewable(user: User, pk: int, *, manage: bool = False) -> Return:
    """The review page is the oversight roles'; only the Business Unit changes anything."""
    if not user.is_oversight:
        raise Http404
    return_obj = get_return_for_user(user, pk)
    if return_obj.cycle.framework.kind != FrameworkKind.SECTION_11:
        raise Http404
    if manage and not user.has_role(Role.BUSINESS_UNIT):
        raise PermissionDenied("Only the Business Unit can review returns.")
    return return_obj


def _review_page(request: HttpRequest, return_obj: Return, **forms: object) -> HttpResponse:
    user = _user(request)
    ratings = return_obj.cycle.framework.ratings
    context: dict[str, object] = {
        "return": return_obj,
        "cycle": return_obj.cycle,
        "state": return_state(return_obj),
        "documents": return_documents(return_obj),
        "comments": general_comments(return_obj),
        "equivalent": getattr(return_obj, "equivalent", None),
        "can_manage": user.has_role(Role.BUSINESS_UNIT),
        "ratings": ratings,
        "decision_form": DecisionForm(),
        "reopen_form": ReopenForm(),
        "deadline_form": DeadlineForm(initial={"extended_deadline": return_obj.extended_deadline}),
        "comment_form": CommentForm(),
        "equivalent_form": EquivalentDecisionForm(),
        # A refused moderation or comment on one answer is shown at that answer,
        # with the message beside its field and what was typed still there.
        "failed_criterion": None,
        "moderation_form": None,
        "criterion_comment_form": None,
    }
    context.update(forms)
    status = 400 if any(getattr(f, "errors", None) for f in forms.values()) else 200
    return render(request, "section11/review/return.html", context, status=status)


@login_required
@require_GET
def return_review(request: HttpRequest, pk: int) -> HttpResponse:
    return_obj = _reviewable(_user(request), pk)
    # Only the page itself is logged; the review's own forms post elsewhere.
    core.access_record_add(
        request=request,
        target=return_obj,
        kind=AccessKind.VIEWED,
        organisation=return_obj.organisation,
    )
    return _review_page(request, return_obj)


def _back(return_obj: Return, anchor: str = "") -> HttpResponse:
    url = reverse("section11:return_review", args=[return_obj.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _criterion_from_post(request: HttpRequest, return_obj: Return) -> Criterion | None:
    raw = request.POST.get("criterion", "")
    if not raw:
        return None
    criterion = (
        Criterion.objects.filter(
            pk=raw, standard__framework_id=return_obj.cycle.framework_id
        ).first()
        if raw.isdigit()
        else None
    )
    if criterion is None:
        raise Http404("No such question.")
    return criterion


@login_required
@require_POST
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _reviewable(user, pk, manage=True)
    criterion = _criterion_from_post(request, return_obj)
    form = CommentForm(request.POST)
    if form.is_valid():
        core.review_comment_add(
            return_obj=return_obj, criterion=criterion, text=form.cleaned_data["text"], actor=user
        )
        messages.success(request, "Your comment is added.")
        return _back(return_obj, f"criterion-{criterion.pk}" if criterion else "comments")
    if criterion is not None:
        return _review_page(
            request, return_obj, criterion_comment_form=form, failed_criterion=criterion.pk
        )
    return _review_page(request, return_obj, comment_form=form)


@login_required
@require_POST
def review_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _reviewable(user, pk, manage=True)
    criterion = _criterion_from_post(request, return_obj)
    response = return_obj.responses.filter(criterion=criterion).first() if criterion else None
    if response is None:
        raise Http404("There is no answer to moderate.")
    form = ModerationForm(request.POST, ratings=return_obj.cycle.framework.ratings)
    if form.is_valid():
        core.response_moderate(
            response=response,
            moderated_rating=form.cleaned_data["moderated_rating"],
            note=form.cleaned_data["moderation_note"],
            actor=user,
        )
        messages.success(request, f"The moderated rating for {criterion.code} is saved.")
        return _back(return_obj, f"criterion-{criterion.pk}")
    return _review_page(request, return_obj, moderation_form=form, failed_criterion=criterion.pk)


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _reviewable(user, pk, manage=True)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                core.return_accept(return_obj=return_obj, actor=user)
                messages.success(request, f"{return_obj.organisation}'s return is accepted.")
            else:
                core.return_send_back(
                    return_obj=return_obj, reason=form.cleaned_data["reason"], actor=user
                )
                messages.success(
                    request, f"{return_obj.organisation}'s return is returned for changes."
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _back(return_obj)
    return _review_page(request, return_obj, decision_form=form)


@login_required
@require_POST
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _reviewable(user, pk, manage=True)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            core.return_reopen(
                return_obj=return_obj, reason=form.cleaned_data["reason"], actor=user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The return is open for the agency to change.")
            return _back(return_obj)
    return _review_page(request, return_obj, reopen_form=form)


@login_required
@require_POST
def review_extend_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _reviewable(user, pk, manage=True)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            core.return_extend_deadline(
                return_obj=return_obj, until=form.cleaned_data["extended_deadline"], actor=user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{return_obj.organisation}'s deadline is now "
                f"{return_obj.deadline.strftime('%A %-d %B %Y')}.",
            )
            return _back(return_obj)
    return _review_page(request, return_obj, deadline_form=form)


@login_required
@require_POST
def review_equivalent(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _reviewable(user, pk, manage=True)
    equivalent = getattr(return_obj, "equivalent", None)
    if equivalent is None or equivalent.status != EquivalentStatus.PENDING:
        raise Http404("There is no document awaiting a decision.")
    form = EquivalentDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.equivalent_return_decide(
                equivalent=equivalent,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                actor=user,
            )
        except ValidationError as error:
            # A colleague decided or reopened the return since this page was loaded,
            # or its document has not yet been cleared by the virus scanner.
            add_service_errors(form, error)
        else:
            messages.success(request, "Your decision on the equivalent return is recorded.")
            return _back(return_obj)
    return _review_page(request, return_obj, equivalent_form=form)


urlpatterns = [
    path("cycles/<int:pk>/", cycle_tracker, name="cycle_tracker"),
    path("returns/<int:pk>/review/", return_review, name="return_review"),
    path("returns/<int:pk>/review/comment/", review_comment, name="review_comment"),
    path("returns/<int:pk>/review/moderate/", review_moderate, name="review_moderate"),
    path("returns/<int:pk>/review/decide/", review_decide, name="review_decide"),
    path("returns/<int:pk>/review/reopen/", review_reopen, name="review_reopen"),
    path("returns/<int:pk>/review/deadline/", review_extend_deadline, name="review_deadline"),
    path("returns/<int:pk>/review/equivalent/", review_equivalent, name="review_equivalent"),
]
