from __future__ import annotations

from django.apps import AppConfig


class Section11Config(AppConfig):
    name = "section11"
    verbose_name = "Section 11"

    def ready(self) -> None:
        from audits.models import FrameworkKind
        from audits.pages import register_pages
        from audits.retention import register_return_part

        from .retention import challenge_events_of, equivalents_of

        register_pages(
            FrameworkKind.SECTION_11,
            return_page="section11:return_overview",
            cycle_page="section11:cycle_tracker",
            documents_page="section11:return_evidence",
        )
        # Challenge events and equivalents protect their return: they go first.
        register_return_part(challenge_events_of)
        register_return_part(equivalents_of)
