"""The Content-Security-Policy breaks nothing: a browser on the public pages and the main
admin pages, using them as a reader and an editor would, sees no violation of it.

The policy forbids inline script and style, so a violation here is an inline script or
style (or a handler, or a style attribute written into markup) that must move to a file.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from investigations import models
from tests import factories
from tests.browser.test_accessibility import PAGES

pytestmark = pytest.mark.django_db

IMPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "imports"

# Chromium reports each violation to the page's listeners: record them across navigations.
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture(scope="module")
def editor_session(demo_server, django_db_blocker):
    """A signed-in superuser's session cookie, and a draft to publish; committed, so the
    live server sees them on any database, and flushed with the demo data afterwards."""
    with django_db_blocker.unblock():
        user = User.objects.create_superuser("csp-editor", password="pw-for-tests-only")
        client = Client()
        client.force_login(user)
        draft = factories.make_concern(title="A draft to publish")
    return client.cookies[settings.SESSION_COOKIE_NAME].value, draft


def watched_page(browser, base_url, violations, session=None):
    context = browser.new_context(base_url=base_url, viewport={"width": 1200, "height": 900})
    if session:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def visit(page, path, violations):
    response = page.goto(path)
    assert response.status == 200, path
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page.wait_for_load_state("networkidle")
    collect(page, violations)


def collect(page, violations):
    violations.extend(page.evaluate("window.cspViolations || []"))


@pytest.fixture
def reader(browser, demo_server, no_page_cache):
    violations = []
    page = watched_page(browser, demo_server, violations)
    yield page, violations
    page.context.close()


@pytest.fixture
def editor(browser, demo_server, editor_session, no_page_cache, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploads go here, not into the working tree's var/
    violations = []
    page = watched_page(browser, demo_server, violations, session=editor_session[0])
    yield page, violations, editor_session[1]
    page.context.close()


def test_the_public_pages_break_no_rule_of_the_policy(reader):
    page, violations = reader
    for path in PAGES:
        visit(page, path, violations)
    assert not violations, "\n".join(violations)


def test_the_admin_sign_in_page_breaks_no_rule_of_the_policy(reader):
    page, violations = reader
    visit(page, "/admin/login/", violations)
    assert not violations, "\n".join(violations)


def test_admin_lists_and_forms_with_autocomplete_and_inlines_break_no_rule(editor):
    page, violations, _ = editor
    contract = models.Contract.objects.published().first()
    for path in (
        "/admin/",
        "/admin/investigations/organisation/",
        "/admin/investigations/contract/?q=scan",
        f"/admin/investigations/organisation/{models.Organisation.objects.first().pk}/change/",
        f"/admin/investigations/contract/{contract.pk}/history/",
    ):
        visit(page, path, violations)
    visit(page, f"/admin/investigations/contract/{contract.pk}/change/", violations)
    page.locator(".select2-selection").first.click()
    page.keyboard.type("Alli")
    page.locator(".select2-results__option").first.wait_for()
    page.keyboard.press("Escape")
    page.locator(".add-row a").first.click()  # a new row in an inline
    page.locator("a.related-widget-wrapper-link").first.hover()
    collect(page, violations)
    assert not violations, "\n".join(violations)


def test_the_import_upload_and_preview_break_no_rule_of_the_policy(editor):
    page, violations, _ = editor
    visit(page, "/admin/investigations/importbatch/upload/", violations)
    page.set_input_files("input[type=file]", str(IMPORTS / "contracts_bad_row.csv"))
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "/upload/" not in page.url  # on to the preview
    assert page.get_by_text("cannot be below zero").first.is_visible()
    collect(page, violations)
    assert not violations, "\n".join(violations)


def test_the_publish_page_breaks_no_rule_of_the_policy(editor):
    page, violations, draft = editor
    visit(page, f"/admin/investigations/concern/{draft.pk}/publish/", violations)
    visit(page, f"/admin/investigations/concern/{draft.pk}/change/", violations)
    assert not violations, "\n".join(violations)
