"""Evidence is accepted only when its content and its name agree on an allowed type.
Macro-enabled Office files, Office files too complex to be safe and older Office
files are refused with a reason beside the field. Documents are only ever
downloaded through the access-checked view, as attachments, with nosniff."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.evidence import MAX_ARCHIVE_EXPANDED_BYTES, MAX_ARCHIVE_MEMBERS, OLE_MAGIC
from audits.models import Evidence, Organisation, Return, User

from .factories import open_cycle

pytestmark = pytest.mark.django_db

WORD_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA_PART = "application/vnd.ms-office.vbaProject"


def office_package(
    main_part: str = "word/document.xml",
    *,
    content_types: str | None = None,
    extra: dict[str, bytes] | None = None,
    padding_members: int = 0,
) -> bytes:
    """A minimal Office Open XML package, as Word or Excel writes one."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml", content_types or WORD_TYPES.format(main=DOCX_MAIN, extra="")
        )
        package.writestr(main_part, "<document/>")
        for name, content in (extra or {}).items():
            package.writestr(name, content)
        for n in range(padding_members):
            package.writestr(f"customXml/item{n}.xml", "<item/>")
    return data.getvalue()


def xlsx_bytes() -> bytes:
    data = io.BytesIO()
    openpyxl.Workbook().save(data)
    return data.getvalue()


