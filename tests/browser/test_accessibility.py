"""axe-core finds no serious or critical accessibility violation on the public pages.

The pages are those of the demo data, served by ``demo_server`` (conftest.py). Each test
is still marked ``django_db``: that is what makes pytest-django create the test database.
"""

from textwrap import indent

import pytest

pytestmark = pytest.mark.django_db

BLOCKING_IMPACTS = {"serious", "critical"}

PAGES = [
    "/",
    "/organisations/",
    "/contracts/",
    "/concerns/",
    "/people/",
    "/sources/",
    "/sites/",
    "/frameworks/",
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
    "/data/",
]


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
