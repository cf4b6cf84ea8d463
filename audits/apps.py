from __future__ import annotations

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Assurance core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_clock_start

        user_logged_in.connect(session_clock_start, dispatch_uid="audits.session_clock_start")
