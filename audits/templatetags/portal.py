"""Small presentation helpers shared by the portal's templates."""

from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def days_from(day: datetime.date | None, today: datetime.date) -> int | None:
    """Whole days from ``today`` until ``day``; negative once ``day`` has passed."""
    if day is None:
        return None
    return (day - today).days


@register.simple_tag
def deadline_words(day: datetime.date, today: datetime.date) -> str:
    """'12 days left', 'Due today' or '3 days overdue', as the tracker shows it."""
    days = (day - today).days
    if days == 0:
        return "Due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


@register.filter
def role_label(group_name: str) -> str:
    """A role's name as people read it ("Business Unit officer"), from its group's name."""
    from audits.models import Role

    return str(Role(group_name).label) if group_name in Role.values else group_name
