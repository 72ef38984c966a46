"""Issue 11, finding 7: a citations sheet names the child rows of the same file (a contract
party, an identifier, an alias, a relationship) by their natural keys."""

import pytest
import tablib

from investigations import models as m
from investigations.importers.service import run_import
from tests import factories

pytestmark = pytest.mark.django_db
CITATION_HEADERS = ["record_kind", "record", "cited_field", "source", "quote"]


def workbook(**sheets):
    return tablib.Databook(
        [tablib.Dataset(*rows[1:], headers=rows[0], title=name) for name, rows in sheets.items()]
    ).export("xlsx")


def book_import(user, dry_run=False, **sheets):
    return run_import(workbook(**sheets), "batch.xlsx", user=user, dry_run=dry_run)


ORGANISATIONS = [
    ["name", "kind", "identifiers", "aliases"],
    ["Alliance Medical Ltd", "company", "GB-COH-02128897", "AML"],
    ["Life Healthcare Group", "company", "", ""],
    ["NHS England", "public_body", "", ""],
]
CONTRACTS = [
    ["title", "reference", "buyer", "supplier"],
    ["PET-CT scanning", "NHSE-PETCT-2016", "NHS England", "Alliance Medical Ltd"],
]
RELATIONSHIPS = [
    ["subject", "kind", "object", "start"],
    ["Life Healthcare Group", "acquired", "Alliance Medical Ltd", "2016"],
]


def citations(*rows):
    return [CITATION_HEADERS, *rows]


def cited(record):
    return m.Citation.objects.filter(
        content_type__model=type(record)._meta.model_name, object_id=record.pk
    )


def test_a_contract_party_of_the_same_file_is_cited_by_reference_organisation_and_role(
    researcher,
):
    result = book_import(
        researcher,
        organisations=ORGANISATIONS,
        contracts=CONTRACTS,
        citations=citations(
            ["contract_party", "NHSE-PETCT-2016; Alliance Medical Ltd; supplier", "",
             "Award notice", "awarded to Alliance Medical"],
        ),
    )  # fmt: skip
    assert result.written and not result.errors, result.errors
    party = m.ContractParty.objects.get(role="supplier")
    assert [c.quote for c in cited(party)] == ["awarded to Alliance Medical"]


def test_an_identifier_and_an_alias_of_the_same_file_are_cited(researcher):
    result = book_import(
        researcher,
        organisations=ORGANISATIONS,
        citations=citations(
            ["identifier", "GB-COH-02128897", "", "Companies House", "Company number 02128897"],
            ["organisation_alias", "Alliance Medical Ltd; AML", "", "Annual report", "(AML)"],
        ),
    )
    assert result.written and not result.errors, result.errors
    assert cited(m.Identifier.objects.get(value="02128897")).count() == 1
    assert cited(m.OrganisationAlias.objects.get(name="AML")).count() == 1


def test_a_relationship_of_the_same_file_is_cited_by_its_natural_key(researcher):
    result = book_import(
        researcher,
        organisations=ORGANISATIONS,
        relationships=RELATIONSHIPS,
        citations=citations(
            ["relationships", "Life Healthcare Group; acquired; Alliance Medical Ltd; 2016",
             "start", "Press release", "completed the acquisition in 2016"],
        ),
    )  # fmt: skip
    assert result.written and not result.errors, result.errors
    assert cited(m.Relationship.objects.get()).get().field_name == "start"


def test_a_party_already_in_the_database_is_cited_by_its_natural_key(researcher):
    contract = factories.make_contract(title="PET-CT scanning", reference="NHSE-PETCT-2016")
    supplier = factories.make_organisation(name="Alliance Medical Ltd")
    party = m.ContractParty.objects.create(
        contract=contract, organisation=supplier, role="supplier"
    )
    result = book_import(
        researcher,
        citations=citations(
            ["contract_party", "NHSE-PETCT-2016; Alliance Medical Ltd; supplier", "",
             "Award notice", "awarded to Alliance Medical"],
        ),
    )  # fmt: skip
    assert result.written and not result.errors, result.errors
    assert cited(party).count() == 1


def test_a_natural_key_that_names_no_row_says_how_to_name_one(researcher):
    result = book_import(
        researcher,
        organisations=ORGANISATIONS,
        contracts=CONTRACTS,
        citations=citations(
            ["contract_party", "NHSE-PETCT-2016; Alliance Medical Ltd; buyer", "",
             "Award notice", "awarded to Alliance Medical"],
        ),
        dry_run=True,
    )  # fmt: skip
    [error] = result.errors
    assert (error["sheet"], error["row"], error["column"]) == ("citations", 2, "record")
    assert "name one by contract; organisation; role" in error["message"]


def test_the_dry_run_predicts_the_import_of_cited_children(researcher):
    sheets = {
        "organisations": ORGANISATIONS,
        "contracts": CONTRACTS,
        "citations": citations(
            ["contract_party", "NHSE-PETCT-2016; Alliance Medical Ltd; supplier", "",
             "Award notice", "awarded"],
            ["identifier", "GB-COH-02128897", "", "Companies House", "02128897"],
        ),
    }  # fmt: skip
    dry = book_import(researcher, dry_run=True, **sheets)
    real = book_import(researcher, **sheets)
    assert [s.summary() for s in dry.sheets] == [s.summary() for s in real.sheets]
    assert real.written and m.Citation.objects.count() == 2
