"""Frameworks, their standards and criteria; nothing changes once frozen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import (
    Criterion,
    Framework,
    Standard,
    User,
)

if TYPE_CHECKING:
    pass


from ._common import save as _save


def _ensure_editable(framework: Framework) -> None:
    if framework.is_frozen:
        raise ValidationError(
            "This framework version has been used by an audit cycle and cannot change. "
            "Create a new version instead."
        )


@transaction.atomic
def framework_create(
    *, kind: str, name: str, rating_scale: str, introduction: str = "", actor: User | None
) -> Framework:
    latest = Framework.objects.filter(kind=kind).order_by("-version").first()
    framework = Framework(
        kind=kind,
        name=name,
        version=(latest.version + 1) if latest else 1,
        rating_scale=rating_scale,
        introduction=introduction,
    )
    _save(framework, actor=actor)
    return framework


@transaction.atomic
def framework_update(*, framework: Framework, actor: User | None, **fields: str) -> Framework:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    _ensure_editable(framework)
    for name, value in fields.items():
        if name not in {"name", "introduction", "rating_scale"}:
            raise ValidationError(f"{name} cannot be changed.")
        setattr(framework, name, value)
    _save(framework, actor=actor)
    return framework


@transaction.atomic
def standard_create(
    *,
    framework: Framework,
    code: str,
    title: str,
    description: str = "",
    position: int = 0,
    actor: User | None,
) -> Standard:
    _ensure_editable(framework)
    standard = Standard(
        framework=framework, code=code, title=title, description=description, position=position
    )
    _save(standard, actor=actor)
    return standard


@transaction.atomic
def standard_update(*, standard: Standard, actor: User | None, **fields: Any) -> Standard:
    _ensure_editable(standard.framework)
    for name, value in fields.items():
        if name not in {"title", "description", "position"}:
            raise ValidationError(f"{name} cannot be changed.")
        setattr(standard, name, value)
    _save(standard, actor=actor)
    return standard


@transaction.atomic
def criterion_create(
    *,
    standard: Standard,
    code: str,
    text: str,
    guidance: str = "",
    evidence_hint: str = "",
    position: int = 0,
    actor: User | None,
) -> Criterion:
    _ensure_editable(standard.framework)
    criterion = Criterion(
        standard=standard,
        code=code,
        text=text,
        guidance=guidance,
        evidence_hint=evidence_hint,
        position=position,
    )
    _save(criterion, actor=actor)
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, actor: User | None, **fields: Any) -> Criterion:
    _ensure_editable(criterion.standard.framework)
    for name, value in fields.items():
        if name not in {"text", "guidance", "evidence_hint", "position"}:
            raise ValidationError(f"{name} cannot be changed.")
        setattr(criterion, name, value)
    _save(criterion, actor=actor)
    return criterion


@transaction.atomic
def framework_new_version(*, framework: Framework, actor: User | None) -> Framework:
    """Copy a framework into a new, editable version; standard codes stay the same."""
    copy = framework_create(
        kind=framework.kind,
        name=framework.name,
        rating_scale=framework.rating_scale,
        introduction=framework.introduction,
        actor=actor,
    )
    for standard in framework.standards.prefetch_related("criteria"):
        new_standard = standard_create(
            framework=copy,
            code=standard.code,
            title=standard.title,
            description=standard.description,
            position=standard.position,
            actor=actor,
        )
        for criterion in standard.criteria.all():
            criterion_create(
                standard=new_standard,
                code=criterion.code,
                text=criterion.text,
                guidance=criterion.guidance,
                evidence_hint=criterion.evidence_hint,
                position=criterion.position,
                actor=actor,
            )
    return copy
