from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from audits.retention import register_retention_rule

        from .retention import REPORT_DRAFTS

        register_retention_rule(REPORT_DRAFTS)
