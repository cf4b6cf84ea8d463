"""Challenge events: the shortlist, each event's record, and the collated view.

The oversight roles read these pages; only the Business Unit changes anything.
Everyone else, including a peer granted one return, gets 404.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from audits.forms import add_service_errors
from audits.models import AuditCycle, Role, Standard, User

from . import challenges
from .access import get_cycle_for_user
from .forms_challenges import (
    AreaFindingForm,
    ChallengeEventCreateForm,
    ChallengeEventUpdateForm,
    PanelMemberForm,
    RecommendationForm,
)
from .models import ChallengeEvent

# The suggestion the Business Unit starts from; it usually picks about five.
SHORTLIST_LENGTH = 10


def _user(request: HttpRequest) -> User:
    # Every caller is behind login_required, so this is always a real account.
    return cast(User, request.user)


def _detail_url(event: ChallengeEvent, anchor: str = "") -> str:
    url = reverse("section11:challenge_detail", args=[event.pk])
    return f"{url}#{anchor}" if anchor else url


# The cycle's pages -----------------------------------------------------------


@login_required
@require_GET
def challenge_list(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(_user(request), cycle_pk)
    return _render_list(request, cycle, show_all=request.GET.get("all") == "1")


@login_required
@require_POST
def challenge_create(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = _user(request)
    cycle = get_cycle_for_user(user, cycle_pk, manage=True)
    form = ChallengeEventCreateForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            event = challenges.challenge_event_create(
                return_obj=form.cleaned_data["return_obj"],
                held_on=form.cleaned_data["held_on"],
                actor=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Challenge event planned with {event.return_obj.organisation.name}. "
                "Now add the panel.",
            )
            return redirect(_detail_url(event))
    return _render_list(request, cycle, show_all=request.POST.get("all") == "1", failed=form)


def _render_list(
    request: HttpRequest,
    cycle: AuditCycle,
    *,
    show_all: bool,
    failed: ChallengeEventCreateForm | None = None,
) -> HttpResponse:
    can_manage = _user(request).has_role(Role.BUSINESS_UNIT)
    shortlist = []
    for candidate in challenges.challenge_shortlist(
        cycle, limit=None if show_all else SHORTLIST_LENGTH
    ):
        form = None
        if can_manage:
            # The row the user posted from shows what they typed and what was wrong.
            if failed is not None and str(failed["return_obj"].value()) == str(candidate.pk):
                form = failed
            else:
                form = ChallengeEventCreateForm(cycle=cycle, initial={"return_obj": candidate.pk})
            form.name_agency(candidate.organisation.name)
        shortlist.append((candidate, form))
    return render(
        request,
        "section11/challenges/list.html",
        {
            "cycle": cycle,
            "events": list(challenges.challenge_events_for_cycle(cycle)),
            "area_count": Standard.objects.filter(framework_id=cycle.framework_id).count(),
            "shortlist": shortlist,
            "shortlist_length": SHORTLIST_LENGTH,
            "show_all": show_all,
            "can_manage": can_manage,
            "failed_form": failed,
        },
    )


@login_required
@require_GET
def challenge_collation(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(_user(request), cycle_pk)
    return render(
        request,
        "section11/challenges/collation.html",
        {"cycle": cycle, "collation": challenges.challenge_collation(cycle)},
    )


# One event -------------------------------------------------------------------


@login_required
@require_GET
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = challenges.get_challenge_event_for_user(_user(request), pk)
    return _render_detail(request, event)


def _render_detail(
    request: HttpRequest,
    event: ChallengeEvent,
    *,
    failed_key: str = "",
    failed: forms.Form | None = None,
) -> HttpResponse:
    """The event's page. After a rejected post, ``failed`` (under ``failed_key``)
    takes the place of its blank form, keeping what was typed."""

    def form_for(key: str, blank: forms.Form) -> forms.Form:
        return failed if failed is not None and key == failed_key else blank

    user = _user(request)
    record = challenges.challenge_event_record(event)
    framework = event.return_obj.cycle.framework
    can_manage = user.has_role(Role.BUSINESS_UNIT)
    context: dict[str, object] = {
        "cycle": event.return_obj.cycle,
        "event": event,
        "record": record,
        "can_manage": can_manage,
        "failed_form": failed,
    }
    if can_manage:
        areas = []
        for area in record.areas:
            key = f"area-{area.standard.pk}"
            initial = {}
            if area.finding is not None:
                initial = {
                    "outcome": area.finding.outcome,
                    "moderated_rating": area.finding.moderated_rating,
                    "findings": area.finding.findings,
                }
            blank = AreaFindingForm(framework=framework, prefix=key, initial=initial)
            areas.append((area, form_for(key, blank)))
        context |= {
            "areas": areas,
            "update_form": form_for(
                "update",
                ChallengeEventUpdateForm(
                    initial={"held_on": event.held_on, "summary": event.summary}
                ),
            ),
            "panel_form": form_for("panel", PanelMemberForm()),
            "recommendation_form": form_for(
                "recommendation", RecommendationForm(framework=framework)
            ),
            "similar_organisations": list(
                challenges.similar_organisations(event.return_obj.organisation)
            ),
        }
    return render(request, "section11/challenges/detail.html", context)


@login_required
@require_POST
def challenge_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = challenges.get_challenge_event_for_user(user, pk, manage=True)
    form = ChallengeEventUpdateForm(request.POST)
    if form.is_valid():
        try:
            challenges.challenge_event_update(event=event, **form.cleaned_data, actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The event's date and overall findings are saved.")
            return redirect(_detail_url(event, "event-heading"))
    return _render_detail(request, event, failed_key="update", failed=form)


@login_required
@require_POST
def challenge_panel_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = challenges.get_challenge_event_for_user(user, pk, manage=True)
    form = PanelMemberForm(request.POST)
    if form.is_valid():
        try:
            member = challenges.challenge_panel_add(event=event, **form.cleaned_data, actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{member.name} is on the panel.")
            return redirect(_detail_url(event, "panel-heading"))
    return _render_detail(request, event, failed_key="panel", failed=form)


@login_required
@require_POST
def challenge_panel_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = _user(request)
    event = challenges.get_challenge_event_for_user(user, pk, manage=True)
    member = get_object_or_404(event.panel, pk=member_pk)
    challenges.challenge_panel_remove(member=member, actor=user)
    messages.success(request, f"{member.name} is no longer on the panel.")
    return redirect(_detail_url(event, "panel-heading"))


@login_required
@require_POST
def challenge_finding_record(request: HttpRequest, pk: int, standard_pk: int) -> HttpResponse:
    user = _user(request)
    event = challenges.get_challenge_event_for_user(user, pk, manage=True)
    framework = event.return_obj.cycle.framework
    standard = get_object_or_404(Standard, pk=standard_pk, framework=framework)
    key = f"area-{standard.pk}"
    form = AreaFindingForm(request.POST, framework=framework, prefix=key)
    if form.is_valid():
        try:
            challenges.challenge_finding_record(
                event=event, standard=standard, **form.cleaned_data, actor=user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The panel's view of {standard.title} is saved.")
            return redirect(_detail_url(event, key))
    return _render_detail(request, event, failed_key=key, failed=form)


@login_required
@require_POST
def challenge_recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = challenges.get_challenge_event_for_user(user, pk, manage=True)
    form = RecommendationForm(request.POST, framework=event.return_obj.cycle.framework)
    if form.is_valid():
        try:
            challenges.challenge_recommendation_add(event=event, **form.cleaned_data, actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Recommendation added.")
            return redirect(_detail_url(event, "recommendations-heading"))
    return _render_detail(request, event, failed_key="recommendation", failed=form)


urlpatterns: list[URLPattern] = [
    path("cycles/<int:cycle_pk>/challenges/", challenge_list, name="challenge_list"),
    path("cycles/<int:cycle_pk>/challenges/new/", challenge_create, name="challenge_create"),
    path(
        "cycles/<int:cycle_pk>/challenges/collated/",
        challenge_collation,
        name="challenge_collation",
    ),
    path("challenges/<int:pk>/", challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/edit/", challenge_update, name="challenge_update"),
    path("challenges/<int:pk>/panel/", challenge_panel_add, name="challenge_panel_add"),
    path(
        "challenges/<int:pk>/panel/<int:member_pk>/remove/",
        challenge_panel_remove,
        name="challenge_panel_remove",
    ),
    path(
        "challenges/<int:pk>/areas/<int:standard_pk>/",
        challenge_finding_record,
        name="challenge_finding_record",
    ),
    path(
        "challenges/<int:pk>/recommendations/",
        challenge_recommendation_add,
        name="challenge_recommendation_add",
    ),
]
