from __future__ import annotations

from django.urls import path

from .views import (
    public_download,
    public_list,
    report_detail,
    report_list,
    report_request,
    version_detail,
    version_download,
    version_publish,
    version_retry,
    version_send,
    version_signoff,
    version_status,
)

app_name = "reports"

urlpatterns = [
    path("", report_list, name="report_list"),
    path("cycles/<int:cycle_pk>/request/", report_request, name="report_request"),
    path("<int:pk>/", report_detail, name="report_detail"),
    path("versions/<int:pk>/", version_detail, name="version_detail"),
    path("versions/<int:pk>/status/", version_status, name="version_status"),
    path("versions/<int:pk>/retry/", version_retry, name="version_retry"),
    path("versions/<int:pk>/send/", version_send, name="version_send"),
    path("versions/<int:pk>/sign-off/", version_signoff, name="version_signoff"),
    path("versions/<int:pk>/publish/", version_publish, name="version_publish"),
    path("versions/<int:pk>/download/", version_download, name="version_download"),
    path("published/", public_list, name="public_list"),
    path("published/<int:pk>/download/", public_download, name="public_download"),
]
