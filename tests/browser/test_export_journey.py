"""An agency lead asks for all of their agency's data from the home page, waits while
the real worker prepares it, downloads the archive and finds their return in it."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from audits import services as core
from audits.models import AccessKind, AccessRecord, Criterion
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import framework_with_criteria, open_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agency_lead_downloads_all_our_data_and_finds_their_return_and_documents(
    page: Page, celery_worker, agency, agency_lead
):
    return_obj = open_cycle(agency, framework=framework_with_criteria()).returns.get()
    criterion = Criterion.objects.filter(standard__framework=return_obj.cycle.framework).first()
    core.response_save(
        return_obj=return_obj,
        criterion=criterion,
        rating="amber",
        narrative="Two teams still to be trained.",
        revision=0,
        actor=agency_lead,
    )
    evidence = core.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("Training plan.pdf", b"%PDF-1.7\n% the training plan\n"),
        return_obj=return_obj,
        criterion=criterion,
        actor=agency_lead,
    )

    sign_in(page, agency_lead.email)
    page.get_by_role("link", name="All our data").click()
    expect(page.get_by_role("heading", name=f"All of {agency.name}'s data")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Prepare the archive").click()
    expect(page.get_by_text("The archive is being prepared.")).to_be_visible()
    # The page follows the worker by itself and reloads once the archive is ready.
    download_link = page.get_by_role("link", name="Download the archive (zip)")
    expect(download_link).to_be_visible(timeout=90_000)
    assert_accessible(page)

    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.value.path()) as archive:
        answers = list(csv.DictReader(io.StringIO(archive.read("returns.csv").decode("utf-8-sig"))))
        assert {
            (a["Cycle"], a["Question code"], a["Rating"], a["Commentary"])
            for a in answers
            if a["Rating"]
        } == {
            (
                return_obj.cycle.name,
                criterion.code,
                "Amber: partially compliant",
                "Two teams still to be trained.",
            )
        }
        [document] = [n for n in archive.namelist() if n.endswith("Training_plan.pdf")]
        assert document.startswith("documents/section-11-audit-")
        assert hashlib.sha256(archive.read(document)).hexdigest() == evidence.sha256
        assert "All of Northshore Police Service's data" in archive.read("README.txt").decode()
    assert AccessRecord.objects.filter(user=agency_lead, kind=AccessKind.DOWNLOADED).count() == 1
