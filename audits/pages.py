"""Each audit function names the pages where its cycles and returns are worked on.

The core does not import the functions built on it; they register here instead
(in their AppConfig.ready), and core templates link through these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from .models import AuditCycle, Return

_RETURN_PAGES: dict[str, str] = {}
_CYCLE_PAGES: dict[str, str] = {}


def register_pages(framework_kind: str, *, return_page: str, cycle_page: str) -> None:
    _RETURN_PAGES[framework_kind] = return_page
    _CYCLE_PAGES[framework_kind] = cycle_page


def return_page_url(return_obj: Return) -> str:
    url_name = _RETURN_PAGES.get(return_obj.cycle.framework.kind, "audits:return_detail")
    return reverse(url_name, args=[return_obj.pk])


def cycle_page_url(cycle: AuditCycle) -> str | None:
    url_name = _CYCLE_PAGES.get(cycle.framework.kind)
    return reverse(url_name, args=[cycle.pk]) if url_name else None
