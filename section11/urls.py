from __future__ import annotations

from . import views_challenges, views_dashboard

app_name = "section11"

urlpatterns = [
    *views_challenges.urlpatterns,
    *views_dashboard.urlpatterns,
]
