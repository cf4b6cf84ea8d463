from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .evidence import MAX_EVIDENCE_BYTES
from .models import ActionStatus, Organisation, OrganisationKind, Role, StatutoryPartner, User

# The width of the lockout's username columns. Django's sign-in forms do not limit
# what is typed, and no address that long belongs to anyone, so cutting it to fit
# keeps a pasted essay from breaking the sign-in page.
LOCKOUT_USERNAME_LENGTH = 255


def login_username(request: HttpRequest, credentials: dict[str, Any]) -> str:
    """The address a sign-in attempt was for, as the lockout counts it: in lower case,
    since people type their address in any case and it is the same account."""
    return str(credentials.get("username", "")).strip().lower()[:LOCKOUT_USERNAME_LENGTH]


class EmailLoginForm(AuthenticationForm):
    """The login form, speaking of email addresses rather than usernames."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The email address or password is not right. Check them and try again.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class DocumentField(forms.FileField):
    """An uploaded document (evidence, an S-CAT or SAF). Its input carries the largest
    size the portal accepts, so that static/js/file-size.js can say at once that a
    chosen file is too large, before anything is sent."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "data-max-bytes": str(MAX_EVIDENCE_BYTES)}


class InvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=[("", "Choose a role"), *list(Role.choices)])
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True).order_by("kind", "name"),
        required=False,
        help_text="Needed for agency leads, contributors, school leads and auditors.",
    )
    statutory_partner = forms.ChoiceField(
        label="Statutory partner represented",
        choices=[("", "Not an Executive member"), *StatutoryPartner.choices],
        required=False,
        help_text="Needed for Executive members, who sign off reports for their partner.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        # Label schools with their URN so that two schools of one name can be told apart.
        organisation.label_from_instance = lambda o: (  # type: ignore[attr-defined]
            f"{o.name} (URN {o.urn})" if o.kind == OrganisationKind.SCHOOL else o.name
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send invitation"))


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words make a strong password.",
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, full_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.full_name = full_name
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Set password and sign in"))

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data["password2"]
        if first and first != second:
            raise forms.ValidationError("The two passwords do not match.")
        return second

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password1")
        if password:
            probe = User(email=self.email, full_name=self.full_name)
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    note = forms.CharField(
        label="Progress made", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = DocumentField(
        label="Evidence (optional)",
        required=False,
        help_text=(
            "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), plain text, PNG or JPEG; "
            "up to 20 MB."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record progress"))


def add_service_errors(
    form: forms.Form, error: ValidationError, *, rename: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: each message beside its field when the
    form has that field (``rename`` maps a service's field name to the form's), and
    at the top of the form otherwise."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, errors)
