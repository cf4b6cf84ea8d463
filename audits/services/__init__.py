"""Every write to the shared core goes through one of these functions.

Each takes keyword-only arguments, validates with ``full_clean()``, runs in a
transaction and records who acted in the history (``_history_user``).
"""

from __future__ import annotations

from .access_log import access_record_add
from .actions import (
    action_create,
    action_record_progress,
)
from .evidence import (
    evidence_attach,
    evidence_remove,
    evidence_rescan_lost,
    evidence_scan,
    quarantine_path,
)
from .exports import (
    organisation_export_build,
    organisation_export_fail,
    organisation_export_request,
    organisation_exports_requeue_lost,
)
from .frameworks import (
    criterion_create,
    criterion_update,
    framework_create,
    framework_new_version,
    framework_update,
    standard_create,
    standard_update,
)
from .organisations import (
    agency_create,
    school_create,
)
from .people import (
    INVITATION_SALT,
    INVITATION_UNSENT_AFTER,
    InvitationUnusable,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_send,
    invitation_token,
    invitations_queue_unsent,
    membership_add,
    user_create,
)
from .returns import (
    StaleResponse,
    SubmissionBlocked,
    cycle_create,
    response_moderate,
    response_save,
    return_accept,
    return_document_blockers,
    return_extend_deadline,
    return_reopen,
    return_send_back,
    return_submission_blockers,
    return_submit,
    review_comment_add,
)

__all__ = [
    "INVITATION_SALT",
    "INVITATION_UNSENT_AFTER",
    "InvitationUnusable",
    "StaleResponse",
    "SubmissionBlocked",
    "access_record_add",
    "action_create",
    "action_record_progress",
    "agency_create",
    "criterion_create",
    "criterion_update",
    "cycle_create",
    "evidence_attach",
    "evidence_remove",
    "evidence_rescan_lost",
    "evidence_scan",
    "framework_create",
    "framework_new_version",
    "framework_update",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_send",
    "invitation_token",
    "invitations_queue_unsent",
    "membership_add",
    "organisation_export_build",
    "organisation_export_fail",
    "organisation_export_request",
    "organisation_exports_requeue_lost",
    "quarantine_path",
    "response_moderate",
    "response_save",
    "return_accept",
    "return_document_blockers",
    "return_extend_deadline",
    "return_reopen",
    "return_send_back",
    "return_submission_blockers",
    "return_submit",
    "review_comment_add",
    "school_create",
    "standard_create",
    "standard_update",
    "user_create",
]
