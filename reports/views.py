from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import queueing
from audits import services as core
from audits.forms import add_service_errors
from audits.models import AccessKind, User
from section11.access import get_cycle_for_user

from . import services
from .access import (
    can_manage_reports,
    can_request_reports,
    can_sign_off,
    get_published_version,
    get_report_for_user,
    get_version_for_user,
    require,
)
from .forms import ReportTextForm, SignOffForm
from .models import RenderStatus, ReportVersion, SignOffStatus
from .selectors import published_versions, report_overview, version_page


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_oversight:
        raise Http404
    return render(
        request,
        "reports/list.html",
        {"cycles": report_overview(), "can_request": can_request_reports(user)},
    )


@login_required
@require_POST
def report_request(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = _user(request)
    cycle = get_cycle_for_user(user, cycle_pk)
    require(can_request_reports(user), "Only the Business Unit and the Executive request reports.")
    with queueing.watch() as handover:
        version = services.report_request(cycle=cycle, actor=user)
    _say_queued(request, version, handover)
    return redirect("reports:version_detail", pk=version.pk)


def _say_queued(request: HttpRequest, version: ReportVersion, handover: queueing.Watch) -> None:
    if handover.worker_unavailable:
        # Not an error for the user: the sweep hands it over once the service is back.
        messages.warning(
            request,
            f"Version {version.number} is queued and will be made as soon as the report "
            "service is available. You can leave this page; the report will be here.",
        )
    else:
        messages.success(
            request, f"Version {version.number} is queued. This page shows its progress."
        )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = get_report_for_user(user, pk, manage=request.method == "POST")
    form = ReportTextForm(
        request.POST or None,
        initial={
            "title": report.title,
            "themes": report.themes,
            "recommendations": report.recommendations,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.report_update_text(report=report, actor=user, **form.cleaned_data)
        messages.success(request, "Saved. Request a new version to see it in the report.")
        return redirect("reports:report_detail", pk=report.pk)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "form": form,
            "versions": report.versions.select_related("requested_by").prefetch_related("signoffs"),
            "can_manage": can_manage_reports(user),
            "can_request": can_request_reports(user),
        },
        status=400 if form.errors else 200,
    )


def _version_page(
    request: HttpRequest, version: ReportVersion, form: SignOffForm | None = None
) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "reports/version_detail.html",
        {
            **version_page(version),
            "form": form or SignOffForm(),
            "can_manage": can_manage_reports(user),
            "can_request": can_request_reports(user),
            "can_sign_off": can_sign_off(user) and version.signoff_status == SignOffStatus.AWAITING,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_page(request, get_version_for_user(_user(request), pk))


@login_required
@require_GET
def version_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, polled by the page until the file is ready or fails."""
    version = get_version_for_user(_user(request), pk)
    response = render(request, "reports/_render_status.html", {"version": version})
    if request.headers.get("HX-Request") and not version.is_in_progress:
        # Finished: reload the whole page so that sign-off and download appear.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def version_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = get_version_for_user(user, pk)
    require(can_request_reports(user), "Only the Business Unit and the Executive request reports.")
    try:
        with queueing.watch() as handover:
            version = services.report_version_retry(version=version, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _say_queued(request, version, handover)
    return redirect("reports:version_detail", pk=version.pk)


@login_required
@require_POST
def version_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = get_version_for_user(user, pk)
    require(can_manage_reports(user), "Only the Business Unit sends reports to the Executive.")
    try:
        with queueing.watch() as handover:
            services.report_send_for_signoff(version=version, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if handover.worker_unavailable:
            messages.warning(
                request,
                "Sent to the Executive. The email service is not available just now, so "
                "the partners have not been emailed: they will find the report awaiting "
                "them when they sign in.",
            )
        else:
            messages.success(request, "Sent to the Executive. Each partner has been emailed.")
    return redirect("reports:version_detail", pk=version.pk)


@login_required
@require_POST
def version_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = get_version_for_user(user, pk)
    require(can_sign_off(user), "Only Executive members sign off reports.")
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.report_signoff_record(version=version, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your decision is recorded.")
            return redirect("reports:version_detail", pk=version.pk)
    return _version_page(request, version, form)


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = get_version_for_user(user, pk)
    require(can_manage_reports(user), "Only the Business Unit publishes reports.")
    try:
        services.report_publish(version=version, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Published. It is listed on the public reports page.")
    return redirect("reports:version_detail", pk=version.pk)


def _pdf_attachment(version: ReportVersion) -> FileResponse:
    filename = f"{version.title} - version {version.number}.pdf".replace("/", "-")
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(_user(request), pk)
    if version.render_status != RenderStatus.READY:
        raise Http404("The report is not ready yet.")
    response = _pdf_attachment(version)
    # A published version is anyone's to download (public_download), so only the
    # restricted ones, drafts and versions under sign-off, are logged.
    if version.published_at is None:
        core.access_record_add(
            request=request, target=version, kind=AccessKind.DOWNLOADED, organisation=None
        )
    return response


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Published summary reports, as the partnership lists them: no sign-in needed."""
    return render(request, "reports/public_list.html", {"versions": published_versions()})


@require_GET
def public_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_attachment(get_published_version(pk))
