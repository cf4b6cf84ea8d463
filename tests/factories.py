"""Builders for test data. Names are invented; nothing identifies a child."""

from __future__ import annotations

import datetime
import time
from typing import Any

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits import services
from audits.models import (
    AuditCycle,
    District,
    EstablishmentType,
    Framework,
    FrameworkKind,
    Organisation,
    OrganisationKind,
    Phase,
    RatingScale,
    Role,
    Sector,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Agency {n}")
    kind = OrganisationKind.AGENCY
    sector = Sector.POLICE


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Primary School {n}")
    kind = OrganisationKind.SCHOOL
    urn = factory.Sequence(lambda n: 800000 + n)
    dfe_number = factory.Sequence(lambda n: f"888/{2000 + n:04d}")
    establishment_type = EstablishmentType.COMMUNITY
    phase = Phase.PRIMARY
    statutory_section = "175"
    district = factory.LazyFunction(lambda: District.objects.get(name="Preston"))
    local_authority = factory.LazyAttribute(lambda o: o.district.local_authority)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@test.csap.example")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[Role(r).value for r in extracted]))
        self.save()

    @factory.post_generation
    def organisation(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            services.membership_add(user=self, organisation=extracted, actor=None)


def framework_with_criteria(
    *, standards: int = 3, criteria_per_standard: int = 2, kind: str = FrameworkKind.SECTION_11
) -> Framework:
    framework = services.framework_create(
        kind=kind, name="Test framework", rating_scale=RatingScale.RAG, actor=None
    )
    for s in range(1, standards + 1):
        standard = services.standard_create(
            framework=framework, code=f"area-{s}", title=f"Area {s}", position=s, actor=None
        )
        for c in range(1, criteria_per_standard + 1):
            services.criterion_create(
                standard=standard,
                code=f"{s}.{c}",
                text=f"Question {s}.{c}",
                guidance="What good looks like.",
                evidence_hint="A policy or minutes.",
                position=c,
                actor=None,
            )
    return framework


def open_cycle(*organisations: Organisation, framework: Framework | None = None) -> AuditCycle:
    today = timezone.localdate()
    return services.cycle_create(
        framework=framework or framework_with_criteria(),
        name=f"Section 11 audit {today.year}",
        opens_on=today - datetime.timedelta(days=7),
        closes_on=today + datetime.timedelta(days=30),
        organisations=organisations,
        actor=None,
    )


def authenticator(user: User) -> TOTPDevice:
    """The person's confirmed authenticator app, set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app holding this device's key shows now, worked out
    from the key as the app does (RFC 6238, from the clock alone). Each code is
    accepted once: if this one was used already, wait for the next, as a person would."""
    device.refresh_from_db()
    app = TOTP(device.bin_key, device.step, device.t0, device.digits)
    while app.t() <= device.last_t:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.2)
    return f"{app.token():0{device.digits}d}"
