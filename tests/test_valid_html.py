"""Every public page reachable from the home page is well-formed HTML, on the demo data."""

import re

import html5lib
import pytest
from django.core.management import call_command

from tests.test_visibility import crawl

pytestmark = pytest.mark.django_db


def parse_errors(body):
    parser = html5lib.HTMLParser()
    parser.parse(body)
    return [
        f"line {line}, column {column}: {code} {details or ''}"
        for (line, column), code, details in parser.errors
    ]


def duplicate_ids(body):
    ids = re.findall(r'\sid="([^"]+)"', body)
    return sorted({identifier for identifier in ids if ids.count(identifier) > 1})


def test_every_public_page_parses_without_errors_and_has_unique_ids(client):
    call_command("load_demo_data", verbosity=0)
    pages = [(url, body) for url, body in crawl(client) if not url.endswith((".xml", "/feed/"))]
    assert len(pages) > 50
    problems = {}
    for url, body in pages:
        found = parse_errors(body) + [f"duplicate id {i}" for i in duplicate_ids(body)]
        if found:
            problems[url] = found[:5]
    assert problems == {}


def test_the_checker_reports_broken_markup():
    assert parse_errors("<!doctype html><title>x</title><p><b>unclosed</p></i>")
    assert duplicate_ids('<p id="a"></p><p id="a"></p>') == ["a"]
