"""The demo partnership loads once, whatever the number of runs, with a login per role."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from audits.models import Organisation, OrganisationKind, Role, User

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "agencies": Organisation.objects.filter(kind=OrganisationKind.AGENCY).count(),
        "schools": Organisation.objects.filter(kind=OrganisationKind.SCHOOL).count(),
        "users": User.objects.count(),
    }


def test_seed_demo_is_idempotent_covers_every_role_and_every_audit_function(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    assert first["agencies"] == 31
    assert 600 <= first["schools"] <= 700
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role
    schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL)
    assert not schools.filter(district__name="Blackburn with Darwen").exists()
    assert schools.filter(local_authority__dfe_code="890").count() >= 40
    assert set(schools.values_list("statutory_section", flat=True)) == {"175", "157"}
    assert (
        schools.filter(dfe_number__startswith="890/").count()
        == schools.filter(district__name="Blackpool").count()
    )

    # Seeding runs once for the whole demo (it is slow), so Section 11 is checked here too.
    assert_section_11_has_a_closed_2022_cycle_and_a_current_one()

    printed = capsys.readouterr().out
    assert "agency.lead@demo.csap.example" in printed
    assert "csap-demo-password" in printed


def assert_section_11_has_a_closed_2022_cycle_and_a_current_one() -> None:
    from audits.models import AuditCycle, ReturnStatus
    from section11.models import ChallengeEvent

    closed = AuditCycle.objects.get(name="Section 11 audit 2022")
    assert closed.returns.count() == 31
    assert set(closed.returns.values_list("status", flat=True)) == {ReturnStatus.ACCEPTED}
    assert set(closed.returns.values_list("responses__rating", flat=True)) >= {
        "green",
        "amber",
        "red",
    }
    assert ChallengeEvent.objects.filter(return_obj__cycle=closed).count() == 2
    current = AuditCycle.objects.get(name="Section 11 audit 2026-27")
    assert current.is_open()
    assert current.framework.version == closed.framework.version + 1
    states = set(current.returns.values_list("status", flat=True))
    assert states >= {
        ReturnStatus.NOT_STARTED,
        ReturnStatus.IN_PROGRESS,
        ReturnStatus.SUBMITTED,
        ReturnStatus.ACCEPTED,
        ReturnStatus.RETURNED,
    }
    demo_lead_return = current.returns.get(organisation__name="Red Rose Constabulary")
    assert demo_lead_return.status == ReturnStatus.IN_PROGRESS


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
