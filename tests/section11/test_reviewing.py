"""The Business Unit tracks every agency in a cycle and reviews each return;
Executive members and the Scrutineer read the same pages but change nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services as core
from audits.models import (
    Criterion,
    Reminder,
    ReminderKind,
    Return,
    ReturnStatus,
    ReviewComment,
    Sector,
)
from section11.models import EquivalentReturn, EquivalentStatus

from ..factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


def criteria(return_obj: Return) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework).order_by(
            "standard__position", "position"
        )
    )


def submitted(return_obj: Return, actor) -> Return:
    for criterion in criteria(return_obj):
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=actor,
        )
    return core.return_submit(return_obj=return_obj, actor=actor)


def test_the_tracker_shows_each_agency_with_status_deadline_and_reminders(
    as_persona, own_return, other_return, agency_lead
):
    submitted(own_return, agency_lead)
    Reminder.objects.create(
        kind=ReminderKind.RETURN_DUE,
        step="due-14",
        return_obj=other_return,
        recipients="x@test.csap.example",
    )
    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_tracker", args=[own_return.cycle_id]))
        .content.decode()
    )
    assert "2 agencies" in html
    assert own_return.organisation.name in html
    assert other_return.organisation.name in html
    assert "Submitted" in html
    assert "Not started" in html
    days = (own_return.cycle.closes_on - timezone.localdate()).days
    assert f"{days} days left" in html
    assert reverse("section11:return_review", args=[own_return.pk]) in html


def test_the_tracker_flags_an_agency_with_no_lead_and_links_to_invite_one(
    as_persona, own_return, other_return, agency_lead
):
    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_tracker", args=[own_return.cycle_id]))
        .content.decode()
    )
    assert html.count("No lead on the portal yet") == 1
    invite = f"?organisation={other_return.organisation_id}&amp;role=Agency+lead"
    assert invite in html
    form = as_persona("business_unit").get(
        reverse("audits:invitation_create"),
        {"organisation": other_return.organisation_id, "role": "Agency lead"},
    )
    assert f'<option value="{other_return.organisation_id}" selected>' in form.content.decode()


def test_the_tracker_filters_and_sorts(as_persona, own_return, other_return, agency_lead):
    submitted(own_return, agency_lead)
    client = as_persona("business_unit")
    url = reverse("section11:cycle_tracker", args=[own_return.cycle_id])
    html = client.get(url, {"status": "submitted"}).content.decode()
    assert own_return.organisation.name in html
    assert other_return.organisation.name not in html
    named = client.get(url, {"organisation": "hillside"}).content.decode()
    assert other_return.organisation.name in named
    assert own_return.organisation.name not in named
    by_name_desc = client.get(url, {"sort": "-agency"}).content.decode()
    assert by_name_desc.index("Northshore") < by_name_desc.index("Hillside")


def test_the_tracker_runs_a_bounded_number_of_queries(
    as_persona, agency, django_assert_max_num_queries
):
    framework = framework_with_criteria()
    cycle = open_cycle(agency, *AgencyFactory.create_batch(40), framework=framework)
    client = as_persona("business_unit")
    with django_assert_max_num_queries(8):
        assert (
            client.get(
                reverse("section11:cycle_tracker", args=[cycle.pk]), {"sort": "-reminders"}
            ).status_code
            == 200
        )


def test_comment_moderate_and_accept(as_persona, own_return, agency_lead, business_unit):
    submitted(own_return, agency_lead)
    first = criteria(own_return)[0]
    client = as_persona("business_unit")
    review = reverse("section11:return_review", args=[own_return.pk])
    assert client.get(review).status_code == 200

    client.post(
        reverse("section11:review_comment", args=[own_return.pk]),
        {"criterion": first.pk, "text": "Please add the training figures"},
    )
    comment = ReviewComment.objects.get()
    assert (comment.criterion, comment.author) == (first, business_unit)

    client.post(
        reverse("section11:review_moderate", args=[own_return.pk]),
        {"criterion": first.pk, "moderated_rating": "amber", "moderation_note": "Figures are low"},
    )
    answer = own_return.responses.get(criterion=first)
    assert (answer.rating, answer.moderated_rating) == ("green", "amber")
    assert answer.history.latest().history_user == business_unit

    client.post(reverse("section11:review_decide", args=[own_return.pk]), {"decision": "accept"})
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.ACCEPTED

    # The agency sees the comment beside the question.
    area = (
        as_persona("agency_lead")
        .get(reverse("section11:return_area", args=[own_return.pk, first.standard.code]))
        .content.decode()
    )
    assert "Please add the training figures" in area


def test_a_refused_moderation_is_explained_at_its_answer_keeping_what_was_typed(
    as_persona, own_return, agency_lead
):
    submitted(own_return, agency_lead)
    second = criteria(own_return)[1]
    note = "Figures are low. " * 300  # over the 5,000 characters a note may have

    response = as_persona("business_unit").post(
        reverse("section11:review_moderate", args=[own_return.pk]),
        {"criterion": second.pk, "moderated_rating": "amber", "moderation_note": note},
    )

    assert response.status_code == 400
    html = response.content.decode()
    section = html[html.index(f'id="criterion-{second.pk}"') :]
    section = section[: section.index("</section>")]
    assert "The moderation is not saved" in section
    assert f'<a href="#note-{second.pk}">Why: Ensure this value has at most 5000' in section
    assert note in section  # nothing typed is lost
    assert '<option value="amber" selected>' in section
    assert own_return.responses.get(criterion=second).moderated_rating == ""


def test_a_refused_comment_on_an_answer_stays_at_that_answer(as_persona, own_return, agency_lead):
    submitted(own_return, agency_lead)
    second = criteria(own_return)[1]
    text = "Ask for the audit. " * 300

    response = as_persona("business_unit").post(
        reverse("section11:review_comment", args=[own_return.pk]),
        {"criterion": second.pk, "text": text},
    )

    assert response.status_code == 400
    html = response.content.decode()
    section = html[html.index(f'id="criterion-{second.pk}"') :]
    section = section[: section.index("</section>")]
    assert f'id="comment-{second.pk}-error"' in section
    assert text in section
    # The comment box for the whole return stays empty: the comment was about one answer.
    general = html[html.index('id="comments"') :]
    assert text not in general[: general.index("</section>")]
    assert not ReviewComment.objects.exists()


def test_returning_for_changes_needs_a_reason_which_the_agency_then_sees(
    as_persona, own_return, agency_lead
):
    submitted(own_return, agency_lead)
    client = as_persona("business_unit")
    refused = client.post(
        reverse("section11:review_decide", args=[own_return.pk]), {"decision": "return"}
    )
    assert refused.status_code == 400
    assert "Say what needs to change." in refused.content.decode()
    client.post(
        reverse("section11:review_decide", args=[own_return.pk]),
        {"decision": "return", "reason": "Evidence for 2.1 is missing"},
    )
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.RETURNED
    overview = (
        as_persona("agency_lead")
        .get(reverse("section11:return_overview", args=[own_return.pk]))
        .content.decode()
    )
    assert "The Business Unit returned this for changes" in overview
    assert "Evidence for 2.1 is missing" in overview


def test_reopening_needs_a_reason(as_persona, own_return, agency_lead):
    submitted(own_return, agency_lead)
    client = as_persona("business_unit")
    assert (
        client.post(
            reverse("section11:review_reopen", args=[own_return.pk]), {"reason": ""}
        ).status_code
        == 400
    )
    client.post(
        reverse("section11:review_reopen", args=[own_return.pk]),
        {"reason": "Agency asked to correct 1.2"},
    )
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.IN_PROGRESS


def test_one_agency_deadline_is_extended(as_persona, own_return, other_return):
    later = own_return.cycle.closes_on + datetime.timedelta(days=10)
    client = as_persona("business_unit")
    response = client.post(
        reverse("section11:review_deadline", args=[own_return.pk]),
        {"extended_deadline": later.isoformat()},
    )
    assert response.status_code == 302
    own_return.refresh_from_db()
    other_return.refresh_from_db()
    assert own_return.deadline == later
    assert other_return.deadline == own_return.cycle.closes_on
    too_early = client.post(
        reverse("section11:review_deadline", args=[own_return.pk]),
        {"extended_deadline": own_return.cycle.opens_on.isoformat()},
    )
    assert "must be after the cycle closes" in too_early.content.decode()


@pytest.mark.parametrize("persona", ["executive", "scrutineer"])
def test_executive_and_scrutineer_read_the_review_but_cannot_act(
    as_persona, own_return, agency_lead, persona
):
    submitted(own_return, agency_lead)
    client = as_persona(persona)
    page = client.get(reverse("section11:return_review", args=[own_return.pk]))
    assert page.status_code == 200
    assert "Record decision" not in page.content.decode()
    assert (
        client.get(reverse("section11:cycle_tracker", args=[own_return.cycle_id])).status_code
        == 200
    )
    for name, data in [
        ("section11:review_decide", {"decision": "accept"}),
        ("section11:review_comment", {"text": "x"}),
        ("section11:review_reopen", {"reason": "x"}),
        ("section11:review_deadline", {"extended_deadline": "2030-01-01"}),
    ]:
        assert client.post(reverse(name, args=[own_return.pk]), data).status_code == 403
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.SUBMITTED
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize(
    "persona", ["agency_lead", "contributor", "other_agency_lead", "school_lead", "auditor"]
)
def test_agencies_and_schools_do_not_see_the_review_pages(as_persona, own_return, persona):
    client = as_persona(persona)
    assert client.get(reverse("section11:return_review", args=[own_return.pk])).status_code == 404
    assert (
        client.get(reverse("section11:cycle_tracker", args=[own_return.cycle_id])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("section11:review_decide", args=[own_return.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_sign_in_from_review_pages(client, own_return):
    for url in [
        reverse("section11:return_review", args=[own_return.pk]),
        reverse("section11:cycle_tracker", args=[own_return.cycle_id]),
    ]:
        assert client.get(url)["Location"].startswith(reverse("login"))


# --- Equivalent returns -----------------------------------------------------


@pytest.fixture
def health_return(framework) -> tuple[Return, object]:
    trust = AgencyFactory(name="Bayside Hospitals Trust", sector=Sector.HEALTH_PROVIDER)
    lead = UserFactory(full_name="Kim Nurse", roles=["Agency lead"], organisation=trust)
    return open_cycle(trust, framework=framework).returns.get(), lead


def test_a_health_partner_submits_an_scat_which_the_business_unit_accepts(
    client, health_return, business_unit
):
    return_obj, lead = health_return
    client.force_login(lead)
    overview = client.get(
        reverse("section11:return_overview", args=[return_obj.pk])
    ).content.decode()
    assert "submit an S-CAT or SAF instead" in overview
    response = client.post(
        reverse("section11:equivalent_submit", args=[return_obj.pk]),
        {"form": "scat", "file": SimpleUploadedFile("scat.pdf", b"%PDF-1.7\n1 0 obj\n")},
    )
    assert response.status_code == 302
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.SUBMITTED
    assert return_obj.equivalent.status == EquivalentStatus.PENDING

    client.force_login(business_unit)
    review = client.get(reverse("section11:return_review", args=[return_obj.pk])).content.decode()
    assert "S-CAT" in review
    assert "scat.pdf" in review
    client.post(
        reverse("section11:review_equivalent", args=[return_obj.pk]), {"decision": "accept"}
    )
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.ACCEPTED
    assert return_obj.equivalent.status == EquivalentStatus.ACCEPTED


def test_a_rejected_equivalent_goes_back_with_the_reason(client, health_return, business_unit):
    return_obj, lead = health_return
    from section11.services import equivalent_return_submit

    equivalent_return_submit(
        return_obj=return_obj,
        form="saf",
        upload=SimpleUploadedFile("saf.pdf", b"%PDF-1.7\n"),
        actor=lead,
    )
    client.force_login(business_unit)
    refused = client.post(
        reverse("section11:review_equivalent", args=[return_obj.pk]), {"decision": "reject"}
    )
    assert "Say why the document is not accepted." in refused.content.decode()
    client.post(
        reverse("section11:review_equivalent", args=[return_obj.pk]),
        {"decision": "reject", "reason": "The SAF is two years old"},
    )
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.RETURNED
    assert EquivalentReturn.objects.get().decision_reason == "The SAF is two years old"


def test_accepting_an_equivalent_after_the_return_was_reopened_elsewhere_says_why(
    client, health_return, business_unit
):
    """The decision form was still open in another tab when a colleague reopened the return."""
    return_obj, lead = health_return
    from section11.services import equivalent_return_submit

    equivalent_return_submit(
        return_obj=return_obj,
        form="scat",
        upload=SimpleUploadedFile("scat.pdf", b"%PDF-1.7\n"),
        actor=lead,
    )
    return_obj.refresh_from_db()
    core.return_reopen(return_obj=return_obj, reason="Ratings are needed too", actor=business_unit)
    client.force_login(business_unit)

    response = client.post(
        reverse("section11:review_equivalent", args=[return_obj.pk]), {"decision": "accept"}
    )

    assert response.status_code == 400
    assert "Only a submitted return can be accepted." in response.content.decode()
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.IN_PROGRESS
    assert return_obj.equivalent.status == EquivalentStatus.PENDING


def test_only_health_partners_may_offer_an_equivalent(as_persona, own_return):
    assert (
        as_persona("agency_lead")
        .get(reverse("section11:equivalent_submit", args=[own_return.pk]))
        .status_code
        == 404
    )


def test_the_review_page_runs_a_bounded_number_of_queries(
    as_persona, agency, agency_lead, django_assert_max_num_queries
):
    big = open_cycle(
        agency, framework=framework_with_criteria(standards=4, criteria_per_standard=8)
    ).returns.get()
    submitted(big, agency_lead)
    for criterion in criteria(big)[:10]:
        core.review_comment_add(
            return_obj=big,
            criterion=criterion,
            text="Noted",
            actor=UserFactory(roles=["Business Unit"]),
        )
    client = as_persona("business_unit")
    # 14 for the page, one for the session's two-factor device (django-otp checks it on
    # every request) and two for the access log: its insert and its content type.
    with django_assert_max_num_queries(17):
        assert client.get(reverse("section11:return_review", args=[big.pk])).status_code == 200
