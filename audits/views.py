from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import queueing, selectors, services
from .access import (
    RETURN_AUTHOR_ROLES,
    actions_visible_to,
    can_edit_return,
    can_submit_return,
    can_update_action,
    get_action_for_user,
    get_evidence_for_user,
    get_return_for_user,
    invitations_visible_to,
    require_business_unit,
)
from .forms import ActionProgressForm, InvitationForm, SetPasswordForm, add_service_errors
from .models import ActionStatus, Organisation, Role, User


def _user(request: HttpRequest) -> User:
    # Every caller is behind login_required, so this is always a real account.
    return cast(User, request.user)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, object] = {}
    if user.has_role(Role.AGENCY_LEAD, Role.AGENCY_CONTRIBUTOR, Role.SCHOOL_LEAD):
        context["returns"] = list(selectors.returns_to_complete(user))
        context["actions"] = list(selectors.actions_open_for(user)[:10])
    context["shared_returns"] = list(selectors.returns_shared_with(user))
    if user.is_oversight:
        context["cycles"] = selectors.cycle_summaries()
    if user.has_role(Role.BUSINESS_UNIT):
        context["invitations"] = list(selectors.invitations_pending()[:5])
    context["organisations"] = list(
        Organisation.objects.filter(pk__in=user.organisation_ids).order_by("name")
    )
    return render(request, "audits/home.html", context)


@login_required
@require_GET
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = get_return_for_user(user, pk)
    return render(
        request,
        "audits/return_detail.html",
        {
            "return": return_obj,
            "standards": selectors.return_overview(return_obj),
            "can_edit": can_edit_return(user, return_obj),
            "can_submit": can_submit_return(user, return_obj),
        },
    )


@login_required
@require_GET
def return_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to a return, for anyone who may read the return."""
    return_obj = get_return_for_user(_user(request), pk)
    return render(
        request,
        "audits/return_history.html",
        {"return": return_obj, "entries": selectors.return_history(return_obj)},
    )


@login_required
@require_GET
def invitation_list(request: HttpRequest) -> HttpResponse:
    invitations = invitations_visible_to(_user(request))
    return render(
        request,
        "audits/invitation_list.html",
        {"invitations": invitations.select_related("organisation", "invited_by")[:200]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_business_unit(user)
    # The tracker links here for an agency with no lead, with the form filled in.
    form = InvitationForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            with queueing.watch() as handover:
                invitation = services.invitation_create(
                    invited_by=user,
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    role=Role(form.cleaned_data["role"]),
                    organisation=form.cleaned_data["organisation"],
                    statutory_partner=form.cleaned_data["statutory_partner"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if handover.worker_unavailable:
                messages.warning(
                    request,
                    f"The invitation to {invitation.email} is saved and will be emailed as "
                    "soon as the email service is available.",
                )
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("audits:invitation_list")
    return render(
        request,
        "audits/invitation_form.html",
        {"form": form, "valid_days": settings.INVITATION_VALID_DAYS},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "audits/invitation_invalid.html", status=404)
    if invitation.accepted_at is not None:
        return render(request, "audits/invitation_used.html", status=410)
    if invitation.is_expired():
        return render(
            request, "audits/invitation_expired.html", {"invitation": invitation}, status=410
        )
    form = SetPasswordForm(
        request.POST or None, email=invitation.email, full_name=invitation.full_name
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except services.InvitationUnusable as unusable:
            template = f"audits/invitation_{unusable.reason}.html"
            return render(request, template, {"invitation": invitation}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set and you are signed in.")
        return redirect("audits:home")
    return render(
        request, "audits/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the container health check: is the database reachable?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    """An organisation's action plan: open actions first, then completed ones."""
    user = _user(request)
    actions = (
        actions_visible_to(user)
        .select_related("organisation", "source_return__cycle", "criterion")
        .annotate(updates_count=Count("updates"))
        .order_by("status", "due_date", "pk")
    )
    if user.is_oversight:
        actions = actions.exclude(status=ActionStatus.COMPLETED)
    return render(
        request,
        "audits/action_list.html",
        {
            "actions": actions[:500],
            "today": timezone.localdate(),
            "can_update": user.has_role(*RETURN_AUTHOR_ROLES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = get_action_for_user(user, pk, write=request.method == "POST")
    form = ActionProgressForm(
        request.POST or None, request.FILES or None, initial={"status": action.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.action_record_progress(
                    action=action,
                    note=form.cleaned_data["note"],
                    status=form.cleaned_data["status"],
                    actor=user,
                )
                if form.cleaned_data["evidence"]:
                    services.evidence_attach(
                        organisation=action.organisation,
                        upload=form.cleaned_data["evidence"],
                        action=action,
                        actor=user,
                    )
        except ValidationError as error:
            add_service_errors(form, error, rename={"file": "evidence"})
        else:
            messages.success(request, "Progress is recorded.")
            return redirect("audits:action_detail", pk=action.pk)
    return render(
        request,
        "audits/action_detail.html",
        {
            "action": action,
            "updates": action.updates.select_related("author"),
            "documents": action.evidence.select_related("uploaded_by"),
            "form": form,
            "can_update": can_update_action(user, action),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Documents are only ever streamed here, after the access check, as attachments."""
    evidence = get_evidence_for_user(_user(request), pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
