"""People, and the invitations that bring them in."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import (
    ORGANISATION_ROLES,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)

if TYPE_CHECKING:
    pass


from ..queueing import queue_on_commit
from ._common import save as _save

INVITATION_SALT = "audits.invitation"


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    roles: Iterable[Role],
    organisation: Organisation | None = None,
    password: str | None = None,
    job_title: str = "",
    statutory_partner: str = "",
) -> User:
    user = User(email=User.objects.normalize_email(email).lower(), full_name=full_name)
    user.job_title = job_title
    user.statutory_partner = statutory_partner
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role_set = set(roles)
    user.groups.set(Group.objects.filter(name__in=[r.value for r in role_set]))
    if organisation is not None:
        membership_add(user=user, organisation=organisation, actor=None)
    elif role_set & ORGANISATION_ROLES:
        raise ValidationError({"organisation": "This role acts for an organisation: choose one."})
    return user


@transaction.atomic
def membership_add(*, user: User, organisation: Organisation, actor: User | None) -> Membership:
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
        _save(membership, actor=actor)
    return membership


def invitation_token(invitation: Invitation) -> str:
    """A tamper-proof token naming the invitation; expiry and use are checked in the database."""
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    try:
        pk = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation").filter(pk=pk).first()


@transaction.atomic
def invitation_create(
    *,
    invited_by: User,
    email: str,
    full_name: str,
    role: Role,
    organisation: Organisation | None,
    statutory_partner: str = "",
) -> Invitation:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this email address already has an account."})
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation this person acts for."})
    if role == Role.EXECUTIVE and not statutory_partner:
        raise ValidationError(
            {"statutory_partner": "Choose the statutory partner this Executive member represents."}
        )
    if role == Role.SCHOOL_LEAD and organisation is not None and not organisation.is_school:
        raise ValidationError({"organisation": "A school lead must belong to a school."})
    if (
        role in {Role.AGENCY_LEAD, Role.AGENCY_CONTRIBUTOR}
        and organisation
        and organisation.is_school
    ):
        raise ValidationError({"organisation": "Agency roles belong to an agency, not a school."})
    now = timezone.now()
    invitation = Invitation(
        email=email,
        full_name=full_name,
        role=role,
        organisation=organisation if role in ORGANISATION_ROLES else None,
        invited_by=invited_by,
        statutory_partner=statutory_partner if role == Role.EXECUTIVE else "",
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    _save(invitation, actor=invited_by)

    from ..tasks import send_invitation

    # Left unsent if the worker is away; the invitation page lets it be sent again.
    queue_on_commit(send_invitation, invitation.pk)
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    """Email the invitation link. Called by the worker, never in a web request."""
    link = settings.SITE_URL + reverse(
        "audits:invitation_accept", args=[invitation_token(invitation)]
    )
    context = {"invitation": invitation, "link": link, "valid_days": settings.INVITATION_VALID_DAYS}
    subject = render_to_string("emails/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/invitation_body.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("emails/invitation_body.html", context), "text/html"
    )
    message.send()
    invitation.sent_at = timezone.now()
    _save(invitation, actor=None)


# An invitation not sent this long after it was made never reached the worker.
INVITATION_UNSENT_AFTER = datetime.timedelta(minutes=5)


def invitations_queue_unsent(*, now: datetime.datetime | None = None) -> int:
    """Hand the worker again every live invitation it never sent (the broker was
    down when it was made). Beat runs this; returns how many were queued."""
    now = now or timezone.now()
    unsent = Invitation.objects.filter(
        sent_at=None,
        accepted_at=None,
        expires_at__gt=now,
        created_at__lt=now - INVITATION_UNSENT_AFTER,
    ).values_list("pk", flat=True)
    from ..queueing import publish
    from ..tasks import send_invitation

    return sum(publish(send_invitation, pk) for pk in unsent)


class InvitationUnusable(Exception):
    """The invitation has expired, has been withdrawn or has already been used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    # Lock the row: two clicks on the same link must not create two accounts.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used")
    if invitation.revoked_at is not None:
        raise InvitationUnusable("revoked")
    if invitation.is_expired():
        raise InvitationUnusable("expired")
    user = user_create(
        email=invitation.email,
        full_name=invitation.full_name,
        roles=[Role(invitation.role)],
        organisation=invitation.organisation,
        password=password,
        statutory_partner=invitation.statutory_partner,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    _save(invitation, actor=user)
    return user
