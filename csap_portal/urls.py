from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audits.forms import EmailLoginForm

auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("account/", include(auth_patterns)),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("section11/", include("section11.urls")),
    path("reports/", include("reports.urls")),
    path("", include("audits.urls")),
]

# Too much form data, or a request that cannot be read: a page that says so.
handler400 = "audits.errors.bad_request"
