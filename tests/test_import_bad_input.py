"""Bad input: each case gets a clear message and writes nothing."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from investigations import models as m
from investigations.importers.service import run_import

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
pytestmark = pytest.mark.django_db


def run(data, name="file.csv", **kwargs):
    kwargs.setdefault("kind", "contracts")
    return run_import(data, name, **kwargs)


def run_fixture(name, **kwargs):
    return run_import((FIXTURES / name).read_bytes(), name, **kwargs)


def nothing_written():
    return not (m.Contract.objects.exists() or m.Organisation.objects.exists())


def xlsx(*rows, title="contracts"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(data, xml):
    """The same workbook with its first sheet's XML replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, body)
    return out.getvalue()


@pytest.mark.parametrize(
    "name", ["organisations_utf16.csv", "organisations_bom.csv", "organisations_cp1252.csv"]
)
def test_it_reads_utf16_utf8_with_bom_and_windows_1252(name):
    result = run_fixture(name)
    assert result.written and m.Organisation.objects.count() == 4
    assert m.Organisation.objects.filter(name__startswith="Alliance M").exists()


def test_it_refuses_a_file_in_an_unknown_encoding():
    result = run(b"title\n\x81\x8d\x8f\x90 caf\xc3\n")
    assert "encoding is not recognised" in result.file_error
    assert nothing_written() and result.batch.state == "failed"


def test_it_refuses_a_sheet_missing_a_required_column():
    result = run(b"reference,value\nX-1,100\n")
    [error] = result.errors
    assert error["column"] == "title" and "required column missing" in error["message"]
    assert nothing_written()


def test_it_warns_about_unknown_columns_and_imports_the_rest():
    result = run(b"title,colour\nMobile MRI,blue\n")
    assert "colour" in result.sheets[0].warnings[0]
    assert m.Contract.objects.get().title == "Mobile MRI"


def test_it_rejects_duplicate_keys_within_the_file():
    result = run(b"title,reference\nMobile MRI,A\nMobile CT,A\n")
    [error] = result.errors
    assert error["row"] == 3 and "duplicate of row 2" in error["message"]
    assert nothing_written()


def test_it_skips_blank_rows_and_trailing_empty_rows():
    result = run(b"title,value\n\nMobile MRI,1\n,\n  ,  \nMobile CT,2\n,,\n,\n\n")
    assert result.written and m.Contract.objects.count() == 2
    assert sorted(m.ImportBatchItem.objects.values_list("row_number", flat=True)) == [3, 6]


@pytest.mark.parametrize(
    "cell, expected",
    [("22/11/2022", "2022-11-22"), ("2022-11-22", "2022-11-22"), ("Nov 2022", "2022-11"),
     ("2016", "2016"), ("44887", "2022-11-22")],
)  # fmt: skip
def test_it_reads_dates_as_researchers_write_them(cell, expected):
    run(f"title,awarded\nMobile MRI,{cell}\n".encode())
    assert m.Contract.objects.get().awarded == expected


def test_it_keeps_the_precision_of_excel_dates_and_years():
    import datetime

    run(xlsx(["title", "awarded", "start"], ["MRI", datetime.date(2022, 11, 22), 2016]), "c.xlsx")
    contract = m.Contract.objects.get()
    assert (contract.awarded, contract.start) == ("2022-11-22", "2016")


@pytest.mark.parametrize(
    "cell, amount, currency",
    [("£350m", 350_000_000, "GBP"), ("350,000,000", 350_000_000, "GBP"),
     ("€18 million", 18_000_000, "EUR"), ("18.5", 18.5, "GBP")],
)  # fmt: skip
def test_it_reads_money_as_researchers_write_it(cell, amount, currency):
    run(f'title,value\nMobile MRI,"{cell}"\n'.encode())
    contract = m.Contract.objects.get()
    assert (float(contract.value), contract.currency) == (amount, currency)


def test_it_reads_bracketed_losses_where_negative_figures_are_valid(db):
    from tests import factories

    factories.make_organisation(name="Alliance Medical Ltd")
    data = b'organisation,period_end,turnover,operating_profit\nAlliance Medical,31/03/2022,"169.6m","(1,200)"\n'
    result = run(data, kind="financial_filings")
    assert not result.errors
    assert m.FinancialFiling.objects.get().operating_profit == -1200


@pytest.mark.parametrize("cell", ["(1,200)", "-5", "lots", "£"])
def test_it_rejects_negative_or_unreadable_money_where_invalid(cell):
    result = run(f'title,value\nMobile MRI,"{cell}"\n'.encode())
    [error] = result.errors
    assert (error["row"], error["column"]) == (2, "value")
    assert nothing_written()


def test_it_rejects_a_currency_that_contradicts_the_symbol():
    result = run("title,value,currency\nMobile MRI,€5m,GBP\n".encode())
    assert "not in GBP" in result.errors[0]["message"]


def test_it_refuses_formula_cells():
    result = run_fixture("bad_formula.xlsx")
    assert "formula" in result.file_error and "row 2" in result.file_error
    assert nothing_written()


def test_it_refuses_merged_header_cells():
    result = run_fixture("bad_merged_header.xlsx")
    assert "Merged header cells" in result.file_error and nothing_written()


def test_it_refuses_a_corrupt_workbook():
    result = run_fixture("bad_corrupt.xlsx")
    assert "not a valid XLSX" in result.file_error and nothing_written()


def test_it_refuses_a_zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    result = run(out.getvalue(), "bomb.xlsx")
    assert "zip bomb" in result.file_error and nothing_written()


def test_it_refuses_an_xml_entity_bomb():
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};">' for i in range(1, 30))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e0 "boom">{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e29;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    result = run(with_sheet_xml(xlsx(["title"], ["x"]), xml), "entities.xlsx")
    assert "corrupt or unsafe" in result.file_error and nothing_written()


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    result = run(b"title\n" + b"Mobile MRI\n" * 200)
    assert "the limit is" in result.file_error and "MB" in result.file_error
    assert nothing_written()


def test_it_stops_at_a_million_empty_formatted_rows():
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, 1_048_577))
    xml = (
        '<?xml version="1.0"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:B1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Mobile MRI</t></is></c></row>'
        f"{rows}</sheetData></worksheet>"
    )
    result = run(with_sheet_xml(xlsx(["title"], ["x"]), xml), "long.xlsx")
    assert result.written and m.Contract.objects.get().title == "Mobile MRI"


def test_it_rejects_references_to_missing_records():
    result = run(b"title,buyer\nMobile MRI,Nobody Ltd\n")
    [error] = result.errors
    assert error["column"] == "buyer" and "no organisation matches" in error["message"]
    assert nothing_written()


def test_it_stores_a_csv_injection_payload_as_plain_text():
    payload = '=HYPERLINK("http://evil.example","click")'
    run(f'title,region\nMobile MRI,"{payload.replace(chr(34), chr(34) * 2)}"\n'.encode())
    assert m.Contract.objects.get().region == payload
