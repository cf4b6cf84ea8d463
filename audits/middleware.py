"""Sessions end after 30 idle minutes and after twelve hours in all; a request
larger than any the portal accepts is refused before its body is read."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .errors import largest_request_bytes, request_too_large

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def session_clock_start(
    sender: object, request: HttpRequest, user: object, **kwargs: object
) -> None:
    """On sign-in (connected to user_logged_in): start both clocks in the new session."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


class SessionLifetimeMiddleware:
    """Signs people out once their session is older than SESSION_ABSOLUTE_AGE, and
    renews an active session's idle expiry (SESSION_COOKIE_AGE).

    Renewing means saving the session, so it happens at most once a minute rather
    than on every request: an idle limit of 30 minutes needs no finer clock.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = request.session.get(SIGNED_IN_AT) if request.user.is_authenticated else None
        if started is not None and time.time() - started > settings.SESSION_ABSOLUTE_AGE:
            logout(request)
            messages.info(request, "For your security you have been signed out. Sign in again.")
            return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
        response = self.get_response(request)
        if request.user.is_authenticated:
            now = time.time()
            # Sessions from before the clock existed start it now.
            if SIGNED_IN_AT not in request.session:
                request.session[SIGNED_IN_AT] = now
            if now - request.session.get(SEEN_AT, 0) > settings.SESSION_RENEW_AFTER_SECONDS:
                request.session[SEEN_AT] = now  # saving the session renews its expiry
        return response


class RequestSizeMiddleware:
    """Refuses, with a page that says why, a request whose Content-Length is larger
    than the largest the portal accepts (a document at the evidence limit and the
    form around it). It answers before anything reads the body, so a mistaken
    upload of a huge file is neither read nor stored in a temporary file.

    Smaller excesses (too much text, too many fields) are Django's own limits,
    refused by the 400 handler in ``audits.errors``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads an unreadable length as no body at all.
        if size > largest_request_bytes():
            return request_too_large(request, size=size)
        return self.get_response(request)
