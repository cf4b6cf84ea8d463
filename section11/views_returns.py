"""Completing a Section 11 return: the overview, one page per area, documents,
actions, submission and the S-CAT/SAF alternative."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import services as core
from audits.access import can_edit_return, can_submit_return, get_return_for_user
from audits.forms import add_service_errors
from audits.models import AccessKind, Criterion, FrameworkKind, Return, ScanStatus, User

from . import services
from .forms import ActionForm, EquivalentReturnForm, EvidenceForm, ResponseForm
from .selectors import general_comments, return_documents, return_state


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _section11_return(user: User, pk: int, *, write: bool = False) -> Return:
    return_obj = get_return_for_user(user, pk, write=write)
    if return_obj.cycle.framework.kind != FrameworkKind.SECTION_11:
        raise Http404("Not a Section 11 return.")
    return return_obj


def _opened(request: HttpRequest, return_obj: Return) -> None:
    """Log a page of the return as opened: on GET only, never on the saves behind it."""
    core.access_record_add(
        request=request,
        target=return_obj,
        kind=AccessKind.VIEWED,
        organisation=return_obj.organisation,
    )


def _criterion_of(return_obj: Return, criterion_pk: int) -> Criterion:
    criterion = (
        Criterion.objects.filter(
            pk=criterion_pk, standard__framework_id=return_obj.cycle.framework_id
        )
        .select_related("standard")
        .first()
    )
    if criterion is None:
        raise Http404("No such question in this return.")
    return criterion


def _area_url(return_obj: Return, criterion: Criterion) -> str:
    url = reverse("section11:return_area", args=[return_obj.pk, criterion.standard.code])
    return f"{url}#criterion-{criterion.pk}"


@login_required
@require_GET
def return_overview(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _section11_return(user, pk)
    _opened(request, return_obj)
    editable = can_edit_return(user, return_obj)
    return render(
        request,
        "section11/returns/overview.html",
        {
            "return": return_obj,
            "cycle": return_obj.cycle,
            "state": return_state(return_obj),
            "can_edit": editable,
            "can_submit": can_submit_return(user, return_obj),
            "can_carry_forward": editable and services.previous_return(return_obj) is not None,
            "can_offer_equivalent": can_submit_return(user, return_obj)
            and return_obj.organisation.sector in services.EQUIVALENT_SECTORS,
            "comments": general_comments(return_obj),
            "equivalent": getattr(return_obj, "equivalent", None),
        },
    )


def _render_area(
    request: HttpRequest,
    return_obj: Return,
    code: str,
    *,
    bound: dict[int, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The area page. ``bound`` maps a criterion to a form that failed, so the person
    sees the message beside the field with everything they typed still there."""
    user = _user(request)
    state = return_state(return_obj)
    area = state.area(code)
    if area is None:
        raise Http404("No such area.")
    ratings = return_obj.cycle.framework.ratings
    bound = bound or {}
    editable = can_edit_return(user, return_obj)
    rows = []
    for criterion_state in area.criteria:
        response = criterion_state.response
        criterion = criterion_state.criterion
        response_form = bound.get(criterion.pk)
        if not isinstance(response_form, ResponseForm):
            response_form = ResponseForm(
                prefix=f"c{criterion.pk}",
                ratings=ratings,
                initial={
                    "rating": response.rating if response else "",
                    "narrative": response.narrative if response else "",
                    "not_applicable_reason": response.not_applicable_reason if response else "",
                    "revision": response.revision if response else 0,
                },
            )
        action_form = bound.get(-criterion.pk)
        if not isinstance(action_form, ActionForm):
            action_form = ActionForm(prefix=f"a{criterion.pk}")
        rows.append((criterion_state, response_form, action_form))
    position = state.areas.index(area)
    return render(
        request,
        "section11/returns/area.html",
        {
            "return": return_obj,
            "cycle": return_obj.cycle,
            "state": state,
            "area": area,
            "rows": rows,
            "can_edit": editable,
            "previous_area": state.areas[position - 1] if position > 0 else None,
            "next_area": state.areas[position + 1] if position + 1 < len(state.areas) else None,
        },
        status=status,
    )


