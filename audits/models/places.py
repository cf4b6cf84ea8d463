"""The partnership's geography: local authorities, localities and districts."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models


class LocalAuthority(models.Model):
    name = models.CharField(max_length=100, unique=True)
    dfe_code = models.CharField(
        "DfE code",
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", "A DfE local authority code is three digits.")],
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    """A tactical-group footprint: North, Central or East."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    name = models.CharField(max_length=100, unique=True)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="districts")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="districts"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
