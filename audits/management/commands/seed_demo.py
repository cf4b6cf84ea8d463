from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the invented demo partnership (idempotent) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # Demo accounts share a published password: never create them in production.
            raise CommandError("seed_demo only runs with DJANGO_DEBUG=true.")
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for role, email, organisation in logins:
            where = f"  ({organisation})" if organisation else ""
            self.stdout.write(f"  {role:<30} {email}{where}")
