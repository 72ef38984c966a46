"""The network pages in a real browser: axe finds no serious or critical violation, and a
keyboard reaches every record in the picture by its name."""

import pytest

from tests.browser.test_accessibility import axe, blocking_violations, demo_page, describe

pytestmark = pytest.mark.django_db
__all__ = ["axe", "demo_page"]  # module fixtures, shared with the accessibility tests

PAGES = [
    "/network/?around=organisation:alliance-medical",
    "/network/?around=organisation:alliance-medical&depth=3&as_of=2016-03-01",
    "/network/?around=site:taunton-community-diagnostic-centre&depth=1",
    "/sites/taunton-community-diagnostic-centre/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_network_page_has_no_serious_accessibility_violation(
    demo_page, axe, no_page_cache, path
):
    response = demo_page.goto(path)
    assert response.status == 200, path
    assert demo_page.locator("svg.network-graph").count() == 1
    violations = blocking_violations(axe.run(demo_page))
    if violations:
        pytest.fail(f"{path}\n{describe(violations)}", pytrace=False)


def test_the_keyboard_reaches_each_record_in_the_picture_by_name(demo_page, no_page_cache):
    demo_page.goto("/network/?around=site:taunton-community-diagnostic-centre&depth=1")
    nodes = demo_page.locator("svg.network-graph g.nodes a")
    expected = nodes.count()
    assert expected > 3
    demo_page.locator("svg.network-graph").locator("xpath=..").scroll_into_view_if_needed()
    demo_page.locator("#network-as-of").focus()
    names = set()
    for _ in range(200):
        demo_page.keyboard.press("Tab")
        name = demo_page.evaluate(
            "document.activeElement.closest('g.nodes') && document.activeElement.getAttribute('aria-label')"
        )
        if name:
            names.add(name)
    assert len(names) == expected
    assert "Taunton Community Diagnostic Centre (site)" in names
