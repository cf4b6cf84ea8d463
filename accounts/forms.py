from __future__ import annotations

import re
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from audits.models import User


def _helper() -> FormHelper:
    """Fields only: each page writes its own form tag and button, beside a hidden
    ``next`` where it has one."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's form tag carries the token
    return helper


class CodeForm(forms.Form):
    """The 6-digit code from an authenticator app."""

    code = forms.CharField(
        label="6-digit code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "input-code",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_code(self) -> str:
        # People type the code as the app shows it, often "123 456".
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(
                "Enter the 6 digits your authenticator app shows, numbers only."
            )
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}
        ),
        help_text="One of the ten codes you saved when you set up two-factor sign-in.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if not re.fullmatch(r"[a-z2-7]{8}", code):
            raise forms.ValidationError(
                "A recovery code is 8 letters and numbers, like “k7wq 2mxd”."
            )
        return code


class CurrentPasswordMixin:
    """Asks for the account's password again before a change that matters."""

    user: User
    cleaned_data: dict[str, Any]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


def _password_field(label: str = "Your current password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordConfirmForm(CurrentPasswordMixin, forms.Form):
    password = _password_field()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper()


class SetUpForm(CurrentPasswordMixin, CodeForm):
    """Confirms a new authenticator with its first code. Replacing one that works
    (a new phone) asks for the password as well."""

    password = _password_field()

    def __init__(self, *args: Any, user: User, ask_password: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["code"].widget.attrs.pop("autofocus")
        if not ask_password:
            del self.fields["password"]


class EmailChangeForm(CurrentPasswordMixin, forms.Form):
    email = forms.EmailField(
        label="New email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="You will sign in with this address. We tell your old address of the change.",
    )
    password = _password_field()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper()


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form, which checks the current password and the password rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your current password"
        self.fields["new_password1"].help_text = (
            "At least 12 characters, and not a common password. "
            "A few unrelated words make a strong one; long passwords are welcome."
        )
        self.fields["new_password2"].label = "Type the new password again"
        self.helper = _helper()


class DisableForm(forms.Form):
    reason = forms.CharField(
        label="Why is this account being disabled?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: left the partnership on 31 March. Kept in the account's history.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
