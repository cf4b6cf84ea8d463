from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from .models import Role, User


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def navigation(request: HttpRequest) -> dict[str, object]:
    """The navigation shows only what the signed-in person's role may use."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"nav_items": [], "user_roles": frozenset()}
    entries = [("Home", "audits:home", True)]
    entries.append(("Invitations", "audits:invitation_list", user.has_role(Role.BUSINESS_UNIT)))
    entries.append(("Admin site", "admin:index", user.is_staff))
    path = request.path
    items = []
    for label, name, allowed in entries:
        if not allowed:
            continue
        url = reverse(name)
        current = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label, url, current))
    return {"nav_items": items, "user_roles": frozenset(role.name for role in user.roles)}
