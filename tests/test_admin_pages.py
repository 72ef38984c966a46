"""Every registered model's changelist, add form and change form loads."""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.urls import reverse

from tests import factories


@pytest.fixture
def records(db):
    return factories.make_one_of_each()


def curation_admins():
    return [model for model in admin.site._registry if model._meta.app_label == "investigations"]


def test_it_registers_an_admin_for_every_curated_model(records):
    assert set(records) <= set(curation_admins())


@pytest.mark.parametrize("who", ["editor_client", "researcher_client"])
@pytest.mark.parametrize("page", ["changelist", "add", "change", "history"])
def test_it_loads_every_admin_page(request, records, page, who):
    client = request.getfixturevalue(who)
    for model in curation_admins():
        if model not in records:
            continue  # other admins (imports) test their own pages
        name = f"admin:investigations_{model._meta.model_name}_{page}"
        args = [records[model].pk] if page in ("change", "history") else []
        response = client.get(reverse(name, args=args))
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


LINKED_MODELS = {"organisation", "person", "source", "contract", "site", "framework"}


def forms_of_every_admin(request):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "investigations":
            yield model_admin.get_form(request)
            for inline in model_admin.get_inline_instances(request):
                yield inline.get_formset(request).form


def test_it_uses_autocomplete_for_every_link_to_a_main_record(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    for form in forms_of_every_admin(request):
        for name, field in form.base_fields.items():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if model is not None and model._meta.model_name in LINKED_MODELS:
                widget = getattr(field.widget, "widget", field.widget)
                assert isinstance(widget, AutocompleteMixin), (form, name)


def test_it_searches_every_model_others_autocomplete_to():
    for model in admin.site._registry:
        if model._meta.model_name in LINKED_MODELS:
            assert admin.site._registry[model].search_fields, model


# Imports go through the batch engine's page only; each model's admin keeps its export.
@pytest.mark.parametrize("page", ["imports_upload", "investigations_contract_export"])
def test_it_lets_researchers_import_and_export_spreadsheets(researcher_client, page):
    assert researcher_client.get(reverse(f"admin:{page}")).status_code == 200
