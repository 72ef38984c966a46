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


# What HTML allows in <time datetime>: a year, a month, a date, or a date and time with at
# most three digits of fractional seconds and a time-zone offset.
_DATE = r"\d{4,}(-\d{2}(-\d{2})?)?"
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"
_OFFSET = r"(Z|[+-]\d{2}:?\d{2})"
VALID_DATETIME = re.compile(rf"{_DATE}|{_DATE}[T ]{_TIME}{_OFFSET}?")


def invalid_datetimes(body):
    values = re.findall(r'<time[^>]*\sdatetime="([^"]*)"', body)
    return [
        f"invalid datetime {value!r}" for value in values if not VALID_DATETIME.fullmatch(value)
    ]


def duplicate_ids(body):
    ids = re.findall(r'\sid="([^"]+)"', body)
    return sorted({identifier for identifier in ids if ids.count(identifier) > 1})


def is_html(url):
    """Not the sitemap, the feed, a list's download, a dump, a record's export or a
    network's download."""
    exports = (".xml", "/feed/", ".json", ".jsonl")
    downloads = ("/data/dumps/", "/network/download.")
    return not url.endswith(exports) and "format=" not in url and not url.startswith(downloads)


def test_every_public_page_parses_without_errors_has_unique_ids_and_valid_datetimes(client):
    call_command("load_demo_data", verbosity=0)
    pages = [(url, body) for url, body in crawl(client) if is_html(url)]
    assert len(pages) > 50
    problems = {}
    for url, body in pages:
        found = parse_errors(body) + [f"duplicate id {i}" for i in duplicate_ids(body)]
        found += invalid_datetimes(body)
        if found:
            problems[url] = found[:5]
    assert problems == {}


def test_the_checker_reports_broken_markup():
    assert parse_errors("<!doctype html><title>x</title><p><b>unclosed</p></i>")
    assert duplicate_ids('<p id="a"></p><p id="a"></p>') == ["a"]


def test_the_checker_reports_a_datetime_html_does_not_allow():
    assert invalid_datetimes('<time datetime="2026-12-01T21:41:00.123456+00:00">x</time>')
    assert invalid_datetimes('<time datetime="1 December 2026">x</time>')
    assert not invalid_datetimes(
        '<time datetime="2016">a</time><time datetime="2016-06">b</time>'
        '<time datetime="2026-12-01T21:41:00+00:00">c</time><time datetime="2016-06-22">d</time>'
    )
