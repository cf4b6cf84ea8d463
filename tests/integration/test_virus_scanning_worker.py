"""Uploads scanned by a real worker with a real clamd: a clean file becomes
available, an infected one is quarantined and its uploader emailed, and while
clamd is down a file stays pending until clamd is back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services as core
from audits.models import Evidence, Organisation, Return, ScanStatus
from tests.clamd import EICAR, REPORTED_SIGNATURE, Clamd
from tests.factories import open_cycle
from tests.worker import running_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def draft(agency: Organisation) -> Return:
    return open_cycle(agency).returns.get()


def upload(client, return_obj: Return, name: str, content: bytes) -> Evidence:
    response = client.post(
        reverse("section11:return_evidence", args=[return_obj.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    return Evidence.objects.get(original_name=name)


def scan_status(evidence: Evidence) -> str:
    return Evidence.objects.get(pk=evidence.pk).scan_status


def download(client, evidence: Evidence):
    return client.get(reverse("audits:evidence_download", args=[evidence.pk]))


def test_a_clean_upload_goes_from_pending_to_clean_and_downloads(
    scanning_worker, as_persona, draft
):
    client = as_persona("agency_lead")
    evidence = upload(client, draft, "Supervision policy.pdf", PDF)
    assert evidence.scan_status == ScanStatus.PENDING
    assert wait_for(lambda: scan_status(evidence) == ScanStatus.CLEAN), "Never found clean."
    response = download(client, evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_an_infected_upload_is_quarantined_and_its_uploader_emailed(
    scanning_worker, settings, as_persona, draft, contributor
):
    client = as_persona("contributor")
    evidence = upload(client, draft, "Team notes.txt", EICAR)
    assert wait_for(lambda: scan_status(evidence) == ScanStatus.INFECTED), "Never found."
    evidence.refresh_from_db()
    assert evidence.virus_name == REPORTED_SIGNATURE
    assert not Evidence.file.field.storage.exists(evidence.file.name)
    quarantined = Path(settings.QUARANTINE_ROOT) / evidence.file.name
    assert quarantined.read_bytes() == EICAR

    assert wait_for(lambda: any(scanning_worker.glob("*.log"))), "No email was sent."
    email = next(scanning_worker.glob("*.log")).read_text()
    assert f"To: {contributor.email}" in email
    assert "Team notes.txt" in email
    assert REPORTED_SIGNATURE in email

    response = download(client, evidence)
    assert response.status_code == 410
    assert "This file was removed: it contained a virus" in response.content.decode()


def test_while_clamd_is_down_a_file_stays_pending_until_clamd_is_back(
    transactional_db, settings, tmp_path, as_persona, draft
):
    # A clamd of this test's own, so that stopping it disturbs no other test.
    daemon = Clamd(tmp_path / "clamd")
    settings.CLAMD_SOCKET = str(daemon.socket)
    client = as_persona("agency_lead")
    daemon.start()
    try:
        with running_worker(tmp_path, CLAMD_SOCKET=str(daemon.socket)):
            first = upload(client, draft, "Before.pdf", PDF)
            assert wait_for(lambda: scan_status(first) == ScanStatus.CLEAN)

            daemon.stop()
            evidence = upload(client, draft, "During.pdf", PDF)
            # The worker tries, fails and tries again; meanwhile nobody may download it.
            assert wait_for(lambda: "Retry in" in (tmp_path / "worker.log").read_text())
            assert scan_status(evidence) == ScanStatus.PENDING
            assert download(client, evidence).status_code == 409

            daemon.start()
            worker_log = tmp_path / "worker.log"
            assert wait_for(lambda: scan_status(evidence) == ScanStatus.CLEAN, timeout=120), (
                worker_log.read_text()
            )
            assert download(client, evidence).status_code == 200
    finally:
        daemon.stop()
    assert core.return_document_blockers(draft) == []
