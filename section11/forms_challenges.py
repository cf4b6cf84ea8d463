"""Forms for challenge events. They check what was typed; the rules live in
section11.challenges, whose errors the views put back on these forms."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms

from audits.models import AuditCycle, Framework, Return, Standard, User

from .challenges import moderation_ratings
from .models import AreaOutcome, PanelRole

INVALID_DATE = "Enter a real date, for example 14/03/2025."


class DatePicker(forms.DateInput):
    """The browser's date picker. It sends ISO dates, which a DateField always accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ChallengeEventCreateForm(forms.Form):
    """Planning an event from one row of the shortlist: each row has its own form."""

    return_obj = forms.ModelChoiceField(
        queryset=Return.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose an agency from the shortlist.",
            "invalid_choice": "That agency has no return in this cycle.",
        },
    )
    held_on = forms.DateField(
        label="Date of the event", widget=DatePicker, error_messages={"invalid": INVALID_DATE}
    )

    def __init__(self, *args: Any, cycle: AuditCycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        returns = cast(forms.ModelChoiceField, self.fields["return_obj"])
        returns.queryset = Return.objects.filter(cycle=cycle)
        # Ids must differ from row to row, so each carries the return it plans for.
        key = str(self["return_obj"].value() or "")
        self.auto_id = f"id_plan_{key}_%s" if key.isdigit() else "id_plan_%s"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # The template's form tag carries the token.
        # The row's heading names the agency; the label repeats it for screen readers.
        self.helper.label_class = "visually-hidden"

    def name_agency(self, name: str) -> None:
        self.fields["held_on"].label = f"Date of the challenge event with {name}"


class ChallengeEventUpdateForm(forms.Form):
    held_on = forms.DateField(
        label="Date of the event", widget=DatePicker, error_messages={"invalid": INVALID_DATE}
    )
    summary = forms.CharField(
        label="Overall findings",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The panel's summary for the Board.",
    )


class PortalUserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        # Two people may share a name; their addresses tell them apart.
        return f"{obj.full_name} ({obj.email})"


class PanelMemberForm(forms.Form):
    role = forms.ChoiceField(
        label="Role on the panel", choices=PanelRole.choices, widget=forms.RadioSelect
    )
    user = PortalUserField(
        label="Portal user (optional)",
        queryset=User.objects.filter(is_active=True).order_by("full_name", "email"),
        required=False,
        empty_label="No portal account",
        help_text="A portal user on the panel may read this agency's return, and nothing "
        "else, until they are taken off the panel.",
    )
    name = forms.CharField(
        max_length=150, required=False, help_text="Leave blank to use the portal user's name."
    )
    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="For the peer, an organisation in the same sector as the agency.",
        # The page lists the agencies of the same sector as suggestions.
        widget=forms.TextInput(attrs={"list": "similar-organisations"}),
    )


class AreaFindingForm(forms.Form):
    """The panel's view of one area. Each area's form has the area as its prefix."""

    outcome = forms.ChoiceField(
        label="The panel's view", choices=AreaOutcome.choices, widget=forms.RadioSelect
    )
    moderated_rating = forms.ChoiceField(
        label="Moderated rating",
        required=False,
        help_text="Only when the panel moderates the self-rating.",
    )
    findings = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["moderated_rating"]).choices = [
            ("", "Choose a rating"),
            *((r.value, r.label) for r in moderation_ratings(framework)),
        ]


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the recommendation."},
    )
    owner = forms.CharField(
        max_length=150,
        help_text="The person or post responsible.",
        error_messages={"required": "Say who will act on the recommendation."},
    )
    due_date = forms.DateField(
        label="Due date (optional)",
        required=False,
        widget=DatePicker,
        error_messages={"invalid": INVALID_DATE},
    )
    standard = forms.ModelChoiceField(
        label="Area (optional)",
        queryset=Standard.objects.none(),
        required=False,
        empty_label="The return as a whole",
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = cast(forms.ModelChoiceField, self.fields["standard"])
        areas.queryset = Standard.objects.filter(framework=framework)
