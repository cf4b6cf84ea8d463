"""Section 11 journeys, driven in Chromium the way a person would, each page checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from audits import services as core
from audits.models import Criterion, Response, ReturnStatus, ReviewComment
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import framework_with_criteria, open_cycle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_business_unit_creates_the_framework_and_opens_a_cycle(
    page: Page, business_unit, agency, agency_lead, other_agency
):
    sign_in(page, business_unit.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Frameworks").click()
    page.get_by_role("button", name="Create the first version from the portal's toolkit").click()
    expect(page.get_by_role("heading", name=re.compile("version 1"))).to_be_visible()
    for area in ["Leadership", "Training", "Information sharing"]:
        expect(page.get_by_role("heading", name=re.compile(area))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Edit 1.1").click()
    page.get_by_label("Question").fill(
        "Your agency has a named senior safeguarding lead at board level."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1.1 is saved.")).to_be_visible()

    page.get_by_role("link", name="open a cycle").click()
    page.get_by_label("Name").fill("Section 11 audit 2026")
    page.get_by_label("Opens on").fill("2026-02-28")
    page.get_by_label("Closes on").fill("2026-02-01")
    page.get_by_label(agency.name).check()
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Section 11 audit 2026")
    assert_accessible(page)

    page.get_by_label("Closes on").fill("2026-04-29")
    page.get_by_role("button", name="Tick all agencies").click()
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.get_by_role("heading", name="Section 11 audit 2026")).to_be_visible()
    tracker = page.get_by_role("table")
    expect(tracker).to_contain_text(agency.name)
    expect(tracker).to_contain_text(other_agency.name)
    assert_accessible(page)


def test_agency_lead_completes_an_area_with_autosave_an_action_and_a_document(
    page: Page, agency, agency_lead, tmp_path
):
    return_obj = open_cycle(agency, framework=framework_with_criteria()).returns.get()
    first = (
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework)
        .order_by("standard__position", "position")
        .first()
    )
    sign_in(page, agency_lead.email)
    page.get_by_role("link", name=re.compile("^Open")).click()
    expect(page.get_by_role("heading", name=return_obj.cycle.name)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Start the return").click()
    criterion = page.locator(f"#criterion-{first.pk}")
    criterion.get_by_label("Amber: partially compliant").check()
    criterion.get_by_label("Your evidence and commentary").fill(
        "Most managers trained; two teams outstanding."
    )
    expect(criterion.get_by_role("status")).to_contain_text("Saved at", timeout=15_000)
    saved = Response.objects.get(return_obj=return_obj, criterion=first)
    assert saved.narrative == "Most managers trained; two teams outstanding."
    expect(criterion).to_contain_text("add an action before you submit")
    assert_accessible(page)

    page.reload()
    criterion = page.locator(f"#criterion-{first.pk}")
    expect(criterion.get_by_label("Your evidence and commentary")).to_have_value(
        "Most managers trained; two teams outstanding."
    )
    criterion.get_by_label("What will be done").fill("Train the two remaining teams")
    criterion.get_by_label("Owner").fill("Head of Learning")
    criterion.get_by_label("Due by").fill("2026-09-30")
    criterion.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added to 1.1.")).to_be_visible()

    page.locator(f"#criterion-{first.pk}").get_by_role(
        "link", name="Upload a document for 1.1"
    ).click()
    document = tmp_path / "Training plan.pdf"
    document.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    page.get_by_label("Document").set_input_files(str(document))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("table")).to_contain_text("Training plan.pdf")
    assert_accessible(page)

    renamed = tmp_path / "budget.pdf"
    renamed.write_bytes(b"just words, not a PDF")
    page.get_by_label("Document").set_input_files(str(renamed))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("its content is a different type")
    expect(page.get_by_label("Document")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_a_blocked_submission_lists_each_problem_then_goes_through(page: Page, agency, agency_lead):
    return_obj = open_cycle(
        agency, framework=framework_with_criteria(standards=2, criteria_per_standard=1)
    ).returns.get()
    first, second = Criterion.objects.filter(
        standard__framework=return_obj.cycle.framework
    ).order_by("standard__position")
    core.response_save(
        return_obj=return_obj,
        criterion=first,
        rating="red",
        narrative="Not yet",
        revision=0,
        actor=agency_lead,
    )
    sign_in(page, agency_lead.email)
    page.goto(f"/section11/returns/{return_obj.pk}/")
    page.get_by_role("link", name="Check and submit").click()
    blockers = page.get_by_role("alert")
    expect(blockers).to_contain_text("2 things to fix")
    expect(blockers).to_contain_text("1.1 Question 1.1: rated Red: not compliant without an action")
    expect(blockers).to_contain_text("2.1 Question 2.1: not rated")
    assert_accessible(page)

    blockers.get_by_role("link", name=re.compile("^2.1")).click()
    target = page.locator(f"#criterion-{second.pk}")
    target.get_by_label("Green: fully compliant").check()
    target.get_by_label("Your evidence and commentary").fill("Policy reviewed in March.")
    target.get_by_role("button", name="Save 2.1").click()
    expect(target.get_by_role("status")).to_contain_text("Saved at")

    page.goto(f"/section11/returns/{return_obj.pk}/areas/{first.standard.code}/")
    action = page.locator(f"#criterion-{first.pk}")
    action.get_by_label("What will be done").fill("Write the policy")
    action.get_by_label("Owner").fill("Safeguarding lead")
    action.get_by_label("Due by").fill("2026-07-31")
    action.get_by_role("button", name="Add action").click()

    page.goto(f"/section11/returns/{return_obj.pk}/submit/")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_text("Your return is submitted.")).to_be_visible()
    assert_accessible(page)
    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.SUBMITTED
    page.goto(f"/section11/returns/{return_obj.pk}/areas/{first.standard.code}/")
    expect(page.get_by_text("You can read this return but not change it.")).to_be_visible()


def test_business_unit_reviews_and_returns_a_return_for_changes(
    page: Page, agency, agency_lead, other_agency, business_unit
):
    cycle = open_cycle(
        agency,
        other_agency,
        framework=framework_with_criteria(standards=1, criteria_per_standard=2),
    )
    return_obj = cycle.returns.get(organisation=agency)
    for criterion in Criterion.objects.filter(standard__framework=cycle.framework):
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=agency_lead,
        )
    core.return_submit(return_obj=return_obj, actor=agency_lead)

    sign_in(page, business_unit.email)
    page.goto(f"/section11/cycles/{cycle.pk}/")
    page.get_by_label("Status").select_option("submitted")
    page.get_by_role("button", name="Apply").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text(agency.name)
    expect(table).not_to_contain_text(other_agency.name)
    assert_accessible(page)

    table.get_by_role("link", name=agency.name).click()
    page.get_by_label("Comment on 1.1").fill("Say how many staff were trained.")
    page.locator("form", has=page.get_by_label("Comment on 1.1")).get_by_role(
        "button", name="Add comment"
    ).click()
    expect(page.get_by_text("Your comment is added.")).to_be_visible()
    page.get_by_label("Moderated rating for 1.1").select_option("amber")
    page.get_by_role("button", name="Save moderation").first.click()
    expect(page.get_by_text("The moderated rating for 1.1 is saved.")).to_be_visible()
    page.get_by_label("Return it for changes").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Return it for changes").check()
    page.get_by_label("What needs to change").fill("Add the training figures for 1.1.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("is returned for changes")).to_be_visible()
    assert_accessible(page)

    return_obj.refresh_from_db()
    assert return_obj.status == ReturnStatus.RETURNED
    assert ReviewComment.objects.get().text == "Say how many staff were trained."
    assert return_obj.responses.get(criterion__code="1.1").moderated_rating == "amber"


def test_an_answer_typed_after_the_session_ended_is_kept_and_saved_after_signing_in(
    page: Page, agency, agency_lead
):
    return_obj = open_cycle(agency, framework=framework_with_criteria()).returns.get()
    first = (
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework)
        .order_by("standard__position", "position")
        .first()
    )
    sign_in(page, agency_lead.email)
    page.goto(f"/section11/returns/{return_obj.pk}/areas/{first.standard.code}/")
    page.context.clear_cookies()  # the session ends, as after a long lunch

    criterion = page.locator(f"#criterion-{first.pk}")
    criterion.get_by_label("Green: fully compliant").check()
    criterion.get_by_label("Your evidence and commentary").fill("Typed after the session ended.")
    expect(criterion.get_by_role("status")).to_contain_text("You have been signed out")
    assert not Response.objects.filter(return_obj=return_obj).exists()
    assert_accessible(page)

    other_tab = page.context.new_page()
    sign_in(other_tab, agency_lead.email)
    other_tab.close()
    page.bring_to_front()
    # The page tries again by itself every few seconds until the save goes through.
    expect(criterion.get_by_role("status")).to_contain_text("Saved at", timeout=15_000)
    saved = Response.objects.get(return_obj=return_obj, criterion=first)
    assert (saved.rating, saved.narrative) == ("green", "Typed after the session ended.")


def test_a_colleagues_newer_answer_is_not_overwritten_and_the_typed_text_is_kept(
    page: Page, agency, agency_lead, contributor
):
    return_obj = open_cycle(agency, framework=framework_with_criteria()).returns.get()
    first = (
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework)
        .order_by("standard__position", "position")
        .first()
    )
    sign_in(page, agency_lead.email)
    page.goto(f"/section11/returns/{return_obj.pk}/areas/{first.standard.code}/")
    # Meanwhile a contributor, in another tab or office, saves the same answer.
    core.response_save(
        return_obj=return_obj,
        criterion=first,
        rating="amber",
        narrative="The contributor's answer",
        revision=0,
        actor=contributor,
    )
    criterion = page.locator(f"#criterion-{first.pk}")
    criterion.get_by_label("Green: fully compliant").check()
    criterion.get_by_label("Your evidence and commentary").fill("The lead's answer")
    expect(criterion.get_by_role("status")).to_contain_text("someone else changed this answer")
    expect(criterion).to_contain_text("Sam Contributor saved a different answer to 1.1")
    expect(criterion).to_contain_text("The contributor's answer")
    expect(criterion.get_by_label("Your evidence and commentary")).to_have_value(
        "The lead's answer"
    )
    assert Response.objects.get(criterion=first, return_obj=return_obj).narrative == (
        "The contributor's answer"
    )
    assert_accessible(page)

    criterion.get_by_role("button", name="Save 1.1").click()
    expect(criterion.get_by_role("status")).to_contain_text("Saved at")
    assert Response.objects.get(criterion=first, return_obj=return_obj).narrative == (
        "The lead's answer"
    )
