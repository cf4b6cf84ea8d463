"""Every write about an account: two-factor sign-in, email and password, leavers.

Devices are django-otp's: a TOTP device (the authenticator app) and a static
device holding the ten single-use recovery codes. Each wrong code is counted on
the device it was tried against, and django-otp makes the next try wait (1, 2,
4, 8... seconds); the messages here say how long.
"""

from __future__ import annotations

import datetime
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from audits.models import Invitation, User
from audits.queueing import queue_on_commit
from audits.services._common import save

from .models import AccountSession

logger = logging.getLogger(__name__)

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"

WRONG_CODE = (
    "That code is not right. Type the 6 digits your authenticator app shows now: "
    "they change every 30 seconds."
)
WRONG_RECOVERY_CODE = (
    "That recovery code is not right, or it has been used already: each code works once."
)


# Sessions ----------------------------------------------------------------------


def sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every session of this account (but ``keep``, the one in use). Returns how many."""
    sessions = AccountSession.objects.filter(account_id=user.pk)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    deleted, _ = sessions.delete()
    return deleted


def _record(user: User, *, actor: User | None, event: str) -> None:
    """Save the account with a line in its history saying what happened."""
    user._change_reason = event  # type: ignore[attr-defined]
    save(user, actor=actor)


# Two-factor sign-in -------------------------------------------------------------


def _wait_message(detail: dict[str, object]) -> str:
    locked_until = detail.get("locked_until")
    seconds = 1
    if isinstance(locked_until, datetime.datetime):
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    wait = (
        f"{seconds} second{'s' if seconds != 1 else ''}"
        if seconds < 120
        else f"{math.ceil(seconds / 60)} minutes"
    )
    return f"Too many wrong codes in a row. For your security, wait {wait}, then try again."


def _check_code(device: Device, code: str, *, wrong: str) -> None:
    """Check a code against one device, with django-otp's throttling.

    The device is locked while it is checked, so that two tries at once cannot both
    pass, and a wrong try is committed even though the caller then refuses: the
    count of failures is what makes the next try wait.
    """
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, detail = locked.verify_is_allowed()
        verified = allowed and locked.verify_token(code)
    if not allowed:
        if detail and detail.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            raise ValidationError(_wait_message(detail), code="throttled")
        raise ValidationError("Codes cannot be checked just now. Try again soon.", code="refused")
    if not verified:
        logger.warning("Wrong two-factor code for account %s (%s)", device.user_id, device.name)
        raise ValidationError(wrong, code="wrong")
    logger.info("Two-factor code accepted for account %s (%s)", device.user_id, device.name)


def authenticator_for(user: User) -> TOTPDevice | None:
    """The confirmed authenticator app this person signs in with, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def two_factor_verify(*, user: User, code: str) -> TOTPDevice:
    """The second step of signing in: the code from the authenticator app."""
    device = authenticator_for(user)
    if device is None:
        raise ValidationError("Two-factor sign-in is not set up for this account.")
    _check_code(device, code, wrong=WRONG_CODE)
    return device


def recovery_code_use(*, user: User, code: str) -> StaticDevice:
    """Sign in with a recovery code instead; the code is used up."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationError(WRONG_RECOVERY_CODE, code="wrong")
    _check_code(device, code, wrong=WRONG_RECOVERY_CODE)
    return device


@transaction.atomic
def authenticator_start(*, user: User) -> TOTPDevice:
    """The new authenticator the set-up page shows: the same key on every visit
    until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        save(device, actor=user)
    return device


