"""The demo partnership loads once, whatever the number of runs, with a login per role."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import Organisation, OrganisationKind, Role, User

from .factories import PASSWORD, UserFactory, authenticator

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

    # The logins whose role needs two-factor sign-in have an authenticator, whose code
    # `make demo-code` prints for someone trying the demo without a phone.
    with_code = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__email", flat=True))
    assert {
        "business.unit@demo.csap.example",
        "executive.la@demo.csap.example",
        "executive.police@demo.csap.example",
        "executive.health@demo.csap.example",
        "scrutineer@demo.csap.example",
        "admin@demo.csap.example",
    } <= with_code
    assert "agency.lead@demo.csap.example" not in with_code
    assert TOTPDevice.objects.count() == len(with_code)  # the second run added none

    printed = capsys.readouterr().out
    assert "agency.lead@demo.csap.example" in printed
    assert "csap-demo-password" in printed
    assert "* Business Unit officer" in printed
    assert "  Agency lead" in printed
    assert "make demo-code EMAIL=<address>" in printed


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


def test_demo_code_prints_the_code_that_signs_a_demo_account_in(settings, capsys):
    settings.DEBUG = True
    officer = UserFactory(email="officer@demo.csap.example", roles=[Role.BUSINESS_UNIT])
    authenticator(officer)
    call_command("demo_code", "Officer@demo.csap.example")
    printed = capsys.readouterr().out
    code = re.search(r"The code for officer@demo.csap.example is (\d{6})\.", printed).group(1)
    assert "each code works once" in printed

    client = Client()
    client.post(reverse("login"), {"username": officer.email, "password": PASSWORD})
    response = client.post(reverse("accounts:otp_verify"), {"code": code})
    assert response["Location"] == reverse("audits:home")

    # Used once, it is not printed again: the next code is.
    call_command("demo_code", officer.email)
    assert code not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("email", "refusal"),
    [
        ("riley@test.csap.example", "demo accounts only"),
        ("someone@demo.csap.example.evil.example", "demo accounts only"),
        ("nobody@demo.csap.example", "No active demo account"),
        ("lead@demo.csap.example", "signs in without a code"),
    ],
)
def test_demo_code_refuses_anything_but_a_demo_account_with_a_code(settings, email, refusal):
    from django.core.management.base import CommandError

    settings.DEBUG = True
    authenticator(UserFactory(email="riley@test.csap.example", roles=[Role.BUSINESS_UNIT]))
    UserFactory(email="lead@demo.csap.example", roles=[Role.AGENCY_LEAD])
    with pytest.raises(CommandError, match=refusal):
        call_command("demo_code", email)


def test_demo_code_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    authenticator(UserFactory(email="officer@demo.csap.example", roles=[Role.BUSINESS_UNIT]))
    with pytest.raises(CommandError, match="only runs with DJANGO_DEBUG=true"):
        call_command("demo_code", "officer@demo.csap.example")


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
