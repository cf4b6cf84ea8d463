"""Every write to the shared core goes through one of these functions.

Each takes keyword-only arguments, validates with ``full_clean()``, runs in a
transaction and records who acted in the history (``_history_user``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    ORGANISATION_ROLES,
    RATINGS_NEEDING_ACTION,
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AuditCycle,
    Criterion,
    District,
    Framework,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Rating,
    Response,
    Return,
    ReturnStatus,
    Role,
    Standard,
    User,
    statutory_section_for,
)

if TYPE_CHECKING:
    from django.db.models import Model

INVITATION_SALT = "audits.invitation"


def _save(instance: Model, *, actor: User | None) -> None:
    """Validate and save, attributing the change in the history."""
    instance.full_clean()
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save()


# --- People -----------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    roles: Iterable[Role],
    organisation: Organisation | None = None,
    password: str | None = None,
    job_title: str = "",
) -> User:
    user = User(email=User.objects.normalize_email(email).lower(), full_name=full_name)
    user.job_title = job_title
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


# --- Invitations ------------------------------------------------------------


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
) -> Invitation:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this email address already has an account."})
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation this person acts for."})
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
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    _save(invitation, actor=invited_by)

    from .tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.delay(invitation.pk))
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
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


class InvitationUnusable(Exception):
    """The invitation has expired or has already been used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    # Lock the row: two clicks on the same link must not create two accounts.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used")
    if invitation.is_expired():
        raise InvitationUnusable("expired")
    user = user_create(
        email=invitation.email,
        full_name=invitation.full_name,
        roles=[Role(invitation.role)],
        organisation=invitation.organisation,
        password=password,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    _save(invitation, actor=user)
    return user


# --- Organisations ----------------------------------------------------------


@transaction.atomic
def agency_create(
    *,
    name: str,
    sector: str,
    localities: Iterable[Any] = (),
    local_authority: Any = None,
    actor: User | None = None,
) -> Organisation:
    agency = Organisation(
        name=name, kind=OrganisationKind.AGENCY, sector=sector, local_authority=local_authority
    )
    _save(agency, actor=actor)
    agency.localities.set(list(localities))
    return agency


@transaction.atomic
def school_create(
    *,
    name: str,
    urn: int,
    establishment_number: int,
    establishment_type: str,
    phase: str,
    district: District,
    trust_name: str = "",
    actor: User | None = None,
) -> Organisation:
    """Record a school as GIAS describes it; its DfE number joins LA code and number."""
    authority = district.local_authority
    school = Organisation(
        name=name,
        kind=OrganisationKind.SCHOOL,
        urn=urn,
        dfe_number=f"{authority.dfe_code}/{establishment_number:04d}",
        establishment_type=establishment_type,
        phase=phase,
        district=district,
        local_authority=authority,
        trust_name=trust_name,
        statutory_section=statutory_section_for(establishment_type),
    )
    _save(school, actor=actor)
    return school


# --- Frameworks -------------------------------------------------------------


def _ensure_editable(framework: Framework) -> None:
    if framework.is_frozen:
        raise ValidationError(
            "This framework version has been used by an audit cycle and cannot change. "
            "Create a new version instead."
        )


@transaction.atomic
def framework_create(
    *, kind: str, name: str, rating_scale: str, introduction: str = "", actor: User | None
) -> Framework:
    latest = Framework.objects.filter(kind=kind).order_by("-version").first()
    framework = Framework(
        kind=kind,
        name=name,
        version=(latest.version + 1) if latest else 1,
        rating_scale=rating_scale,
        introduction=introduction,
    )
    _save(framework, actor=actor)
    return framework


@transaction.atomic
def framework_update(*, framework: Framework, actor: User | None, **fields: str) -> Framework:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    _ensure_editable(framework)
    for name, value in fields.items():
        if name not in {"name", "introduction", "rating_scale"}:
            raise ValidationError(f"{name} cannot be changed.")
        setattr(framework, name, value)
    _save(framework, actor=actor)
    return framework


@transaction.atomic
def standard_create(
    *,
    framework: Framework,
    code: str,
    title: str,
    description: str = "",
    position: int = 0,
    actor: User | None,
) -> Standard:
    _ensure_editable(framework)
    standard = Standard(
        framework=framework, code=code, title=title, description=description, position=position
    )
    _save(standard, actor=actor)
    return standard


@transaction.atomic
def standard_update(*, standard: Standard, actor: User | None, **fields: Any) -> Standard:
    _ensure_editable(standard.framework)
    for name, value in fields.items():
        if name not in {"title", "description", "position"}:
            raise ValidationError(f"{name} cannot be changed.")
        setattr(standard, name, value)
    _save(standard, actor=actor)
    return standard


@transaction.atomic
def criterion_create(
    *,
    standard: Standard,
    code: str,
    text: str,
    guidance: str = "",
    evidence_hint: str = "",
    position: int = 0,
    actor: User | None,
) -> Criterion:
    _ensure_editable(standard.framework)
    criterion = Criterion(
        standard=standard,
        code=code,
        text=text,
        guidance=guidance,
        evidence_hint=evidence_hint,
        position=position,
    )
    _save(criterion, actor=actor)
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, actor: User | None, **fields: Any) -> Criterion:
    _ensure_editable(criterion.standard.framework)
    for name, value in fields.items():
        if name not in {"text", "guidance", "evidence_hint", "position"}:
            raise ValidationError(f"{name} cannot be changed.")
        setattr(criterion, name, value)
    _save(criterion, actor=actor)
    return criterion


