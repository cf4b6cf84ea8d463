"""Who may see and change what. Every view and every queryset goes through here.

Outsiders get 404 (they should not learn that a thing exists); people who may
read but not change get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import (
    ActionItem,
    Evidence,
    Invitation,
    Organisation,
    OrganisationExport,
    Return,
    Role,
    User,
)

# Roles that work on their own organisation's returns.
RETURN_AUTHOR_ROLES = (Role.AGENCY_LEAD, Role.AGENCY_CONTRIBUTOR, Role.SCHOOL_LEAD)
# Roles that may submit a return for their organisation.
RETURN_SUBMITTER_ROLES = (Role.AGENCY_LEAD, Role.SCHOOL_LEAD)
# Roles that may take all of their organisation's data away in one archive.
ORGANISATION_EXPORT_ROLES = RETURN_SUBMITTER_ROLES


def returns_visible_to(user: User) -> QuerySet[Return]:
    returns = Return.objects.all()
    if not user.is_authenticated or not user.is_active:
        return returns.none()
    if user.is_oversight:
        return returns
    visible = Q(pk__in=get_objects_for_user(user, "audits.view_return", accept_global_perms=False))
    if user.has_role(*RETURN_AUTHOR_ROLES):
        visible |= Q(organisation_id__in=user.organisation_ids)
    return returns.filter(visible)


def can_edit_return(user: User, return_obj: Return) -> bool:
    """May this person change the answers (not the review) of this return?"""
    return (
        return_obj.is_editable
        and user.has_role(*RETURN_AUTHOR_ROLES)
        and return_obj.organisation_id in user.organisation_ids
    )


def can_submit_return(user: User, return_obj: Return) -> bool:
    return can_edit_return(user, return_obj) and user.has_role(*RETURN_SUBMITTER_ROLES)


def can_review_return(user: User) -> bool:
    return user.has_role(Role.BUSINESS_UNIT)


def get_return_for_user(user: User, pk: int, *, write: bool = False) -> Return:
    """The return, if this person may see it; with ``write``, only if they may change it."""
    return_obj = (
        returns_visible_to(user)
        .select_related("cycle__framework", "organisation")
        .filter(pk=pk)
        .first()
    )
    if return_obj is None:
        raise Http404("No such return.")
    if write and not can_edit_return(user, return_obj):
        raise PermissionDenied("You can read this return but not change it.")
    return return_obj


def require_business_unit(user: User) -> None:
    """Business Unit pages: oversight readers get 403, everyone else 404."""
    if user.has_role(Role.BUSINESS_UNIT):
        return
    if user.is_oversight:
        raise PermissionDenied("Only the Business Unit can do this.")
    raise Http404


def can_read_access_log(user: User) -> bool:
    """Who opened or downloaded a record is for those who assure the partnership's
    handling of it: the Business Unit and the Independent Scrutineer. The agency,
    a peer reviewer and the Executive read the return without seeing who else did."""
    return user.has_role(Role.BUSINESS_UNIT, Role.SCRUTINEER)


def invitations_visible_to(user: User) -> QuerySet[Invitation]:
    require_business_unit(user)
    return Invitation.objects.all()


def get_evidence_for_user(user: User, pk: int) -> Evidence:
    """Evidence is visible to whoever may see its return, or its action's organisation."""
    evidence = (
        Evidence.objects.select_related("organisation", "return_obj__cycle__framework", "action")
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        raise Http404("No such document.")
    if evidence.return_obj_id is not None:
        if not returns_visible_to(user).filter(pk=evidence.return_obj_id).exists():
            raise Http404("No such document.")
    elif not actions_visible_to(user).filter(pk=evidence.action_id).exists():
        raise Http404("No such document.")
    return evidence


def actions_visible_to(user: User) -> QuerySet[ActionItem]:
    """Organisations see their own actions; the oversight roles see every action."""
    actions = ActionItem.objects.all()
    if not user.is_authenticated or not user.is_active:
        return actions.none()
    if user.is_oversight:
        return actions
    if user.has_role(*RETURN_AUTHOR_ROLES):
        return actions.filter(organisation_id__in=user.organisation_ids)
    return actions.none()


def can_update_action(user: User, action: ActionItem) -> bool:
    return user.has_role(*RETURN_AUTHOR_ROLES) and action.organisation_id in user.organisation_ids


def get_action_for_user(user: User, pk: int, *, write: bool = False) -> ActionItem:
    action = actions_visible_to(user).select_related("organisation").filter(pk=pk).first()
    if action is None:
        raise Http404("No such action.")
    if write and not can_update_action(user, action):
        raise PermissionDenied("You can read this action but not change it.")
    return action


def can_export_organisation(user: User, organisation: Organisation) -> bool:
    """The whole archive is the organisation's lead's to take, and the Business Unit's
    for any organisation. A contributor drafts parts of a return: a copy of
    everything, every document included, is for the lead who answers for it."""
    if user.has_role(Role.BUSINESS_UNIT):
        return True
    return user.has_role(*ORGANISATION_EXPORT_ROLES) and organisation.pk in user.organisation_ids


def _check_export_access(user: User, organisation: Organisation) -> None:
    if can_export_organisation(user, organisation):
        return
    # Its other members, Executive members and the Scrutineer may read its
    # returns, so they are told no (403); anyone else must not learn it exists.
    if organisation.pk in user.organisation_ids or user.has_role(Role.EXECUTIVE, Role.SCRUTINEER):
        raise PermissionDenied("Only the organisation's lead or the Business Unit can do this.")
    raise Http404("No such organisation.")


def get_organisation_for_export(user: User, pk: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404("No such organisation.")
    _check_export_access(user, organisation)
    return organisation


def get_export_for_user(user: User, pk: int) -> OrganisationExport:
    export = (
        OrganisationExport.objects.select_related("organisation", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if export is None:
        raise Http404("No such archive.")
    _check_export_access(user, export.organisation)
    return export
