"""Virus scanning of uploaded evidence by a ClamAV daemon (clamd).

Scanning is on when ``CLAMD_SOCKET`` (a Unix socket) or ``CLAMD_HOST`` (with
``CLAMD_PORT``) is set. The file is streamed to clamd with INSTREAM, so clamd
needs no access to the evidence store; its ``StreamMaxLength`` must be at least
the portal's upload limit (clamd's default, 25 MB, is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from clamav_client import clamd
from django.conf import settings


class ScannerUnavailable(Exception):
    """clamd could not give a verdict: unreachable, too busy, or refused the stream.
    Worth trying again later; the file stays unavailable meanwhile."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def scanning_enabled() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _client() -> clamd.ClamdNetworkSocket:
    if settings.CLAMD_SOCKET:
        return clamd.ClamdUnixSocket(path=settings.CLAMD_SOCKET, timeout=settings.CLAMD_TIMEOUT)
    return clamd.ClamdNetworkSocket(
        host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=settings.CLAMD_TIMEOUT
    )


def scan_stream(stream: IO[bytes]) -> Verdict:
    """Stream a file to clamd and return what it found."""
    try:
        result = _client().instream(stream)
    except clamd.BufferTooLongError as error:
        raise ScannerUnavailable(
            "clamd refused the file as too long: raise its StreamMaxLength above 20M."
        ) from error
    except (clamd.ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error) or type(error).__name__) from error
    status, signature = result.get("stream", ("ERROR", "no answer"))
    if status == "FOUND":
        return Verdict(infected=True, signature=signature or "unnamed signature")
    if status == "OK":
        return Verdict(infected=False)
    raise ScannerUnavailable(f"clamd could not scan the file: {signature}")
