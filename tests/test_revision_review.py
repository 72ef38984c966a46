"""Editors review pending revisions: a diff against the live version, then the gate."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from investigations import models, revisions
from investigations.models import Revision
from investigations.publication import PublicationRefused
from tests import factories
from tests.factories import admin_url


@pytest.fixture
def organisation(editor):
    organisation = factories.make_organisation(name="Alliance Medical Ltd", founded="1989")
    return factories.make_published(organisation, editor)


def propose(record, user, **fields):
    def change():
        staged = type(record).objects.get(pk=record.pk)
        for name, value in fields.items():
            setattr(staged, name, value)
        staged.save()

    return revisions.propose([record], user, change)[1][0]


def test_the_admin_index_counts_pending_revisions(editor_client, researcher, organisation):
    propose(organisation, researcher, founded="1975")
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Pending revisions" in page and "<strong>1</strong> waiting" in page


def test_each_changelist_filters_records_with_a_pending_revision(
    editor_client, editor, researcher, organisation
):
    factories.make_published(factories.make_organisation(name="Other Ltd"), editor)  # not listed
    propose(organisation, researcher, founded="1975")
    page = editor_client.get(
        reverse("admin:investigations_organisation_changelist") + "?pending_revision=yes"
    )
    assert list(page.context["cl"].result_list) == [organisation]


def test_the_review_page_shows_the_diff_and_the_missing_claims(
    editor_client, researcher, organisation
):
    revision = propose(organisation, researcher, summary="It paid no tax in 2022.")
    page = editor_client.get(admin_url(revision)).content.decode()
    assert "<del>—</del><ins>It paid no tax in 2022.</ins>" in page
    assert "a passage of “summary” has no citation" in page
    assert "Publish with this reason" in page


def test_publishing_without_a_reason_is_refused_with_the_missing_claims(
    editor, researcher, organisation
):
    revision = propose(organisation, researcher, summary="It paid no tax in 2022.")
    with pytest.raises(PublicationRefused) as refused:
        revisions.publish_revision(revision, editor)
    assert [claim.field for claim in refused.value.missing] == ["summary"]
    organisation.refresh_from_db()
    assert organisation.summary == ""
    assert Revision.objects.get().is_pending


def test_a_researcher_cannot_publish_a_revision(researcher_client, researcher, organisation):
    revision = propose(organisation, researcher, founded="1975")
    assert (
        "Publish this revision" not in researcher_client.get(admin_url(revision)).content.decode()
    )
    response = researcher_client.post(admin_url(revision), {"decision": "publish"})
    assert response.status_code == 403
    with pytest.raises(Exception, match="Only editors"):
        revisions.publish_revision(revision, researcher)
    organisation.refresh_from_db()
    assert str(organisation.founded) == "1989"


def test_publishing_a_cited_revision_makes_it_live_and_names_both_people(
    client, editor_client, editor, researcher, organisation
):
    source = factories.make_source()

    def change():
        staged = models.Organisation.objects.get(pk=organisation.pk)
        staged.summary = "It paid no tax in 2022.[^tax]"
        staged.save()
        factories.cite(staged, "summary", source, marker="tax", quote="paid no corporation tax")

    [revision] = revisions.propose([organisation], researcher, change)[1]
    response = editor_client.post(admin_url(revision), {"decision": "publish"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.summary == "It paid no tax in 2022.[^tax]"
    latest = organisation.history.first()
    assert latest.history_user == editor
    assert f"by {researcher}, approved by {editor}" in latest.history_change_reason
    cache.clear()
    assert "paid no corporation tax" in client.get(organisation.get_absolute_url()).content.decode()


def test_publishing_with_a_reason_keeps_it_with_the_record(editor_client, researcher, organisation):
    revision = propose(organisation, researcher, summary="It paid no tax in 2022.")
    data = {"decision": "publish", "reason": "Stated on the company's own site."}
    assert editor_client.post(admin_url(revision), data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.summary == "It paid no tax in 2022."
    assert organisation.publication_override_reason == "Stated on the company's own site."
    assert Revision.objects.get().override_reason == "Stated on the company's own site."


def test_a_rejection_needs_a_note_which_the_researcher_then_sees(
    client, editor, researcher, organisation
):
    revision = propose(organisation, researcher, founded="1975")
    client.force_login(editor)
    assert client.post(admin_url(revision), {"decision": "reject"}).status_code == 200
    assert Revision.objects.get().is_pending
    client.post(admin_url(revision), {"decision": "reject", "note": "The filing says 1989."})
    assert Revision.objects.get().state == Revision.State.REJECTED
    client.force_login(researcher)
    page = client.get(admin_url(organisation)).content.decode()
    assert "The filing says 1989." in page


def test_the_author_may_withdraw_a_revision(researcher_client, researcher, organisation):
    revision = propose(organisation, researcher, founded="1975")
    researcher_client.post(admin_url(revision), {"decision": "withdraw"})
    assert Revision.objects.get().state == Revision.State.WITHDRAWN


def test_a_pending_revision_does_not_change_the_last_updated_date_publishing_does(
    editor, researcher, organisation
):
    updated = organisation.updated_at
    revision = propose(organisation, researcher, founded="1975")
    organisation.refresh_from_db()
    assert organisation.updated_at == updated
    revisions.publish_revision(revision, editor, "The 1989 citation is of a later filing.")
    organisation.refresh_from_db()
    assert organisation.updated_at > updated


def make_revisions(count, researcher, editor, rows):
    made, source = [], factories.make_source()
    for _ in range(count):
        organisation = factories.make_published(factories.make_organisation(), editor)

        def change(organisation=organisation):
            staged = models.Organisation.objects.get(pk=organisation.pk)
            staged.website = "https://example.org"
            staged.save()
            for number in range(rows):
                alias = staged.aliases.create(name=f"Alias {number}")
                factories.cite(alias, source=source)

        made.extend(revisions.propose([organisation], researcher, change)[1])
    return made


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_review_list_costs_the_same_queries_for_1_revision_as_for_12(
    editor_client, editor, researcher
):
    make_revisions(1, researcher, editor, rows=1)
    url = reverse("admin:investigations_revision_changelist")
    one = count_queries(editor_client, url)
    make_revisions(11, researcher, editor, rows=1)
    assert count_queries(editor_client, url) == one


def test_the_diff_page_costs_the_same_queries_for_1_child_row_as_for_15(
    editor_client, editor, researcher
):
    [small] = make_revisions(1, researcher, editor, rows=1)
    [large] = make_revisions(1, researcher, editor, rows=15)
    small_count = count_queries(editor_client, admin_url(small))
    large_page = editor_client.get(admin_url(large)).content.decode()
    assert large_page.count("Added") >= 30  # 15 aliases and their 15 citations
    assert count_queries(editor_client, admin_url(large)) == (small_count)


def test_unpublishing_keeps_a_pending_revisions_work_in_the_draft(editor, researcher, organisation):
    propose(organisation, researcher, founded="1975")
    revisions.unpublish(organisation, editor)
    organisation.refresh_from_db()
    assert (organisation.status, str(organisation.founded)) == ("draft", "1975")
    assert Revision.objects.get().state == Revision.State.WITHDRAWN


def test_a_relationship_revision_publishes_like_any_other(editor, researcher):
    relationship = factories.make_relationship(start="2016")
    factories.make_published(relationship.subject, editor)
    factories.make_published(relationship.object, editor)
    relationship = factories.make_published(relationship, editor)
    revision = propose(relationship, researcher, start="2015")
    revisions.publish_revision(revision, editor, "Checked")
    relationship.refresh_from_db()
    assert str(relationship.start) == "2015"


def test_a_renamed_records_old_address_redirects_once_its_revision_is_live(
    client, editor, researcher, organisation
):
    old_url = organisation.get_absolute_url()
    revisions.publish_revision(propose(organisation, researcher, slug="alliance-medical"), editor)
    response = client.get(old_url)
    assert response.status_code == 301
    assert response.url == "/organisations/alliance-medical/"


def test_a_row_new_in_a_revision_keeps_its_id_from_rows_added_meanwhile(
    editor, researcher, organisation
):
    def change():
        models.OrganisationAlias.objects.create(organisation=organisation, name="AML")

    [revision] = revisions.propose([organisation], researcher, change)[1]
    [proposed] = revision.snapshot["children"]["aliases"]
    other = models.OrganisationAlias.objects.create(
        organisation=factories.make_organisation(), name="Elsewhere"
    )
    assert other.pk != proposed["pk"]
    revisions.publish_revision(revision, editor, "Checked")
    assert list(organisation.aliases.values_list("name", flat=True)) == ["AML"]
    assert models.OrganisationAlias.objects.get(pk=other.pk).name == "Elsewhere"


def test_the_walk_of_the_issue_a_stale_founded_date_and_an_uncited_summary_are_refused(
    client, editor, researcher, organisation
):
    revision = propose(organisation, researcher, founded="1975", summary="It paid no tax in 2022.")
    with pytest.raises(PublicationRefused) as refused:
        revisions.publish_revision(revision, editor)
    described = [claim.description for claim in refused.value.missing]
    assert any("cited for “1989”, not “1975”" in text for text in described)
    assert any("It paid no tax in 2022." in text for text in described)
    revisions.publish_revision(revision, editor, "Founding date from the registrar by phone.")
    cache.clear()
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert page.count('class="uncited"') >= 2
    assert "Founding date from the registrar by phone." in page


def test_a_child_rows_changelist_filters_rows_whose_record_has_a_pending_revision(
    editor_client, editor, researcher, organisation
):
    alias = models.OrganisationAlias.objects.create(organisation=organisation, name="AML")
    other = models.OrganisationAlias.objects.create(
        organisation=factories.make_organisation(), name="Elsewhere"
    )
    propose(organisation, researcher, founded="1975")
    url = reverse("admin:investigations_organisationalias_changelist")
    shown = editor_client.get(url + "?pending_revision=yes").context["cl"].result_list
    assert list(shown) == [alias]
    hidden = editor_client.get(url + "?pending_revision=no").context["cl"].result_list
    assert list(hidden) == [other]


def test_the_diff_shows_money_in_its_currency(editor_client, editor, researcher):
    contract = factories.make_published(factories.make_contract(value=1_250_000), editor)
    revision = propose(contract, researcher, value=2_500_000)
    [change] = editor_client.get(admin_url(revision)).context["diff"].fields
    assert (change.old, change.new) == ("£1.25m", "£2.5m")


@pytest.mark.parametrize(
    "model",
    [*revisions.PUBLISHABLE_MODELS, *revisions.CHILD_PARENT_FIELDS],
    ids=lambda model: model._meta.model_name,
)
def test_every_changelist_of_records_and_their_rows_filters_by_pending_revision(
    editor_client, model
):
    opts = model._meta
    response = editor_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"pending_revision": "yes"}
    )
    assert response.status_code == 200
    titles = [spec.title for spec in response.context["cl"].filter_specs]
    assert "pending revision" in titles
