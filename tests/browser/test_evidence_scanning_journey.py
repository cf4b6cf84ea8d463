"""An agency lead uploads documents to a Section 11 answer while virus scanning is on:
a real worker streams each to a real clamd. A document is "being checked" until
clamd has seen it, then becomes a link without a reload; an infected one is shown
as removed, with what to do."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.models import Criterion, Evidence, ScanStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.clamd import EICAR, Clamd
from tests.factories import framework_with_criteria, open_cycle
from tests.worker import running_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agency_lead_sees_a_document_checked_then_available_and_an_infected_one_removed(
    page: Page, settings, tmp_path, agency, agency_lead
):
    return_obj = open_cycle(agency, framework=framework_with_criteria()).returns.get()
    first = (
        Criterion.objects.filter(standard__framework=return_obj.cycle.framework)
        .order_by("standard__position", "position")
        .first()
    )
    # The scanner is not answering yet when the document arrives (as when clamd is
    # busy or restarting), so the page is seen while the document is being checked.
    daemon = Clamd(tmp_path / "clamd")
    settings.CLAMD_SOCKET = str(daemon.socket)
    try:
        with running_worker(tmp_path, CLAMD_SOCKET=str(daemon.socket)):
            sign_in(page, agency_lead.email)
            page.get_by_role("link", name=re.compile("^Open")).click()
            page.get_by_role("link", name="Start the return").click()
            page.locator(f"#criterion-{first.pk}").get_by_role(
                "link", name="Upload a document for 1.1"
            ).click()
            policy = tmp_path / "Supervision policy.pdf"
            policy.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
            page.get_by_label("Document").set_input_files(str(policy))
            page.get_by_role("button", name="Upload").click()
            expect(page.get_by_text("Supervision policy.pdf is uploaded.")).to_be_visible()
            documents = page.get_by_role("table")
            expect(documents).to_contain_text("Being checked for viruses")
            expect(
                page.get_by_role("status").filter(has_text="being checked for viruses")
            ).to_contain_text("1 document is being checked for viruses. This list updates")
            expect(documents.get_by_role("link", name="Supervision policy.pdf")).to_have_count(0)
            assert_accessible(page)

            # Following a link to the file meanwhile (a bookmark, an email) says why it waits.
            colleague = page.context.new_page()
            colleague.goto(reverse("audits:evidence_download", args=[Evidence.objects.get().pk]))
            expect(
                colleague.get_by_role("heading", name="This file is being checked for viruses")
            ).to_be_visible()
            assert_accessible(colleague)
            colleague.close()

            # clamd answers; the list updates itself once the worker's retry gets through.
            daemon.start()
            expect(documents.get_by_role("link", name="Supervision policy.pdf")).to_be_visible(
                timeout=60_000
            )
            expect(documents).not_to_contain_text("Being checked for viruses")
            assert Evidence.objects.get().scan_status == ScanStatus.CLEAN
            with page.expect_download() as download:
                documents.get_by_role("link", name="Supervision policy.pdf").click()
            assert download.value.suggested_filename == "Supervision policy.pdf"

            page.get_by_role("link", name="Back to the return").click()
            page.get_by_role("link", name="Start the return").click()
            answer = page.locator(f"#criterion-{first.pk}")
            expect(answer.get_by_role("link", name="Supervision policy.pdf")).to_be_visible()

            answer.get_by_role("link", name="Upload a document for 1.1").click()
            infected = tmp_path / "Meeting notes.txt"
            infected.write_bytes(b"Notes of the March meeting.\n" + EICAR)
            page.get_by_label("Document").set_input_files(str(infected))
            page.get_by_role("button", name="Upload").click()
            expect(
                page.get_by_text(
                    "This file contained a virus and has been removed. Upload a clean copy."
                )
            ).to_be_visible(timeout=60_000)
            expect(page.get_by_role("table")).to_contain_text("Removed: virus found")
            assert_accessible(page)

            page.reload()
            row = page.get_by_role("row", name=re.compile("Meeting notes.txt"))
            expect(row).to_contain_text("Removed: virus found")
            expect(row.get_by_role("link", name="Meeting notes.txt")).to_have_count(0)
            assert_accessible(page)
    finally:
        daemon.stop()
