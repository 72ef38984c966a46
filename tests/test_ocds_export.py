"""OCDS: published contracts as a release package that validates against the schema."""

import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations import models
from investigations.importers import service
from investigations.standards import ocds
from tests.factories import cite, make_contract, make_organisation, make_party, make_source

pytestmark = pytest.mark.django_db
PUBLISHED = models.PublicationStatus.PUBLISHED
SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "ocds-release-schema-1__1__4.json").read_text()
)
RELEASE_VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
MARKER = "zqxdraft"


def assert_valid_package(package):
    """The release package schema's envelope (checked here: the OCDS tools fetch that
    schema from the internet), then each release against the vendored release schema."""
    assert package["version"] == "1.1"
    assert package["uri"].startswith("http")
    assert package["publisher"]["name"]
    RELEASE_VALIDATOR.check_schema(SCHEMA)
    jsonschema.validate(package["publishedDate"], {"type": "string", "format": "date-time"},
                        format_checker=jsonschema.FormatChecker())  # fmt: skip
    ocids = [release["ocid"] for release in package["releases"]]
    assert len(set(ocids)) == len(ocids)
    for release in package["releases"]:
        errors = [f"{list(e.path)}: {e.message}" for e in RELEASE_VALIDATOR.iter_errors(release)]
        assert errors == []


def package(**kwargs):
    envelope, releases = ocds.release_package(**kwargs)
    return json.loads("".join(ocds.package_json(envelope, releases)))


def identified(name, *org_ids, **kwargs):
    organisation = make_organisation(name=name, status=PUBLISHED, **kwargs)
    for org_id in org_ids:
        scheme, value = org_id.rsplit("-", 1)
        models.Identifier.objects.create(organisation=organisation, scheme=scheme, value=value)
    return organisation


def awarded_contract(number=1):
    """A contract as the seeds have them: a buyer, a lead supplier, a funder, partial dates."""
    buyer = identified(f"Somerset NHS FT {number}", f"GB-NHS-RH{number}")
    supplier = identified(f"Imaging Ltd {number}", f"GB-COH-{number}", f"GB-SRS-X{number}")
    funder = identified(f"Infrastructure Fund {number}")
    contract = make_contract(
        title=f"Diagnostic centre {number}", status=PUBLISHED, value=350_000_000,
        contract_status="active", procurement_route="open", awarded="2014", start="2015-04",
        end="2030-06-30",
    )  # fmt: skip
    make_party(contract, organisation=buyer, role="buyer")
    make_party(contract, organisation=supplier, role="lead_supplier")
    make_party(contract, organisation=funder, role="funder")
    cite(contract, "value", source=make_source(url="https://example.org/tender"), quote="£350m")
    return contract


def only_release(**kwargs):
    (release,) = package(**kwargs)["releases"]
    return release


def test_the_package_validates_against_the_schema():
    awarded_contract(1)
    awarded_contract(2)
    make_contract(title="A planned one", status=PUBLISHED, contract_status="planned")
    found = package()
    assert len(found["releases"]) == 3
    assert_valid_package(found)


def test_the_schema_check_catches_an_invalid_release():
    awarded_contract()
    found = package()
    found["releases"][0]["awards"][0]["value"]["amount"] = "a lot"
    with pytest.raises(AssertionError):
        assert_valid_package(found)


def test_parties_carry_roles_and_identifiers():
    contract = awarded_contract()
    release = only_release()
    parties = {party["name"]: party for party in release["parties"]}
    supplier = parties["Imaging Ltd 1"]
    assert supplier["id"] == "GB-COH-00000001"
    assert supplier["roles"] == ["supplier"]
    assert supplier["identifier"]["scheme"] == "GB-COH"
    assert supplier["identifier"]["id"] == "00000001"
    assert [i["scheme"] for i in supplier["additionalIdentifiers"]] == ["GB-SRS"]
    assert parties["Somerset NHS FT 1"]["roles"] == ["buyer"]
    assert parties["Infrastructure Fund 1"]["roles"] == ["funder"]
    assert release["buyer"] == {"id": "GB-NHS-RH1", "name": "Somerset NHS FT 1"}
    assert release["awards"][0]["suppliers"] == [{"id": "GB-COH-00000001", "name": "Imaging Ltd 1"}]
    assert release["ocid"] == f"ocds-000000-{contract.pk}"


def test_values_periods_and_partial_dates():
    awarded_contract()
    release = only_release()
    award, contract = release["awards"][0], release["contracts"][0]
    assert award["value"] == {"amount": 350_000_000, "currency": "GBP"}
    assert award["date"] == "2014-01-01T00:00:00Z"  # known to the year: its first instant
    assert contract["period"] == {"startDate": "2015-04-01T00:00:00Z",
                                  "endDate": "2030-06-30T23:59:59Z"}  # fmt: skip
    assert contract["status"] == "active"
    assert contract["awardID"] == award["id"]
    assert release["tender"]["procurementMethod"] == "open"


def test_an_end_known_to_the_month_is_its_last_instant():
    contract = awarded_contract()
    contract.end = "2024-11"
    contract.save()
    assert only_release()["contracts"][0]["period"]["endDate"] == "2024-11-30T23:59:59Z"


def test_cited_sources_become_the_contracts_documents():
    awarded_contract()
    (document,) = only_release()["contracts"][0]["documents"]
    assert document["url"] == "https://example.org/tender"
    assert "“£350m”" in document["description"]


