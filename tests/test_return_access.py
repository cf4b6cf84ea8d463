"""Who can see and change a return: outsiders 404, read-only 403, anonymous to sign in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from guardian.shortcuts import assign_perm

from audits.access import get_return_for_user, returns_visible_to
from audits.models import Return

from .factories import UserFactory, open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_return(agency, other_agency) -> Return:
    return open_cycle(agency, other_agency).returns.get(organisation=agency)


SEE = {
    "agency_lead": 200,
    "contributor": 200,
    "business_unit": 200,
    "executive": 200,
    "scrutineer": 200,
    "other_agency_lead": 404,
    "school_lead": 404,
    "auditor": 404,
}


@pytest.mark.parametrize(("persona", "expected"), SEE.items())
def test_who_can_open_an_agency_return(as_persona, own_return, persona, expected):
    response = as_persona(persona).get(reverse("audits:return_detail", args=[own_return.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert own_return.organisation.name in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client, own_return):
    response = client.get(reverse("audits:return_detail", args=[own_return.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


WRITE = {
    "agency_lead": "ok",
    "contributor": "ok",
    "business_unit": 403,
    "executive": 403,
    "scrutineer": 403,
    "other_agency_lead": 404,
    "school_lead": 404,
    "auditor": 404,
}


@pytest.mark.parametrize(("persona", "expected"), WRITE.items())
def test_who_can_change_an_agency_return(request, own_return, persona, expected):
    user = request.getfixturevalue(persona)
    if expected == "ok":
        assert get_return_for_user(user, own_return.pk, write=True) == own_return
    else:
        error = PermissionDenied if expected == 403 else Http404
        with pytest.raises(error):
            get_return_for_user(user, own_return.pk, write=True)


def test_a_peer_reviewer_granted_one_return_sees_only_that_one_and_cannot_change_it(
    agency, other_agency, client
):
    cycle = open_cycle(agency, other_agency)
    granted = cycle.returns.get(organisation=agency)
    not_granted = cycle.returns.get(organisation=other_agency)
    peer = UserFactory(full_name="Pat Peer")
    assign_perm("audits.view_return", peer, granted)

    client.force_login(peer)
    home = client.get(reverse("audits:home")).content.decode()
    assert "Returns shared with you" in home
    assert reverse("audits:return_detail", args=[granted.pk]) in home
    assert reverse("audits:return_detail", args=[not_granted.pk]) not in home
    assert client.get(reverse("audits:return_detail", args=[granted.pk])).status_code == 200
    assert client.get(reverse("audits:return_detail", args=[not_granted.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        get_return_for_user(peer, granted.pk, write=True)
    assert list(returns_visible_to(peer)) == [granted]


def test_a_disabled_account_sees_nothing(agency_lead, own_return):
    agency_lead.is_active = False
    agency_lead.save()
    assert not returns_visible_to(agency_lead).exists()


def test_the_return_page_runs_a_bounded_number_of_queries(
    as_persona, own_return, django_assert_max_num_queries
):
    client = as_persona("agency_lead")
    # Ten for the page, and two for the access log: its insert and its content type.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audits:return_detail", args=[own_return.pk])).status_code == 200
