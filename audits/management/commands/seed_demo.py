from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from audits.demo import DEMO_PASSWORD, seed_demo
from audits.models import User


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
        people = User.objects.filter(email__in=[email for _, email, _ in logins])
        with_code = {
            user.email for user in people.prefetch_related("groups") if user.two_factor_required
        }
        for role, email, organisation in logins:
            where = f"  ({organisation})" if organisation else ""
            mark = "*" if email in with_code else " "
            self.stdout.write(f"  {mark} {role:<36} {email}{where}")
        if with_code:
            self.stdout.write(
                "\n  * also asks for a 6-digit code from an authenticator app. Without a phone,"
                "\n    print the demo account's current code with"
                "\n      make demo-code EMAIL=<address>   (or: manage.py demo_code <address>)"
            )
