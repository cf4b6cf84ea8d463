"""Challenge events: the shortlist, each event's record, and the collated view."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
