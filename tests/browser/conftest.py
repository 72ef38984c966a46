"""A real browser (Debian's chromium, driven by Playwright) against a live test server."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from investigations.demo_data import load_demo_data
from investigations.search import rebuild_index

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# to set up data are still plain synchronous calls, so Django's guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
def no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def page(browser, live_server, no_page_cache):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, no_page_cache):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def no_script(browser, live_server, no_page_cache):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker):
    """For a module of tests that only read: the demo data, loaded once, under a live
    server of the module's own (pytest-django's ``live_server`` would flush the database
    after every test, and loading the demo data for each page would triple the run time).
    The database and search index are emptied again afterwards, so that the tests which
    follow start from nothing, as they expect."""
    with django_db_blocker.unblock():
        # Never load the demo data into a real database.
        name = str(connection.settings_dict["NAME"])
        is_test_db = Path(name).name.startswith("test_") or "memory" in name
        assert is_test_db, f"{name} is not a test database"
        load_demo_data()
        server = LiveServer("localhost")
        try:
            yield server.url
        finally:
            finish_requests()
            server.stop()
            call_command("flush", verbosity=0, interactive=False)
            rebuild_index()  # flush leaves the search table, which is no model's, alone


def finish_requests(timeout=5):
    """Wait for the server's request threads, which close the shared SQLite connection when
    the browser drops its keep-alive sockets: stopping the server under them makes them fail."""
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout)
