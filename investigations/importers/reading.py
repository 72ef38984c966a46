"""Turn an uploaded file (CSV, XLSX or ODS) into sheets of rows, refusing unsafe input.

Everything here is about bytes and cells; nothing knows about models.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings

from .cells import SEPARATOR, column_name

# An .xlsx whose parts inflate past this is treated as a zip bomb.
# Ratio alone would refuse honest sheets formatted down to the last row (their XML
# compresses a thousandfold), so the ratio counts only past a size worth worrying about.
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
SUSPICIOUS_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# After this many empty rows in a row we assume the rest of the sheet is empty too:
# a sheet formatted down to row 1,048,576 must not cost a million iterations.
MAX_BLANK_RUN = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass
class Sheet:
    name: str
    headers: list
    rows: list  # (row number as the user sees it, {header: value})
    warnings: list = field(default_factory=list)
    # Set by the map stage (``mapping``): columns renamed, rows grouped, and row errors
    # found in grouping, by the row number the group keeps.
    mapped: dict = field(default_factory=dict)
    grouped: list = field(default_factory=list)
    row_errors: dict = field(default_factory=dict)


class KnownCitation(NamedTuple):
    """A row of a citations sheet from a reader that knows which record it backs (the OCDS
    reader): the record by its key, not a "record" cell to parse. The planner plans it as
    it stands, or reads it as the row it stands for (``as_row``) where that is not enough."""

    record_kind: str  # "contracts", "contract_party" or "identifier"
    key: str | tuple  # a reference, an identifier, or a party's (reference, name, role)
    cited_field: str
    source: dict  # {"source": title, "source_url": address}, shared by a notice's rows
    locator: str

    def as_row(self):
        key = SEPARATOR.join(self.key) if isinstance(self.key, tuple) else self.key
        row = {"record_kind": self.record_kind, "record": key, "cited_field": self.cited_field}
        return {**row, **self.source, "locator": self.locator}


def read_file(data, file_name):
    """Sheets of a CSV, XLSX or ODS file, after the size and safety checks."""
    check_size(len(data))
    if data[:4] == b"PK\x03\x04":
        return _read_zip_workbook(data, file_name)
    return [_read_csv(data, _stem(file_name))]


def check_size(size):
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file is {size / 1048576:.1f} MB; the limit is {limit / 1048576:.1f} MB. "
            "Split it into smaller files."
        )


def _stem(file_name):
    return file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def decode(data):
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise ImportFileError(
            "The file's text encoding is not recognised (it contains NUL bytes). "
            "Save it as CSV UTF-8."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file's text encoding is not recognised: it is neither UTF-8, UTF-16 nor "
            "Windows-1252. Save it as CSV UTF-8."
        ) from None


def _read_csv(data, name):
    text = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return rows_to_sheet(name, csv.reader(_lines(text), dialect))


# Lines as a file opened with newline="" gives them (ending kept; \r\n, \r or \n).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text):
    """The lines of ``text`` one at a time: io.StringIO would copy it at 4 bytes a character."""
    for match in _LINE.finditer(text):
        yield match.group()


def rows_to_sheet(name, rows):
    """A sheet from an iterator of row tuples: first non-empty row is the header."""
    rows = enumerate(rows, start=1)
    headers = None
    for _number, values in rows:
        if not _is_blank(values):
            headers = _headers(values, name)
            break
    if headers is None:
        raise ImportFileError(f"Sheet “{name}” is empty: it has no header row.")
    sheet = Sheet(name, [h for h in headers if h], [])
    blank_run = 0
    for number, values in rows:
        if _is_blank(values):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        sheet.rows.append((number, _row_dict(headers, values, name, number)))
    return sheet


def _is_blank(values):
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _headers(values, sheet_name):
    headers = [column_name(v) if v is not None else "" for v in values]
    while headers and not headers[-1]:
        headers.pop()
    for position, header in enumerate(headers, start=1):
        if not header:
            raise ImportFileError(
                f"Sheet “{sheet_name}”: column {position} has no header. Merged header cells "
                "are not supported: give every column its own header cell."
            )
    duplicates = {h for h in headers if headers.count(h) > 1}
    if duplicates:
        raise ImportFileError(f"Sheet “{sheet_name}”: duplicate columns {sorted(duplicates)}.")
    return headers


def _row_dict(headers, values, sheet_name, number):
    row = {}
    for position, value in enumerate(values):
        if isinstance(value, Formula):
            raise ImportFileError(
                f"Sheet “{sheet_name}”, row {number}: cell {position + 1} holds a formula "
                f"({value.text[:40]}). Paste values only, not formulas."
            )
        if position < len(headers):
            row[headers[position]] = value
        elif value not in (None, ""):
            raise ImportFileError(
                f"Sheet “{sheet_name}”, row {number}: a value in column {position + 1}, "
                "which has no header."
            )
    return row


class Formula:
    def __init__(self, text):
        self.text = text


def _read_zip_workbook(data, file_name):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        _check_zip_bomb(archive, len(data))
    except zipfile.BadZipFile:
        raise ImportFileError("The file is not a valid XLSX or ODS workbook.") from None
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        return _read_ods(data)
    return _read_xlsx(data)


def _check_zip_bomb(archive, size):
    unzipped = sum(info.file_size for info in archive.infolist())
    too_dense = unzipped > MAX_COMPRESSION_RATIO * max(size, 1)
    if unzipped > MAX_UNZIPPED_BYTES or (unzipped > SUSPICIOUS_UNZIPPED_BYTES and too_dense):
        raise ImportFileError(
            "The workbook would expand to an unsafe size when opened (a possible zip bomb); "
            "it was not read."
        )


def _read_xlsx(data):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        return [rows_to_sheet(ws.title, _xlsx_rows(ws)) for ws in book.worksheets]
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl and defusedxml raise many kinds
        raise ImportFileError(
            f"The XLSX workbook is corrupt or unsafe and could not be read ({type(error).__name__})."
        ) from None


def _xlsx_rows(ws):
    for row in ws.iter_rows():
        yield tuple(
            Formula(str(c.value)) if getattr(c, "data_type", None) == "f" else c.value for c in row
        )


def _read_ods(data):
    import tablib

    try:
        book = tablib.Databook().load(data, format="ods")
    except Exception as error:
        raise ImportFileError(
            f"The ODS workbook is corrupt and could not be read ({type(error).__name__})."
        ) from None
    return [
        rows_to_sheet(ds.title or f"Sheet{i}", [ds.headers or [], *ds])
        for i, ds in enumerate(book.sheets(), 1)
    ]
