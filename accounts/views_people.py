"""The people pages: the Business Unit manages accounts, and disables leavers in one
step; Executive members and the Scrutineer read them."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.forms import add_service_errors
from audits.models import User

from . import selectors, services
from .access import can_manage_people, get_person_for_user, people_visible_to
from .forms import DisableForm

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    people = selectors.people_rows(people_visible_to(user))
    filtered = selectors.PeopleFilter(request.GET or None, queryset=people)
    rows = filtered.qs if filtered.is_bound else people
    page = Paginator(rows.order_by("full_name", "email"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people/list.html",
        {"filter": filtered, "page": page, "query": query.urlencode()},
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = get_person_for_user(user, pk)
    return render(
        request,
        "accounts/people/detail.html",
        {
            "person": person,
            "summary": selectors.person_summary(person),
            "history": selectors.account_history(person),
            "can_manage": can_manage_people(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_disable(request: HttpRequest, pk: int) -> HttpResponse:
    """A leaver: confirm, with a reason, and everything they could reach is gone."""
    user = _user(request)
    person = get_person_for_user(user, pk, manage=True)
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.user_disable(
                user=person, reason=form.cleaned_data["reason"], actor=user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{person.full_name}'s account is disabled. "
                f"{_plural(outcome.sessions, 'session')} ended, "
                f"{_plural(outcome.invitations, 'invitation')} withdrawn and "
                f"{_plural(outcome.grants, 'single-item grant')} removed.",
            )
            return redirect("accounts:person_detail", pk=person.pk)
    return render(
        request,
        "accounts/people/disable.html",
        {"person": person, "form": form, "summary": selectors.person_summary(person)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_enable(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = get_person_for_user(user, pk, manage=True)
    try:
        services.user_enable(user=person, actor=user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{person.full_name} can sign in again, with the roles they had. Returns "
            "shared with them one at a time (as a challenge peer, say) are not shared "
            "again: add them to the panel again if they still need one.",
        )
    return redirect("accounts:person_detail", pk=person.pk)


@login_required
@require_POST
def person_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = get_person_for_user(user, pk, manage=True)
    try:
        services.two_factor_reset(user=person, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{person.full_name}'s two-factor sign-in is reset and they are signed out. "
            "Their old codes no longer work; they set it up again when they next sign in.",
        )
    return redirect("accounts:person_detail", pk=person.pk)
