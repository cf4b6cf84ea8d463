"""Agencies and schools."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ..models import (
    District,
    Organisation,
    OrganisationKind,
    User,
    statutory_section_for,
)

if TYPE_CHECKING:
    pass


from ._common import save as _save


@transaction.atomic
def agency_create(
    *,
    name: str,
    sector: str,
    localities: Iterable[Any] = (),
    local_authority: Any = None,
    actor: User | None = None,
) -> Organisation:
    agency = Organisation(
        name=name, kind=OrganisationKind.AGENCY, sector=sector, local_authority=local_authority
    )
    _save(agency, actor=actor)
    agency.localities.set(list(localities))
    return agency


@transaction.atomic
def school_create(
    *,
    name: str,
    urn: int,
    establishment_number: int,
    establishment_type: str,
    phase: str,
    district: District,
    trust_name: str = "",
    actor: User | None = None,
) -> Organisation:
    """Record a school as GIAS describes it; its DfE number joins LA code and number."""
    authority = district.local_authority
    school = Organisation(
        name=name,
        kind=OrganisationKind.SCHOOL,
        urn=urn,
        dfe_number=f"{authority.dfe_code}/{establishment_number:04d}",
        establishment_type=establishment_type,
        phase=phase,
        district=district,
        local_authority=authority,
        trust_name=trust_name,
        statutory_section=statutory_section_for(establishment_type),
    )
    _save(school, actor=actor)
    return school
