"""Exports: every kind to CSV and XLSX, re-importable unchanged, safe in a spreadsheet."""

import io

import openpyxl
import pytest
import tablib
from django.urls import reverse

from investigations import models as m
from investigations.importers.kinds import KINDS
from investigations.importers.resources import resource_class_for
from investigations.importers.service import run_import
from tests import factories
from tests.test_import_kinds import book

pytestmark = pytest.mark.django_db
PAYLOAD = '=HYPERLINK("http://evil.example","click")'


def export(model, fmt="csv"):
    return resource_class_for(model)().export().export(fmt)


@pytest.fixture
def everything(researcher):
    run_import(book().export("xlsx"), "all.xlsx", user=researcher)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_exports_and_reimports_unchanged(everything, researcher, kind, fmt):
    data = export(KINDS[kind].model, fmt)
    data = data.encode() if isinstance(data, str) else data
    result = run_import(data, f"{kind}.{fmt}", user=researcher, kind=kind)
    assert not result.errors and not result.sheets[0].warnings
    assert (result.batch.rows_created, result.batch.rows_updated) == (0, 0)
    assert result.batch.rows_skipped == KINDS[kind].model.objects.count() > 0


def test_an_exported_contract_reimports_to_the_same_data(everything, researcher):
    data = export(m.Contract, "xlsx")
    before = m.Contract.objects.values("title", "value", "framework", "site").get()
    parties = set(m.ContractParty.objects.values_list("organisation", "role"))
    m.Contract.objects.all().delete()
    run_import(data, "contracts.xlsx", user=researcher, kind="contracts")
    assert m.Contract.objects.values("title", "value", "framework", "site").get() == before
    assert set(m.ContractParty.objects.values_list("organisation", "role")) == parties


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_text_is_neutralised_on_export(start):
    factories.make_contract(title="Mobile MRI", region=start + "cmd|' /C calc'!A0")
    exported = tablib.Dataset().load(export(m.Contract, "csv"), format="csv")
    assert exported["region"][0] == "'" + start + "cmd|' /C calc'!A0"


def test_a_csv_injection_payload_is_stored_as_text_and_exported_safely(researcher):
    data = f'title,region\nMobile MRI,"{PAYLOAD.replace(chr(34), chr(34) * 2)}"\n'.encode()
    run_import(data, "c.csv", user=researcher, kind="contracts")
    assert m.Contract.objects.get().region == PAYLOAD
    sheet = openpyxl.load_workbook(io.BytesIO(export(m.Contract, "xlsx"))).active
    column = [c.value for c in sheet[1]].index("region")
    cell = sheet.cell(row=2, column=column + 1)
    assert cell.value == "'" + PAYLOAD and cell.data_type == "s"
    again = run_import(export(m.Contract).encode(), "c.csv", user=researcher, kind="contracts")
    assert again.batch.rows_skipped == 1 and m.Contract.objects.get().region == PAYLOAD


def test_negative_figures_stay_numbers(researcher):
    org = factories.make_organisation()
    m.FinancialFiling.objects.create(organisation=org, period_end="2022-03-31", net_assets=-5)
    exported = tablib.Dataset().load(export(m.FinancialFiling), format="csv")
    assert exported["net_assets"][0] == "-5.00"


def test_deleted_records_are_not_exported(db):
    from django.utils import timezone

    factories.make_contract(title="Gone", deleted_at=timezone.now())
    factories.make_contract(title="Here")
    assert "Gone" not in export(m.Contract) and "Here" in export(m.Contract)


def test_export_needs_its_own_permission(client):
    client.force_login(factories.make_user(is_staff=True))
    response = client.get(reverse("admin:investigations_contract_export"))
    assert response.status_code == 403


def test_a_researcher_may_export(researcher_client):
    response = researcher_client.get(reverse("admin:investigations_contract_export"))
    assert response.status_code == 200
