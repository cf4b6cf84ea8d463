"""Sessions that know whose they are. Devices for two-factor sign-in are django-otp's."""

from __future__ import annotations

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class AccountSession(AbstractBaseSession):
    """Django's database session with the signed-in account's id beside it, so that
    every session of one account can be ended at once (Django's own table cannot be
    searched by account: the id is inside the encoded data)."""

    account_id = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        verbose_name = "session"

    @classmethod
    def get_session_store_class(cls) -> type:
        from .sessions import SessionStore

        return SessionStore
