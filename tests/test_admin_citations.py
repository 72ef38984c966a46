"""Citing claims from the admin: the inline on every record, child rows, and sources."""

import re

from investigations.models import Citation, Contract
from tests import factories
from tests.factories import admin_form_data, admin_url


def citation_prefix(page):
    return page.context["inline_admin_formsets"][-1].formset.prefix


def test_it_offers_the_records_claims_as_the_cited_field(editor_client, db):
    contract = factories.make_contract()
    page = editor_client.get(admin_url(contract))
    select = re.search(
        r'<select name="[^"]*-0-field_name".*?</select>', page.content.decode(), re.S
    )
    options = re.findall(r'<option value="([^"]*)"', select.group(0))
    assert options[0] == ""  # the whole record
    assert {"value", "awarded", "description"} <= set(options)
    assert "title" not in options  # covered by citing the record itself


def test_it_keeps_a_cited_field_an_import_wrote_outside_the_choices(editor_client, db):
    contract = factories.make_contract()
    factories.cite(contract, "title")
    page = editor_client.get(admin_url(contract))
    assert editor_client.post(admin_url(contract), admin_form_data(page)).status_code == 302
    assert Citation.objects.get().field_name == "title"


def test_it_cites_a_field_with_a_quote_and_confidence_from_the_record_page(editor_client, db):
    contract = factories.make_contract(value=350_000_000)
    source = factories.make_source()
    page = editor_client.get(admin_url(contract))
    prefix = citation_prefix(page)
    row = {"source": source.pk, "field_name": "value", "quote": "£350m", "confidence": "medium"}
    data = admin_form_data(page, **{f"{prefix}-0-{key}": value for key, value in row.items()})
    assert editor_client.post(admin_url(contract), data).status_code == 302
    citation = Citation.objects.get()
    assert (citation.record, citation.field_name, citation.confidence) == (
        contract,
        "value",
        "medium",
    )


def test_it_refuses_a_citation_without_quote_or_locator(editor_client, db):
    contract = factories.make_contract()
    page = editor_client.get(admin_url(contract))
    prefix = citation_prefix(page)
    data = admin_form_data(page, **{f"{prefix}-0-source": factories.make_source().pk})
    assert editor_client.post(admin_url(contract), data).status_code == 200
    assert not Citation.objects.exists()


def test_it_links_each_party_row_to_its_own_page_where_it_is_cited(editor_client, db):
    contract = factories.make_contract()
    party = factories.make_party(contract)
    assert admin_url(party) in editor_client.get(admin_url(contract)).content.decode()
    party_page = editor_client.get(admin_url(party))
    assert party_page.status_code == 200
    assert citation_prefix(party_page).endswith("citation-content_type-object_id")


def test_it_lists_the_claims_a_source_supports(editor_client, db):
    contract = factories.make_contract(title="Taunton CDC")
    citation = factories.cite(contract, "value", locator="p. 4")
    page = editor_client.get(admin_url(citation.source)).content.decode()
    assert "Taunton CDC" in page and "(p. 4)" in page
    assert admin_url(contract) in page


def test_it_counts_citations_in_the_list(editor_client, db):
    contract = factories.make_contract()
    factories.cite(contract)
    factories.cite(contract, "value")
    response = editor_client.get(factories.changelist_url(Contract))
    assert '<td class="field-citations_column">2</td>' in response.content.decode()


def test_it_shows_a_party_page_what_it_lacks(editor_client, db):
    party = factories.make_party()
    page = editor_client.get(admin_url(party)).content.decode()
    assert "The record itself has no citation" in page
    factories.cite(party)
    assert "All claims cited." in editor_client.get(admin_url(party)).content.decode()


def test_it_lists_all_citations_of_one_source(editor_client, db):
    first, other = (
        factories.cite(factories.make_contract()),
        factories.cite(factories.make_contract()),
    )
    url = factories.changelist_url(Citation) + f"?source__id__exact={first.source_id}"
    response = editor_client.get(url)
    assert list(response.context["cl"].result_list) == [first]
    assert other.source.title not in response.content.decode()


def test_it_links_a_citation_to_the_record_it_backs(editor_client, db):
    contract = factories.make_contract()
    citation = factories.cite(contract, "value")
    page = editor_client.get(admin_url(citation))
    assert admin_url(contract) in page.content.decode()
    data = admin_form_data(page, locator="p. 9")
    assert editor_client.post(admin_url(citation), data).status_code == 302
    citation.refresh_from_db()
    assert (citation.record, citation.locator) == (contract, "p. 9")
