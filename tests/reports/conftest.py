"""A Section 11 cycle with returns in, and one Executive member per statutory partner."""

from __future__ import annotations

import pytest

from audits import services as core
from audits.models import AuditCycle, Criterion, Role, StatutoryPartner, User

from ..factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle


@pytest.fixture
def cycle(db: None) -> AuditCycle:
    agencies = AgencyFactory.create_batch(3)
    cycle = open_cycle(*agencies, framework=framework_with_criteria())
    criteria = list(Criterion.objects.filter(standard__framework=cycle.framework))
    for return_obj in cycle.returns.all()[:2]:
        lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=return_obj.organisation)
        for criterion in criteria:
            core.response_save(
                return_obj=return_obj,
                criterion=criterion,
                rating="green",
                narrative="In place",
                revision=0,
                actor=lead,
            )
        core.return_submit(return_obj=return_obj, actor=lead)
    return cycle


@pytest.fixture
def executives(executive: User) -> dict[str, User]:
    """The persona executive speaks for the local authority; two colleagues for the others."""
    executive.statutory_partner = StatutoryPartner.LOCAL_AUTHORITY
    executive.save()
    return {
        StatutoryPartner.LOCAL_AUTHORITY: executive,
        StatutoryPartner.POLICE: UserFactory(
            full_name="Drew Police",
            roles=[Role.EXECUTIVE],
            statutory_partner=StatutoryPartner.POLICE,
        ),
        StatutoryPartner.HEALTH: UserFactory(
            full_name="Quinn Health",
            roles=[Role.EXECUTIVE],
            statutory_partner=StatutoryPartner.HEALTH,
        ),
    }
