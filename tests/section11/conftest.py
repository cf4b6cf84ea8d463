"""A Section 11 cycle with the persona agency's return and a second agency's."""

from __future__ import annotations

import pytest

from audits.models import Framework, Organisation, Return

from ..factories import framework_with_criteria, open_cycle


@pytest.fixture
def framework(db: None) -> Framework:
    return framework_with_criteria(standards=3, criteria_per_standard=2)


@pytest.fixture
def own_return(agency: Organisation, other_agency: Organisation, framework: Framework) -> Return:
    cycle = open_cycle(agency, other_agency, framework=framework)
    return cycle.returns.get(organisation=agency)


@pytest.fixture
def other_return(own_return: Return, other_agency: Organisation) -> Return:
    return own_return.cycle.returns.get(organisation=other_agency)