def macro_workbook_bytes() -> bytes:
    """An .xlsm as Excel saves it: a workbook with a VBA project part."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as package:
        for item in source.infolist():
            package.writestr(item, source.read(item))
        package.writestr("xl/vbaProject.bin", b"\xcc\x61" + b"\0" * 64)
    return data.getvalue()


def upload(client, return_obj: Return, name: str, content: bytes):
    return client.post(
        reverse("section11:return_evidence", args=[return_obj.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.fixture
def draft(agency: Organisation, other_agency: Organisation) -> Return:
    return open_cycle(agency, other_agency).returns.get(organisation=agency)


def assert_refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


# --- What is accepted and refused --------------------------------------------


def test_a_word_document_is_accepted_by_its_content(as_persona, draft):
    response = upload(as_persona("agency_lead"), draft, "Safer recruitment.docx", office_package())
    assert response.status_code == 302
    assert Evidence.objects.get().content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "minutes.docx",
            office_package(
                content_types=WORD_TYPES.format(main=DOCM_MAIN, extra=""),
                extra={"word/vbaProject.bin": b"\xcc\x61" + b"\0" * 64},
            ),
        ),
        ("training figures.docx", macro_workbook_bytes()),
        ("training figures.xlsx", macro_workbook_bytes()),
        (
            # The macro project renamed, but declared, as Office needs it to be to run it.
            "policy.docx",
            office_package(
                content_types=WORD_TYPES.format(
                    main=DOCX_MAIN,
                    extra=f'<Override PartName="/word/extras.dat" ContentType="{VBA_PART}"/>',
                ),
                extra={"word/extras.dat": b"\xcc\x61" + b"\0" * 64},
            ),
        ),
    ],
    ids=["docm-named-docx", "xlsm-named-docx", "xlsm-named-xlsx", "renamed-macro-part"],
)
def test_a_macro_enabled_office_file_is_refused_whatever_it_is_called(
    as_persona, draft, name, content
):
    response = upload(as_persona("agency_lead"), draft, name, content)
    assert_refused(response, "Documents containing macros are not accepted.")


def test_an_office_file_with_too_many_parts_is_refused(as_persona, draft):
    content = office_package(padding_members=MAX_ARCHIVE_MEMBERS)
    response = upload(as_persona("agency_lead"), draft, "handbook.docx", content)
    assert_refused(response, "The document is too complex to accept. Save it as a PDF.")


def test_an_office_file_that_would_expand_beyond_the_limit_is_refused(as_persona, draft):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", WORD_TYPES.format(main=DOCX_MAIN, extra=""))
        package.writestr("word/document.xml", "<document/>")
        with package.open("word/media/image1.bin", "w") as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(MAX_ARCHIVE_EXPANDED_BYTES // len(block) + 1):
                part.write(block)
    assert len(data.getvalue()) < 2 * 1024 * 1024  # small on the wire, huge unpacked
    response = upload(as_persona("agency_lead"), draft, "report.docx", data.getvalue())
    assert_refused(response, "The document is too complex to accept. Save it as a PDF.")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("training.pdf", xlsx_bytes()),
        ("policy.docx", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
        ("minutes.txt", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
        ("org chart", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
    ],
    ids=["xlsx-as-pdf", "pdf-as-docx", "png-as-jpg", "pdf-as-txt", "no-extension"],
)
def test_a_renamed_file_is_refused(as_persona, draft, name, content):
    response = upload(as_persona("agency_lead"), draft, name, content)
    assert_refused(response, "but its content is a different type")


def test_a_zip_archive_is_refused(as_persona, draft):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("policy.pdf", b"%PDF-1.7\n")
    response = upload(as_persona("agency_lead"), draft, "documents.zip", data.getvalue())
    assert_refused(response, "Archives such as zip files are not accepted.")


@pytest.mark.parametrize("name", ["minutes.doc", "figures.xls", "briefing.ppt", "notes.pdf"])
def test_an_older_office_file_is_refused_with_what_to_do_instead(as_persona, draft, name):
    # The compound-file header Word, Excel and PowerPoint 97-2003 all write.
    content = OLE_MAGIC + b"\0" * 1024
    response = upload(as_persona("agency_lead"), draft, name, content)
    assert_refused(response, "Older Office files (.doc, .xls, .ppt) are not accepted")
    assert "Save As to save it as .docx, .xlsx or .pptx, or as a PDF" in response.content.decode()


def test_a_refused_upload_keeps_the_question_chosen(as_persona, draft):
    criterion = draft.cycle.framework.standards.first().criteria.first()
    response = as_persona("agency_lead").post(
        reverse("section11:return_evidence", args=[draft.pk]),
        {"file": SimpleUploadedFile("x.docx", macro_workbook_bytes()), "criterion": criterion.pk},
    )
    assert response.status_code == 400
    assert f'<option value="{criterion.pk}" selected>' in response.content.decode()


# --- Downloads -----------------------------------------------------------------


@pytest.fixture
def return_document(draft: Return, agency_lead: User) -> Evidence:
    return services.evidence_attach(
        organisation=draft.organisation,
        upload=SimpleUploadedFile("Supervision <policy>.pdf", b"%PDF-1.7\n%%EOF\n"),
        return_obj=draft,
        actor=agency_lead,
    )


@pytest.fixture
def action_document(agency: Organisation, agency_lead: User) -> Evidence:
    action = services.action_create(
        organisation=agency,
        description="Refresh the policy",
        owner="Head of safeguarding",
        due_date=datetime.date.today() + datetime.timedelta(days=30),
        actor=agency_lead,
    )
    return services.evidence_attach(
        organisation=agency,
        upload=SimpleUploadedFile("audit.txt", b"Audit completed in March."),
        action=action,
        actor=agency_lead,
    )


MAY_DOWNLOAD = ["agency_lead", "contributor", "business_unit", "executive", "scrutineer"]
MAY_NOT = ["other_agency_lead", "school_lead", "auditor"]


@pytest.mark.parametrize("persona", MAY_DOWNLOAD)
@pytest.mark.parametrize("document", ["return_document", "action_document"])
def test_a_document_downloads_as_an_attachment_that_browsers_may_not_sniff(
    request, as_persona, persona, document
):
    evidence = request.getfixturevalue(document)
    response = as_persona(persona).get(reverse("audits:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == evidence.content_type
    with evidence.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_the_download_name_is_the_uploaders_but_the_stored_name_is_ours(
    as_persona, return_document
):
    response = as_persona("agency_lead").get(
        reverse("audits:evidence_download", args=[return_document.pk])
    )
    assert "Supervision" in response["Content-Disposition"]
    assert "Supervision" not in return_document.file.name
    assert "<" not in return_document.file.name


@pytest.mark.parametrize("persona", MAY_NOT)
@pytest.mark.parametrize("document", ["return_document", "action_document"])
def test_outsiders_are_told_a_document_does_not_exist(request, as_persona, persona, document):
    evidence = request.getfixturevalue(document)
    response = as_persona(persona).get(reverse("audits:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404
    assert "Content-Disposition" not in response
