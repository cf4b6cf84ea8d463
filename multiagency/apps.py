from __future__ import annotations

from django.apps import AppConfig


class MultiagencyConfig(AppConfig):
    name = "multiagency"
    verbose_name = "Multi-agency audits"
