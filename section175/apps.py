from __future__ import annotations

from django.apps import AppConfig


class Section175Config(AppConfig):
    name = "section175"
    verbose_name = "Section 175/157"