@login_required
@require_GET
def return_area(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    return_obj = _section11_return(_user(request), pk)
    response = _render_area(request, return_obj, code)
    _opened(request, return_obj)  # after the area is found: a mistyped area opened nothing
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Autosave") == "1"


@login_required
@require_POST
def response_save(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    """Save one answer: from the autosave script (JSON) or the Save button (a page)."""
    user = _user(request)
    return_obj = _section11_return(user, pk, write=True)
    criterion = _criterion_of(return_obj, criterion_pk)
    form = ResponseForm(
        request.POST, prefix=f"c{criterion.pk}", ratings=return_obj.cycle.framework.ratings
    )
    if form.is_valid():
        try:
            response = core.response_save(
                return_obj=return_obj,
                criterion=criterion,
                rating=form.cleaned_data["rating"],
                narrative=form.cleaned_data["narrative"],
                not_applicable_reason=form.cleaned_data["not_applicable_reason"],
                revision=form.cleaned_data["revision"],
                actor=user,
            )
        except core.StaleResponse as stale:
            return _conflict(request, return_obj, criterion, form, stale.current)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            saved_at = formats.time_format(timezone.localtime(response.updated_at), "H:i")
            if _wants_json(request):
                return JsonResponse(
                    {"status": "saved", "revision": response.revision, "saved_at": saved_at}
                )
            messages.success(request, f"Your answer to {criterion.code} is saved.")
            return redirect(_area_url(return_obj, criterion))
    if _wants_json(request):
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"status": "invalid", "errors": errors}, status=400)
    return _render_area(
        request, return_obj, criterion.standard.code, bound={criterion.pk: form}, status=400
    )


