"""Demo accounts whose role needs two-factor sign-in get an authenticator, so that
someone trying the demo without a phone can sign in: `manage.py demo_code EMAIL`
prints the code the authenticator would show."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import User

from .services import AUTHENTICATOR_NAME, authenticator_for


def is_demo_address(email: str) -> bool:
    return email.strip().lower().endswith(f"@{settings.DEMO_EMAIL_DOMAIN}")


@transaction.atomic
def seed_demo() -> None:
    for user in User.objects.filter(email__iendswith=f"@{settings.DEMO_EMAIL_DOMAIN}"):
        if user.two_factor_required and authenticator_for(user) is None:
            TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)


def demo_code(device: TOTPDevice) -> tuple[str, int]:
    """The code to type now, and the seconds it has left. A code is accepted once; if
    this one was used, the next one (accepted a step early) is given instead."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    now = time.time()
    totp.time = now
    step = max(totp.t(), device.last_t + 1)
    totp.drift = step - totp.t()
    seconds_left = int(device.t0 + (step + 1) * device.step - now)
    return f"{totp.token():0{device.digits}d}", seconds_left
