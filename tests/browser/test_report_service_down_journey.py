"""The Business Unit asks for a report while the report service is down: the page
says it is queued and will be made when the service is back, and once it is,
the same page shows the report ready to download without being reloaded."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reports import services
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, framework_with_criteria, open_cycle
from tests.worker import start_worker, web_publishes_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_asked_for_while_the_service_is_down_is_made_when_it_returns(
    page: Page, live_server, business_unit, private_redis, tmp_path
):
    cycle = open_cycle(AgencyFactory(), framework=framework_with_criteria(standards=2))
    with web_publishes_to(private_redis.url):
        private_redis.stop()
        sign_in(page, business_unit.email)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
        page.get_by_role("button", name=f"Request the Section 11 summary for {cycle.name}").click()
        expect(
            page.get_by_text(
                "Version 1 is queued and will be made as soon as the report service is "
                "available. You can leave this page; the report will be here."
            )
        ).to_be_visible()
        expect(page.get_by_text("Queued.")).to_be_visible()
        assert_accessible(page)

        private_redis.start()
        worker = start_worker(tmp_path, redis_url=private_redis.url)
        try:
            # Beat's sweep, a few minutes on, hands the version to the service.
            services.reports_sweep_stuck(
                now=timezone.now() + services.QUEUED_STUCK_AFTER + datetime.timedelta(seconds=1)
            )
            # The page has been polling all along; it reloads once the file is ready.
            expect(page.get_by_role("link", name="Download version 1 (PDF)")).to_be_visible(
                timeout=90_000
            )
        finally:
            worker.stop()
    assert_accessible(page)