def _conflict(
    request: HttpRequest,
    return_obj: Return,
    criterion: Criterion,
    form: ResponseForm,
    current: Any,
) -> HttpResponse:
    """Someone saved this answer after the person's page loaded. Nothing is
    overwritten; they are told, shown the other answer, and keep what they typed."""
    who = current.updated_by.full_name if current.updated_by else "Someone"
    when = formats.time_format(timezone.localtime(current.updated_at), "H:i")
    message = (
        f"{who} saved a different answer to {criterion.code} at {when}. Your text is "
        "still here: compare it with theirs, then save again to replace it."
    )
    if _wants_json(request):
        return JsonResponse(
            {
                "status": "conflict",
                "message": message,
                "revision": current.revision,
                "current": {
                    "rating": current.get_rating_display(),
                    "narrative": current.narrative,
                },
            },
            status=409,
        )
    data = request.POST.copy()
    data[f"c{criterion.pk}-revision"] = str(current.revision)
    kept = ResponseForm(data, prefix=f"c{criterion.pk}", ratings=return_obj.cycle.framework.ratings)
    kept.is_valid()
    kept.add_error(None, message)
    return _render_area(
        request, return_obj, criterion.standard.code, bound={criterion.pk: kept}, status=409
    )


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _section11_return(user, pk, write=True)
    criterion = _criterion_of(return_obj, criterion_pk)
    form = ActionForm(request.POST, prefix=f"a{criterion.pk}")
    if form.is_valid():
        try:
            core.action_create(
                organisation=return_obj.organisation,
                source_return=return_obj,
                criterion=criterion,
                actor=user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Action added to {criterion.code}.")
            return redirect(_area_url(return_obj, criterion))
    return _render_area(
        request, return_obj, criterion.standard.code, bound={-criterion.pk: form}, status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The return's documents, and the form to add one."""
    user = _user(request)
    return_obj = _section11_return(user, pk, write=request.method == "POST")
    # While documents are being checked the page asks for the list alone again.
    polled = request.method == "GET" and request.headers.get("HX-Request") == "true"
    if request.method == "GET" and not polled:
        _opened(request, return_obj)  # once per visit, not once per refresh of the list
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        return_obj=return_obj,
        initial={"criterion": request.GET.get("criterion")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence = core.evidence_attach(
                organisation=return_obj.organisation,
                upload=form.cleaned_data["file"],
                criterion=form.cleaned_data["criterion"],
                return_obj=return_obj,
                actor=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{evidence.original_name} is uploaded.")
            return redirect("section11:return_evidence", pk=return_obj.pk)
    documents = list(return_documents(return_obj))
    return render(
        request,
        "section11/returns/_documents.html" if polled else "section11/returns/evidence.html",
        {
            "return": return_obj,
            "cycle": return_obj.cycle,
            "form": form,
            "documents": documents,
            "documents_pending": sum(d.scan_status == ScanStatus.PENDING for d in documents),
            "can_edit": can_edit_return(user, return_obj),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _section11_return(user, pk, write=True)
    evidence = return_obj.evidence.filter(pk=evidence_pk).first()
    if evidence is None:
        raise Http404("No such document.")
    core.evidence_remove(evidence=evidence, actor=user)
    messages.success(request, f"{evidence.original_name} is removed.")
    return redirect("section11:return_evidence", pk=return_obj.pk)


@login_required
@require_POST
def return_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _section11_return(user, pk, write=True)
    try:
        brought = services.return_carry_forward(return_obj=return_obj, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{brought} answers and your open actions were brought forward from last cycle. "
            "Check and update each one.",
        )
    return redirect("section11:return_overview", pk=return_obj.pk)


@login_required
@require_http_methods(["GET", "POST"])
def return_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Check before submitting: every blocker is listed at once, each linked to its place."""
    user = _user(request)
    return_obj = _section11_return(user, pk, write=True)
    if not can_submit_return(user, return_obj):
        raise PermissionDenied("Only the agency's lead can submit the return.")
    blockers = [
        (criterion, reason, _area_url(return_obj, criterion))
        for criterion, reason in core.return_submission_blockers(return_obj)
    ]
    documents_url = reverse("section11:return_evidence", args=[return_obj.pk])
    document_blockers = [
        (document, reason, documents_url)
        for document, reason in core.return_document_blockers(return_obj)
    ]
    if request.method == "POST" and not blockers and not document_blockers:
        core.return_submit(return_obj=return_obj, actor=user)
        messages.success(
            request,
            "Your return is submitted. The Business Unit will review it; you can print it "
            "from this page.",
        )
        return redirect("section11:return_overview", pk=return_obj.pk)
    return render(
        request,
        "section11/returns/submit.html",
        {
            "return": return_obj,
            "cycle": return_obj.cycle,
            "blockers": blockers,
            "document_blockers": document_blockers,
            "blocker_count": len(blockers) + len(document_blockers),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def equivalent_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return_obj = _section11_return(user, pk, write=True)
    if not can_submit_return(user, return_obj):
        raise PermissionDenied("Only the agency's lead can submit the return.")
    if return_obj.organisation.sector not in services.EQUIVALENT_SECTORS:
        raise Http404("Only health partners may submit an S-CAT or SAF.")
    form = EquivalentReturnForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.equivalent_return_submit(
                return_obj=return_obj,
                form=form.cleaned_data["form"],
                upload=form.cleaned_data["file"],
                actor=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your document is submitted for the Business Unit to accept.")
            return redirect("section11:return_overview", pk=return_obj.pk)
    return render(
        request,
        "section11/returns/equivalent.html",
        {"return": return_obj, "cycle": return_obj.cycle, "form": form},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("returns/<int:pk>/", return_overview, name="return_overview"),
    path("returns/<int:pk>/areas/<slug:code>/", return_area, name="return_area"),
    path(
        "returns/<int:pk>/criteria/<int:criterion_pk>/answer/",
        response_save,
        name="response_save",
    ),
    path("returns/<int:pk>/criteria/<int:criterion_pk>/actions/", action_add, name="action_add"),
    path("returns/<int:pk>/evidence/", return_evidence, name="return_evidence"),
    path(
        "returns/<int:pk>/evidence/<int:evidence_pk>/remove/",
        evidence_remove,
        name="evidence_remove",
    ),
    path("returns/<int:pk>/carry-forward/", return_carry_forward, name="return_carry_forward"),
    path("returns/<int:pk>/submit/", return_submit, name="return_submit"),
    path("returns/<int:pk>/equivalent/", equivalent_submit, name="equivalent_submit"),
]
