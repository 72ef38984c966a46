"""Every registered model's changelist, add form and change form loads."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories


@pytest.fixture
def records(db):
    return factories.make_one_of_each()


def curation_admins():
    return [model for model in admin.site._registry if model._meta.app_label == "investigations"]


def test_it_registers_an_admin_for_every_curated_model(records):
    assert set(records) <= set(curation_admins())


@pytest.mark.parametrize("page", ["changelist", "add", "change", "history"])
def test_it_loads_every_admin_page(editor_client, records, page):
    for model in curation_admins():
        if model not in records:
            continue  # other admins (imports) test their own pages
        name = f"admin:investigations_{model._meta.model_name}_{page}"
        args = [records[model].pk] if page in ("change", "history") else []
        response = editor_client.get(reverse(name, args=args))
        assert response.status_code == 200, (model, page)


def test_it_shows_what_a_contract_row_is(editor_client, db):
    contract = factories.make_contract(title="Taunton CDC", value=350_000_000, awarded="2023-05")
    factories.make_party(
        contract, role="buyer", organisation=factories.make_organisation(name="Somerset FT")
    )
    factories.make_party(
        contract, role="operator", organisation=factories.make_organisation(name="InHealth")
    )
    factories.cite(contract)
    response = editor_client.get(reverse("admin:investigations_contract_changelist"))
    row = response.content.decode()
    for text in ("Taunton CDC", "£350m", "May 2023", "Somerset FT", "InHealth"):
        assert text in row
