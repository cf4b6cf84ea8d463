"""Which uploaded files are accepted as evidence, judged by their content.

The content must be one of the allowed types, and the file's extension must
agree with it: a spreadsheet renamed ``.pdf`` is refused, and so is a
macro-enabled Office file, whatever it is called.

Older Office files (.doc, .xls, .ppt: the OLE compound format) are refused
whatever they contain. Their Visual Basic macros could be found by the
``_VBA_PROJECT`` storage name, but Excel 4.0 macro sheets live inside the
workbook stream and PowerPoint keeps its macros compressed, so no check short
of parsing each binary format would find them all; a check that caught only
some would promise more than it does. Every Office version since 2007 saves
the .docx, .xlsx and .pptx formats, whose macros are found reliably.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import filetype

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# Office files are zip archives; refuse ones that would expand absurdly.
MAX_ARCHIVE_MEMBERS = 2000
MAX_ARCHIVE_EXPANDED_BYTES = 200 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"

EXTENSIONS = {
    PDF: {".pdf"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
    PPTX: {".pptx"},
    TEXT: {".txt", ".text", ".csv"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
}
ALLOWED_DESCRIPTION = (
    "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), plain text, PNG or JPEG"
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
# Office runs a macro project only if the package declares it, under whatever part
# name: these content types mark one (vbaProject) or a macro-enabled main part.
MACRO_CONTENT_TYPE_MARKERS = (b"vnd.ms-office.vbaproject", b"macroenabled")
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


class EvidenceRefused(Exception):
    """The file is not acceptable evidence; the message says why, for the user."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def check_evidence_file(upload: IO[bytes], name: str, size: int) -> CheckedFile:
    """Decide whether an upload is acceptable; raise EvidenceRefused with the reason."""
    if size == 0:
        raise EvidenceRefused("The file is empty.")
    if size > MAX_EVIDENCE_BYTES:
        raise EvidenceRefused("The file is larger than 20 MB. Upload a smaller file.")
    upload.seek(0)
    head = upload.read(8192)
    extension = PurePath(name).suffix.lower()
    content_type = _sniff(upload, head, extension)
    if extension not in EXTENSIONS[content_type]:
        raise EvidenceRefused(
            f"The file's name ends {extension or 'with no extension'} but its content is "
            f"a different type. Upload a {ALLOWED_DESCRIPTION} file with its usual name."
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest())


def _sniff(upload: IO[bytes], head: bytes, extension: str) -> str:
    if head.startswith(OLE_MAGIC):
        raise EvidenceRefused(
            "Older Office files (.doc, .xls, .ppt) are not accepted because they can hide "
            "macros that cannot be checked. Open it and use Save As to save it as .docx, "
            ".xlsx or .pptx, or as a PDF, and upload that."
        )
    upload.seek(0)
    kind = filetype.guess(upload)
    if kind is not None:
        if kind.mime in OOXML_MAIN_PART:
            _check_office_archive(upload, kind.mime)
        if kind.mime in EXTENSIONS:
            return kind.mime
        if kind.mime == "application/zip":
            raise EvidenceRefused(
                "Archives such as zip files are not accepted. Upload each document on its own."
            )
        raise _not_allowed()
    if _is_plain_text(upload):
        return TEXT
    raise _not_allowed()


def _check_office_archive(upload: IO[bytes], mime: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS or (
                sum(m.file_size for m in members) > MAX_ARCHIVE_EXPANDED_BYTES
            ):
                raise EvidenceRefused("The document is too complex to accept. Save it as a PDF.")
            names = {m.filename.lower() for m in members}
            content_types = _read_content_types(archive)
    except zipfile.BadZipFile as error:
        raise EvidenceRefused("The document is damaged and cannot be opened.") from error
    if any(n.endswith("vbaproject.bin") for n in names) or any(
        marker in content_types for marker in MACRO_CONTENT_TYPE_MARKERS
    ):
        raise EvidenceRefused(
            "Documents containing macros are not accepted. Save it without macros "
            "(for example as .docx or .xlsx) or as a PDF."
        )
    if OOXML_MAIN_PART[mime] not in names:
        raise EvidenceRefused("The document is damaged and cannot be opened.")


def _read_content_types(archive: zipfile.ZipFile) -> bytes:
    """The package's list of part types, lower-cased; empty if it has none."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return b""
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise EvidenceRefused("The document is too complex to accept. Save it as a PDF.")
    with archive.open(info) as part:
        return part.read(MAX_CONTENT_TYPES_BYTES).lower()


def _is_plain_text(upload: IO[bytes]) -> bool:
    upload.seek(0)
    sample = upload.read(64 * 1024)
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def _not_allowed() -> EvidenceRefused:
    return EvidenceRefused(
        f"This type of file is not accepted. Upload a {ALLOWED_DESCRIPTION} file."
    )
