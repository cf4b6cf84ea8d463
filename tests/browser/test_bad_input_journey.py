"""Choosing a file that is too large, in Chromium: told at once, beside the field,
before anything is sent, with the rest of the form as it was; and without the
script, the portal's own page says the same."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from audits.models import Criterion, Evidence
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import framework_with_criteria, open_cycle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

MEGABYTE = 1024 * 1024


@pytest.fixture
def evidence_page(agency, agency_lead) -> str:
    return_obj = open_cycle(agency, framework=framework_with_criteria()).returns.get()
    return f"/section11/returns/{return_obj.pk}/evidence/"


@pytest.fixture
def too_large(tmp_path):
    path = tmp_path / "Annual safeguarding report.pdf"
    with path.open("wb") as file:
        file.truncate(25 * MEGABYTE)  # sparse: 25 MB to the browser, nothing on disk
    return path


def test_a_file_too_large_is_refused_beside_the_field_before_it_is_sent(
    page: Page, agency_lead, evidence_page, too_large, tmp_path
):
    sign_in(page, agency_lead.email)
    page.goto(evidence_page)
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    second = Criterion.objects.get(code="1.2")
    question = page.get_by_label("Which question it supports")
    question.select_option(str(second.pk))
    document = page.get_by_label("Document")

    document.set_input_files(str(too_large))

    message = page.get_by_role("alert")
    expect(message).to_have_text(
        "“Annual safeguarding report.pdf” is 25 MB, and the largest file the portal accepts "
        "is 20 MB. Choose a smaller file: a large document often becomes much smaller saved "
        "as a PDF."
    )
    expect(document).to_have_attribute("aria-invalid", "true")
    assert document.evaluate("input => input.files.length") == 0
    assert message.get_attribute("id") in document.get_attribute("aria-describedby").split()
    expect(question).to_have_value(str(second.pk))
    assert_accessible(page)
    assert posts == []

    fits = tmp_path / "Training plan.pdf"
    fits.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    document.set_input_files(str(fits))
    expect(message).to_be_hidden()
    expect(document).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("table")).to_contain_text("Training plan.pdf")
    assert Evidence.objects.get().criterion.code == "1.2"


def test_without_the_script_the_portal_explains_the_limit_on_its_own_page(
    browser: Browser, live_server, agency_lead, evidence_page, too_large
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, agency_lead.email)
        page.goto(evidence_page)
        page.get_by_label("Document").set_input_files(str(too_large))
        page.get_by_role("button", name="Upload").click()

        expect(page.get_by_role("heading", name="What you sent is too large")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(
            "The portal accepts documents of up to 20 MB"
        )
        expect(page.get_by_role("main")).to_contain_text("what you typed is still there")
        assert not Evidence.objects.exists()
    finally:
        context.close()
