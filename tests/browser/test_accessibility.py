"""axe-core finds no serious or critical accessibility violation on the public pages.

The pages are those of the demo data, loaded once for the module and served by a live
server of the module's own: pytest-django's ``live_server`` would flush the database after
every test, and loading the demo data for each page would triple the run time. Each test
is still marked ``django_db``: that is what makes pytest-django create the test database.
"""

import threading
from pathlib import Path
from textwrap import indent

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from investigations.demo_data import load_demo_data
from investigations.search import rebuild_index

pytestmark = pytest.mark.django_db

BLOCKING_IMPACTS = {"serious", "critical"}

PAGES = [
    "/",
    "/organisations/",
    "/contracts/",
    "/concerns/",
    "/people/",
    "/sources/",
    "/organisations/alliance-medical/",
    "/organisations/somerset-nhs-foundation-trust/",
    "/contracts/pet-ct-scanning-services-england/",
    "/concerns/malcolm-rifkind-pet-ct-award/",
    "/people/malcolm-rifkind/",
    "/sites/taunton-community-diagnostic-centre/",
    "/frameworks/nhs-england-community-diagnostic-centres-framework/",
    "/sources/alliance-medical-company-profile/",
    "/search/?q=alliance",
    "/search/?q=no+such+thing+anywhere",
    "/organisations/?kind=public_body",
    "/organisations/?page=2",
]


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker):
    """A live server over the demo data; the database and search index are emptied again
    afterwards, so that the tests which follow start from nothing, as they expect."""
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


@pytest.fixture(scope="module")
def demo_page(browser, demo_server):
    context = browser.new_context(base_url=demo_server, viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def axe():
    # The package carries axe-core's script, so the checks need no network.
    return pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


def blocking_violations(results):
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    """Each rule broken, and for each element that breaks it: where it is and how to fix it."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - target: {', '.join(map(str, node['target']))}")
            lines.append(f"    html: {node['html']}")
            lines.append(indent(node["failureSummary"], "    "))
    return "\n".join(lines)


@pytest.mark.parametrize("path", PAGES)
def test_the_page_has_no_serious_accessibility_violation(demo_page, axe, no_page_cache, path):
    response = demo_page.goto(path)
    assert response.status == 200, path
    violations = blocking_violations(axe.run(demo_page))
    if violations:
        pytest.fail(f"{path}\n{describe(violations)}", pytrace=False)
