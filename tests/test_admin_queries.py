"""Admin pages run a fixed number of queries, however many rows or inline rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations.models import Citation
from tests import factories

CHANGELISTS = (
    "organisation",
    "contract",
    "concern",
    "source",
    "citation",
    "contractparty",
    "concernparty",
)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def add_contracts(count):
    for _ in range(count):
        contract = factories.make_contract(value=1_000_000)
        factories.make_party(contract, role="buyer")
        party = factories.make_party(contract, role="supplier")
        source = factories.cite(contract).source
        factories.cite(party, source=source)


def add_concerns(count):
    for _ in range(count):
        concern = factories.make_concern(regulator=factories.make_organisation())
        concern.parties.create(organisation=factories.make_organisation())


@pytest.mark.parametrize("model", CHANGELISTS)
def test_it_lists_fifty_rows_in_as_many_queries_as_one(
    editor_client, django_assert_max_num_queries, model
):
    url = reverse(f"admin:investigations_{model}_changelist")
    add_contracts(1)
    add_concerns(1)
    with_one = queries_for(editor_client, url)
    add_contracts(49)
    add_concerns(49)
    with django_assert_max_num_queries(with_one):
        editor_client.get(url)


@pytest.mark.parametrize("model", ("contract", "concern"))
def test_it_shows_thirty_inline_rows_in_as_many_queries_as_one(
    editor_client, django_assert_max_num_queries, model
):
    record = factories.make_contract() if model == "contract" else factories.make_concern()
    url = reverse(f"admin:investigations_{model}_change", args=[record.pk])
    add_inline_rows(record, 1)
    with_one = queries_for(editor_client, url)
    add_inline_rows(record, 29)
    assert Citation.objects.count() == 30
    with django_assert_max_num_queries(with_one):
        editor_client.get(url)


def add_inline_rows(record, count):
    """Parties (each with an organisation autocomplete) and citations (each with a source)."""
    for _ in range(count):
        record.parties.create(organisation=factories.make_organisation(), **party_extra(record))
        factories.cite(record, "")


def party_extra(record):
    if hasattr(record, "contract_status"):
        return {"role": "supplier"}
    return {"parent_at_time": factories.make_organisation()}
