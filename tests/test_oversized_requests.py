"""Requests too large for the portal get a page that says what the limit is and that
going back keeps what was typed: never Django's bare 400, never a 500.

A body larger than the largest document plus its form is refused before it is
read; too much text, too many fields or too many files are Django's own limits,
explained by the portal's 400 handler.
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.errors import largest_request_bytes
from audits.evidence import MAX_EVIDENCE_BYTES
from audits.models import Evidence, Organisation, Return, User

from .factories import open_cycle
from .pages import live_markup

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024
KEPT = "what you typed is still there"


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def draft(agency: Organisation) -> Return:
    return open_cycle(agency).returns.get()


def evidence_url(draft: Return) -> str:
    return reverse("section11:return_evidence", args=[draft.pk])


def visible(response) -> str:
    html = response.content.decode()
    assert not live_markup(html)
    return " ".join(html.split())


def test_a_document_too_large_for_the_portal_is_refused_before_it_is_read(
    as_persona, draft, agency_lead: User
):
    response = as_persona("agency_lead").generic(
        "POST",
        evidence_url(draft),
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(150 * MEGABYTE),
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    page = visible(response)
    assert "<h1>What you sent is too large</h1>" in page
    assert "The portal accepts documents of up to 20 MB" in page
    assert "what your browser sent was 150.0 MB" in page
    assert KEPT in page
    # The page is the portal's own: the person is still signed in and can go on.
    assert "Signed in as Morgan Lead" in page
    assert not Evidence.objects.exists()


def test_a_request_of_the_largest_size_the_portal_accepts_reaches_the_form(as_persona, draft):
    """Just over the evidence limit, the form itself says why, beside the field."""
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n" + b"0" * MAX_EVIDENCE_BYTES)
    response = as_persona("agency_lead").post(evidence_url(draft), {"file": upload})

    assert response.status_code == 400
    assert "The file is larger than 20 MB." in visible(response)
    assert int(response.wsgi_request.META["CONTENT_LENGTH"]) <= largest_request_bytes()


def test_form_text_beyond_the_limit_gets_a_page_saying_so(as_persona, draft):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = as_persona("agency_lead").post(
        evidence_url(draft),
        f"criterion=&note={text}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    page = visible(response)
    assert "The text in the form is longer than the portal accepts (2.5 MB in all)." in page
    assert KEPT in page


def test_too_many_fields_get_a_page_saying_so(as_persona, draft):
    fields = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = as_persona("agency_lead").post(
        evidence_url(draft), fields, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    page = visible(response)
    assert "The form sent more than 1,000 fields" in page
    assert KEPT in page


def test_too_many_files_get_a_page_saying_so(as_persona, draft):
    files = {
        f"file{n}": SimpleUploadedFile(f"page{n}.pdf", b"%PDF-1.7\n")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }
    response = as_persona("agency_lead").post(evidence_url(draft), files)

    assert response.status_code == 413
    assert "The form sent more than 100 files at once." in visible(response)
    assert not Evidence.objects.exists()


def test_a_request_that_cannot_be_read_gets_the_portals_page_not_a_bare_400(client):
    response = client.generic(
        "POST", reverse("login"), b"--x\r\nbroken", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    page = visible(response)
    assert "<h1>Sorry, that could not be read</h1>" in page
    assert KEPT in page
    assert "Published reports" in page  # the portal's own footer


def test_the_limit_is_the_largest_document_and_its_form(settings):
    assert largest_request_bytes() == MAX_EVIDENCE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert "audits.middleware.RequestSizeMiddleware" in settings.MIDDLEWARE
    # Nothing before it reads the body: CSRF does, in process_view, which runs later.
    position = settings.MIDDLEWARE.index("audits.middleware.RequestSizeMiddleware")
    assert settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") < (
        position
    )


def test_a_server_answers_a_huge_upload_before_any_of_it_is_sent(live_server):
    """Over a real socket: the headers announce a gigabyte, and the answer comes at once."""
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("POST", reverse("login"))
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(1024 * MEGABYTE))
        connection.endheaders()
        response = connection.getresponse()
        page = " ".join(response.read().decode().split())
    finally:
        connection.close()

    assert response.status == 413
    assert "what your browser sent was 1.0 GB" in page
    assert KEPT in page
