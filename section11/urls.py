from __future__ import annotations

from . import views_challenges, views_dashboard, views_returns, views_review, views_setup

app_name = "section11"

urlpatterns = [
    *views_setup.urlpatterns,
    *views_returns.urlpatterns,
    *views_review.urlpatterns,
    *views_challenges.urlpatterns,
    *views_dashboard.urlpatterns,
]
