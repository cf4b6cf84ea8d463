"""Section 11's records that belong to a return, deleted with it by the retention schedule."""

from __future__ import annotations

from django.db.models import QuerySet

from audits.models import Return

from .models import ChallengeEvent, EquivalentReturn


def challenge_events_of(returns: QuerySet[Return]) -> QuerySet[ChallengeEvent]:
    """A challenge event tests one return; its panel, findings and recommendations go too."""
    return ChallengeEvent.objects.filter(return_obj__in=returns)


def equivalents_of(returns: QuerySet[Return]) -> QuerySet[EquivalentReturn]:
    """The S-CAT or SAF offered in place of a return; its document goes with the return."""
    return EquivalentReturn.objects.filter(return_obj__in=returns)
