from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from audits.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the invented demo partnership (idempotent) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # Demo accounts share a published password: never create them in production.
            raise CommandError("seed_demo only runs with DJANGO_DEBUG=true.")
        logins = seed_demo()
        # Each audit function may add its own demo data in a `demo` module.
        for app_config in apps.get_app_configs():
            if app_config.name != "audits" and module_has_submodule(app_config.module, "demo"):
                import_module(f"{app_config.name}.demo").seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for role, email, organisation in logins:
            where = f"  ({organisation})" if organisation else ""
            self.stdout.write(f"  {role:<36} {email}{where}")
