"""No false footnotes: a claim shown without a fresh published citation is marked
"uncited", and an editor's reason for publishing it so is readable on the page."""

import re

import pytest

from investigations.publication import publish
from tests import factories
from tests.test_valid_html import duplicate_ids, parse_errors

pytestmark = pytest.mark.django_db

MARK = '<sup class="uncited"><a href="#uncited" aria-label="Not cited">uncited</a></sup>'
REASON = "Awaiting the 2024 accounts; founding date from the company's own website."


def page_of(client, record):
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def dd_after(page, term):
    return page[page.index(f"<dt>{term}</dt>") :].split("</dd>")[0]


def test_an_editor_publishing_with_a_reason_shows_the_marks_and_the_reason(client, editor):
    organisation = factories.make_organisation(founded="1989")
    publish(organisation, editor, override_reason=REASON)
    page = page_of(client, organisation)
    assert MARK in dd_after(page, "Founded")
    assert MARK in page[page.index("<h1>") : page.index("</h1>")]  # the record itself
    note = page[page.index('id="uncited"') :]
    assert "Published without citations for some claims" in note
    assert REASON.replace("'", "&#x27;") in note


def test_the_marked_page_is_valid_html(client, editor):
    organisation = factories.make_organisation(founded="1989", summary="Runs scanners.")
    publish(organisation, editor, override_reason=REASON)
    page = page_of(client, organisation)
    assert parse_errors(page) == [] and duplicate_ids(page) == []


def test_a_fully_cited_page_has_no_mark_and_no_note(client, editor):
    organisation = factories.make_organisation(founded="1989")
    factories.cite_everything(organisation)
    publish(organisation, editor)
    page = page_of(client, organisation)
    assert "uncited" not in page


def test_an_empty_field_gets_no_mark(client, editor):
    organisation = factories.make_organisation()
    publish(organisation, editor, override_reason=REASON)
    page = page_of(client, organisation)
    assert "<dt>Founded</dt>" not in page and "<dt>Dissolved</dt>" not in page
    # The record and its status are shown; nothing else is claimed.
    assert page.count(MARK) == 2


def test_a_prose_passage_without_a_citation_is_marked_where_it_ends(client, editor):
    summary = "Founded in Manchester.[^city]\n\nIt runs forty scanners."
    organisation = factories.make_organisation(summary=summary)
    factories.cite(organisation, "summary", marker="city")
    publish(organisation, editor, override_reason=REASON)
    page = page_of(client, organisation)
    assert f"It runs forty scanners. {MARK}</p>" in page
    founded_in = re.search(r"Founded in Manchester\.(.*?)</p>", page).group(1)
    assert 'class="fn"' in founded_in and "uncited" not in founded_in


def test_a_prose_marker_without_a_citation_is_marked_in_its_place(client, editor):
    organisation = factories.make_organisation(summary="Runs forty scanners.[^fleet]")
    publish(organisation, editor, override_reason=REASON)
    assert f"Runs forty scanners.{MARK}" in page_of(client, organisation)


def test_a_stale_citation_is_marked_without_the_reason_paragraph(client, editor):
    organisation = factories.make_organisation(founded="1989")
    factories.cite_everything(organisation)
    publish(organisation, editor)
    organisation.founded = "1975"
    organisation.save()
    page = page_of(client, organisation)
    assert MARK in dd_after(page, "Founded")
    assert page.count(MARK) == 2  # beside the facts' "Founded" and the timeline's
    note = page[page.index('id="uncited"') :]
    assert "An editor published this record" not in note


def test_a_child_row_published_with_its_record_is_marked(client, editor):
    contract = factories.make_contract()
    party = factories.make_party(contract)
    factories.cite(contract)
    publish(party.organisation, editor, override_reason=REASON)
    publish(contract, editor, override_reason=REASON)
    page = page_of(client, contract)
    row = re.search(r"<tr><th scope=\"row\">.*?</tr>", page, re.S).group(0)
    assert MARK in row
