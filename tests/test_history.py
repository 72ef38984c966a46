"""Every change is in the history: who, what changed, and a way back."""

import re

from django.urls import reverse
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from investigations import publication
from investigations.models import Citation, Contract, ImportBatch, Organisation
from tests import factories
from tests.factories import admin_form_data, admin_url


def edit_in_admin(client, record, **changes):
    data = admin_form_data(client.get(admin_url(record)), **changes)
    assert client.post(admin_url(record), data).status_code == 302


def test_it_records_who_changed_what_in_the_admin(researcher_client, researcher, db):
    contract = factories.make_contract(title="Old title")
    edit_in_admin(researcher_client, contract, title="New title", region="South West")
    latest, previous = contract.history.all()[:2]
    assert latest.history_user == researcher
    changed = {change.field for change in latest.diff_against(previous).changes}
    assert {"title", "region"} <= changed


def test_it_shows_what_changed_on_the_history_page(researcher_client, db):
    contract = factories.make_contract(title="Old title")
    edit_in_admin(researcher_client, contract, title="New title")
    page = researcher_client.get(admin_url(contract, "history")).content.decode()
    assert re.search(
        r"<strong>Title:</strong>\s*Old title\s*&nbsp;&rarr;&nbsp;&nbsp;New title", page
    )
    assert "Updated at" not in page  # bookkeeping columns are left out of the diff


def revert_url(record, version):
    opts = record._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_simple_history"
    return reverse(name, args=[record.pk, version.history_id])


def revert(client, record, version):
    page = client.get(revert_url(record, version))
    assert page.status_code == 200
    assert client.post(revert_url(record, version), admin_form_data(page)).status_code == 302


def test_it_restores_an_earlier_version(researcher_client, db):
    organisation = factories.make_organisation(name="Alliance Medical", website="https://a.example")
    first = organisation.history.earliest()
    edit_in_admin(researcher_client, organisation, name="Wrong name", website="")
    revert(researcher_client, organisation, first)
    organisation.refresh_from_db()
    assert (organisation.name, organisation.website) == ("Alliance Medical", "https://a.example")


def test_it_keeps_the_publication_state_when_reverting(editor_client, editor, db):
    organisation = factories.make_organisation()
    factories.cite_everything(organisation)
    publication.publish(organisation, editor)
    published_version = organisation.history.latest()
    publication.unpublish(organisation, editor)
    revert(editor_client, organisation, published_version)
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.DRAFT


def test_it_records_citations_added_inline(researcher_client, researcher, db):
    contract = factories.make_contract()
    source = factories.make_source()
    page = researcher_client.get(admin_url(contract))
    prefix = page.context["inline_admin_formsets"][-1].formset.prefix
    data = admin_form_data(
        page,
        **{f"{prefix}-0-source": source.pk, f"{prefix}-0-quote": "Awarded in 2023."},
    )
    assert researcher_client.post(admin_url(contract), data).status_code == 302
    citation = Citation.objects.get(object_id=contract.pk, source=source)
    assert citation.history.get().history_user == researcher


def test_it_records_bulk_writes(db):
    contracts = bulk_create_with_history(
        [Contract(title=f"Bulk {n}", slug=f"bulk-{n}") for n in range(3)], Contract
    )
    for contract in contracts:
        contract.region = "North East"
    bulk_update_with_history(contracts, Contract, ["region"])
    history = Contract.history.filter(title__startswith="Bulk")
    assert history.filter(history_type="+").count() == 3
    assert history.filter(history_type="~", region="North East").count() == 3


def test_it_shows_the_import_batch_a_version_came_from(editor_client, editor, db):
    batch = ImportBatch.objects.create(user=editor, file_name="contracts-2023.xlsx")
    contract = factories.make_contract()
    contract.history.update(import_batch=batch)
    page = editor_client.get(admin_url(contract, "history")).content.decode()
    assert "contracts-2023.xlsx" in page
