from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from .sessions import last_login_update

        # Django records each sign-in's time with a save, which would add a row to
        # the account's history every time someone signs in: swap in a save that
        # keeps the history for changes that matter. (django-axes logs sign-ins.)
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(last_login_update, dispatch_uid="accounts.last_login_update")
