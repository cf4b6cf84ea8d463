"""Each audit function names the pages where its cycles and returns are worked on.

The core does not import the functions built on it; they register here instead
(in their AppConfig.ready), and core templates link through these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from .models import AuditCycle, Evidence, Return

_RETURN_PAGES: dict[str, str] = {}
_CYCLE_PAGES: dict[str, str] = {}
_DOCUMENTS_PAGES: dict[str, str] = {}


def register_pages(
    framework_kind: str, *, return_page: str, cycle_page: str, documents_page: str | None = None
) -> None:
    _RETURN_PAGES[framework_kind] = return_page
    _CYCLE_PAGES[framework_kind] = cycle_page
    if documents_page:
        _DOCUMENTS_PAGES[framework_kind] = documents_page


def return_page_url(return_obj: Return) -> str:
    url_name = _RETURN_PAGES.get(return_obj.cycle.framework.kind, "audits:return_detail")
    return reverse(url_name, args=[return_obj.pk])


def cycle_page_url(cycle: AuditCycle) -> str | None:
    url_name = _CYCLE_PAGES.get(cycle.framework.kind)
    return reverse(url_name, args=[cycle.pk]) if url_name else None


def evidence_page_url(evidence: Evidence) -> str:
    """Where a document is listed: its return's documents page, or its action."""
    if evidence.return_obj is None:
        return reverse("audits:action_detail", args=[evidence.action_id])
    url_name = _DOCUMENTS_PAGES.get(evidence.return_obj.cycle.framework.kind)
    if url_name is None:
        return return_page_url(evidence.return_obj)
    return reverse(url_name, args=[evidence.return_obj_id])
