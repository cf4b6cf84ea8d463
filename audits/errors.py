"""The pages for requests the portal cannot take: too large, or not readable.

Each says what went wrong in plain words and that going back to the form keeps
what was typed. The autosave script asks for JSON and gets the same message in
the shape it shows beside the answer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format

from .evidence import MAX_EVIDENCE_BYTES

MEGABYTE = 1024 * 1024


def largest_request_bytes() -> int:
    """The largest body the portal can accept: one document at the evidence limit, and
    the form's other fields, which Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE."""
    return MAX_EVIDENCE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _wants_json(request: HttpRequest) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _refused(
    request: HttpRequest, template: str, status: int, reason: str, advice: str
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"status": "invalid", "errors": {"__all__": [f"{reason} {advice}"]}}, status=status
        )
    return render(request, template, {"reason": reason, "advice": advice}, status=status)


def request_too_large(request: HttpRequest, *, size: int) -> HttpResponse:
    """A body larger than any the portal accepts, refused before it is read."""
    limit = MAX_EVIDENCE_BYTES // MEGABYTE
    return _refused(
        request,
        "413.html",
        413,
        f"The portal accepts documents of up to {limit} MB, and what your browser sent "
        f"was {filesizeformat(size)}.",
        "Choose a smaller file: a large document often becomes much smaller saved as a PDF, "
        "or it can be uploaded in parts.",
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 handler. Too much form data, too many fields or files are told apart
    from a request the portal could not read at all."""
    if isinstance(exception, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        reason = f"The text in the form is longer than the portal accepts ({limit} in all)."
        advice = "Shorten the longest answer, or upload long text as a document instead."
    elif isinstance(exception, TooManyFieldsSent):
        limit = number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)
        reason = f"The form sent more than {limit} fields, more than any form of the portal has."
        advice = "Open the form again from its page and send it once more."
    elif isinstance(exception, TooManyFilesSent):
        limit = number_format(settings.DATA_UPLOAD_MAX_NUMBER_FILES, force_grouping=True)
        reason = f"The form sent more than {limit} files at once."
        advice = "Upload the documents one at a time."
    else:
        return _refused(
            request,
            "400.html",
            400,
            "The portal could not read what your browser sent.",
            "Go back to the form and send it again.",
        )
    return _refused(request, "413.html", 413, reason, advice)
