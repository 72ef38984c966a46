"""The admin's import flow: upload → preview → confirm, detail, undo, downloads."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from investigations import models as m

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def upload(client, name, **data):
    file = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    return client.post(reverse("admin:imports_upload"), {"file": file, **data})


def test_it_previews_without_writing_then_confirms(researcher_client):
    response = upload(researcher_client, "workbook.xlsx")
    batch = m.ImportBatch.objects.get()
    assert response.status_code == 302 and batch.state == "previewed"
    assert not m.Contract.objects.exists()
    page = researcher_client.get(response.url)
    assert page.status_code == 200 and "Confirm the import" in page.content.decode()
    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "committed" and m.Contract.objects.count() == 2
    assert set(batch.summary) == {"sources", "organisations", "contracts"}


def test_the_preview_lists_errors_by_row_and_column_and_offers_the_rejected_rows(
    researcher_client,
):
    upload(researcher_client, "contracts_bad_row.csv")
    batch = m.ImportBatch.objects.get()
    page = researcher_client.get(
        reverse("admin:investigations_importbatch_change", args=[batch.pk])
    )
    content = page.content.decode()
    assert "<td>3</td><td>value</td>" in content and "cannot be below zero" in content
    download = researcher_client.get(reverse("admin:imports_rejected", args=[batch.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("sheet", "row", "error") and rows[1][1] == 3


def test_confirming_with_skip_invalid_writes_the_valid_rows(researcher_client):
    upload(researcher_client, "contracts_bad_row.csv")
    batch = m.ImportBatch.objects.get()
    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]), {"skip_invalid": "1"})
    batch.refresh_from_db()
    assert batch.state == "committed" and m.Contract.objects.count() == 2


def test_an_atomic_confirm_of_a_bad_file_writes_nothing(researcher_client):
    upload(researcher_client, "contracts_bad_row.csv")
    batch = m.ImportBatch.objects.get()
    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "failed" and not m.Contract.objects.exists()


def test_an_editor_undoes_a_batch_from_its_page(editor_client):
    upload(editor_client, "organisations.csv")
    batch = m.ImportBatch.objects.get()
    editor_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    page = editor_client.get(reverse("admin:investigations_importbatch_change", args=[batch.pk]))
    assert "Undo this batch" in page.content.decode()
    editor_client.post(reverse("admin:imports_undo", args=[batch.pk]))
    assert not m.Organisation.objects.exists()


def test_a_researcher_may_not_publish_on_import(researcher_client):
    response = upload(researcher_client, "organisations.csv", publish="on")
    assert response.status_code == 403 and not m.ImportBatch.objects.exists()


def test_it_refuses_an_upload_over_the_limit(researcher_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(researcher_client, "organisations.csv")
    assert "the limit is" in response.content.decode() and not m.ImportBatch.objects.exists()


@pytest.mark.parametrize("name", ["workbook", "contracts", "organisations"])
def test_it_offers_templates_with_headers_and_an_example_row(researcher_client, name):
    response = researcher_client.get(reverse("admin:imports_template", args=[name]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].values)
    assert len(rows) == 2 and rows[1][0]


def test_the_template_workbook_imports_cleanly(researcher):
    from investigations.importers.kinds import KINDS
    from investigations.importers.service import run_import
    from investigations.importers.spreadsheets import template_book

    result = run_import(template_book().export("xlsx"), "t.xlsx", user=researcher, dry_run=True)
    assert not result.file_error
    assert len(result.sheets) == len(KINDS)
