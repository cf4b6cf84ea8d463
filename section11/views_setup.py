"""Setting up Section 11: framework versions and opening a cycle (Business Unit)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import queueing
from audits import services as core
from audits.access import require_business_unit
from audits.forms import add_service_errors
from audits.models import Criterion, Framework, FrameworkKind, Role, Standard, User

from . import services
from .forms import CriterionForm, CycleOpenForm
from .selectors import cycles_overview, framework_outline, section11_versions


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require_oversight(user: User) -> None:
    if not user.is_oversight:
        raise Http404


def _framework(pk: int) -> Framework:
    framework = Framework.objects.filter(pk=pk, kind=FrameworkKind.SECTION_11).first()
    if framework is None:
        raise Http404("No such framework version.")
    return framework


def _editable(framework: Framework) -> None:
    if framework.is_frozen:
        raise PermissionDenied("This version has been used by a cycle and cannot change.")


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_oversight(user)
    return render(
        request,
        "section11/cycles/list.html",
        {"cycles": cycles_overview(), "can_manage": user.has_role(Role.BUSINESS_UNIT)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_open(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_business_unit(user)
    latest = section11_versions().order_by("-version").first()
    form = CycleOpenForm(
        request.POST or None,
        initial={"framework": latest, "organisations": []},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with queueing.watch() as handover:
                cycle = services.section11_cycle_open(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            opened = f"{cycle.name} is open for {cycle.returns.count()} agencies."
            if handover.worker_unavailable:
                messages.warning(
                    request,
                    f"{opened} The email service is not available just now, so their leads "
                    "have not been emailed: tell them, or they will find it when they sign in.",
                )
            else:
                messages.success(request, f"{opened} Their leads are being emailed.")
            return redirect("section11:cycle_tracker", pk=cycle.pk)
    return render(request, "section11/cycles/open.html", {"form": form})


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_business_unit(user)
    return render(
        request,
        "section11/frameworks/list.html",
        {"versions": section11_versions().order_by("-version")},
    )


@login_required
@require_POST
def framework_start_version(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_business_unit(user)
    try:
        framework = services.section11_version_start(actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("section11:framework_list")
    messages.success(request, f"Version {framework.version} is ready to edit.")
    return redirect("section11:framework_detail", pk=framework.pk)


@login_required
@require_GET
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_unit(_user(request))
    framework = _framework(pk)
    return render(
        request,
        "section11/frameworks/detail.html",
        {"framework": framework, "standards": framework_outline(framework)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_business_unit(user)
    criterion = Criterion.objects.select_related("standard__framework").filter(pk=pk).first()
    if criterion is None or criterion.standard.framework.kind != FrameworkKind.SECTION_11:
        raise Http404("No such question.")
    _editable(criterion.standard.framework)
    form = CriterionForm(
        request.POST or None,
        editing=True,
        initial={
            "text": criterion.text,
            "guidance": criterion.guidance,
            "evidence_hint": criterion.evidence_hint,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            core.criterion_update(criterion=criterion, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{criterion.code} is saved.")
            return redirect("section11:framework_detail", pk=criterion.standard.framework_id)
    return render(
        request,
        "section11/frameworks/criterion_form.html",
        {"form": form, "criterion": criterion, "standard": criterion.standard},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, standard_pk: int) -> HttpResponse:
    user = _user(request)
    require_business_unit(user)
    standard = Standard.objects.select_related("framework").filter(pk=standard_pk).first()
    if standard is None or standard.framework.kind != FrameworkKind.SECTION_11:
        raise Http404("No such area.")
    _editable(standard.framework)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            criterion = core.criterion_create(
                standard=standard,
                position=standard.criteria.count() + 1,
                actor=user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{criterion.code} is added to {standard.title}.")
            return redirect("section11:framework_detail", pk=standard.framework_id)
    return render(
        request,
        "section11/frameworks/criterion_form.html",
        {"form": form, "criterion": None, "standard": standard},
    )


urlpatterns = [
    path("cycles/", cycle_list, name="cycle_list"),
    path("cycles/new/", cycle_open, name="cycle_open"),
    path("frameworks/", framework_list, name="framework_list"),
    path("frameworks/new/", framework_start_version, name="framework_start_version"),
    path("frameworks/<int:pk>/", framework_detail, name="framework_detail"),
    path("criteria/<int:pk>/edit/", criterion_edit, name="criterion_edit"),
    path("areas/<int:standard_pk>/criteria/new/", criterion_add, name="criterion_add"),
]
