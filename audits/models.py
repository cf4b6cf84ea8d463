"""The shared core: people, places, organisations, frameworks, cycles and returns.

Rules that can be stated as data live here as database constraints. Rules that
need a decision (who may submit, when a framework freezes) live in services.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

# --- People -----------------------------------------------------------------


class Role(models.TextChoices):
    """Each role is a Django group of the same name."""

    AGENCY_LEAD = "Agency lead", "Agency lead"
    AGENCY_CONTRIBUTOR = "Agency contributor", "Agency contributor"
    SCHOOL_LEAD = "School lead", "School lead"
    BUSINESS_UNIT = "Business Unit", "Business Unit officer"
    AUDITOR = "Auditor", "Auditor"
    EXECUTIVE = "Executive", "Executive member"
    SCRUTINEER = "Independent Scrutineer", "Independent Scrutineer"


# Roles whose holders act for one organisation and must be linked to it.
ORGANISATION_ROLES = frozenset(
    {Role.AGENCY_LEAD, Role.AGENCY_CONTRIBUTOR, Role.SCHOOL_LEAD, Role.AUDITOR}
)
# Roles that oversee the whole partnership rather than one organisation.
OVERSIGHT_ROLES = frozenset({Role.BUSINESS_UNIT, Role.EXECUTIVE, Role.SCRUTINEER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # People type their address in any case; log them in all the same.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can use the Django admin site (technical staff only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def roles(self) -> frozenset[Role]:
        names = {group.name for group in self.groups.all()}
        return frozenset(role for role in Role if role.value in names)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_oversight(self) -> bool:
        return self.has_role(*OVERSIGHT_ROLES)

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(self.memberships.values_list("organisation_id", flat=True))


# --- Geography --------------------------------------------------------------


class LocalAuthority(models.Model):
    name = models.CharField(max_length=100, unique=True)
    dfe_code = models.CharField(
        "DfE code",
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", "A DfE local authority code is three digits.")],
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    """A tactical-group footprint: North, Central or East."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    name = models.CharField(max_length=100, unique=True)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="districts")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="districts"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Organisations ----------------------------------------------------------


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


# --- Frameworks -------------------------------------------------------------


class FrameworkKind(models.TextChoices):
    SECTION_11 = "section11", "Section 11"
    SECTION_175 = "section175", "Section 175/157"
    MULTI_AGENCY = "multiagency", "Multi-agency case audit"


class RatingScale(models.TextChoices):
    RAG = "rag", "Red, Amber, Green (with N/A)"
    GRADE = "grade", "Outstanding to Inadequate"


class Rating(models.TextChoices):
    GREEN = "green", "Green: fully compliant"
    AMBER = "amber", "Amber: partially compliant"
    RED = "red", "Red: not compliant"
    NOT_APPLICABLE = "na", "N/A"
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


SCALE_RATINGS: dict[str, tuple[Rating, ...]] = {
    RatingScale.RAG: (Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE),
    RatingScale.GRADE: (
        Rating.OUTSTANDING,
        Rating.GOOD,
        Rating.REQUIRES_IMPROVEMENT,
        Rating.INADEQUATE,
    ),
}
# Ratings that oblige the organisation to plan an action before submitting.
RATINGS_NEEDING_ACTION = frozenset({Rating.AMBER, Rating.RED})


class Framework(models.Model):
    """A versioned set of standards. Frozen once a cycle has used it."""

    kind = models.CharField(max_length=20, choices=FrameworkKind.choices)
    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField()
    rating_scale = models.CharField(max_length=10, choices=RatingScale.choices)
    introduction = models.TextField(blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="framework_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def ratings(self) -> tuple[Rating, ...]:
        return SCALE_RATINGS[self.rating_scale]


class Standard(models.Model):
    """An area of a framework. Its code stays the same across versions."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """One question within a standard, with the toolkit's guidance."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    evidence_hint = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["standard__position", "position", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


# --- Cycles and returns -----------------------------------------------------


class AuditCycle(models.Model):
    """A framework run for a set of organisations between two dates."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cycles")
    name = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="cycle_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


# The organisation may edit its return only in these states.
EDITABLE_STATUSES = frozenset(
    {ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS, ReturnStatus.RETURNED}
)


class Return(models.Model):
    """One organisation's return for one cycle."""

    cycle = models.ForeignKey(AuditCycle, on_delete=models.PROTECT, related_name="returns")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED
    )
    extended_deadline = models.DateField(
        null=True, blank=True, help_text="A later deadline the Business Unit allowed."
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the return was last returned for changes or reopened."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        permissions = [("review_return", "Can review and moderate a return")]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="return_one_per_organisation_per_cycle"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED])
                | Q(submitted_at__isnull=False),
                name="return_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} - {self.cycle}"

    @property
    def deadline(self) -> datetime.date:
        return self.extended_deadline or self.cycle.closes_on

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Response(models.Model):
    """The organisation's answer to one criterion, and any moderated rating."""

    return_obj = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="responses")
    rating = models.CharField(max_length=25, choices=Rating.choices, blank=True)
    not_applicable_reason = models.TextField(blank=True)
    narrative = models.TextField(blank=True)
    moderated_rating = models.CharField(max_length=25, choices=Rating.choices, blank=True)
    moderation_note = models.TextField(blank=True)
    # Bumped on every save so that a stale form cannot silently overwrite.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__standard__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_obj", "criterion"], name="response_one_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_rating_display() or 'unrated'}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # Server-generated names: the uploader's filename never reaches the disk.
    return f"evidence/{instance.return_obj_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    return_obj = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name


# --- Action plans -----------------------------------------------------------


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class ActionItem(models.Model):
    """An improvement an organisation commits to; it outlives the cycle."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="actions")
    source_return = models.ForeignKey(
        Return, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField("what will be done")
    owner = models.CharField(max_length=150, help_text="The person or post responsible.")
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="action_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.status != ActionStatus.COMPLETED and self.due_date < today


class ActionUpdate(models.Model):
    """A progress note on an action, kept in order and never edited."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.note[:80]