def test_drafts_are_absent():
    contract = awarded_contract()
    draft = make_organisation(name=f"{MARKER} supplier")
    models.Identifier.objects.create(organisation=draft, scheme="GB-COH", value="99999999")
    make_party(contract, organisation=draft, role="supplier")
    make_contract(title=f"{MARKER} contract")
    draft_source = make_source(title=f"{MARKER} source", status="draft")
    cite(contract, source=draft_source, quote=f"{MARKER} quote")
    found = package()
    text = json.dumps(found)
    assert MARKER not in text
    assert "99999999" not in text
    assert f'organisation-{draft.pk}"' not in text
    assert [release["ocid"] for release in found["releases"]] == [ocds.ocid(contract)]


def test_the_package_streams_in_pieces_of_valid_utf8():
    awarded_contract(1)
    awarded_contract(2)
    models.Contract.objects.update(title="Zürich — £ scan")
    envelope, releases = ocds.release_package()
    pieces = list(ocds.package_json(envelope, releases))
    assert len(pieces) == 4  # the envelope's head, two releases, the end
    text = "".join(pieces).encode("utf-8").decode("utf-8")
    assert json.loads(text)["releases"][0]["tender"]["title"] == "Zürich — £ scan"


def test_queries_are_constant_in_the_contracts_per_chunk():
    awarded_contract(1)
    with CaptureQueriesContext(connection) as one:
        package()
    for number in range(2, 6):
        awarded_contract(number)
    with CaptureQueriesContext(connection) as five:
        package()
    assert len(five) == len(one)


def test_contract_and_organisation_pages_link_to_their_packages(client):
    contract = awarded_contract()
    supplier = models.Organisation.objects.get(name="Imaging Ltd 1")
    for record in (contract, supplier):
        page = client.get(record.get_absolute_url()).content.decode()
        assert f'href="{record.get_absolute_url()}ocds.json"' in page


def test_a_contracts_package(client):
    contract = awarded_contract(1)
    awarded_contract(2)
    response = client.get(f"{contract.get_absolute_url()}ocds.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    found = json.loads(response.content.decode("utf-8"))
    assert_valid_package(found)
    assert [release["ocid"] for release in found["releases"]] == [ocds.ocid(contract)]
    assert found["uri"] == f"http://testserver{contract.get_absolute_url()}ocds.json"


def test_an_organisations_package_holds_its_contracts_only(client):
    first, second = awarded_contract(1), awarded_contract(2)
    supplier = models.Organisation.objects.get(name="Imaging Ltd 2")
    draft = make_contract()
    make_party(draft, organisation=supplier)
    response = client.get(f"{supplier.get_absolute_url()}ocds.json")
    found = json.loads(response.content)
    assert_valid_package(found)
    assert [release["ocid"] for release in found["releases"]] == [ocds.ocid(second)]
    assert ocds.ocid(first) != ocds.ocid(second)


def test_a_draft_contracts_package_is_not_found(client):
    draft = make_contract()
    assert client.get(f"{draft.get_absolute_url()}ocds.json").status_code == 404


def test_the_demo_datas_package_validates():
    call_command("load_demo_data", verbosity=0)
    found = package()
    assert len(found["releases"]) == models.Contract.objects.published().count()
    assert_valid_package(found)


def test_an_organisation_with_several_parts_is_one_party_with_each_role():
    contract = awarded_contract()
    supplier = models.Organisation.objects.get(name="Imaging Ltd 1")
    make_party(contract, organisation=supplier, role="operator")
    make_party(contract, organisation=supplier, role="landlord")
    release = only_release()
    (party,) = [p for p in release["parties"] if p["name"] == "Imaging Ltd 1"]
    assert party["roles"] == ["interestedParty", "supplier"]
    assert [s["name"] for s in release["awards"][0]["suppliers"]] == ["Imaging Ltd 1"]


def test_an_organisations_package_takes_the_same_queries_however_many_contracts(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the view's own queries only, each time
    awarded_contract(1)
    supplier = models.Organisation.objects.get(name="Imaging Ltd 1")
    url = f"{supplier.get_absolute_url()}ocds.json"
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(2, 5):
        contract = awarded_contract(number)
        make_party(contract, organisation=supplier, role="operator")
    with CaptureQueriesContext(connection) as four:
        found = json.loads(client.get(url).content)
    assert len(found["releases"]) == 4
    assert len(four) == len(one)


def what_the_package_says(data):
    """A package's facts, without the ids a database gives: parties by name with their roles
    and identifiers, and each award's value, date and suppliers."""
    facts = []
    for release in data["releases"]:
        parties = {
            party["name"]: (
                sorted(party["roles"]),
                sorted(
                    f"{i['scheme']}-{i['id']}"
                    for i in [party.get("identifier"), *party.get("additionalIdentifiers", [])]
                    if i
                ),
            )
            for party in release["parties"]
        }
        awards = [
            (award.get("value"), award.get("date"), sorted(s["name"] for s in award["suppliers"]))
            for award in release.get("awards", [])
        ]
        facts.append((release["buyer"]["name"], parties, awards))
    return sorted(facts, key=repr)


def test_an_ocds_export_imports_back_into_a_fresh_database_unchanged(editor):
    for number in (1, 2):
        awarded_contract(number)
    exported = package()
    for model in (models.Citation, models.ContractParty, models.Contract, models.Identifier,
                  models.Organisation, models.Source):  # fmt: skip
        model.objects.all().delete()
    data = json.dumps(exported).encode()
    result = service.run_import(data, "export.json", user=editor, publish=True)
    assert result.written and not result.errors and not result.publish_refused, result.errors
    assert what_the_package_says(package()) == what_the_package_says(exported)
