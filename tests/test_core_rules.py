"""Rules of the shared core that the data itself must keep."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from audits import services
from audits.models import (
    AuditCycle,
    Criterion,
    District,
    EstablishmentType,
    Framework,
    LocalAuthority,
    Locality,
    Organisation,
    Phase,
    Return,
    Role,
    StatutorySection,
)

from .factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


def test_geography_is_loaded_with_dfe_codes_and_fourteen_districts():
    assert dict(LocalAuthority.objects.values_list("name", "dfe_code")) == {
        "Blackburn with Darwen": "889",
        "Blackpool": "890",
        "Lancashire": "888",
    }
    assert set(Locality.objects.values_list("name", flat=True)) == {"North", "Central", "East"}
    assert District.objects.count() == 14
    east = set(District.objects.filter(locality__name="East").values_list("name", flat=True))
    assert east == {
        "Blackburn with Darwen",
        "Burnley",
        "Hyndburn",
        "Pendle",
        "Ribble Valley",
        "Rossendale",
    }
    assert District.objects.get(name="Blackpool").local_authority.dfe_code == "890"
    assert District.objects.get(name="Wyre").local_authority.dfe_code == "888"


def test_every_role_exists_as_a_group():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_one_return_per_organisation_per_cycle():
    agency = AgencyFactory()
    cycle = open_cycle(agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.create(cycle=cycle, organisation=agency)


def test_opening_a_cycle_gives_each_organisation_one_return_and_freezes_the_framework():
    agencies = AgencyFactory.create_batch(3)
    framework = framework_with_criteria()
    assert not framework.is_frozen
    cycle = open_cycle(*agencies, framework=framework)
    framework.refresh_from_db()
    assert framework.is_frozen
    assert set(cycle.returns.values_list("organisation_id", flat=True)) == {a.pk for a in agencies}


def test_a_frozen_framework_refuses_every_edit():
    framework = framework_with_criteria()
    open_cycle(AgencyFactory(), framework=framework)
    framework.refresh_from_db()
    standard = framework.standards.first()
    criterion = Criterion.objects.filter(standard=standard).first()

    with pytest.raises(ValidationError, match="cannot change"):
        services.framework_update(framework=framework, name="Renamed", actor=None)
    with pytest.raises(ValidationError, match="cannot change"):
        services.standard_create(framework=framework, code="new", title="New", actor=None)
    with pytest.raises(ValidationError, match="cannot change"):
        services.standard_update(standard=standard, title="Renamed", actor=None)
    with pytest.raises(ValidationError, match="cannot change"):
        services.criterion_create(standard=standard, code="9.9", text="New?", actor=None)
    with pytest.raises(ValidationError, match="cannot change"):
        services.criterion_update(criterion=criterion, text="Changed?", actor=None)
    criterion.refresh_from_db()
    assert criterion.text == "Question 1.1"


def test_the_admin_site_cannot_change_a_frozen_framework():
    framework = framework_with_criteria()
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    standard_admin = site._registry[type(framework.standards.first())]
    assert standard_admin.has_change_permission(request, framework.standards.first())
    open_cycle(AgencyFactory(), framework=framework)
    framework.refresh_from_db()
    standard = framework.standards.select_related("framework").first()
    assert not standard_admin.has_change_permission(request, standard)
    assert not site._registry[Framework].has_delete_permission(request, framework)


def test_a_new_version_copies_standards_with_the_same_codes_and_is_editable():
    framework = framework_with_criteria(standards=2, criteria_per_standard=2)
    open_cycle(AgencyFactory(), framework=framework)
    next_year = services.framework_new_version(framework=framework, actor=None)
    assert next_year.version == framework.version + 1
    assert not next_year.is_frozen
    assert list(next_year.standards.values_list("code", flat=True)) == ["area-1", "area-2"]
    assert Criterion.objects.filter(standard__framework=next_year).count() == 4
    services.standard_update(standard=next_year.standards.first(), title="Leadership", actor=None)


def test_a_cycle_cannot_close_before_it_opens():
    framework = framework_with_criteria()
    with pytest.raises(ValidationError):
        services.cycle_create(
            framework=framework,
            name="Backwards",
            opens_on=datetime.date(2026, 4, 29),
            closes_on=datetime.date(2026, 2, 28),
            organisations=[],
            actor=None,
        )
    assert not AuditCycle.objects.exists()


def test_a_school_takes_its_dfe_number_and_section_from_gias_fields():
    district = District.objects.get(name="Blackpool")
    school = services.school_create(
        name="Seaview Primary School",
        urn=990999,
        establishment_number=2101,
        establishment_type=EstablishmentType.COMMUNITY,
        phase=Phase.PRIMARY,
        district=district,
    )
    assert school.dfe_number == "890/2101"
    assert school.statutory_section == StatutorySection.SECTION_175
    academy = services.school_create(
        name="Seaview Academy",
        urn=990998,
        establishment_number=4101,
        establishment_type=EstablishmentType.ACADEMY_CONVERTER,
        phase=Phase.SECONDARY,
        district=district,
        trust_name="Coastal Learning Trust",
    )
    assert academy.statutory_section == StatutorySection.SECTION_157


def test_a_school_without_its_gias_fields_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Nameless School", kind="school")


def test_a_malformed_dfe_number_is_refused():
    school = Organisation(
        name="Odd School",
        kind="school",
        urn=990997,
        dfe_number="8882001",
        establishment_type=EstablishmentType.COMMUNITY,
        phase=Phase.PRIMARY,
        statutory_section="175",
        district=District.objects.get(name="Preston"),
        local_authority=LocalAuthority.objects.get(name="Lancashire"),
    )
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "LLL/EEEE" in str(error.value)


def test_an_agency_needs_a_sector():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="No Sector Agency", kind="agency")


def test_email_addresses_are_unique_whatever_their_case():
    UserFactory(email="same@test.csap.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="SAME@test.csap.example")
