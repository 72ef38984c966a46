"""Footnotes: numbered in order of first use, one note per source, published sources only."""

import re

import pytest
from django.urls import reverse

from investigations.citations import Footnotes
from tests.factories import cite, make_organisation, make_source

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def test_it_numbers_notes_in_order_of_first_use():
    org = make_organisation()
    first, second = make_source(), make_source()
    cite(org, "founded", source=second)
    cite(org, source=first)
    footnotes = Footnotes([org])
    assert [note.number for note, _ in footnotes.cite(org)] == [1]
    assert [note.number for note, _ in footnotes.cite(org, "founded")] == [2]
    assert [note.source for note in footnotes.notes] == [first, second]


def test_it_gives_a_source_cited_several_times_one_note_with_lettered_uses():
    org = make_organisation()
    source = make_source()
    cite(org, source=source)
    cite(org, "founded", source=source)
    footnotes = Footnotes([org])
    footnotes.cite(org)
    footnotes.cite(org, "founded")
    [note] = footnotes.notes
    assert [use.letter for use in note.uses] == ["a", "b"]
    assert [use.anchor for use in note.uses] == ["ref-1-a", "ref-1-b"]


def test_it_ignores_citations_of_draft_sources():
    org = make_organisation()
    cite(org, source=make_source(status="draft"))
    assert Footnotes([org]).cite(org) == []


def test_it_fetches_every_citation_and_source_in_two_queries(django_assert_num_queries):
    orgs = [make_organisation() for _ in range(5)]
    for org in orgs:
        cite(org)
    Footnotes(orgs[:1])  # warm the content type cache
    with django_assert_num_queries(2):
        footnotes = Footnotes(orgs)
    assert all(footnotes.cite(org) for org in orgs)


def test_the_page_links_each_superscript_to_its_note_and_back(client):
    source = make_source(
        title="Companies House filing",
        publisher="Companies House",
        url="https://example.org/filing",
        archived_url="https://web.archive.org/example",
    )
    org = make_organisation(status=PUBLISHED, founded="1989", summary="Founded in 1989.[^founding]")
    cite(org, source=source, quote="Alliance Medical Limited")
    cite(org, "founded", source=source, quote="Incorporated 1989", locator="page 3")
    cite(org, "summary", marker="founding", source=source, quote="in 1989", confidence="low")
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    refs = re.findall(r'<a href="#note-(\d+)" id="(ref-\d+-\w+)"', html)
    # The name, the founding date, the summary, and the founding date again in the timeline.
    assert refs == [("1", "ref-1-a"), ("1", "ref-1-b"), ("1", "ref-1-c"), ("1", "ref-1-d")]
    assert html.count('<li id="note-1">') == 1
    for _, anchor in refs:
        assert f'href="#{anchor}"' in html
    for text in (
        "Companies House filing",
        "https://example.org/filing",
        "https://web.archive.org/example",
        "Incorporated 1989",
        "page 3",
        "Confidence: low",
    ):
        assert text in html, text


def test_it_renders_prose_markers_as_superscripts_and_strips_unknown_ones(client):
    org = make_organisation(status=PUBLISHED, summary="Cited.[^good] Uncited.[^missing]")
    cite(org, "summary", marker="good", quote="Cited")
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    assert 'href="#note-1"' in html
    assert "[^missing]" not in html
    assert "[^good]" not in html


def test_the_notes_escape_everything_a_source_or_a_citation_says(client):
    hostile = '<script>alert("x")</script>'
    source = make_source(
        title=f"Title {hostile}",
        publisher=f"Publisher {hostile}",
        author=f"Author {hostile}",
        url="https://example.org/?a=1&b=<i>",
    )
    org = make_organisation(status=PUBLISHED)
    cite(org, source=source, quote=f"Quote {hostile}", locator=f"p. {hostile}", note=hostile)
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    notes = html[
        html.index('<section class="notes"') : html.index(
            "</section>", html.index('<section class="sources"')
        )
    ]
    assert "<script>" not in notes and "<i>" not in notes
    for text in ("Title", "Publisher", "Author", "Quote", "p."):
        assert f"{text} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in notes, text
    assert 'href="https://example.org/?a=1&amp;b=&lt;i&gt;"' in notes
