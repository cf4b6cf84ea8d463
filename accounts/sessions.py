"""The session engine (SESSION_ENGINE = "accounts.sessions"): Django's database
sessions, each stored with the account it belongs to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import update_last_login
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from .models import AccountSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

    def create_model_instance(self, data: dict[str, Any]) -> AccountSession:
        session = super().create_model_instance(data)
        try:
            session.account_id = int(data.get(SESSION_KEY))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            session.account_id = None  # a visitor who has not signed in
        return session


def last_login_update(sender: object, user: Any, **kwargs: Any) -> None:
    """Django's update_last_login, without a history row for each sign-in."""
    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving
