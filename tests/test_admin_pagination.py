"""Changelists count only a few pages ahead, and search related records in subqueries."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations.admin.pagination import PAGES_AHEAD
from investigations.models import Contract, Organisation
from tests import factories

PER_PAGE = 2


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(admin.site._registry[Contract], "list_per_page", PER_PAGE)


def contracts_listed(response):
    return [row.title for row in response.context["cl"].result_list]


PAGE_LINK = re.compile(r'href="\?(?:[^"]*&amp;)?p=(\d+)')


def page_links(response):
    return [int(number) for number in PAGE_LINK.findall(response.content.decode())]


def make_contracts(count):
    return [factories.make_contract(title=f"Contract {n:03d}") for n in range(count)]


def test_it_counts_a_few_pages_ahead_and_says_there_are_more(editor_client, small_pages):
    make_contracts(PER_PAGE * (PAGES_AHEAD + 3))
    response = editor_client.get(factories.changelist_url(Contract))
    counted = PER_PAGE * PAGES_AHEAD
    assert f"more than {counted} contracts" in response.content.decode()
    assert max(page_links(response)) <= 1 + 3  # the pages near this one, not "the last"


def test_every_page_it_links_to_exists(editor_client, small_pages):
    make_contracts(PER_PAGE * (PAGES_AHEAD + 3))
    response = editor_client.get(factories.changelist_url(Contract))
    for number in page_links(response):
        page = editor_client.get(factories.changelist_url(Contract) + f"?p={number}")
        assert len(contracts_listed(page)) == PER_PAGE


def test_it_gives_the_exact_count_when_it_counted_every_row(editor_client, small_pages):
    make_contracts(5)
    response = editor_client.get(factories.changelist_url(Contract))
    assert "5 contracts" in response.content.decode()
    assert "more than" not in response.content.decode()
    assert page_links(response) == [2, 3]


def test_a_deep_page_lists_its_own_rows_in_order(editor_client, small_pages):
    make_contracts(PER_PAGE * 20)
    response = editor_client.get(factories.changelist_url(Contract) + "?p=12&o=1")
    assert contracts_listed(response) == ["Contract 022", "Contract 023"]
    assert {11, 13} <= set(page_links(response))


def test_the_last_page_is_counted_exactly(editor_client, small_pages):
    make_contracts(PER_PAGE * 4 + 1)
    response = editor_client.get(factories.changelist_url(Contract) + "?p=5")
    assert len(contracts_listed(response)) == 1
    assert f"{PER_PAGE * 4 + 1} contracts" in response.content.decode()


def test_a_page_past_the_end_is_refused_as_django_refuses_it(editor_client, small_pages):
    make_contracts(3)
    response = editor_client.get(factories.changelist_url(Contract) + "?p=9")
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_it_runs_no_count_of_the_whole_table(editor_client, small_pages):
    make_contracts(PER_PAGE * (PAGES_AHEAD + 3))
    with CaptureQueriesContext(connection) as queries:
        editor_client.get(factories.changelist_url(Contract))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"].upper()]
    assert counts == []


def test_selecting_all_acts_on_every_row_past_those_counted(editor_client, small_pages):
    contracts = make_contracts(PER_PAGE * (PAGES_AHEAD + 3))
    response = factories.post_action(
        editor_client, Contract, "delete_selected", contracts[:1], select_across=1, post="yes"
    )
    assert response.status_code == 200
    assert not Contract.objects.exists()


def test_search_finds_a_contract_by_a_party_once_however_many_parties_match(editor_client):
    contract = factories.make_contract(title="Scanning")
    factories.make_party(contract, organisation=factories.make_organisation(name="Acme Imaging"))
    factories.make_party(contract, organisation=factories.make_organisation(name="Acme Health"))
    factories.make_contract(title="Unrelated")
    response = editor_client.get(factories.changelist_url(Contract) + "?q=acme")
    assert contracts_listed(response) == ["Scanning"]


def test_search_needs_every_word_to_match_some_field(editor_client):
    contract = factories.make_contract(title="Scanning services")
    factories.make_party(contract, organisation=factories.make_organisation(name="Acme Imaging"))
    factories.make_contract(title="Scanning elsewhere")
    response = editor_client.get(factories.changelist_url(Contract) + "?q=scanning+acme")
    assert contracts_listed(response) == ["Scanning services"]


def test_search_across_a_foreign_key_finds_the_rows_of_the_matching_records(editor_client):
    party = factories.make_party(organisation=factories.make_organisation(name="Acme Imaging"))
    factories.make_party()
    response = editor_client.get(factories.changelist_url(type(party)) + "?q=acme")
    assert list(response.context["cl"].result_list) == [party]


def test_autocomplete_pages_without_counting_every_row(editor_client):
    for number in range(25):
        factories.make_organisation(name=f"Acme {number}")
    url = reverse("admin:autocomplete") + (
        "?app_label=investigations&model_name=contractparty&field_name=organisation&term=acme"
    )
    first, second = editor_client.get(url).json(), editor_client.get(url + "&page=2").json()
    assert (len(first["results"]), first["pagination"]["more"]) == (20, True)
    assert (len(second["results"]), second["pagination"]["more"]) == (5, False)
    names = {r["text"] for r in first["results"] + second["results"]}
    assert names == set(Organisation.objects.values_list("name", flat=True))
