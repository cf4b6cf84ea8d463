"""Versioned frameworks of standards and criteria, and the rating scales."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from simple_history.models import HistoricalRecords


class FrameworkKind(models.TextChoices):
    SECTION_11 = "section11", "Section 11"
    SECTION_175 = "section175", "Section 175/157"
    MULTI_AGENCY = "multiagency", "Multi-agency case audit"


class RatingScale(models.TextChoices):
    RAG = "rag", "Red, Amber, Green (with N/A)"
    GRADE = "grade", "Outstanding to Inadequate"


class Rating(models.TextChoices):
    GREEN = "green", "Green: fully compliant"
    AMBER = "amber", "Amber: partially compliant"
    RED = "red", "Red: not compliant"
    NOT_APPLICABLE = "na", "N/A"
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


SCALE_RATINGS: dict[str, tuple[Rating, ...]] = {
    RatingScale.RAG: (Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE),
    RatingScale.GRADE: (
        Rating.OUTSTANDING,
        Rating.GOOD,
        Rating.REQUIRES_IMPROVEMENT,
        Rating.INADEQUATE,
    ),
}
# Each scale, weakest first. N/A has no place in either order: it says nothing
# about how well an organisation meets a standard.
_WEAKEST_FIRST = (
    (Rating.RED, Rating.AMBER, Rating.GREEN),
    (Rating.INADEQUATE, Rating.REQUIRES_IMPROVEMENT, Rating.GOOD, Rating.OUTSTANDING),
)
RATING_RANK: dict[str, int] = {
    rating.value: rank for order in _WEAKEST_FIRST for rank, rating in enumerate(order)
}


def weakest_rating(ratings: Iterable[str]) -> str:
    """The rating of an area: the lowest among its criteria's ratings.

    Red is below Amber and Amber below Green (Inadequate below Requires
    improvement, and so on). An area is only as strong as its weakest criterion:
    that is what a challenge panel tests and what the heat map shows. N/A and
    unanswered criteria are left out; with none rated the area has no rating ("").
    """
    return min((r for r in ratings if r in RATING_RANK), key=RATING_RANK.__getitem__, default="")


# Ratings that oblige the organisation to plan an action before submitting.
RATINGS_NEEDING_ACTION = frozenset({Rating.AMBER, Rating.RED})


class Framework(models.Model):
    """A versioned set of standards. Frozen once a cycle has used it."""

    kind = models.CharField(max_length=20, choices=FrameworkKind.choices)
    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField()
    rating_scale = models.CharField(max_length=10, choices=RatingScale.choices)
    introduction = models.TextField(blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="framework_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def ratings(self) -> tuple[Rating, ...]:
        return SCALE_RATINGS[self.rating_scale]


class Standard(models.Model):
    """An area of a framework. Its code stays the same across versions."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """One question within a standard, with the toolkit's guidance."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    evidence_hint = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["standard__position", "position", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"
