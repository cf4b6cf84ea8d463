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


def test_seed_demo_is_idempotent_and_covers_every_role(settings, capsys):
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

    printed = capsys.readouterr().out
    assert "agency.lead@demo.csap.example" in printed
    assert "csap-demo-password" in printed


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
