from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/email/", views.email_change, name="email_change"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/code/", views.otp_verify, name="otp_verify"),
    path("account/two-factor/recovery-code/", views.otp_recover, name="otp_recover"),
    path("account/two-factor/set-up/", views.otp_setup, name="otp_setup"),
    path("account/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/two-factor/turn-off/", views.otp_turn_off, name="otp_turn_off"),
]
