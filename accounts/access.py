"""Who may see and manage people's accounts.

The Business Unit manages accounts; Executive members and the Independent
Scrutineer may read the people pages (403 on any change); everyone else is told
there is no such page (404). Anyone signed in manages their own account.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from audits.models import Role, User


def people_visible_to(user: User) -> QuerySet[User]:
    if not (user.is_authenticated and user.is_oversight):
        raise Http404
    return User.objects.all()


def can_manage_people(user: User) -> bool:
    return user.has_role(Role.BUSINESS_UNIT)


def get_person_for_user(user: User, pk: int, *, manage: bool = False) -> User:
    """The person's account, if this user may see it; with ``manage``, only if they
    may change it."""
    person = people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    if manage and not can_manage_people(user):
        raise PermissionDenied("Only the Business Unit can change people's accounts.")
    return person
