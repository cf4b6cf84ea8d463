from __future__ import annotations

from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.home, name="home"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/history/", views.return_history, name="return_history"),
    path("retention/", views.retention_schedule, name="retention_schedule"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("organisations/<int:pk>/export/", views.organisation_export, name="organisation_export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("healthz", views.healthz, name="healthz"),
]
