"""Agencies and schools, the people who act for them, and invitations to join."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .people import ORGANISATION_ROLES, Role, StatutoryPartner
from .places import District, LocalAuthority, Locality


class OrganisationKind(models.TextChoices):
    AGENCY = "agency", "Agency"
    SCHOOL = "school", "School or college"


class Sector(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    EARLY_HELP = "early_help", "Early help"
    SEND = "send", "Special educational needs and disabilities"
    HEALTH_PROVIDER = "health_provider", "Health provider"
    ICB = "icb", "Integrated care board"
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    EDUCATION = "education", "Education"
    DISTRICT_COUNCIL = "district_council", "District council"
    HOUSING = "housing", "Housing"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue"
    VCFS = "vcfs", "Voluntary, community and faith"


class StatutorySection(models.TextChoices):
    SECTION_175 = "175", "Section 175"
    SECTION_157 = "157", "Section 157"


class EstablishmentType(models.TextChoices):
    """Establishment types as the DfE's Get Information About Schools names them."""

    COMMUNITY = "community", "Community school"
    VOLUNTARY_AIDED = "voluntary_aided", "Voluntary aided school"
    VOLUNTARY_CONTROLLED = "voluntary_controlled", "Voluntary controlled school"
    FOUNDATION = "foundation", "Foundation school"
    COMMUNITY_SPECIAL = "community_special", "Community special school"
    FOUNDATION_SPECIAL = "foundation_special", "Foundation special school"
    LA_NURSERY = "la_nursery", "Local authority nursery school"
    PUPIL_REFERRAL_UNIT = "pupil_referral_unit", "Pupil referral unit"
    FURTHER_EDUCATION = "further_education", "Further education"
    SIXTH_FORM_CENTRE = "sixth_form_centre", "Sixth form centre"
    ACADEMY_CONVERTER = "academy_converter", "Academy converter"
    ACADEMY_SPONSOR_LED = "academy_sponsor_led", "Academy sponsor led"
    ACADEMY_SPECIAL = "academy_special", "Academy special converter"
    ACADEMY_ALTERNATIVE_PROVISION = "academy_ap", "Academy alternative provision"
    FREE_SCHOOL = "free_school", "Free school"
    UNIVERSITY_TECHNICAL_COLLEGE = "utc", "University technical college"
    NON_MAINTAINED_SPECIAL = "non_maintained_special", "Non-maintained special school"
    INDEPENDENT = "independent", "Other independent school"
    INDEPENDENT_SPECIAL = "independent_special", "Other independent special school"


# Maintained schools, LA nurseries, pupil referral units and FE/sixth-form
# colleges return under Section 175 of the Education Act 2002; academies, free
# schools, independent and non-maintained special schools under Section 157.
SECTION_175_TYPES = frozenset(
    {
        EstablishmentType.COMMUNITY,
        EstablishmentType.VOLUNTARY_AIDED,
        EstablishmentType.VOLUNTARY_CONTROLLED,
        EstablishmentType.FOUNDATION,
        EstablishmentType.COMMUNITY_SPECIAL,
        EstablishmentType.FOUNDATION_SPECIAL,
        EstablishmentType.LA_NURSERY,
        EstablishmentType.PUPIL_REFERRAL_UNIT,
        EstablishmentType.FURTHER_EDUCATION,
        EstablishmentType.SIXTH_FORM_CENTRE,
    }
)


def statutory_section_for(establishment_type: str) -> StatutorySection:
    if establishment_type in SECTION_175_TYPES:
        return StatutorySection.SECTION_175
    return StatutorySection.SECTION_157


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SIXTEEN_PLUS = "16_plus", "16 plus"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


dfe_number_validator = RegexValidator(
    r"^\d{3}/\d{4}$", "Enter the DfE number as LLL/EEEE, for example 888/2001."
)


class Organisation(models.Model):
    """An agency or a school. Schools carry the GIAS fields; agencies a sector."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=OrganisationKind.choices)
    sector = models.CharField(max_length=30, choices=Sector.choices, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="For schools and single-authority agencies.",
    )
    localities = models.ManyToManyField(
        Locality, blank=True, related_name="agencies", help_text="Localities an agency serves."
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="schools"
    )
    urn = models.PositiveIntegerField("URN", null=True, blank=True, unique=True)
    dfe_number = models.CharField(
        "DfE number", max_length=8, blank=True, validators=[dfe_number_validator]
    )
    establishment_type = models.CharField(
        max_length=30, choices=EstablishmentType.choices, blank=True
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    trust_name = models.CharField(max_length=200, blank=True)
    statutory_section = models.CharField(max_length=3, choices=StatutorySection.choices, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.AGENCY) | (~Q(sector="") & Q(urn__isnull=True)),
                name="organisation_agency_has_sector",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.SCHOOL)
                | (
                    Q(urn__isnull=False, district__isnull=False, local_authority__isnull=False)
                    & ~Q(establishment_type="")
                    & ~Q(phase="")
                    & ~Q(statutory_section="")
                    & Q(dfe_number__regex=r"^[0-9]{3}/[0-9]{4}$")
                ),
                name="organisation_school_has_gias_fields",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(kind=OrganisationKind.AGENCY),
                name="organisation_agency_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school(self) -> bool:
        return self.kind == OrganisationKind.SCHOOL


class Membership(models.Model):
    """Links a person to the organisation they act for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"


class Invitation(models.Model):
    """A Business Unit officer's invitation; its emailed link sets the password."""

    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    statutory_partner = models.CharField(
        max_length=20, choices=StatutoryPartner.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Withdrawn before it was used, e.g. because the officer who sent it has left.
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in ORGANISATION_ROLES))
                | Q(organisation__isnull=False),
                name="invitation_organisation_role_has_organisation",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
