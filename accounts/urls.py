from __future__ import annotations

from django.urls import path

from . import views, views_people

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
    path("people/", views_people.person_list, name="person_list"),
    path("people/<int:pk>/", views_people.person_detail, name="person_detail"),
    path("people/<int:pk>/disable/", views_people.person_disable, name="person_disable"),
    path("people/<int:pk>/enable/", views_people.person_enable, name="person_enable"),
    path(
        "people/<int:pk>/two-factor-reset/",
        views_people.person_two_factor_reset,
        name="person_two_factor_reset",
    ),
]
