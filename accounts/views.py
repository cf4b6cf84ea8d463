"""Two-factor sign-in and "Your account": pages about the signed-in person's own account."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.models import Device

from audits.forms import add_service_errors
from audits.models import Organisation, User

from . import selectors, services
from .forms import (
    CodeForm,
    EmailChangeForm,
    PasswordConfirmForm,
    PortalPasswordChangeForm,
    RecoveryCodeForm,
    SetUpForm,
)

# New recovery codes wait here between being made and being shown, once.
FRESH_CODES = "accounts.fresh_recovery_codes"


def _user(request: HttpRequest) -> User:
    # Every caller is behind login_required, so this is always a real account.
    return cast(User, request.user)


def _verified(request: HttpRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[union-attr]


def _next_url(request: HttpRequest) -> str:
    """Where to go after this step: the page the person asked for, if it is ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("audits:home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _signed_in_with(request: HttpRequest, device: Device) -> None:
    """Mark the session as past two-factor sign-in, under a new key: a session id
    seen before the second factor is not the one that carries its trust."""
    django_otp.login(request, device)
    request.session.cycle_key()


# Signing in -----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for anyone with an authenticator app."""
    user = _user(request)
    next_url = _next_url(request)
    if _verified(request):
        return redirect(next_url)
    if services.authenticator_for(user) is None:
        if user.two_factor_required:
            return redirect(_with_next("accounts:otp_setup", next_url))
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _signed_in_with(request, device)
            return redirect(next_url)
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_recover(request: HttpRequest) -> HttpResponse:
    """Signing in with a recovery code, for someone without their phone."""
    user = _user(request)
    next_url = _next_url(request)
    if _verified(request):
        return redirect(next_url)
    if services.authenticator_for(user) is None:
        return redirect(_with_next("accounts:otp_verify", next_url))
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.recovery_code_use(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _signed_in_with(request, device)
            left = services.recovery_codes_left(user)
            messages.warning(
                request,
                f"You signed in with a recovery code. You have {left} left. "
                "If your phone is lost, set up two-factor sign-in on a new one "
                "from Your account, or make new recovery codes there.",
            )
            return redirect(next_url)
    return render(
        request,
        "accounts/otp_recover.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: at first sign-in for the roles that need it, from
    Your account for everyone else, and to move to a new phone."""
    user = _user(request)
    next_url = _next_url(request)
    replacing = services.authenticator_for(user) is not None
    if replacing and not _verified(request):
        # Only the second factor itself may replace the second factor.
        return redirect(_with_next("accounts:otp_verify", next_url))
    device = services.authenticator_start(user=user)
    form = SetUpForm(request.POST or None, user=user, ask_password=replacing)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.authenticator_confirm(device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _signed_in_with(request, device)
            request.session[FRESH_CODES] = codes
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_with_next("accounts:recovery_codes", next_url))
    set_up = selectors.authenticator_set_up(device)
    # segno's SVG of our own key URI: paths and presentation attributes only.
    qr_svg = mark_safe(set_up.qr_svg)  # noqa: S308  # nosec B308 B703
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "next": next_url,
            "replacing": replacing,
            "qr_svg": qr_svg,
            "key_groups": set_up.key_groups,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; and making new ones, with the password."""
    user = _user(request)
    if services.authenticator_for(user) is None:
        messages.info(request, "Recovery codes come with two-factor sign-in: set that up first.")
        return redirect("accounts:account")
    form = PasswordConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        request.session[FRESH_CODES] = services.recovery_codes_replace(user=user)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(FRESH_CODES, None) if request.method == "GET" else None
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "left": services.recovery_codes_left(user),
            "form": form,
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_turn_off(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.two_factor_required:
        raise PermissionDenied("Your role needs two-factor sign-in, so it cannot be turned off.")
    if services.authenticator_for(user) is None:
        messages.info(request, "Two-factor sign-in is already off.")
        return redirect("accounts:account")
    form = PasswordConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_turn_off(user=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Two-factor sign-in is off. You sign in with your password.")
            return redirect("accounts:account")
    return render(
        request, "accounts/otp_turn_off.html", {"form": form}, status=400 if form.errors else 200
    )


# Your account ----------------------------------------------------------------------


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    authenticator = services.authenticator_for(user)
    return render(
        request,
        "accounts/account.html",
        {
            "organisations": Organisation.objects.filter(memberships__user=user).order_by("name"),
            "roles": sorted(str(role.label) for role in user.roles),
            "authenticator": authenticator,
            "recovery_codes_left": services.recovery_codes_left(user) if authenticator else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        old = user.email
        try:
            services.user_email_change(user=user, email=form.cleaned_data["email"])
        except ValidationError as error:
            user.email = old
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Your email address is now {user.email}. Sign in with it from now on. "
                f"We have sent a note of the change to {old}.",
            )
            return redirect("accounts:account")
    return render(
        request, "accounts/email_change.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PortalPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ended = services.user_password_change(
            user=user,
            password=form.cleaned_data["new_password1"],
            keep_session=request.session.session_key,
        )
        # This session goes on (under a new key); the others ended above.
        update_session_auth_hash(request, user)
        elsewhere = (
            f" You were signed in elsewhere {ended} time{'s' if ended != 1 else ''}: "
            "those sessions have ended."
            if ended
            else ""
        )
        messages.success(request, f"Your password is changed.{elsewhere}")
        return redirect("accounts:account")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
