"""The API's browsable documentation renders in a real browser under the site's CSP, from
our own static files, with nothing in the console."""

import pytest

from tests.browser.test_content_security_policy import LISTEN
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def test_the_api_docs_render_every_endpoint_with_no_console_error(page, live_server):
    make_organisation(name="Alliance Medical", status="published")
    messages, requests = [], []
    page.context.add_init_script(LISTEN)
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto("/api/docs/")
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    page.locator(".opblock-summary-path", has_text="/api/organisations/{slug}/").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator(".opblock").count() == 26  # a list and a detail of 13 resources
    assert page.get_by_text("Investigations API").first.is_visible()
    messages.extend(page.evaluate("window.cspViolations"))
    assert messages == [], "\n".join(messages)
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_trying_an_endpoint_from_the_docs_gets_its_json(page):
    make_organisation(name="Alliance Medical", status="published")
    # Without the operation's deep link, which Swagger UI follows a moment after the page
    # loads: opening it by hand as well raced that, and sometimes closed it again.
    page.goto("/api/docs/")
    operation = page.locator("#operations-organisations-organisations_list")
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    answer = operation.locator(".live-responses-table")
    answer.wait_for()
    assert "alliance-medical" in answer.inner_text()
    assert "x-ratelimit-remaining" in answer.inner_text().lower()
