"""Every kind imports, from CSV, XLSX and ODS, and a workbook imports as one batch."""

import pytest
import tablib

from investigations import models as m
from investigations.importers.service import run_import

pytestmark = pytest.mark.django_db

SHEETS = {
    "concerns": [
        ["title", "kind", "regulator", "organisations", "action_count", "penalty", "occurred",
         "source", "locator"],
        ["Enforcement actions", "Enforcement action", "Care Quality Commission",
         "Life Healthcare", "12", "£1.2m", "2019", "Violation Tracker UK", "entry 12"],
    ],
    "relationships": [
        ["subject", "kind", "object", "start", "value", "share_min", "source", "quote"],
        ["Life Healthcare", "acquired", "Alliance Medical", "2016", "£800m", "100",
         "Trade press report", "Life Healthcare completed the acquisition"],
    ],
    "organisations": [
        ["name", "kind", "identifiers"],
        ["Alliance Medical Ltd", "company", "02128897"],
        ["Life Healthcare Group Holdings Ltd", "company", "ZA-CIP-2003/002733/06"],
        ["Care Quality Commission", "regulator", ""],
        ["NHS England", "public_body", ""],
    ],
    "people": [["name", "description"], ["Pat Example", "Non-executive director"]],
    "roles": [
        ["person", "organisation", "kind", "start"],
        ["Pat Example", "Alliance Medical", "non_executive", "2018"],
    ],
    "sites": [["name", "kind", "locality"], ["Taunton CDC", "cdc", "Taunton"]],
    "frameworks": [
        ["name", "buyer", "value", "supplier_count"],
        ["Diagnostic imaging framework", "NHS England", "£10bn", "67"],
    ],
    "contracts": [
        ["title", "framework", "site", "buyer", "operator", "value"],
        ["Taunton CDC operation", "Diagnostic imaging framework", "Taunton CDC", "NHS England",
         "Alliance Medical", "£18m"],
    ],
    "framework_memberships": [
        ["framework", "organisation", "lot", "start"],
        ["Diagnostic imaging framework", "Alliance Medical", "Lot 2", "2021"],
    ],
    "site_roles": [
        ["site", "organisation", "kind", "start"],
        ["Taunton CDC", "Alliance Medical", "operator", "2022"],
    ],
    "financial_filings": [
        ["organisation", "period_end", "turnover", "operating_profit", "employees"],
        ["GB-COH-02128897", "31/03/2022", "£169.6m", "(2.1m)", "1,800"],
    ],
    "sources": [["title", "publisher"], ["Violation Tracker UK", "Good Jobs First"]],
}  # fmt: skip


def book():
    return tablib.Databook(
        [tablib.Dataset(*rows[1:], headers=rows[0], title=name) for name, rows in SHEETS.items()]
    )


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_workbook_of_every_kind_imports_as_one_batch_in_dependency_order(researcher, fmt):
    result = run_import(book().export(fmt), f"all.{fmt}", user=researcher)
    assert not result.errors, result.errors
    assert [s.kind for s in result.sheets][:2] == ["sources", "organisations"]
    assert m.Relationship.objects.get().get_kind_display() == "acquired"
    assert m.Role.objects.get().person.name == "Pat Example"
    assert m.FinancialFiling.objects.get().operating_profit == -2_100_000
    assert m.FinancialFiling.objects.get().employees == 1800
    contract = m.Contract.objects.get()
    assert contract.framework.supplier_count == 67 and contract.site.name == "Taunton CDC"
    concern = m.Concern.objects.get()
    assert concern.regulator.name == "Care Quality Commission"
    assert concern.parties.get().organisation.name.startswith("Life Healthcare")
    assert concern.citations.get().source.publisher == "Good Jobs First"
    assert m.ImportBatch.objects.count() == 1


def test_the_same_workbook_twice_changes_nothing(researcher):
    data = book().export("xlsx")
    run_import(data, "all.xlsx", user=researcher)
    again = run_import(data, "all.xlsx", user=researcher)
    assert (again.batch.rows_created, again.batch.rows_updated) == (0, 0)
    assert again.batch.rows_skipped == sum(len(rows) - 1 for rows in SHEETS.values())
