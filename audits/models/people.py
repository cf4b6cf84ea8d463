"""People and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords


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
# Roles that must sign in with a second factor: they read every agency's returns.
TWO_FACTOR_ROLES = OVERSIGHT_ROLES


class StatutoryPartner(models.TextChoices):
    """The three statutory partners whose Executive members sign off reports."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health (integrated care board)"


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
    statutory_partner = models.CharField(
        max_length=20,
        choices=StatutoryPartner.choices,
        blank=True,
        help_text="For Executive members: the partner they represent when signing off reports.",
    )
    is_active = models.BooleanField(default=True)
    disabled_reason = models.TextField(
        blank=True, help_text="Why the account was disabled, as the Business Unit recorded it."
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can use the Django admin site (technical staff only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    # Who changed an account, and why (disabled, enabled again, two-factor reset...).
    # The password hash and the time of the last sign-in are not worth keeping.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

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
        """The roles this person holds now. A disabled account holds none, so every
        access rule built on roles shuts it out, wherever the user object comes from."""
        if not self.is_active:
            return frozenset()
        names = {group.name for group in self.groups.all()}
        return frozenset(role for role in Role if role.value in names)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_oversight(self) -> bool:
        return self.has_role(*OVERSIGHT_ROLES)

    @property
    def two_factor_required(self) -> bool:
        """Must this person sign in with a code as well as a password? The oversight
        roles and the Django admin's technical staff must; everyone else may."""
        return self.is_staff or self.is_superuser or self.has_role(*TWO_FACTOR_ROLES)

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        if not self.is_active:
            return frozenset()
        return frozenset(self.memberships.values_list("organisation_id", flat=True))