@transaction.atomic
def framework_new_version(*, framework: Framework, actor: User | None) -> Framework:
    """Copy a framework into a new, editable version; standard codes stay the same."""
    copy = framework_create(
        kind=framework.kind,
        name=framework.name,
        rating_scale=framework.rating_scale,
        introduction=framework.introduction,
        actor=actor,
    )
    for standard in framework.standards.prefetch_related("criteria"):
        new_standard = standard_create(
            framework=copy,
            code=standard.code,
            title=standard.title,
            description=standard.description,
            position=standard.position,
            actor=actor,
        )
        for criterion in standard.criteria.all():
            criterion_create(
                standard=new_standard,
                code=criterion.code,
                text=criterion.text,
                guidance=criterion.guidance,
                evidence_hint=criterion.evidence_hint,
                position=criterion.position,
                actor=actor,
            )
    return copy


# --- Cycles -----------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    framework: Framework,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    organisations: Iterable[Organisation],
    actor: User | None,
) -> AuditCycle:
    """Open a cycle: freeze the framework and give each organisation its return."""
    if not Criterion.objects.filter(standard__framework=framework).exists():
        raise ValidationError({"framework": "This framework has no criteria to answer yet."})
    cycle = AuditCycle(
        framework=framework, name=name, opens_on=opens_on, closes_on=closes_on, created_by=actor
    )
    _save(cycle, actor=actor)
    if not framework.is_frozen:
        framework.frozen_at = timezone.now()
        _save(framework, actor=actor)
    for organisation in organisations:
        _save(Return(cycle=cycle, organisation=organisation), actor=actor)
    return cycle


@transaction.atomic
def return_extend_deadline(*, return_obj: Return, until: datetime.date, actor: User) -> Return:
    if until <= return_obj.cycle.closes_on:
        raise ValidationError(
            {"extended_deadline": "An extended deadline must be after the cycle closes."}
        )
    return_obj.extended_deadline = until
    _save(return_obj, actor=actor)
    return return_obj


# --- Returns ----------------------------------------------------------------


class StaleResponse(Exception):
    """Someone else saved this answer after the form was loaded."""

    def __init__(self, current: Response) -> None:
        super().__init__("stale response")
        self.current = current


@transaction.atomic
def response_save(
    *,
    return_obj: Return,
    criterion: Criterion,
    rating: str,
    narrative: str,
    not_applicable_reason: str = "",
    revision: int,
    actor: User,
) -> Response:
    """Save one answer. ``revision`` is the one the user's form was built from."""
    return_obj = Return.objects.select_for_update().get(pk=return_obj.pk)
    if not return_obj.is_editable:
        raise ValidationError("This return has been submitted and can no longer be changed.")
    if criterion.standard.framework_id != return_obj.cycle.framework_id:
        raise ValidationError("That question is not part of this return.")
    allowed = {r.value for r in return_obj.cycle.framework.ratings}
    if rating and rating not in allowed:
        raise ValidationError({"rating": "Choose one of the ratings offered."})
    response, _ = Response.objects.select_for_update().get_or_create(
        return_obj=return_obj, criterion=criterion
    )
    if response.revision != revision:
        raise StaleResponse(response)
    response.rating = rating
    response.narrative = narrative
    response.not_applicable_reason = (
        not_applicable_reason if rating == Rating.NOT_APPLICABLE else ""
    )
    response.revision += 1
    response.updated_by = actor
    _save(response, actor=actor)
    if return_obj.status == ReturnStatus.NOT_STARTED:
        return_obj.status = ReturnStatus.IN_PROGRESS
        _save(return_obj, actor=actor)
    return response


