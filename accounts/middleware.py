"""Two-factor sign-in is enforced here, for every page at once.

A session that has passed the password but not the code may open only the pages
named in OPEN_BEFORE_TWO_FACTOR; anything else, including the Django admin and
every page added later, sends it to the code page (or, for someone whose role
needs two-factor sign-in and who has not set it up, to set-up). Static files
never get here: WhiteNoise serves them before this middleware runs.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

# Named URL patterns, not paths: a new page is closed until it is added here.
OPEN_BEFORE_TWO_FACTOR = frozenset(
    {
        "logout",
        "accounts:otp_verify",
        "accounts:otp_recover",
        "accounts:otp_setup",
        "audits:healthz",
        "reports:public_list",
        "reports:public_download",
    }
)


def two_factor_step(user: object) -> str | None:
    """What a signed-in but unverified person must do first: "verify" (they have an
    authenticator), "setup" (their role needs one), or None (nothing: they sign in
    with a password alone)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "verify"
    if getattr(user, "two_factor_required", False):
        return "setup"
    return None


class TwoFactorMiddleware:
    """Runs after django-otp's OTPMiddleware, which says whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
            return None
        step = two_factor_step(user)
        if step is None:
            return None
        # The pages that stay open show no navigation to the pages that do not.
        request.two_factor_pending = True  # type: ignore[attr-defined]
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_TWO_FACTOR:
            return None
        page = "accounts:otp_verify" if step == "verify" else "accounts:otp_setup"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
