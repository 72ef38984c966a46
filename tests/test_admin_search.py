"""The admin's searches find any part of a name or title, through the trigram indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations.admin import searching
from investigations.admin.sources import CitationAdmin
from investigations.models import Citation, Contract, ContractParty
from tests import factories
from tests.factories import changelist_url


def found(client, model, term):
    response = client.get(changelist_url(model), {"q": term})
    assert response.status_code == 200
    return sorted(str(row) for row in response.context["cl"].result_list)


def autocompleted(client, term):
    query = {"app_label": "investigations", "model_name": "concern", "field_name": "contracts"}
    response = client.get(reverse("admin:autocomplete"), {**query, "term": term})
    assert response.status_code == 200
    return sorted(result["text"] for result in response.json()["results"])


@pytest.fixture
def contracts(db):
    taunton = factories.make_contract(
        title="Taunton Community Diagnostic Centre", reference="CF-77"
    )
    factories.make_party(taunton, organisation=factories.make_organisation(name="InHealth Ltd"))
    factories.make_contract(title="PET-CT scanning in the North West", reference="NW-1")
    return taunton


@pytest.mark.parametrize(
    "term, titles",
    [
        ("diagnostic", ["Taunton Community Diagnostic Centre"]),
        ("DIAGNOSTIC", ["Taunton Community Diagnostic Centre"]),
        ("nostic cen", ["Taunton Community Diagnostic Centre"]),  # within words, across them
        ("cf-77", ["Taunton Community Diagnostic Centre"]),  # the reference
        ("inhealth", ["Taunton Community Diagnostic Centre"]),  # a party's name
        ("NW", ["PET-CT scanning in the North West"]),  # too short for trigrams
        ("scanning taunton", []),  # every word must match
        ("radiotherapy", []),
    ],
)
def test_it_finds_contracts_by_any_part_of_their_title_reference_or_parties(
    editor_client, contracts, term, titles
):
    assert found(editor_client, Contract, term) == titles


def test_it_finds_what_the_row_by_row_search_finds_for_a_common_term(
    editor_client, contracts, monkeypatch
):
    by_ids = found(editor_client, Contract, "t")
    monkeypatch.setattr(searching, "FEW_MATCHES", 0)
    assert (
        found(editor_client, Contract, "t")
        == by_ids
        == sorted(["Taunton Community Diagnostic Centre", "PET-CT scanning in the North West"])
    )
    assert found(editor_client, Contract, "inhealth") == ["Taunton Community Diagnostic Centre"]


def test_a_party_search_row_by_row_tests_each_partys_own_foreign_key(
    editor_client, contracts, monkeypatch
):
    """Walking the parties, each row's organisation id is looked up among the matching
    organisations: ``id IN (the parties of those organisations)`` is, on PostgreSQL, a list
    scanned once for every party (a search for a common word ran past gunicorn's timeout)."""
    monkeypatch.setattr(searching, "FEW_MATCHES", 0)
    with CaptureQueriesContext(connection) as queries:
        assert found(editor_client, ContractParty, "inhealth") == ["InHealth Ltd (Supplier)"]
    walked = [query["sql"] for query in queries if "ORDER BY" in query["sql"]]
    assert walked
    assert not any('"investigations_contractparty"."id" IN (SELECT' in sql for sql in walked)


def test_its_index_follows_every_insert_update_and_delete(editor_client, contracts):
    contracts.title = "Somerset Imaging Hub"
    contracts.save()
    assert found(editor_client, Contract, "diagnostic") == []
    assert found(editor_client, Contract, "imaging hub") == ["Somerset Imaging Hub"]
    contracts.delete()
    assert found(editor_client, Contract, "imaging hub") == []
    factories.make_contract(title="Bristol Imaging Hub")
    assert found(editor_client, Contract, "imaging hub") == ["Bristol Imaging Hub"]


def test_it_finds_drafts_and_deleted_contracts_too(editor_client, contracts):
    contracts.deleted_at = "2026-01-01T00:00Z"
    contracts.save()
    response = editor_client.get(changelist_url(Contract), {"q": "taunton", "deleted": "yes"})
    assert [row.pk for row in response.context["cl"].result_list] == [contracts.pk]


def test_the_contracts_autocomplete_finds_by_title_and_by_party(editor_client, contracts):
    assert autocompleted(editor_client, "diagnostic") == ["Taunton Community Diagnostic Centre"]
    assert autocompleted(editor_client, "inhealth") == ["Taunton Community Diagnostic Centre"]


@pytest.mark.parametrize("few_matches", [searching.FEW_MATCHES, 0])
def test_a_search_runs_as_many_queries_for_fifty_matches_as_for_one(
    editor_client, django_assert_max_num_queries, monkeypatch, few_matches
):
    monkeypatch.setattr(searching, "FEW_MATCHES", few_matches)
    factories.make_contract(title="Mobile MRI unit 0")
    url = f"{changelist_url(Contract)}?q=mobile+mri"
    with django_assert_max_num_queries(100) as one:
        editor_client.get(url)
    for number in range(1, 50):
        contract = factories.make_contract(title=f"Mobile MRI unit {number}")
        factories.make_party(contract)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(editor_client.get(url).context["cl"].result_list) == 50


def test_the_region_filter_offers_the_regions_of_contracts_not_deleted(editor_client, db):
    for region in ("Wales", "London", "London", "Scotland"):
        factories.make_contract(region=region)
    Contract.objects.filter(region="Scotland").update(deleted_at="2026-01-01T00:00Z")
    response = editor_client.get(changelist_url(Contract))
    (regions,) = [spec for spec in response.context["cl"].filter_specs if spec.title == "region"]
    assert regions.lookup_choices == ["London", "Wales"]
    filtered = editor_client.get(changelist_url(Contract), {"region": "London"})
    assert len(filtered.context["cl"].result_list) == 2


@pytest.fixture
def quoted_citations(db):
    old = factories.make_source(title="Care Quality Commission inspection report")
    oldest = factories.cite(factories.make_contract(), source=old, quote="alpha beta")
    for _ in range(3):
        factories.cite(factories.make_contract(), quote="gamma delta")
    return oldest


def test_a_quote_is_searched_in_the_newest_citations_only_and_the_page_says_so(
    editor_client, quoted_citations, monkeypatch
):
    monkeypatch.setattr(CitationAdmin, "search_scan_limit", 3)
    response = editor_client.get(changelist_url(Citation), {"q": "alpha"})
    assert list(response.context["cl"].result_list) == []
    assert "are searched in the newest 3 citations only" in response.content.decode()
    by_source = editor_client.get(changelist_url(Citation), {"q": "quality commission"})
    assert list(by_source.context["cl"].result_list) == [quoted_citations]


def test_a_quote_is_searched_in_every_citation_when_there_are_few(editor_client, quoted_citations):
    response = editor_client.get(changelist_url(Citation), {"q": "alpha"})
    assert list(response.context["cl"].result_list) == [quoted_citations]
    assert "searched in the newest" not in response.content.decode()


def test_the_count_that_chooses_the_search_reads_a_partys_contract_where_it_is_held(
    editor_client, contracts
):
    # `contract.id IN (SELECT contract_id ...)` gathers every matching party's contract before
    # the LIMIT: at a million contracts, most of a second for a common name.
    with CaptureQueriesContext(connection) as queries:
        assert found(editor_client, Contract, "inhealth") == ["Taunton Community Diagnostic Centre"]
    (count,) = [
        query["sql"] for query in queries if f"LIMIT {searching.FEW_MATCHES + 1}" in query["sql"]
    ]
    assert '"investigations_contractparty"."contract_id"' in count
    assert '"investigations_contract"."id" IN (SELECT U0."contract_id"' not in count
