"""FollowTheMoney: published records as entities that load through FtM's own model."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from followthemoney import model
from followthemoney.types import registry

from investigations import models
from investigations.standards.ftm import published_entities
from investigations.standards.provenance import record_id
from tests.factories import (
    cite,
    make_contract,
    make_organisation,
    make_party,
    make_person,
    make_relationship,
    make_site,
    make_source,
)

pytestmark = pytest.mark.django_db
PUBLISHED = models.PublicationStatus.PUBLISHED
MARKER = "zqxdraft"


def published(make, **kwargs):
    return make(status=PUBLISHED, **kwargs)


def world():
    """A small published web: owners, a director, a contract with a buyer and a supplier,
    a site and its owner, each cited."""
    supplier = published(make_organisation, name="Société Générale d'Imagerie £ Ltd")
    models.Identifier.objects.create(organisation=supplier, scheme="GB-COH", value=str(supplier.pk))
    models.OrganisationAlias.objects.create(organisation=supplier, name="SGI", kind="short")
    parent = published(make_organisation, name="Parent Holdings", country="ZA")
    buyer = published(make_organisation, name="Somerset NHS FT", kind="nhs_trust")
    network = published(make_organisation, name="Imaging Network", kind="consortium")
    published(make_relationship, subject=parent, object=supplier, kind="parent_of", share_min=51)
    published(make_relationship, subject=supplier, object=network, kind="member_of")
    director = published(make_person, name="Pat Director")
    models.Role.objects.create(person=director, organisation=supplier, kind="non_executive")
    contract = published(make_contract, title="Scanning services", value=350_000_000)
    contract.awarded = contract.start = "2014"
    contract.end = "2024-11"
    contract.save()
    make_party(contract, organisation=buyer, role="buyer")
    make_party(contract, organisation=supplier, role="lead_supplier")
    site = published(make_site, name="Taunton CDC")
    models.SiteRole.objects.create(site=site, organisation=parent, kind="owner")
    source = make_source(url="https://example.org/report", publisher="The Trade Press")
    cite(supplier, source=source, quote="It supplies scans.", locator="p. 3")
    cite(contract, "value", source=source, quote="valued at £350 million")
    return {"supplier": supplier, "parent": parent, "buyer": buyer, "network": network,
            "director": director, "contract": contract, "site": site, "source": source}  # fmt: skip


def entities():
    return list(published_entities(base_url="http://testserver/"))


def by_id(found):
    return {entity["id"]: entity for entity in found}


def test_it_emits_entities_that_load_through_the_model_unchanged():
    world()
    found = entities()
    assert len(found) > 10
    for data in found:
        proxy = model.get_proxy(data, cleaned=False)  # validates the schema, cleans values
        assert proxy.to_dict() == data


def test_edges_reference_emitted_entities_only():
    world()
    found = entities()
    ids = set(by_id(found))
    references = [
        value
        for data in found
        for prop, value in model.get_proxy(data).itervalues()
        if prop.type == registry.entity
    ]
    assert len(references) > 10
    assert set(references) <= ids


def test_it_chooses_schemata_by_kind():
    records = world()
    found = by_id(entities())
    schema = {name: found[record_id(record)]["schema"] for name, record in records.items()}
    assert schema == {"supplier": "Company", "parent": "Company", "buyer": "PublicBody",
                      "network": "Organization", "director": "Person", "contract": "Contract",
                      "site": "RealEstate", "source": "Document"}  # fmt: skip
    edges = sorted(data["schema"] for data in found.values() if model.get(data["schema"]).edge)
    assert set(edges) == {"Ownership", "Membership", "Directorship", "ContractAward",
                          "Documentation"}  # fmt: skip


def test_it_keeps_the_facts_of_each_record():
    records = world()
    found = by_id(entities())
    supplier = found[record_id(records["supplier"])]["properties"]
    assert supplier["name"] == ["Société Générale d'Imagerie £ Ltd"]
    assert supplier["alias"] == ["SGI"]
    number = f"{records['supplier'].pk:08d}"
    assert supplier["registrationNumber"] == [number]
    assert supplier["idNumber"] == [f"GB-COH-{number}"]
    ownership = next(e for e in found.values() if e["schema"] == "Ownership")["properties"]
    assert ownership["owner"] == [record_id(records["parent"])]
    assert ownership["percentage"] == ["51"]
    contract = found[record_id(records["contract"])]["properties"]
    assert contract["authority"] == [record_id(records["buyer"])]
    assert contract["amount"] == ["350000000"]
    assert contract["contractDate"] == ["2014"]
    award = next(e for e in found.values() if e["schema"] == "ContractAward")["properties"]
    assert award["supplier"] == [record_id(records["supplier"])]
    assert (award["startDate"], award["endDate"]) == (["2014"], ["2024-11"])


def test_citations_are_carried_into_provenance():
    records = world()
    found = by_id(entities())
    supplier = found[record_id(records["supplier"])]["properties"]
    assert supplier["sourceUrl"] == [
        f"http://testserver/organisations/{records['supplier'].slug}/",
        "https://example.org/report",
    ]
    assert supplier["publisher"] == ["The Trade Press"]
    assert supplier["indexText"] == ["It supplies scans."]
    documentation = [e["properties"] for e in found.values() if e["schema"] == "Documentation"]
    value_claim = next(d for d in documentation if d["role"] == ["value"])
    assert value_claim["document"] == [record_id(records["source"])]
    assert value_claim["entity"] == [record_id(records["contract"])]
    assert value_claim["summary"] == ["valued at £350 million"]


def drafts_linked_from(records):
    """Drafts hanging from published records, each carrying the marker."""
    draft = make_organisation(name=f"{MARKER} draft supplier")
    make_party(records["contract"], organisation=draft, role="supplier")
    published(make_relationship, subject=draft, object=records["supplier"], kind="acquired")
    make_contract(title=f"{MARKER} draft contract")
    draft_source = make_source(title=f"{MARKER} source", status="draft")
    cite(records["supplier"], source=draft_source, quote=f"{MARKER} quote")
    records["supplier"].website = f"https://example.org/{MARKER}"
    records["supplier"].save()
    cite(records["supplier"], "website", source=draft_source)
    return [draft, draft_source]


def test_a_draft_never_appears_not_even_as_an_id():
    records = world()
    drafts = drafts_linked_from(records)
    text = "\n".join(json.dumps(data) for data in entities())
    assert MARKER not in text
    assert all(record_id(draft) not in text for draft in drafts)
    assert record_id(records["supplier"]) in text


def test_queries_are_constant_in_the_records_per_chunk():
    world()
    with CaptureQueriesContext(connection) as small:
        entities()
    world()
    world()
    with CaptureQueriesContext(connection) as large:
        entities()
    assert len(large) == len(small)


def test_a_record_page_links_to_its_entities(client):
    records = world()
    for name in ("supplier", "director", "site", "contract"):
        page = client.get(records[name].get_absolute_url()).content.decode()
        assert f'href="{records[name].get_absolute_url()}ftm.jsonl"' in page


def test_a_records_lines_hold_it_and_its_neighbours_and_nothing_they_do_not_reach(client):
    records = world()
    drafts_linked_from(records)
    response = client.get(f"{records['supplier'].get_absolute_url()}ftm.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    lines = [json.loads(line) for line in response.content.decode("utf-8").splitlines()]
    found = by_id(lines)
    assert len(found) == len(lines)
    expected = {record_id(records[name]) for name in ("supplier", "parent", "network")}
    expected |= {record_id(records[name]) for name in ("director", "contract", "source")}
    things = {id for id, data in found.items() if not model.get(data["schema"]).edge}
    assert things == expected
    references = {
        value
        for data in found.values()
        for prop, value in model.get_proxy(data).itervalues()
        if prop.type == registry.entity
    }
    assert references <= set(found)
    assert MARKER not in response.content.decode()


def test_a_records_lines_take_the_same_queries_however_many_neighbours(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the view's own queries only, each time
    records = world()
    url = f"{records['supplier'].get_absolute_url()}ftm.jsonl"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        other = published(make_organisation)
        published(make_relationship, subject=other, object=records["supplier"])
        models.Role.objects.create(person=published(make_person), organisation=records["supplier"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_drafts_lines_are_not_found(client):
    draft = make_organisation()
    assert client.get(f"{draft.get_absolute_url()}ftm.jsonl").status_code == 404


def test_the_demo_data_loads_through_the_model_with_every_reference_emitted():
    call_command("load_demo_data", verbosity=0)
    found = entities()
    ids = set(by_id(found))
    assert len(ids) == len(found)
    for data in found:
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict() == data
        for prop, value in proxy.itervalues():
            assert prop.type != registry.entity or value in ids
    schemata = {data["schema"] for data in found}
    assert {"Company", "PublicBody", "Ownership", "Directorship", "ContractAward"} <= schemata