def authenticator_confirm(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a new authenticator with its first code. It replaces any earlier one
    (a new phone), and ten new recovery codes replace any earlier ones: they are
    returned, to be shown once."""
    if device.confirmed:
        raise ValidationError("This authenticator is already set up.")
    _check_code(device, code, wrong=WRONG_CODE)
    with transaction.atomic():
        user = device.user
        replacing = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        save(device, actor=user)
        codes = recovery_codes_replace(user=user)
        _record(
            user,
            actor=user,
            event="Two-factor sign-in moved to a new phone"
            if replacing
            else "Two-factor sign-in set up",
        )
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; any earlier ones stop working."""
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice(user=user, name=RECOVERY_CODES_NAME)
    device.throttle_reset(commit=False)
    save(device, actor=user)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _devices_remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_turn_off(*, user: User) -> None:
    """For people whose role does not need it, who chose it and no longer want it."""
    if user.two_factor_required:
        raise ValidationError("Your role needs two-factor sign-in, so it cannot be turned off.")
    _devices_remove(user)
    _record(user, actor=user, event="Two-factor sign-in turned off")


@transaction.atomic
def two_factor_reset(*, user: User, actor: User) -> int:
    """The Business Unit's answer to a lost phone: the person's authenticator and
    recovery codes are removed and their sessions end, so that whoever has the
    phone or a signed-in browser cannot use them. Those who need two-factor sign-in
    set it up again when they next sign in. Returns the number of sessions ended."""
    if user.pk == actor.pk:
        raise ValidationError(
            "To move your own two-factor sign-in to a new phone, use Your account."
        )
    _devices_remove(user)
    _record(user, actor=actor, event="Two-factor sign-in reset")
    return sessions_end(user=user)


# Email and password ---------------------------------------------------------------


def _notify(user: User, *, kind: str, to: str) -> None:
    from .tasks import send_account_notice

    queue_on_commit(send_account_notice, user.pk, kind, to)


def account_notice_send(*, user: User, kind: str, to: str) -> None:
    """Tell the person that their account changed. Called by the worker."""
    context = {"user": user, "site_url": settings.SITE_URL, "when": timezone.localtime()}
    subject = render_to_string(f"emails/account_{kind}_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/account_{kind}_body.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"emails/account_{kind}_body.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def user_email_change(*, user: User, email: str) -> None:
    """Change the address someone signs in with, and tell the old address, so that
    the owner hears of a change they did not make."""
    email = User.objects.normalize_email(email).strip().lower()
    if email == user.email.lower():
        raise ValidationError({"email": "This is already your email address."})
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Someone else's account uses this email address."})
    old = user.email
    user.email = email
    _record(user, actor=user, event="Email address changed")
    _notify(user, kind="email_changed", to=old)


@transaction.atomic
def user_password_change(*, user: User, password: str, keep_session: str | None) -> int:
    """Set a new password and end every other session of the account (the one in use,
    ``keep_session``, goes on). Returns the number of sessions ended."""
    user.set_password(password)
    _record(user, actor=user, event="Password changed")
    _notify(user, kind="password_changed", to=user.email)
    return sessions_end(user=user, keep=keep_session)


# Leavers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Disabled:
    """What disabling an account took away, to tell the officer who did it."""

    sessions: int
    invitations: int
    grants: int


@transaction.atomic
def user_disable(*, user: User, reason: str, actor: User) -> Disabled:
    """A leaver, in one step: the account can no longer sign in, every session it
    has ends now, the invitations it sent that nobody has used yet are withdrawn,
    and what it was given one object at a time (a return as a challenge peer, say)
    is taken away. Roles and memberships stay, so that enabling it again restores
    them; a disabled account holds no role meanwhile (User.roles)."""
    reason = reason.strip()
    if user.pk == actor.pk:
        raise ValidationError("You cannot disable your own account. Ask a colleague.")
    if not user.is_active:
        raise ValidationError("This account is already disabled.")
    if not reason:
        raise ValidationError({"reason": "Say why the account is disabled, for the record."})
    user.is_active = False
    user.disabled_reason = reason
    _record(user, actor=actor, event="Disabled")
    now = timezone.now()
    invitations = 0
    pending = Invitation.objects.select_for_update().filter(
        Q(invited_by=user) | Q(email__iexact=user.email),
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=now,
    )
    for invitation in pending:
        invitation.revoked_at = now
        save(invitation, actor=actor)
        invitations += 1
    grants, _ = UserObjectPermission.objects.filter(user=user).delete()
    sessions = sessions_end(user=user)
    logger.info("Account %s disabled by %s", user.pk, actor.pk)
    return Disabled(sessions=sessions, invitations=invitations, grants=grants)


@transaction.atomic
def user_enable(*, user: User, actor: User) -> None:
    """Let a disabled account sign in again, with the roles it had. What it was given
    one object at a time is not given back: that has to be granted again."""
    if user.is_active:
        raise ValidationError("This account is not disabled.")
    user.is_active = True
    user.disabled_reason = ""
    _record(user, actor=actor, event="Enabled again")
    logger.info("Account %s enabled again by %s", user.pk, actor.pk)
