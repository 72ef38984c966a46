"""Sources' files: which types may be uploaded, judged by their content (never by their
name alone), the size limit, the random names they are stored under, and the type each
stored file is sent back as.

A file opened from this site runs in its origin: an HTML or SVG "annual report" could read
the CSRF cookie and publish as the editor who opened it. So only document and raster image
types are accepted, and markup, scripts and programs are refused whatever they are called.
"""

import codecs
import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils import timezone


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    inline: bool = False  # shown in the browser; everything else is downloaded


PDF = FileType("pdf", "application/pdf", inline=True)
PNG = FileType("png", "image/png", inline=True)
JPEG = FileType("jpg", "image/jpeg", inline=True)
WEBP = FileType("webp", "image/webp", inline=True)
TEXT = FileType("txt", "text/plain")
CSV = FileType("csv", "text/csv")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text")
UNKNOWN = FileType("bin", "application/octet-stream")
TYPES_BY_EXTENSION = {t.extension: t for t in (TEXT, CSV, XLSX, DOCX, ODS, ODT)}

ALLOWED = (
    "Upload a PDF, a PNG, JPEG or WebP image, plain text or CSV, "
    "or an XLSX, DOCX, ODS or ODT document."
)
MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
PROGRAMS = (
    b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\x00asm",
)  # fmt: skip
ZIP = b"PK\x03\x04"
OPENDOCUMENT = {ODS.content_type: ODS, ODT.content_type: ODT}
# The main part's content type in [Content_Types].xml; macro-enabled variants differ.
OFFICE_OPEN_XML = {
    b"spreadsheetml.sheet.main+xml": XLSX,
    b"wordprocessingml.document.main+xml": DOCX,
}
MAX_MANIFEST_BYTES = 1024 * 1024
# Names that announce markup, a script or a program: refused even when the content would
# pass as text, so that nothing on the site ever offers "invoice.html" or "setup.exe".
REFUSED_NAMES = {
    "an HTML page": {"html", "htm", "xhtml", "shtml", "mht", "mhtml", "xht"},
    "an SVG image": {"svg", "svgz"},
    "an XML document": {"xml", "xsl", "xslt"},
    "a script": {"js", "mjs", "sh", "bash", "bat", "cmd", "ps1", "py", "php", "pl", "rb",
                 "vbs", "wsf", "hta", "jsp", "asp", "aspx"},
    "a program": {"exe", "dll", "msi", "com", "scr", "jar", "apk", "app", "dmg", "bin", "so"},
}  # fmt: skip
SVG_TAG = re.compile(r"<\s*svg\b", re.IGNORECASE)
HTML_TAG = re.compile(
    r"<\s*(?:script|html|head|body|iframe|frame|object|embed|meta|form|base)\b", re.IGNORECASE
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
HEAD_BYTES = 64 * 1024


def validate_source_file(value):
    """The model field's validator: the size (known without reading), then the type.

    A file already stored was checked when it was uploaded, and is not read again.
    """
    if getattr(value, "_committed", False):
        return
    upload = getattr(value, "file", value)
    check_size(upload.size)
    detect_file_type(upload)


def check_size(size):
    limit = settings.SOURCE_FILE_MAX_BYTES
    if size > limit:
        raise ValidationError(
            f"The file is {_size(size)}; the limit is {_size(limit)}.", code="file_too_large"
        )


def _size(count):
    return filesizeformat(count).replace("\xa0", " ")


def detect_file_type(upload):
    """The allowed type of an uploaded file, read from its bytes; ValidationError if none."""
    upload.seek(0)
    try:
        file_type = _type_of(upload, upload.read(HEAD_BYTES))
    finally:
        upload.seek(0)
    _refuse_by_name(upload)
    return file_type


def _type_of(upload, head):
    if head.startswith(PROGRAMS) and b"\x00" in head[:64]:  # "MZ Holdings" may be text
        raise refused(upload, "a program")
    if head.startswith(ZIP):
        return _office_type(upload)
    return _magic_type(head) or _text_type(upload, head)


def refused(upload, what):
    name = PurePosixPath(upload.name or "the file").name
    return ValidationError(f"“{name}” is {what}, which this site does not accept. {ALLOWED}")


def _magic_type(head):
    for magic, file_type in MAGIC:
        if head.startswith(magic):
            return file_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _refuse_by_name(upload):
    extension = PurePosixPath(upload.name or "").suffix.lower().lstrip(".")
    for what, extensions in REFUSED_NAMES.items():
        if extension in extensions:
            raise refused(upload, f"named as {what}")


def _office_type(upload):
    """XLSX and DOCX by the main part their manifest declares, ODS and ODT by their
    mimetype entry; any other zip is refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            file_type = _opendocument_type(archive) or _office_open_xml_type(archive)
    except zipfile.BadZipFile:
        file_type = None
    if file_type is None:
        raise refused(upload, "a zip archive but not a document (XLSX, DOCX, ODS or ODT)")
    return file_type


def _opendocument_type(archive):
    mimetype = _small_entry(archive, "mimetype")
    return OPENDOCUMENT.get(mimetype.decode("ascii", "replace").strip())


def _office_open_xml_type(archive):
    manifest = _small_entry(archive, "[Content_Types].xml")
    return next((t for part, t in OFFICE_OPEN_XML.items() if part in manifest), None)


def _small_entry(archive, name):
    """An entry's bytes, or b"" if it is missing or too large to be what it claims."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= MAX_MANIFEST_BYTES else b""


def _text_type(upload, head):
    text = _text_head(upload, head)
    start = text.lstrip("\ufeff \t\r\n")
    if SVG_TAG.search(text):
        raise refused(upload, "an SVG image")
    if start.startswith("<") or HTML_TAG.search(text):
        raise refused(upload, "an HTML page or other markup")
    if start.startswith("#!"):
        raise refused(upload, "a script")
    # Both are plain text to every browser; the name only says which the researcher meant.
    return CSV if PurePosixPath(upload.name or "").suffix.lower() == ".csv" else TEXT


def _text_head(upload, head):
    """The start of the file as text, after checking the whole file is text."""
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            return _decoded_head(upload, encoding)
        except (UnicodeDecodeError, ValueError):
            continue  # binary, or another encoding
    raise refused(upload, "not a document, an image or text")


def _decoded_head(upload, encoding):
    decoder = codecs.getincrementaldecoder(encoding)()
    head = ""
    for chunk in upload.chunks():
        text = decoder.decode(chunk)
        if CONTROL_CHARACTERS.search(text):
            raise ValueError("binary data")
        head = head or text[:HEAD_BYTES]
    decoder.decode(b"", final=True)
    return head


def stored_file_name(source, original_name):
    """``upload_to`` of a source's file: a random name no one can guess, with the extension
    of the type its content was found to be. Refuses what the validator refuses, so no
    code path can store a disallowed file."""
    upload = source.file.file
    check_size(upload.size)
    extension = detect_file_type(upload).extension
    return f"sources/{timezone.now():%Y}/{secrets.token_urlsafe(24)}.{extension}"


def served_type(stored, name):
    """The type a stored file is sent as. Inline types are confirmed by their first bytes;
    any other type must be one uploads are stored as, or the file is plain bytes."""
    stored.seek(0)
    file_type = _magic_type(stored.read(16))
    stored.seek(0)
    if file_type is not None:
        return file_type
    return TYPES_BY_EXTENSION.get(PurePosixPath(name).suffix.lower().lstrip("."), UNKNOWN)


class SizeLimitedUploadHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: once an upload passes the largest size any form
    accepts, none of the rest is kept (in memory or in a temporary file). The form is
    handed a stand-in of the true size, and refuses it with its usual message."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.too_large = self.too_large or start + len(raw_data) > upload_limit()
        return None if self.too_large else raw_data

    def file_complete(self, file_size):
        if not self.too_large:
            return None  # the next handler has kept the file
        return OversizedUpload(self.file_name, self.content_type, file_size)


def upload_limit():
    return max(settings.SOURCE_FILE_MAX_BYTES, settings.IMPORT_MAX_UPLOAD_BYTES)


class OversizedUpload(UploadedFile):
    """What is left of an upload over the limit: its name and size, none of its bytes."""

    def __init__(self, name, content_type, size):
        super().__init__(io.BytesIO(), name, content_type, size)
