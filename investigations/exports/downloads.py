"""Downloads of a public list, as CSV, XLSX or JSON: the list's filter, every page of it.

A row holds the record's fields as the public reads them, a column per child relation (a
contract's parties, an organisation's aliases) and, for the record and each of its cited
fields (``claim_fields``), the titles and URLs of its published sources. Rows are written
chunk by chunk (``records.chunks``) and streamed, so memory stays flat however long the
list. Every cell of a format that a spreadsheet opens passes through ``safe_cell``.
"""

import csv
import io
import json
import tempfile
from functools import cache

from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from investigations.spreadsheet_cells import safe_cell

from .records import chunks, exported_fields

# A Unicode mark first, so that spreadsheet programs read the file as UTF-8 (£, accents).
CSV_BYTE_ORDER_MARK = "\ufeff"
LIST_SEPARATOR = "; "


def columns(model):
    names = ["page_url", *(field.name for field in exported_fields(model))]
    names += model.claim_children
    for claim in ("record", *model.claim_fields):
        names += [f"{claim}_source_titles", f"{claim}_source_urls"]
    return names


def row(chunk, record, absolute_url):
    """One record as a row: lists (of child rows, of sources) stay lists until written."""
    cells = {"page_url": absolute_url(record.get_absolute_url())}
    for field in exported_fields(chunk.model):
        cells[field.name] = shown_value(chunk, record, field)
    for name in chunk.model.claim_children:
        cells[name] = [str(child) for child in chunk.children(record, name)]
    for claim in ("record", *chunk.model.claim_fields):
        sources = chunk.sources(record, "" if claim == "record" else claim)
        cells[f"{claim}_source_titles"] = [source.title for source in sources]
        cells[f"{claim}_source_urls"] = [source.url for source in sources]
    return cells


def shown_value(chunk, record, field):
    """Links by the linked record's name, choices by their label."""
    if field.many_to_one:
        linked = getattr(record, field.name)
        return "" if linked is None else str(linked)
    if field.choices:
        value = getattr(record, field.attname)
        return choice_labels(field).get(value, value)
    return chunk.value(record, field)


@cache
def choice_labels(field):
    """What ``get_FOO_display`` reads, looked up once per field rather than once per cell."""
    return {value: str(label) for value, label in field.flatchoices}


def rows(queryset, absolute_url):
    for chunk in chunks(queryset):
        for record in chunk:
            yield row(chunk, record, absolute_url)


def spreadsheet_cell(value):
    """A value as a spreadsheet cell: lists joined, formulas neutralised."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    return "" if value is None else safe_cell(value)


def workbook_cell(value):
    """A spreadsheet cell without the characters XLSX cannot hold (control characters)."""
    value = spreadsheet_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def csv_lines(queryset, absolute_url):
    """The file a chunk of rows at a time: one string per chunk, not per row."""
    names = columns(queryset.model)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    yield CSV_BYTE_ORDER_MARK + buffer.getvalue()
    for chunk in chunks(queryset):
        buffer.seek(0)
        buffer.truncate()
        for record in chunk:
            cells = row(chunk, record, absolute_url)
            writer.writerow([spreadsheet_cell(cells[name]) for name in names])
        yield buffer.getvalue()


def json_text(queryset, absolute_url):
    """A JSON array of the rows, written as it goes."""
    separator = "[\n"
    for cells in rows(queryset, absolute_url):
        yield separator + json.dumps(cells, cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def xlsx_file(queryset, absolute_url, title):
    """A workbook in openpyxl's write-only mode, which keeps rows on disk, not in memory.

    An XLSX file is a zip archive that cannot be sent before it is finished, so it is
    built in a temporary file that the response then streams (and deletes when closed).
    """
    names = columns(queryset.model)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(names)
    for cells in rows(queryset, absolute_url):
        sheet.append([workbook_cell(cells[name]) for name in names])
    stored = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(stored)
    stored.seek(0)
    return stored


def csv_response(queryset, absolute_url, name):
    response = StreamingHttpResponse(
        csv_lines(queryset, absolute_url), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, name, "csv")


def json_response(queryset, absolute_url, name):
    response = StreamingHttpResponse(
        json_text(queryset, absolute_url), content_type="application/json"
    )
    return attachment(response, name, "json")


def xlsx_response(queryset, absolute_url, name):
    return attachment(
        FileResponse(
            xlsx_file(queryset, absolute_url, name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        name,
        "xlsx",
    )


def attachment(response, name, extension):
    date = timezone.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{date}.{extension}"'
    return response


FORMATS = {
    "csv": ("CSV", csv_response),
    "xlsx": ("XLSX", xlsx_response),
    "json": ("JSON", json_response),
}


def download(queryset, fmt, absolute_url, name):
    """The download of a published queryset in one of ``FORMATS``."""
    return FORMATS[fmt][1](queryset, absolute_url, name)
