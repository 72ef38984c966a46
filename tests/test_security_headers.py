"""Every page carries the Content-Security-Policy, and no template needs it loosened."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_organisation

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE = re.compile(r"<style|<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def policy(response):
    return dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )


def test_a_public_page_allows_only_its_own_origin_and_no_framing(client):
    directives = policy(client.get(reverse("home")))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "script-src" not in directives and "style-src" not in directives


def test_a_page_served_from_the_cache_carries_the_policy_too(client, django_assert_num_queries):
    make_organisation(name="Equitix", status="published")
    client.get(reverse("organisation_list"))
    with django_assert_num_queries(1):  # the check of the cached page's tags
        response = client.get(reverse("organisation_list"))
    assert policy(response)["default-src"] == "'self'"


def test_the_admin_carries_the_policy(editor_client):
    assert policy(editor_client.get(reverse("admin:index")))["frame-ancestors"] == "'none'"


def test_an_error_page_carries_the_policy(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert policy(response)["default-src"] == "'self'"


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_has_inline_script_style_or_handlers(template):
    assert not INLINE.findall(template.read_text())
