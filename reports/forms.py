from __future__ import annotations

from typing import Any

from django import forms

from .models import Decision


class ReportTextForm(forms.Form):
    title = forms.CharField(max_length=200)
    themes = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The themes the Business Unit draws from the returns. Separate paragraphs "
        "with a blank line.",
    )
    recommendations = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One recommendation per line.",
    )


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you ask for changes.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("decision") == Decision.CHANGES_REQUESTED
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", "Say what needs to change.")
        return cleaned
