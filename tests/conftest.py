"""Named personas, one per kind of person the portal serves.

``agency`` is the agency whose return is under test; ``other_agency`` is a
second organisation whose data the first must never see.

The ``client`` here signs people in as they would sign in themselves: anyone
whose role needs two-factor sign-in (and the Django admin's staff) gets a real
confirmed authenticator and a session that has passed it. Tests of the sign-in
steps themselves use a plain ``django.test.Client``.
"""

from __future__ import annotations

from importlib import import_module

import django_otp
import pytest
from django.http import HttpRequest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import Organisation, Role, User

from .clamd import clamd, scanning, scanning_worker
from .factories import PASSWORD, AgencyFactory, SchoolFactory, UserFactory, authenticator


class PortalClient(Client):
    """A test client whose ``force_login`` also passes two-factor sign-in."""

    def force_login(self, user: User, backend: str | None = None) -> None:
        super().force_login(user, backend)
        if user.two_factor_required:
            device = authenticator(user)
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            # What the code page does once the code is right, with django-otp's own call.
            request = HttpRequest()
            request.session = self.session
            request.user = user
            django_otp.login(request, device)
            request.session.save()


@pytest.fixture
def client() -> PortalClient:
    return PortalClient()


# A real clamd for the virus-scanning tests, started once per session when first asked for.
__all__ = ["clamd", "scanning", "scanning_worker"]


@pytest.fixture
def agency(db: None) -> Organisation:
    return AgencyFactory(name="Northshore Police Service")


@pytest.fixture
def other_agency(db: None) -> Organisation:
    return AgencyFactory(name="Hillside Health Trust")


@pytest.fixture
def school(db: None) -> Organisation:
    return SchoolFactory(name="Larkhill Primary School")


@pytest.fixture
def agency_lead(agency: Organisation) -> User:
    return UserFactory(full_name="Morgan Lead", roles=[Role.AGENCY_LEAD], organisation=agency)


@pytest.fixture
def contributor(agency: Organisation) -> User:
    return UserFactory(
        full_name="Sam Contributor", roles=[Role.AGENCY_CONTRIBUTOR], organisation=agency
    )


@pytest.fixture
def other_agency_lead(other_agency: Organisation) -> User:
    return UserFactory(
        full_name="Jordan Otherlead", roles=[Role.AGENCY_LEAD], organisation=other_agency
    )


@pytest.fixture
def school_lead(school: Organisation) -> User:
    return UserFactory(full_name="Alex Dsl", roles=[Role.SCHOOL_LEAD], organisation=school)


@pytest.fixture
def business_unit(db: None) -> User:
    return UserFactory(full_name="Riley Officer", roles=[Role.BUSINESS_UNIT])


@pytest.fixture
def auditor(other_agency: Organisation) -> User:
    return UserFactory(full_name="Casey Auditor", roles=[Role.AUDITOR], organisation=other_agency)


@pytest.fixture
def executive(db: None) -> User:
    return UserFactory(full_name="Avery Executive", roles=[Role.EXECUTIVE])


@pytest.fixture
def scrutineer(db: None) -> User:
    return UserFactory(full_name="Rowan Scrutineer", roles=[Role.SCRUTINEER])


PERSONAS = [
    "agency_lead",
    "contributor",
    "other_agency_lead",
    "school_lead",
    "business_unit",
    "auditor",
    "executive",
    "scrutineer",
]


@pytest.fixture
def as_persona(request: pytest.FixtureRequest, client: Client):
    """Sign in as a persona by name; "anonymous" stays signed out."""

    def sign_in(name: str) -> Client:
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return sign_in


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Roles and geography, for tests that commit for real.

    Such tests empty every table afterwards, including what the data migration
    loaded; loading it again (it is idempotent) puts it back for the next one.
    """
    from django.apps import apps

    migration = import_module("audits.migrations.0002_roles_and_geography")
    migration.load(apps, None)
