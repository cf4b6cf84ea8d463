"""The access log: who opened or downloaded a restricted record."""

from __future__ import annotations

import ipaddress
from typing import cast

from axes.helpers import get_client_ip_address
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpRequest

from ..models import AccessKind, AccessRecord, Organisation, User


def access_record_add(
    *,
    request: HttpRequest,
    target: Model,
    kind: AccessKind,
    organisation: Organisation | None,
) -> AccessRecord:
    """Record that the signed-in person was just served ``target``.

    Called by the view that served it, after its access check passed, so that
    only what someone really received is logged. One INSERT and no validation
    queries: every value comes from the server, and this runs on every page view
    of a return. The client address is worked out as the sign-in throttling works
    it out (django-axes), so both logs name the same place.
    """
    return AccessRecord.objects.create(
        user=cast(User, request.user),
        kind=kind,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        description=str(target)[:255],
        organisation=organisation,
        path=request.path[:255],
        client_address=_address(request),
    )


def _address(request: HttpRequest) -> str | None:
    # The column is PostgreSQL's inet: something that is not an address (a proxy
    # misconfigured) is left out rather than refused, so the page is still served.
    address = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
