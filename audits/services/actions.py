"""Action plans."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    Criterion,
    Organisation,
    Return,
    User,
)

if TYPE_CHECKING:
    pass


from ._common import save as _save


@transaction.atomic
def action_create(
    *,
    organisation: Organisation,
    description: str,
    owner: str,
    due_date: datetime.date,
    source_return: Return | None = None,
    criterion: Criterion | None = None,
    actor: User,
) -> ActionItem:
    action = ActionItem(
        organisation=organisation,
        source_return=source_return,
        criterion=criterion,
        description=description,
        owner=owner,
        due_date=due_date,
    )
    _save(action, actor=actor)
    return action


@transaction.atomic
def action_record_progress(
    *, action: ActionItem, note: str, status: str, actor: User
) -> ActionItem:
    """Add a progress note and move the action on; completion is time-stamped."""
    if not note.strip():
        raise ValidationError({"note": "Describe the progress made."})
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    action.status = status
    action.completed_at = timezone.now() if status == ActionStatus.COMPLETED else None
    _save(action, actor=actor)
    update = ActionUpdate(action=action, note=note, author=actor)
    update.full_clean()
    update.save()
    return action
