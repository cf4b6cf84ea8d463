"""Who can open and change each page of an agency's Section 11 return.

Outsiders get 404, people who may read but not change get 403, anonymous
visitors the sign-in page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import Criterion, Response

pytestmark = pytest.mark.django_db

READ = {
    "agency_lead": 200,
    "contributor": 200,
    "business_unit": 200,
    "executive": 200,
    "scrutineer": 200,
    "other_agency_lead": 404,
    "school_lead": 404,
    "auditor": 404,
}
WRITE = {
    "agency_lead": 302,
    "contributor": 302,
    "business_unit": 403,
    "executive": 403,
    "scrutineer": 403,
    "other_agency_lead": 404,
    "school_lead": 404,
    "auditor": 404,
}


def pages(return_obj):
    criterion = Criterion.objects.filter(standard__framework=return_obj.cycle.framework).first()
    return [
        reverse("section11:return_overview", args=[return_obj.pk]),
        reverse("section11:return_area", args=[return_obj.pk, criterion.standard.code]),
        reverse("section11:return_evidence", args=[return_obj.pk]),
    ]


@pytest.mark.parametrize(("persona", "expected"), READ.items())
def test_who_can_read_the_return_pages(as_persona, own_return, persona, expected):
    client = as_persona(persona)
    for url in pages(own_return):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(("persona", "expected"), WRITE.items())
def test_who_can_save_an_answer(as_persona, own_return, persona, expected):
    criterion = Criterion.objects.filter(standard__framework=own_return.cycle.framework).first()
    prefix = f"c{criterion.pk}"
    response = as_persona(persona).post(
        reverse("section11:response_save", args=[own_return.pk, criterion.pk]),
        {f"{prefix}-rating": "green", f"{prefix}-narrative": "x", f"{prefix}-revision": 0},
    )
    assert response.status_code == expected
    assert Response.objects.exists() == (expected == 302)


@pytest.mark.parametrize(("persona", "expected"), WRITE.items())
def test_who_can_add_an_action(as_persona, own_return, persona, expected):
    criterion = Criterion.objects.filter(standard__framework=own_return.cycle.framework).first()
    response = as_persona(persona).post(
        reverse("section11:action_add", args=[own_return.pk, criterion.pk]),
        {
            f"a{criterion.pk}-description": "Do it",
            f"a{criterion.pk}-owner": "Lead",
            f"a{criterion.pk}-due_date": "2030-01-01",
        },
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("agency_lead", 200),
        ("contributor", 403),
        ("business_unit", 403),
        ("executive", 403),
        ("scrutineer", 403),
        ("other_agency_lead", 404),
        ("school_lead", 404),
        ("auditor", 404),
    ],
)
def test_only_the_lead_reaches_the_submission_page(as_persona, own_return, persona, expected):
    url = reverse("section11:return_submit", args=[own_return.pk])
    assert as_persona(persona).get(url).status_code == expected


def test_another_agencys_return_is_not_found_even_by_guessing_its_number(
    as_persona, own_return, other_return
):
    client = as_persona("agency_lead")
    for url in pages(other_return):
        assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, own_return):
    for url in pages(own_return):
        assert client.get(url)["Location"].startswith(reverse("login"))
