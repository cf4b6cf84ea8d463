"""The shared core's models, one module per part of the domain.

Rules that can be stated as data live here as database constraints. Rules that
need a decision (who may submit, when a framework freezes) live in services.
"""

from __future__ import annotations

from .access_log import AccessKind, AccessRecord
from .actions import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    Reminder,
    ReminderKind,
)
from .exports import ExportStatus, OrganisationExport, export_upload_to
from .frameworks import (
    RATING_RANK,
    RATINGS_NEEDING_ACTION,
    SCALE_RATINGS,
    Criterion,
    Framework,
    FrameworkKind,
    Rating,
    RatingScale,
    Standard,
    weakest_rating,
)
from .organisations import (
    SECTION_175_TYPES,
    EstablishmentType,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Phase,
    Sector,
    StatutorySection,
    statutory_section_for,
)
from .people import (
    ORGANISATION_ROLES,
    OVERSIGHT_ROLES,
    TWO_FACTOR_ROLES,
    Role,
    StatutoryPartner,
    User,
    UserManager,
)
from .places import (
    District,
    LocalAuthority,
    Locality,
)
from .returns import (
    DOWNLOADABLE_SCAN_STATUSES,
    EDITABLE_STATUSES,
    AuditCycle,
    Evidence,
    Response,
    Return,
    ReturnStatus,
    ReviewComment,
    ScanStatus,
    evidence_upload_to,
)

__all__ = [
    "DOWNLOADABLE_SCAN_STATUSES",
    "EDITABLE_STATUSES",
    "ORGANISATION_ROLES",
    "OVERSIGHT_ROLES",
    "RATINGS_NEEDING_ACTION",
    "RATING_RANK",
    "SCALE_RATINGS",
    "SECTION_175_TYPES",
    "TWO_FACTOR_ROLES",
    "AccessKind",
    "AccessRecord",
    "ActionItem",
    "ActionStatus",
    "ActionUpdate",
    "AuditCycle",
    "Criterion",
    "District",
    "EstablishmentType",
    "Evidence",
    "ExportStatus",
    "Framework",
    "FrameworkKind",
    "Invitation",
    "LocalAuthority",
    "Locality",
    "Membership",
    "Organisation",
    "OrganisationExport",
    "OrganisationKind",
    "Phase",
    "Rating",
    "RatingScale",
    "Reminder",
    "ReminderKind",
    "Response",
    "Return",
    "ReturnStatus",
    "ReviewComment",
    "Role",
    "ScanStatus",
    "Sector",
    "Standard",
    "StatutoryPartner",
    "StatutorySection",
    "User",
    "UserManager",
    "evidence_upload_to",
    "export_upload_to",
    "statutory_section_for",
    "weakest_rating",
]