def return_submission_blockers(return_obj: Return) -> list[tuple[Criterion, str]]:
    """Everything that stops a return being submitted, in framework order."""
    criteria = Criterion.objects.filter(standard__framework_id=return_obj.cycle.framework_id)
    responses = {r.criterion_id: r for r in return_obj.responses.all()}
    criteria_with_actions = set(
        return_obj.actions.exclude(criterion=None).values_list("criterion_id", flat=True)
    )
    blockers: list[tuple[Criterion, str]] = []
    for criterion in criteria.select_related("standard").order_by(
        "standard__position", "position", "code"
    ):
        response = responses.get(criterion.pk)
        if response is None or not response.rating:
            blockers.append((criterion, "not rated"))
        elif (
            response.rating == Rating.NOT_APPLICABLE and not response.not_applicable_reason.strip()
        ):
            blockers.append((criterion, "rated N/A without a reason"))
        elif (
            response.rating in RATINGS_NEEDING_ACTION and criterion.pk not in criteria_with_actions
        ):
            blockers.append((criterion, f"rated {response.get_rating_display()} without an action"))
    return blockers


class SubmissionBlocked(ValidationError):
    def __init__(self, blockers: list[tuple[Criterion, str]]) -> None:
        super().__init__([f"{c.code}: {reason}" for c, reason in blockers])
        self.blockers = blockers


@transaction.atomic
def return_submit(*, return_obj: Return, actor: User) -> Return:
    return_obj = Return.objects.select_for_update().select_related("cycle").get(pk=return_obj.pk)
    if not return_obj.is_editable:
        raise ValidationError("This return has already been submitted.")
    blockers = return_submission_blockers(return_obj)
    if blockers:
        raise SubmissionBlocked(blockers)
    return_obj.status = ReturnStatus.SUBMITTED
    return_obj.submitted_at = timezone.now()
    return_obj.submitted_by = actor
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def return_send_back(*, return_obj: Return, reason: str, actor: User) -> Return:
    """The Business Unit returns a submitted return for changes, saying why."""
    if return_obj.status != ReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be returned for changes.")
    if not reason.strip():
        raise ValidationError({"status_reason": "Say what needs to change."})
    return_obj.status = ReturnStatus.RETURNED
    return_obj.status_reason = reason
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def return_accept(*, return_obj: Return, actor: User) -> Return:
    if return_obj.status != ReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be accepted.")
    return_obj.status = ReturnStatus.ACCEPTED
    _save(return_obj, actor=actor)
    return return_obj


@transaction.atomic
def return_reopen(*, return_obj: Return, reason: str, actor: User) -> Return:
    """Reopen a submitted or accepted return; the reason is kept in its history."""
    if return_obj.is_editable:
        raise ValidationError("This return is already open for changes.")
    if not reason.strip():
        raise ValidationError({"status_reason": "Give a reason for reopening the return."})
    return_obj.status = ReturnStatus.IN_PROGRESS
    return_obj.status_reason = reason
    _save(return_obj, actor=actor)
    return return_obj


# --- Actions ----------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    organisation: Organisation,
    description: str,
    owner: str,
    due_date: datetime.date,
    source_return: Return | None = None,
    criterion: Criterion | None = None,
    actor: User,
) -> ActionItem:
    action = ActionItem(
        organisation=organisation,
        source_return=source_return,
        criterion=criterion,
        description=description,
        owner=owner,
        due_date=due_date,
    )
    _save(action, actor=actor)
    return action


@transaction.atomic
def action_record_progress(
    *, action: ActionItem, note: str, status: str, actor: User
) -> ActionItem:
    """Add a progress note and move the action on; completion is time-stamped."""
    if not note.strip():
        raise ValidationError({"note": "Describe the progress made."})
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    action.status = status
    action.completed_at = timezone.now() if status == ActionStatus.COMPLETED else None
    _save(action, actor=actor)
    update = ActionUpdate(action=action, note=note, author=actor)
    update.full_clean()
    update.save()
    return action
