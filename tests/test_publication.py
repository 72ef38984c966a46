"""The publication gate: uncited claims block publishing unless an editor gives a reason."""

import pytest
from django.urls import reverse

from investigations import publication
from investigations.models import Contract, Organisation
from tests import factories
from tests.factories import admin_url, changelist_url, post_action


@pytest.fixture
def contract(db):
    """A contract with a value and a supplier, none of it cited."""
    contract = factories.make_contract(title="Taunton CDC", value=350_000_000)
    factories.make_party(contract, organisation=factories.make_organisation(name="InHealth"))
    return contract


def test_it_refuses_to_publish_an_uncited_contract_and_lists_the_missing_claims(contract, editor):
    with pytest.raises(publication.PublicationRefused) as refused:
        publication.publish(contract, editor)
    described = [str(claim) for claim in refused.value.missing]
    assert "Contract “Taunton CDC”: the record itself has no citation" in described
    assert "Contract “Taunton CDC”: “value” has no citation" in described
    assert any("InHealth" in text for text in described)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_it_explains_the_missing_claims_on_the_change_page(editor_client, contract):
    page = editor_client.get(admin_url(contract)).content.decode()
    assert "without a citation from a published source" in page
    assert "“value” has no citation" in page
    assert admin_url(contract.parties.get()) in page  # a child's claim links to its page


def test_it_says_all_claims_are_cited_when_they_are(editor_client, contract):
    factories.cite_everything(contract)
    assert "All claims cited." in editor_client.get(admin_url(contract)).content.decode()


def test_it_lists_the_missing_claims_on_the_publish_page(editor_client, contract):
    page = editor_client.get(admin_url(contract, "publish")).content.decode()
    assert "“value” has no citation" in page
    assert "Why publish although claims are uncited?" in page


def test_it_refuses_to_publish_from_the_page_without_a_reason(editor_client, contract):
    response = editor_client.post(admin_url(contract, "publish"), {"reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_it_publishes_with_an_override_reason_and_shows_who_gave_it(
    editor_client, editor, contract
):
    reason = "The value is in the trust's board papers; citation to follow."
    response = editor_client.post(admin_url(contract, "publish"), {"reason": reason})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.is_published
    assert contract.publication_override_reason == reason
    assert contract.publication_override_by == editor
    page = editor_client.get(admin_url(contract)).content.decode()
    assert "The value is in the trust&#x27;s board papers" in page
    assert editor.username in page


def test_it_publishes_a_fully_cited_record_without_a_reason(editor_client, contract):
    factories.cite_everything(contract)
    editor_client.post(admin_url(contract, "publish"), {})
    contract.refresh_from_db()
    assert contract.is_published
    assert contract.publication_override_reason == ""


def test_it_unpublishes_from_the_unpublish_page(editor_client, editor, contract):
    factories.cite_everything(contract)
    publication.publish(contract, editor)
    editor_client.post(admin_url(contract, "unpublish"))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_it_shows_publish_to_editors_on_the_change_page(editor_client, contract):
    page = editor_client.get(admin_url(contract)).content.decode()
    assert admin_url(contract, "publish") in page


def test_it_publishes_in_bulk_only_the_records_whose_claims_are_cited(editor_client, contract):
    cited = factories.make_contract(title="Cited contract")
    factories.cite_everything(cited)
    response = post_action(editor_client, Contract, "publish_selected", [contract, cited])
    messages = [str(m) for m in response.context["messages"]]
    assert "Published 1." in messages
    assert any("Not published" in m and "Taunton CDC" in m for m in messages)
    assert list(Contract.objects.published()) == [cited]


def test_it_unpublishes_in_post_action(editor_client, editor, contract):
    factories.cite_everything(contract)
    publication.publish(contract, editor)
    post_action(editor_client, Contract, "unpublish_selected", [contract])
    assert not Contract.objects.published().exists()


def published_organisation(editor):
    organisation = factories.make_organisation(name="Alliance Medical")
    factories.cite_everything(organisation)
    publication.publish(organisation, editor)
    return organisation


def test_it_soft_deletes_a_published_record(editor_client, editor):
    organisation = published_organisation(editor)
    response = editor_client.post(admin_url(organisation, "delete"), {"post": "yes"}, follow=True)
    assert "Hidden from the public" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.deleted_at is not None
    assert not Organisation.objects.published().exists()


def test_it_hard_deletes_a_draft(researcher_client):
    organisation = factories.make_organisation()
    researcher_client.post(admin_url(organisation, "delete"), {"post": "yes"})
    assert not Organisation.objects.filter(pk=organisation.pk).exists()


def test_it_soft_deletes_published_and_hard_deletes_drafts_in_post_action(editor_client, editor):
    published, draft = published_organisation(editor), factories.make_organisation()
    post_action(editor_client, Organisation, "delete_selected", [published, draft], post="yes")
    assert list(Organisation.objects.exclude(deleted_at=None)) == [published]
    assert not Organisation.objects.filter(pk=draft.pk).exists()


def test_it_hides_deleted_rows_unless_the_deleted_filter_asks(editor_client, editor):
    organisation = published_organisation(editor)
    publication.soft_delete(organisation, editor)
    url = changelist_url(Organisation)
    assert "Alliance Medical" not in editor_client.get(url).content.decode()
    assert "Alliance Medical" in editor_client.get(url + "?deleted=yes").content.decode()


def test_it_restores_deleted_records(editor_client, editor):
    organisation = published_organisation(editor)
    publication.soft_delete(organisation, editor)
    post_action(
        editor_client, Organisation, "restore_selected", [organisation], query="?deleted=yes"
    )
    organisation.refresh_from_db()
    assert organisation.deleted_at is None
    assert organisation.is_published


def test_it_offers_no_deleted_record_to_link_to(editor_client, editor):
    organisation = published_organisation(editor)
    factories.make_organisation(name="Alliance Medical Ltd (draft)")
    publication.soft_delete(organisation, editor)
    params = {
        "app_label": "investigations",
        "model_name": "contractparty",
        "field_name": "organisation",
        "term": "Alliance",
    }
    results = editor_client.get(reverse("admin:autocomplete"), params).json()["results"]
    assert [result["text"] for result in results] == ["Alliance Medical Ltd (draft)"]
