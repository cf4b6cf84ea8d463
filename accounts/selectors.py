"""Reads about people and their accounts. Each runs a fixed number of queries."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice


@dataclass(frozen=True)
class AuthenticatorSetUp:
    """What an authenticator app needs: the QR code, and the same key to type."""

    qr_svg: str  # an inline SVG: markup only, nothing the Content Security Policy blocks
    key_groups: list[str]


def authenticator_set_up(device: TOTPDevice) -> AuthenticatorSetUp:
    qr = segno.make(device.config_url, error="m")
    key = b32encode(device.bin_key).decode()
    return AuthenticatorSetUp(
        qr_svg=qr.svg_inline(scale=5, dark="#000", light="#fff", omitsize=False),
        key_groups=[key[i : i + 4] for i in range(0, len(key), 4)],
    )
