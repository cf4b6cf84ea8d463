"""An agency lead and contributors complete a Section 11 return in the browser's forms:
answers save as they type, a colleague's newer answer is never silently overwritten,
documents are checked by their content, and only the lead submits."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services as core
from audits.models import ActionItem, Criterion, Evidence, Rating, Response, Return, ReturnStatus

pytestmark = pytest.mark.django_db


def criteria(return_obj: Return) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework)
        .select_related("standard")
        .order_by("standard__position", "position")
    )


def answer_url(return_obj: Return, criterion: Criterion) -> str:
    return reverse("section11:response_save", args=[return_obj.pk, criterion.pk])


def answer(
    criterion: Criterion,
    *,
    rating: str = "",
    narrative: str = "",
    reason: str = "",
    revision: int = 0,
):
    prefix = f"c{criterion.pk}"
    return {
        f"{prefix}-rating": rating,
        f"{prefix}-narrative": narrative,
        f"{prefix}-not_applicable_reason": reason,
        f"{prefix}-revision": revision,
    }


AUTOSAVE = {"HTTP_X_AUTOSAVE": "1"}


def pdf(name: str = "policy.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


def test_autosave_stores_the_answer_and_returns_the_new_revision(as_persona, own_return):
    first = criteria(own_return)[0]
    client = as_persona("contributor")
    response = client.post(
        answer_url(own_return, first),
        answer(first, rating="amber", narrative="Partly in place"),
        **AUTOSAVE,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "saved"
    assert response.json()["revision"] == 1
    saved = Response.objects.get(return_obj=own_return, criterion=first)
    assert (saved.rating, saved.narrative) == (Rating.AMBER, "Partly in place")
    assert saved.history.latest().history_user.full_name == "Sam Contributor"


def test_the_save_button_works_without_script(as_persona, own_return):
    first = criteria(own_return)[0]
    response = as_persona("agency_lead").post(
        answer_url(own_return, first), answer(first, rating="green", narrative="Yes")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#criterion-{first.pk}")


def test_a_stale_autosave_is_refused_and_explained(as_persona, own_return, agency_lead):
    first = criteria(own_return)[0]
    core.response_save(
        return_obj=own_return,
        criterion=first,
        rating="green",
        narrative="The lead's answer",
        revision=0,
        actor=agency_lead,
    )
    response = as_persona("contributor").post(
        answer_url(own_return, first),
        answer(first, rating="red", narrative="Mine", revision=0),
        **AUTOSAVE,
    )
    assert response.status_code == 409
    body = response.json()
    assert "Morgan Lead saved a different answer to 1.1" in body["message"]
    assert body["current"]["narrative"] == "The lead's answer"
    assert (
        Response.objects.get(criterion=first, return_obj=own_return).narrative
        == "The lead's answer"
    )


def test_a_stale_save_without_script_keeps_what_was_typed(as_persona, own_return, agency_lead):
    first = criteria(own_return)[0]
    core.response_save(
        return_obj=own_return,
        criterion=first,
        rating="green",
        narrative="Earlier words",
        revision=0,
        actor=agency_lead,
    )
    response = as_persona("contributor").post(
        answer_url(own_return, first), answer(first, rating="red", narrative="My careful words")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "saved a different answer" in html
    assert "My careful words" in html
    # Saving again now replaces the other answer on purpose.
    again = as_persona("contributor").post(
        answer_url(own_return, first),
        answer(first, rating="red", narrative="My careful words", revision=1),
    )
    assert again.status_code == 302
    assert (
        Response.objects.get(criterion=first, return_obj=own_return).narrative == "My careful words"
    )


def test_an_over_long_narrative_is_refused_next_to_the_field(as_persona, own_return):
    first = criteria(own_return)[0]
    response = as_persona("agency_lead").post(
        answer_url(own_return, first), answer(first, rating="green", narrative="x" * 20001)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem with 1.1" in html
    assert "at most 20000 characters" in html
    assert not Response.objects.filter(return_obj=own_return).exists()


def test_a_rating_not_on_the_scale_is_refused(as_persona, own_return):
    first = criteria(own_return)[0]
    response = as_persona("agency_lead").post(
        answer_url(own_return, first), answer(first, rating="outstanding"), **AUTOSAVE
    )
    assert response.status_code == 400
    assert "rating" in response.json()["errors"]


def test_area_page_shows_progress_and_the_saved_answer(as_persona, own_return, agency_lead):
    first, _second, *_ = criteria(own_return)
    core.response_save(
        return_obj=own_return,
        criterion=first,
        rating="green",
        narrative="All leads trained",
        revision=0,
        actor=agency_lead,
    )
    html = (
        as_persona("agency_lead")
        .get(reverse("section11:return_area", args=[own_return.pk, first.standard.code]))
        .content.decode()
    )
    assert "Progress: 1 of 6 answered (17%)" in html
    assert "All leads trained" in html
    assert "1 of 2 answered" in html
    assert "Your answers save as you type" in html


def test_amber_needs_an_action_which_the_lead_adds_on_the_area_page(
    as_persona, own_return, agency_lead
):
    first = criteria(own_return)[0]
    core.response_save(
        return_obj=own_return,
        criterion=first,
        rating="amber",
        narrative="",
        revision=0,
        actor=agency_lead,
    )
    client = as_persona("agency_lead")
    area = reverse("section11:return_area", args=[own_return.pk, first.standard.code])
    assert "add an action before you submit" in client.get(area).content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    response = client.post(
        reverse("section11:action_add", args=[own_return.pk, first.pk]),
        {
            f"a{first.pk}-description": "Refresh the policy",
            f"a{first.pk}-owner": "Head of Safeguarding",
            f"a{first.pk}-due_date": due,
        },
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert (action.source_return, action.criterion, action.owner) == (
        own_return,
        first,
        "Head of Safeguarding",
    )


def test_an_action_without_a_due_date_is_explained_and_kept(as_persona, own_return):
    first = criteria(own_return)[0]
    response = as_persona("agency_lead").post(
        reverse("section11:action_add", args=[own_return.pk, first.pk]),
        {
            f"a{first.pk}-description": "Refresh the policy",
            f"a{first.pk}-owner": "Head of Safeguarding",
            f"a{first.pk}-due_date": "next month",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid date." in html
    assert "Refresh the policy" in html
    assert not ActionItem.objects.exists()


def test_a_document_is_uploaded_listed_and_downloaded_as_an_attachment(as_persona, own_return):
    first = criteria(own_return)[0]
    client = as_persona("contributor")
    response = client.post(
        reverse("section11:return_evidence", args=[own_return.pk]),
        {"file": pdf("Supervision policy.pdf"), "criterion": first.pk},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf"
    assert len(evidence.sha256) == 64
    assert "Supervision policy" not in evidence.file.name
    page = client.get(reverse("section11:return_evidence", args=[own_return.pk])).content.decode()
    assert "Supervision policy.pdf" in page
    download = client.get(reverse("audits:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_spreadsheet_is_accepted_by_its_content(as_persona, own_return):
    workbook = openpyxl.Workbook()
    data = io.BytesIO()
    workbook.save(data)
    upload = SimpleUploadedFile("training.xlsx", data.getvalue())
    response = as_persona("agency_lead").post(
        reverse("section11:return_evidence", args=[own_return.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert Evidence.objects.get().content_type.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.pdf", b"MZ\x90\x00 an executable" + b"\0" * 600, "not accepted"),
        ("notes.pdf", b"plain words, not a PDF", "its content is a different type"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_next_to_the_field(
    as_persona, own_return, name, content, message
):
    response = as_persona("agency_lead").post(
        reverse("section11:return_evidence", args=[own_return.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_document_larger_than_20_mb_is_refused(as_persona, own_return, settings):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 + 1))
    response = as_persona("agency_lead").post(
        reverse("section11:return_evidence", args=[own_return.pk]), {"file": big}
    )
    assert "larger than 20 MB" in response.content.decode()


def test_a_document_can_be_removed_while_the_return_is_a_draft(as_persona, own_return, agency_lead):
    evidence = core.evidence_attach(
        organisation=own_return.organisation, upload=pdf(), return_obj=own_return, actor=agency_lead
    )
    response = as_persona("agency_lead").post(
        reverse("section11:evidence_remove", args=[own_return.pk, evidence.pk])
    )
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert Evidence.history.filter(id=evidence.pk, history_type="-").exists()


def fill_in(return_obj: Return, actor, rating: str = "green") -> None:
    for criterion in criteria(return_obj):
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative="Done",
            revision=0,
            actor=actor,
        )


def test_submission_lists_every_blocker_linked_to_its_place(as_persona, own_return, agency_lead):
    first, second, *_ = criteria(own_return)
    core.response_save(
        return_obj=own_return,
        criterion=first,
        rating="red",
        narrative="",
        revision=0,
        actor=agency_lead,
    )
    core.response_save(
        return_obj=own_return,
        criterion=second,
        rating="na",
        narrative="",
        revision=0,
        actor=agency_lead,
    )
    client = as_persona("agency_lead")
    page = client.get(reverse("section11:return_submit", args=[own_return.pk])).content.decode()
    assert "cannot be submitted yet: 6 things to fix" in page
    assert "1.1 Question 1.1: rated Red: not compliant without an action" in page
    assert "1.2 Question 1.2: rated N/A without a reason" in page
    assert "2.1 Question 2.1: not rated" in page
    area = reverse("section11:return_area", args=[own_return.pk, first.standard.code])
    assert f'href="{area}#criterion-{first.pk}"' in page
    refused = client.post(reverse("section11:return_submit", args=[own_return.pk]))
    assert refused.status_code == 400
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.IN_PROGRESS


def test_the_lead_submits_a_complete_return_which_becomes_read_only(
    as_persona, own_return, agency_lead
):
    fill_in(own_return, agency_lead)
    client = as_persona("agency_lead")
    response = client.post(reverse("section11:return_submit", args=[own_return.pk]))
    assert response.status_code == 302
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.SUBMITTED
    first = criteria(own_return)[0]
    area = client.get(reverse("section11:return_area", args=[own_return.pk, first.standard.code]))
    assert "You can read this return but not change it." in area.content.decode()
    assert (
        client.post(answer_url(own_return, first), answer(first, rating="red")).status_code == 403
    )
    printable = client.get(reverse("audits:return_detail", args=[own_return.pk]))
    assert printable.status_code == 200
    assert "Submitted" in printable.content.decode()


def test_a_contributor_can_draft_but_not_submit(as_persona, own_return, agency_lead):
    fill_in(own_return, agency_lead)
    client = as_persona("contributor")
    overview = client.get(
        reverse("section11:return_overview", args=[own_return.pk])
    ).content.decode()
    assert "Check and submit" not in overview
    assert "Your agency's lead submits the return" in overview
    assert client.post(reverse("section11:return_submit", args=[own_return.pk])).status_code == 403
    own_return.refresh_from_db()
    assert own_return.status == ReturnStatus.IN_PROGRESS


def test_a_return_starts_from_last_cycles_answers_and_open_actions(
    as_persona, agency, agency_lead, framework
):
    from tests.factories import open_cycle

    last_year = core.cycle_create(
        framework=framework,
        name="Section 11 audit 2025",
        opens_on=datetime.date(2025, 2, 28),
        closes_on=datetime.date(2025, 4, 29),
        organisations=[agency],
        actor=None,
    )
    old = last_year.returns.get()
    first, _second, *_ = criteria(old)
    core.response_save(
        return_obj=old,
        criterion=first,
        rating="amber",
        narrative="Half the staff trained",
        revision=0,
        actor=agency_lead,
    )
    action = core.action_create(
        organisation=agency,
        source_return=old,
        criterion=first,
        description="Train the rest",
        owner="Training lead",
        due_date=datetime.date(2026, 12, 31),
        actor=agency_lead,
    )
    next_version = core.framework_new_version(framework=framework, actor=None)
    this_year = open_cycle(agency, framework=next_version).returns.get()

    response = as_persona("agency_lead").post(
        reverse("section11:return_carry_forward", args=[this_year.pk])
    )
    assert response.status_code == 302
    carried = this_year.responses.select_related("criterion").get()
    assert (carried.criterion.code, carried.rating, carried.narrative) == (
        "1.1",
        "amber",
        "Half the staff trained",
    )
    action.refresh_from_db()
    assert action.source_return == this_year
    assert action.criterion.standard.framework == next_version
    this_year.refresh_from_db()
    assert this_year.status == ReturnStatus.IN_PROGRESS


def test_carry_forward_never_overwrites_this_cycles_answers(agency, agency_lead, framework):
    from tests.factories import open_cycle

    last_year = core.cycle_create(
        framework=framework,
        name="2025",
        opens_on=datetime.date(2025, 2, 28),
        closes_on=datetime.date(2025, 4, 29),
        organisations=[agency],
        actor=None,
    )
    first = criteria(last_year.returns.get())[0]
    core.response_save(
        return_obj=last_year.returns.get(),
        criterion=first,
        rating="red",
        narrative="Old",
        revision=0,
        actor=agency_lead,
    )
    this_year = open_cycle(
        agency, framework=core.framework_new_version(framework=framework, actor=None)
    ).returns.get()
    new_first = criteria(this_year)[0]
    core.response_save(
        return_obj=this_year,
        criterion=new_first,
        rating="green",
        narrative="New",
        revision=0,
        actor=agency_lead,
    )
    assert _carry(this_year, agency_lead) == 0
    assert this_year.responses.get().narrative == "New"


def _carry(return_obj, actor) -> int:
    from section11.services import return_carry_forward

    return return_carry_forward(return_obj=return_obj, actor=actor)


def test_queries_on_the_area_page_do_not_grow_with_answers_and_documents(
    as_persona, agency, agency_lead, django_assert_max_num_queries
):
    from tests.factories import framework_with_criteria, open_cycle

    big = open_cycle(
        agency, framework=framework_with_criteria(standards=2, criteria_per_standard=12)
    ).returns.get()
    for criterion in criteria(big):
        core.response_save(
            return_obj=big,
            criterion=criterion,
            rating="amber",
            narrative="x",
            revision=0,
            actor=agency_lead,
        )
        core.action_create(
            organisation=agency,
            source_return=big,
            criterion=criterion,
            description="Do it",
            owner="Lead",
            due_date=timezone.localdate(),
            actor=agency_lead,
        )
        core.evidence_attach(
            organisation=agency,
            upload=pdf(),
            return_obj=big,
            criterion=criterion,
            actor=agency_lead,
        )
    client = as_persona("agency_lead")
    code = criteria(big)[0].standard.code
    with django_assert_max_num_queries(16):
        assert client.get(reverse("section11:return_area", args=[big.pk, code])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("section11:return_overview", args=[big.pk])).status_code == 200
