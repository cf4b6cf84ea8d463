from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import queueing, selectors, services
from .access import (
    RETURN_AUTHOR_ROLES,
    actions_visible_to,
    can_edit_return,
    can_export_organisation,
    can_read_access_log,
    can_submit_return,
    can_update_action,
    get_action_for_user,
    get_evidence_for_user,
    get_export_for_user,
    get_organisation_for_export,
    get_return_for_user,
    invitations_visible_to,
    require_business_unit,
)
from .forms import ActionProgressForm, InvitationForm, SetPasswordForm, add_service_errors
from .models import AccessKind, ActionStatus, ExportStatus, Organisation, Role, ScanStatus, User
from .pages import evidence_page_url
from .retention import retention_due

# How many entries of the access log a page of a return's history shows.
ACCESS_LOG_PAGE_SIZE = 50


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
    organisations = list(Organisation.objects.filter(pk__in=user.organisation_ids).order_by("name"))
    context["organisations"] = organisations
    context["exportable"] = [o for o in organisations if can_export_organisation(user, o)]
    return render(request, "audits/home.html", context)


@login_required
@require_GET
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = get_return_for_user(user, pk)
    services.access_record_add(
        request=request,
        target=return_obj,
        kind=AccessKind.VIEWED,
        organisation=return_obj.organisation,
    )
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
    """Every change to a return, for anyone who may read the return; and, for the
    Business Unit and the Scrutineer, who opened it, a page at a time."""
    user = _user(request)
    return_obj = get_return_for_user(user, pk)
    context: dict[str, object] = {
        "return": return_obj,
        "entries": selectors.return_history(return_obj),
    }
    if can_read_access_log(user):
        paginator = Paginator(selectors.return_access_records(return_obj), ACCESS_LOG_PAGE_SIZE)
        context["access_page"] = paginator.get_page(request.GET.get("opened"))
    return render(request, "audits/return_history.html", context)


@login_required
@require_GET
def retention_schedule(request: HttpRequest) -> HttpResponse:
    """How long each kind of record is kept, and how many are due to go at the next run."""
    require_business_unit(_user(request))
    return render(request, "audits/retention_schedule.html", {"outcomes": retention_due()})


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
    if invitation.revoked_at is not None:
        return render(request, "audits/invitation_revoked.html", status=410)
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
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """Documents are only ever streamed here, after the access check, as attachments.

    A document still being checked for viruses, or removed because it carried one,
    is never served: the person is told why instead.
    """
    evidence = get_evidence_for_user(_user(request), pk)
    if not evidence.is_downloadable:
        return render(
            request,
            "audits/evidence_unavailable.html",
            {"evidence": evidence, "back": evidence_page_url(evidence)},
            status=410 if evidence.scan_status == ScanStatus.INFECTED else 409,
        )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Logged once the file is open, so that only a download that happens is recorded.
    services.access_record_add(
        request=request,
        target=evidence,
        kind=AccessKind.DOWNLOADED,
        organisation=evidence.organisation,
    )
    return response


# --- All our data -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """What "All our data" holds, the archives prepared lately, and the button to ask for one."""
    user = _user(request)
    organisation = get_organisation_for_export(user, pk)
    if request.method == "POST":
        with queueing.watch() as handover:
            export = services.organisation_export_request(organisation=organisation, actor=user)
        if handover.worker_unavailable:
            messages.warning(
                request,
                "The archive is queued and will be prepared as soon as the export service "
                "is available. You can leave this page; the archive will be here.",
            )
        else:
            messages.success(
                request, "The archive is being prepared. This page shows its progress."
            )
        return redirect("audits:export_detail", pk=export.pk)
    return render(
        request,
        "audits/organisation_export.html",
        {
            "organisation": organisation,
            "exports": selectors.organisation_exports(organisation)[:10],
            "valid_days": settings.EXPORT_VALID_DAYS,
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_export_for_user(_user(request), pk)
    return render(request, "audits/export_detail.html", {"export": export, "now": timezone.now()})


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, polled by the page until the archive is ready or fails."""
    export = get_export_for_user(_user(request), pk)
    response = render(
        request, "audits/_export_status.html", {"export": export, "now": timezone.now()}
    )
    if request.headers.get("HX-Request") and not export.is_in_progress:
        # Finished: reload the whole page so that the download link and its heading appear.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_export_for_user(_user(request), pk)
    if export.status != ExportStatus.READY:
        raise Http404("The archive is not ready.")
    if export.is_expired():
        return render(request, "audits/export_expired.html", {"export": export}, status=410)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    services.access_record_add(
        request=request,
        target=export,
        kind=AccessKind.DOWNLOADED,
        organisation=export.organisation,
    )
    return response
