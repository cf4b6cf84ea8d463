"""What every service shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Model

    from ..models import User


def save(instance: Model, *, actor: User | None) -> None:
    """Validate and save, attributing the change in the history."""
    instance.full_clean()
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save()
