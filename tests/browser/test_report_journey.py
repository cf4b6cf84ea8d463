"""An Executive member requests the Section 11 summary, watches the real worker
render it, agrees it and downloads it; once published, the public page lists it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from audits import services as core
from audits.models import Criterion, Role, StatutoryPartner
from reports import services
from reports.models import ReportVersion, SignOffStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_executive_requests_watches_agrees_downloads_and_the_public_page_lists_it(
    page: Page, celery_worker, live_server, executive, business_unit
):
    agencies = AgencyFactory.create_batch(2)
    cycle = open_cycle(*agencies, framework=framework_with_criteria(standards=2))
    return_obj = cycle.returns.get(organisation=agencies[0])
    lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=agencies[0])
    for criterion in Criterion.objects.filter(standard__framework=cycle.framework):
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="green",
            narrative="In place",
            revision=0,
            actor=lead,
        )
    core.return_submit(return_obj=return_obj, actor=lead)
    executive.statutory_partner = StatutoryPartner.LOCAL_AUTHORITY
    executive.save()
    colleagues = [
        UserFactory(roles=[Role.EXECUTIVE], statutory_partner=StatutoryPartner.POLICE),
        UserFactory(roles=[Role.EXECUTIVE], statutory_partner=StatutoryPartner.HEALTH),
    ]

    sign_in(page, executive.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Request the Section 11 summary for {cycle.name}").click()
    expect(page.get_by_role("heading", name=re.compile("version 1$"))).to_be_visible()
    # The page updates itself while the worker renders, then reloads when the file is ready.
    expect(page.get_by_role("link", name="Download version 1 (PDF)")).to_be_visible(timeout=90_000)
    assert_accessible(page)

    version = ReportVersion.objects.get()
    services.report_send_for_signoff(version=version, actor=business_unit)
    page.reload()
    page.get_by_label("Agreed").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Your decision is recorded.")).to_be_visible()
    assert_accessible(page)
    for colleague in colleagues:
        services.report_signoff_record(
            version=version, decision="agreed", comment="", actor=colleague
        )
    version.refresh_from_db()
    assert version.signoff_status == SignOffStatus.AGREED

    with page.expect_download() as download:
        page.get_by_role("link", name="Download version 1 (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    services.report_publish(version=version, actor=business_unit)
    public = page.context.browser.new_context(base_url=live_server.url).new_page()
    public.goto("/reports/published/")
    table = public.get_by_role("table")
    expect(table).to_contain_text(version.title)
    expect(table).to_contain_text("Completed")
    assert_accessible(public)
    public.context.close()
