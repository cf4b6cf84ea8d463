"""People and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property


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
