"""An invitation queued by the web process is emailed by a real worker over Redis."""

from __future__ import annotations

import re

import pytest

from audits import services
from audits.models import Invitation, Role
from tests.worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_an_invitation_travels_through_redis_to_a_worker_that_emails_it(
    celery_worker, business_unit, agency
):
    invitation = services.invitation_create(
        invited_by=business_unit,
        email="kit.newlead@test.csap.example",
        full_name="Kit Newlead",
        role=Role.AGENCY_LEAD,
        organisation=agency,
    )

    def sent() -> bool:
        return Invitation.objects.get(pk=invitation.pk).sent_at is not None

    assert wait_for(sent), "The worker never sent the invitation."
    emails = list(celery_worker.glob("*.log"))
    assert len(emails) == 1
    text = emails[0].read_text()
    assert "To: kit.newlead@test.csap.example" in text
    # The link in the email opens this invitation (tokens are signed with the time
    # they were made, so compare what the token names, not the token itself).
    token = re.search(r"/invitations/accept/([^/\s]+)/", text).group(1)
    assert services.invitation_from_token(token) == invitation
