"""Researchers curate drafts; only editors publish, unpublish, restore or delete what is public."""

import pytest

from investigations import publication
from investigations.models import Contract, Organisation
from tests import factories
from tests.factories import admin_form_data, admin_url, changelist_url, post_action


@pytest.fixture
def draft(db):
    return factories.make_contract(title="Uncited draft")


@pytest.fixture
def published(editor):
    contract = factories.make_contract(title="Published contract")
    factories.cite_everything(contract)
    publication.publish(contract, editor)
    return contract


def assert_still_draft(record):
    record.refresh_from_db()
    assert record.status == Contract.Status.DRAFT


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_forbids_researchers_the_publish_page(researcher_client, draft, method):
    response = getattr(researcher_client, method)(admin_url(draft, "publish"), {"reason": "x"})
    assert response.status_code == 403
    assert_still_draft(draft)


def test_it_forbids_researchers_to_publish_a_cited_record_by_crafted_post(researcher_client, draft):
    factories.cite_everything(draft)
    assert researcher_client.post(admin_url(draft, "publish"), {}).status_code == 403
    assert_still_draft(draft)


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_forbids_researchers_the_unpublish_page(researcher_client, published, method):
    assert getattr(researcher_client, method)(admin_url(published, "unpublish")).status_code == 403
    published.refresh_from_db()
    assert published.is_published


def test_it_hides_the_publish_actions_and_button_from_researchers(researcher_client, draft):
    changelist = researcher_client.get(changelist_url(Contract)).content.decode()
    assert "publish_selected" not in changelist
    assert "restore_selected" not in changelist
    assert (
        admin_url(draft, "publish") not in researcher_client.get(admin_url(draft)).content.decode()
    )


def test_it_refuses_a_researchers_crafted_bulk_publish(researcher_client, draft):
    factories.cite_everything(draft)
    response = post_action(researcher_client, Contract, "publish_selected", [draft])
    assert response.status_code == 200
    assert_still_draft(draft)


def test_it_refuses_a_researchers_crafted_bulk_unpublish(researcher_client, published):
    post_action(researcher_client, Contract, "unpublish_selected", [published])
    published.refresh_from_db()
    assert published.is_published


def test_it_ignores_a_status_posted_in_the_change_form(researcher_client, draft):
    page = researcher_client.get(admin_url(draft))
    data = admin_form_data(page, status="published", published_at="2024-01-01 00:00")
    response = researcher_client.post(admin_url(draft), data)
    assert response.status_code == 302
    assert_still_draft(draft)


def test_it_ignores_a_status_posted_in_the_add_form(researcher_client, db):
    page = researcher_client.get(changelist_url(Organisation) + "add/")
    data = admin_form_data(page, name="Crafted Ltd", status="published")
    assert researcher_client.post(changelist_url(Organisation) + "add/", data).status_code == 302
    assert Organisation.objects.get(name="Crafted Ltd").status == Organisation.Status.DRAFT


def test_it_lets_researchers_edit_a_draft(researcher_client, draft):
    data = admin_form_data(researcher_client.get(admin_url(draft)), title="Renamed draft")
    assert researcher_client.post(admin_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Renamed draft"


def test_it_forbids_researchers_to_delete_a_published_record(researcher_client, published):
    response = researcher_client.post(admin_url(published, "delete"), {"post": "yes"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.is_published


def test_it_refuses_a_researchers_bulk_delete_of_a_published_record(researcher_client, published):
    response = post_action(researcher_client, Contract, "delete_selected", [published], post="yes")
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.is_published


def test_it_refuses_a_researchers_crafted_restore(researcher_client, editor, published):
    publication.soft_delete(published, editor)
    post_action(researcher_client, Contract, "restore_selected", [published], query="?deleted=yes")
    published.refresh_from_db()
    assert published.deleted_at is not None
