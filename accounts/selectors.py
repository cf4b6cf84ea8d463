"""Reads about people and their accounts. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from base64 import b32encode
from dataclasses import dataclass

import django_filters
import segno
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from audits.models import Invitation, Membership, Role, User
from audits.selectors import invitations_pending


def people_rows(people: QuerySet[User]) -> QuerySet[User]:
    """People with what the list shows: organisations, roles and whether they sign in
    with two factors, in three queries per page whatever its length."""
    return people.annotate(
        two_factor_on=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).prefetch_related(
        "groups",
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        ),
    )


class PeopleFilter(django_filters.FilterSet):
    """Search and filter the people list; every option is a plain GET parameter."""

    q = django_filters.CharFilter(method="search", label="Name or email contains")
    organisation = django_filters.CharFilter(
        field_name="memberships__organisation__name",
        lookup_expr="icontains",
        label="Organisation name contains",
        distinct=True,
    )
    role = django_filters.ChoiceFilter(
        field_name="groups__name", choices=Role.choices, empty_label="Any role", distinct=True
    )
    status = django_filters.ChoiceFilter(
        choices=[("active", "Active"), ("disabled", "Disabled")],
        method="filter_status",
        empty_label="Active or disabled",
        label="Account",
    )
    two_factor = django_filters.ChoiceFilter(
        choices=[("on", "On"), ("off", "Off")],
        method="filter_two_factor",
        empty_label="On or off",
        label="Two-factor sign-in",
    )

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        return queryset.filter(
            Q(full_name__icontains=value)
            | Q(email__icontains=value)
            | Q(job_title__icontains=value)
        )

    def filter_status(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(is_active=value == "active")

    def filter_two_factor(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(two_factor_on=value == "on")


@dataclass(frozen=True)
class PersonSummary:
    roles: list[str]
    organisations: list[str]
    authenticator: TOTPDevice | None
    grants: int  # things given to them one at a time (django-guardian)
    invitations_pending: list[Invitation]  # invitations they sent that nobody has used


def person_summary(person: User) -> PersonSummary:
    """What the person page shows beside the account itself: five queries."""
    return PersonSummary(
        roles=[str(Role(g.name).label) for g in person.groups.all() if g.name in Role.values],
        organisations=list(
            Membership.objects.filter(user=person)
            .order_by("organisation__name")
            .values_list("organisation__name", flat=True)
        ),
        authenticator=TOTPDevice.objects.filter(user=person, confirmed=True).first(),
        grants=UserObjectPermission.objects.filter(user=person).count(),
        invitations_pending=list(invitations_pending().filter(invited_by=person)[:20]),
    )


@dataclass(frozen=True)
class AccountEvent:
    when: datetime.datetime
    who: str
    what: str
    reason: str = ""


_DETAILS = (
    ("email", "email address"),
    ("full_name", "name"),
    ("job_title", "job title"),
    ("statutory_partner", "statutory partner"),
    ("is_staff", "admin site access"),
    ("is_superuser", "superuser"),
)


def account_history(person: User, *, limit: int = 100) -> list[AccountEvent]:
    """What happened to the account, newest first, with who did it: one query.

    Events the portal names (disabled, two-factor reset...) carry their name; other
    saves (the Django admin's, say) are described by the details they changed.
    """
    records = list(
        User.history.filter(id=person.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    records.reverse()  # oldest first, to compare each with the one before
    events = []
    for previous, record in zip([None, *records], records, strict=False):
        if record.history_type == "+":
            what = "Account created"
        elif record.history_change_reason:
            what = record.history_change_reason
        elif previous is None:
            continue  # nothing shown to compare it with
        else:
            changed = [
                label
                for name, label in _DETAILS
                if getattr(previous, name) != getattr(record, name)
            ]
            if previous.is_active != record.is_active:
                changed.append("enabled" if record.is_active else "disabled")
            if not changed:
                continue
            what = "Changed " + ", ".join(changed)
        who = record.history_user.full_name if record.history_user else "The portal"
        reason = record.disabled_reason if what == "Disabled" else ""
        events.append(AccountEvent(record.history_date, who, what, reason))
    events.reverse()
    return events


@dataclass(frozen=True)
class AuthenticatorSetUp:
    """What an authenticator app needs: the QR code, and the same key to type."""

    qr_svg: str  # an inline SVG: markup only, nothing the Content Security Policy blocks
    key_groups: list[str]


def authenticator_set_up(device: TOTPDevice) -> AuthenticatorSetUp:
    qr = segno.make(device.config_url, error="m")
    key = b32encode(device.bin_key).decode()
    return AuthenticatorSetUp(
        qr_svg=qr.svg_inline(scale=5, dark="#000", light="#fff", omitsize=False),
        key_groups=[key[i : i + 4] for i in range(0, len(key), 4)],
    )
