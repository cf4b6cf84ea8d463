"""The Section 11 dashboard, heat map and exports."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
