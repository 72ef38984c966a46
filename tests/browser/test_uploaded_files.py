"""An uploaded HTML or SVG file never runs script in a real browser: the admin refuses it,
and a file stored before the checks opens only as a sandboxed download."""

import contextlib

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Error as PlaywrightError

from investigations.models import Source
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-only"
# Each payload asks for /ran-script the moment any of it runs.
BEACON = "/ran-script"
HTML = f"<!doctype html><script>fetch('{BEACON}?'+document.cookie)</script>".encode()
SVG = f'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'{BEACON}\')"/>'.encode()
PDF_POLYGLOT = f"%PDF-1.4\n<html><script>fetch('{BEACON}')</script></html>".encode()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def editor_page(browser, live_server, no_page_cache):
    """A browser page logged in as an editor, with every request it makes recorded."""
    editor = factories.make_editor()
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.requested = []
    context.on("request", lambda request: page.requested.append(request.url))
    page.goto("/admin/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    yield page
    context.close()


def ran_script(page):
    page.wait_for_timeout(300)
    return any(BEACON in url for url in page.requested)


def stored_before_the_checks(name, data):
    """A source whose file bypassed the upload checks, as files uploaded before them did."""
    source = factories.make_source()
    stored = source.file.storage.save(f"sources/2026/{name}", ContentFile(data))
    Source.objects.filter(pk=source.pk).update(file=stored, original_name=name)
    source.refresh_from_db()
    return source


def open_from_the_source_page(page, source):
    page.goto(f"/sources/{source.slug}/")
    try:
        with page.expect_download(timeout=5000):
            page.get_by_role("link", name=source.original_name).click()
    except PlaywrightError:
        pass  # shown in the browser rather than downloaded: what ran is checked next
    assert any(url.endswith("/file/") for url in page.requested)


@pytest.mark.parametrize(("name", "data"), [("annual-report.html", HTML), ("logo.svg", SVG)])
def test_the_admin_refuses_an_html_or_svg_upload(editor_page, media_root, name, data):
    editor_page.goto("/admin/investigations/source/add/")
    editor_page.fill("#id_title", "Annual report 2022")
    editor_page.set_input_files("#id_file", {"name": name, "mimeType": "", "buffer": data})
    editor_page.click("input[name=_save]")
    assert "which this site does not accept" in editor_page.locator(".errorlist").inner_text()
    assert not Source.objects.exists() and not list(media_root.rglob("*.*"))
    assert not ran_script(editor_page)


@pytest.mark.parametrize(
    ("name", "data"),
    [("annual-report.html", HTML), ("logo.svg", SVG), ("report.pdf", PDF_POLYGLOT)],
)
def test_a_file_stored_before_the_checks_never_runs_when_an_editor_opens_it(
    editor_page, name, data
):
    source = stored_before_the_checks(name, data)
    open_from_the_source_page(editor_page, source)
    assert not ran_script(editor_page)


@pytest.mark.parametrize("name", ["annual-report.html", "logo.svg"])
def test_a_file_opened_by_its_address_never_runs(editor_page, name):
    source = stored_before_the_checks(name, HTML if name.endswith("html") else SVG)
    # "Download is starting" is an error to goto: the browser saved the file, not showed it.
    with contextlib.suppress(PlaywrightError):
        editor_page.goto(f"/sources/{source.slug}/file/")
    assert not ran_script(editor_page)
