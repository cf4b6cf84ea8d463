"""Access to Section 11 cycles and challenge events. Returns use audits.access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from audits.models import AuditCycle, FrameworkKind, Role, User


def section11_cycles() -> QuerySet[AuditCycle]:
    return AuditCycle.objects.filter(framework__kind=FrameworkKind.SECTION_11)


def get_cycle_for_user(user: User, pk: int, *, manage: bool = False) -> AuditCycle:
    """A Section 11 cycle's partnership-wide pages are for the oversight roles.

    Everyone else gets 404. With ``manage``, Executive members and the Scrutineer
    (who may read but not change) get 403.
    """
    cycle = (
        section11_cycles().select_related("framework").filter(pk=pk).first()
        if user.is_authenticated and user.is_active and user.is_oversight
        else None
    )
    if cycle is None:
        raise Http404("No such cycle.")
    if manage and not user.has_role(Role.BUSINESS_UNIT):
        raise PermissionDenied("Only the Business Unit can change a cycle.")
    return cycle
