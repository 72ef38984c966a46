"""The public site in a real browser: footnotes, small screens, print, no JavaScript."""

import pytest

from tests.test_public_pages import build_profile

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_superscript_leads_to_its_note_and_the_note_leads_back(page):
    org = build_profile()
    page.goto(f"/organisations/{org.slug}/")
    page.locator("sup.fn a").first.click()
    assert page.url.endswith("#note-1")
    assert page.locator("#note-1").evaluate("el => el.matches(':target')")
    page.locator("#note-1 .backlinks a").first.click()
    assert page.url.endswith("#ref-1-a")


@pytest.mark.parametrize(
    "path", ["/", "/organisations/", "/contracts/", "/concerns/", "/search/?q=alliance"]
)
def test_pages_fit_a_375px_screen(phone, path):
    build_profile()
    phone.goto(path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_profile_fits_a_375px_screen(phone):
    org = build_profile()
    phone.goto(f"/organisations/{org.slug}/")
    # Wide tables scroll inside their own box, never the whole page.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_print_hides_navigation_and_shows_source_addresses(page):
    org = build_profile()
    page.emulate_media(media="print")
    page.goto(f"/organisations/{org.slug}/")
    assert not page.locator(".site-header nav").is_visible()
    assert page.locator(".notes .print-url").first.is_visible()
    assert page.locator(".notes").is_visible()


def test_filters_and_search_work_without_javascript(no_script):
    build_profile()
    no_script.goto("/organisations/")
    no_script.get_by_label("Kind").select_option("public_body")
    no_script.get_by_role("button", name="Apply").click()
    assert "kind=public_body" in no_script.url
    assert no_script.get_by_role("link", name="NHS England").is_visible()
    no_script.goto("/")
    no_script.get_by_label("Search organisations, contracts, concerns and sources").fill("02128897")
    no_script.get_by_label("Search organisations, contracts, concerns and sources").press("Enter")
    assert no_script.get_by_role("link", name="Alliance Medical Ltd").is_visible()
