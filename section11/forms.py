from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from audits.forms import DocumentField
from audits.models import (
    Criterion,
    Framework,
    FrameworkKind,
    Organisation,
    OrganisationKind,
    Rating,
    Return,
)

from .models import EquivalentForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Form(forms.Form):
    """A form that renders its own submit button with crispy."""

    submit_label = "Save"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


# --- Set-up -----------------------------------------------------------------


class CriterionForm(_Form):
    code = forms.CharField(max_length=20, help_text="For example 2.4. Keep codes stable.")
    text = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 3}))
    guidance = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What good looks like, and what would make it Amber or Red.",
    )
    evidence_hint = forms.CharField(
        label="Evidence hint",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Documents or data that show it.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class CycleOpenForm(_Form):
    submit_label = "Open the cycle"

    framework = forms.ModelChoiceField(
        label="Framework version",
        queryset=Framework.objects.filter(kind=FrameworkKind.SECTION_11).order_by("-version"),
    )
    name = forms.CharField(max_length=200, help_text="For example: Section 11 audit 2026.")
    opens_on = forms.DateField(label="Opens on", widget=DATE_INPUT)
    closes_on = forms.DateField(label="Closes on", widget=DATE_INPUT)
    organisations = forms.ModelMultipleChoiceField(
        label="Agencies taking part",
        queryset=Organisation.objects.filter(kind=OrganisationKind.AGENCY, is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date.")
        return cleaned


# --- Completing a return ----------------------------------------------------


class ResponseForm(forms.Form):
    """One criterion's answer. ``revision`` is the version the user started from."""

    rating = forms.ChoiceField(
        required=False, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    narrative = forms.CharField(
        label="Your evidence and commentary",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    not_applicable_reason = forms.CharField(
        label="Why this does not apply",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, ratings: tuple[Rating, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [(r.value, r.label) for r in ratings]


class EvidenceForm(_Form):
    submit_label = "Upload"

    file = DocumentField(
        label="Document",
        help_text=(
            "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), plain text, PNG or JPEG; "
            "up to 20 MB."
        ),
    )
    criterion = forms.ModelChoiceField(
        label="Which question it supports", queryset=Criterion.objects.none(), required=False
    )

    def __init__(self, *args: Any, return_obj: Return | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if return_obj is not None:
            self.fields["criterion"].queryset = Criterion.objects.filter(
                standard__framework_id=return_obj.cycle.framework_id
            ).select_related("standard")


class ActionForm(forms.Form):
    description = forms.CharField(
        label="What will be done", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(max_length=150, help_text="The person or post responsible.")
    due_date = forms.DateField(label="Due by", widget=DATE_INPUT)


class EquivalentReturnForm(_Form):
    submit_label = "Submit this document as our return"

    form = forms.ChoiceField(label="Which form", choices=EquivalentForm.choices)
    file = DocumentField(label="Your completed form", help_text="PDF, Word or Excel; up to 20 MB.")


# --- Review -----------------------------------------------------------------


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ModerationForm(forms.Form):
    moderated_rating = forms.ChoiceField(label="Moderated rating", required=False)
    moderation_note = forms.CharField(
        label="Why", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, ratings: tuple[Rating, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moderated_rating"].choices = [("", "Agree with the self-rating")] + [
            (r.value, r.label) for r in ratings
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept the return"), ("return", "Return it for changes")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="What needs to change",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when returning it for changes; the agency sees this.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "return" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say what needs to change.")
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Reason for reopening", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeadlineForm(forms.Form):
    extended_deadline = forms.DateField(label="New deadline", widget=DATE_INPUT)


class EquivalentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept it as the return"), ("reject", "Do not accept it")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the document is not accepted.")
        return cleaned
