from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import demo_code, is_demo_address
from accounts.services import authenticator_for
from audits.models import User


class Command(BaseCommand):
    help = (
        "Print the two-factor sign-in code of a demo account, as its authenticator app "
        "would show it. Demo addresses only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a demo login, e.g. business.unit@demo.csap.example")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if not settings.DEBUG:
            raise CommandError("demo_code only runs with DJANGO_DEBUG=true.")
        if not is_demo_address(email):
            # Codes are the second factor: printing a real person's would undo it.
            raise CommandError(
                f"demo_code gives codes for demo accounts only (@{settings.DEMO_EMAIL_DOMAIN})."
            )
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active demo account has the address {email}.")
        device = authenticator_for(user)
        if device is None:
            raise CommandError(f"{email} signs in without a code: just use the password.")
        code, seconds = demo_code(device)
        self.stdout.write(f"The code for {email} is {code}.")
        self.stdout.write(f"Type it within {seconds} seconds; each code works once.")
