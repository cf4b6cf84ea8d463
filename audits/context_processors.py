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
    if getattr(request, "two_factor_pending", False):
        # Signed in with a password, not yet with the code: nothing to navigate to.
        return {"nav_items": [], "user_roles": frozenset(), "two_factor_pending": True}
    business_unit = user.has_role(Role.BUSINESS_UNIT)
    authors = user.has_role(Role.AGENCY_LEAD, Role.AGENCY_CONTRIBUTOR, Role.SCHOOL_LEAD)
    entries = [
        ("Home", "audits:home", True),
        ("Section 11", "section11:cycle_list", user.is_oversight),
        ("Action plan", "audits:action_list", authors),
        ("Open actions", "audits:action_list", user.is_oversight),
        ("Reports", "reports:report_list", user.is_oversight),
        ("Frameworks", "section11:framework_list", business_unit),
        ("Invitations", "audits:invitation_list", business_unit),
        ("People", "accounts:person_list", user.is_oversight),
        ("Admin site", "admin:index", user.is_staff),
    ]
    path = request.path
    items = []
    for label, name, allowed in entries:
        if not allowed:
            continue
        url = reverse(name)
        current = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label, url, current))
    account_url = reverse("accounts:account")
    return {
        "nav_items": items,
        "account_item": NavItem("Your account", account_url, path.startswith(account_url)),
        "user_roles": frozenset(role.name for role in user.roles),
    }
