"""Merging two organisations, people or sources (issue 11): a dry run, one transaction,
aliases and a permanent redirect kept, clashes reported, the gate held, and undo."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from investigations import models as m
from investigations.merging import MergeRefused, merge, plan_merge, undo_merge
from investigations.publication import missing_claims
from tests import factories
from tests.test_valid_html import parse_errors

pytestmark = pytest.mark.django_db


def org(name, **kwargs):
    return factories.make_organisation(name=name, **kwargs)


@pytest.fixture
def pair():
    """The kept "Alliance Medical Ltd" and a duplicate "Alliance Medical" with one row of
    every kind that can point at an organisation, and two that clash with the kept one's."""
    kept, dup, other = org("Alliance Medical Ltd"), org("Alliance Medical"), org("InHealth")
    contract, shared = factories.make_contract(), factories.make_contract()
    concern, site, framework = (
        factories.make_concern(),
        factories.make_site(),
        factories.make_framework(),
    )
    rows = {
        "alias": m.OrganisationAlias.objects.create(organisation=dup, name="AML"),
        "identifier": m.Identifier.objects.create(organisation=dup, value="02128897"),
        "section": m.ProfileSection.objects.create(organisation=dup, heading="strategy", body="x"),
        "filing": m.FinancialFiling.objects.create(organisation=dup, period_end=date(2021, 12, 31)),
        "party": factories.make_party(contract, organisation=dup),
        "relationship": factories.make_relationship(subject=dup, object=other),
        "role": m.Role.objects.create(person=factories.make_person(), organisation=dup),
        "site_role": m.SiteRole.objects.create(site=site, organisation=dup, kind="operator"),
        "membership": m.FrameworkMembership.objects.create(framework=framework, organisation=dup),
        "concern_party": m.ConcernParty.objects.create(concern=concern, organisation=dup),
        "citation": factories.cite(dup),
        "kept_party": factories.make_party(shared, organisation=kept),
        "kept_filing": m.FinancialFiling.objects.create(
            organisation=kept, period_end=date(2022, 12, 31)
        ),
    }
    rows["repeat_party"] = factories.make_party(shared, organisation=dup)
    rows["repeat_filing"] = m.FinancialFiling.objects.create(
        organisation=dup, period_end=date(2022, 12, 31)
    )
    rows["repeat_citation"] = factories.cite(rows["repeat_filing"], "turnover")
    rows["to_itself"] = factories.make_relationship(subject=dup, object=kept)
    factories.make_concern(regulator=dup)
    return kept, dup, rows


def pointing_at(record):
    return {
        "aliases": set(record.aliases.values_list("name", flat=True)),
        "identifiers": record.identifiers.count(),
        "parties": m.ContractParty.objects.filter(organisation=record).count(),
        "relationships": m.Relationship.objects.filter(subject=record).count(),
        "filings": record.filings.count(),
        "citations": record.citations.count(),
    }


def test_the_dry_run_lists_every_kind_of_row_that_moves_and_changes_nothing(pair):
    kept, dup, rows = pair
    before = pointing_at(dup)
    report = "\n".join(plan_merge(kept, dup).lines())
    for name in ("alias", "identifier", "section", "filing", "party", "relationship", "role",
                 "site_role", "membership", "concern_party", "citation"):  # fmt: skip
        row = rows[name]
        assert f"“{row}” (#{row.pk})" in report, name
    assert "concern “" in report and "(regulator)" in report
    assert "Keeps “Alliance Medical” as an alias" in report and "(301)" in report
    assert pointing_at(dup) == before and m.Merge.objects.count() == 0


def test_the_dry_run_reports_each_clash_and_how_it_is_resolved(pair):
    kept, dup, rows = pair
    report = "\n".join(plan_merge(kept, dup).lines())
    party, filing = rows["kept_party"], rows["kept_filing"]
    assert f"Dropped contract party “{rows['repeat_party']}”" in report
    assert f"already has it (#{party.pk})" in report and f"already has it (#{filing.pk})" in report
    assert "would tie “Alliance Medical Ltd” to itself" in report


def test_a_merge_moves_every_row_and_keeps_the_merged_name_as_an_alias(pair, editor):
    kept, dup, rows = pair
    merge(kept, dup, editor)
    for name in ("alias", "identifier", "section", "filing", "role", "site_role", "membership",
                 "concern_party"):  # fmt: skip
        rows[name].refresh_from_db()
        assert rows[name].organisation_id == kept.pk, name
    assert m.ContractParty.objects.filter(organisation=kept).count() == 2
    assert m.Concern.objects.get(regulator=kept)
    assert pointing_at(kept)["aliases"] == {"AML", "Alliance Medical"}
    assert pointing_at(kept)["citations"] == 1
    dup.refresh_from_db()
    assert dup.deleted_at is not None and pointing_at(dup)["parties"] == 0


def test_a_clash_keeps_the_kept_records_row_with_the_dropped_rows_citations(pair, editor):
    kept, dup, rows = pair
    merge(kept, dup, editor)
    assert not m.ContractParty.objects.filter(pk=rows["repeat_party"].pk).exists()
    assert not m.Relationship.objects.filter(pk=rows["to_itself"].pk).exists()
    rows["repeat_citation"].refresh_from_db()
    assert rows["repeat_citation"].record == rows["kept_filing"]


def test_undo_restores_the_merged_record_and_every_row(pair, editor):
    kept, dup, rows = pair
    before = (pointing_at(kept), pointing_at(dup))
    undo_merge(merge(kept, dup, editor), editor)
    kept.refresh_from_db()
    dup.refresh_from_db()
    assert (pointing_at(kept), pointing_at(dup)) == before and dup.deleted_at is None
    rows["repeat_citation"].refresh_from_db()
    assert rows["repeat_citation"].record == rows["repeat_filing"]
    assert m.Relationship.objects.get(pk=rows["to_itself"].pk).object == kept
    assert not m.SlugRedirect.objects.filter(old_slug=dup.slug).exists()
    assert m.Merge.objects.get().undone_by == editor


def test_a_merge_is_in_the_history_of_both_records(pair, editor):
    kept, dup, _ = pair
    merge(kept, dup, editor)
    for record in (kept, dup):
        latest = record.history.first()
        assert "Merged “Alliance Medical”" in latest.history_change_reason
        assert latest.history_user == editor


def test_the_merged_records_address_redirects_permanently(client, editor):
    kept = factories.make_published(org("Alliance Medical Ltd"), editor)
    dup = factories.make_published(org("Alliance Medical"), editor)
    old_slug = dup.slug
    dup.slug = "alliance-medical-2019"
    dup.save()  # its older address is remembered too
    merge(kept, dup, editor)
    cache.clear()
    for slug in (old_slug, "alliance-medical-2019"):
        response = client.get(reverse("organisation_detail", args=[slug]))
        assert response.status_code == 301 and response["Location"] == kept.get_absolute_url()


def test_a_published_kept_record_stays_cited_or_the_merge_is_refused(editor):
    kept = factories.make_published(org("Alliance Medical Ltd"), editor)
    dup = org("Alliance Medical")
    identifier = m.Identifier.objects.create(organisation=dup, value="02128897")
    with pytest.raises(MergeRefused, match="uncited claims"):
        merge(kept, dup, editor)
    identifier.refresh_from_db()
    dup.refresh_from_db()
    assert identifier.organisation == dup and dup.deleted_at is None
    assert not m.OrganisationAlias.objects.exists() and not m.Merge.objects.exists()
    factories.cite(identifier)
    factories.cite(dup)  # its record citation also cites the alias its name becomes
    merge(kept, dup, editor)
    kept.refresh_from_db()
    assert kept.is_published and not missing_claims(kept)


def test_drafts_stay_drafts(editor):
    kept, dup = (
        org("Alliance Medical Ltd"),
        factories.make_published(org("Alliance Medical"), editor),
    )
    merge(kept, dup, editor)
    kept.refresh_from_db()
    assert kept.status == "draft"
    assert not m.Organisation.objects.published().exists()


def test_a_record_with_a_pending_revision_is_not_merged(editor, researcher):
    from investigations.importers.service import run_import

    kept = factories.make_published(org("Alliance Medical Ltd"), editor)
    run_import(
        b"name,country\nAlliance Medical Ltd,GB\n", "o.csv", kind="organisations", user=researcher
    )
    plan = plan_merge(kept, org("Alliance Medical"))
    assert any("pending revision" in reason for reason in plan.blockers)


def test_two_people_merge_with_their_roles_and_concerns(editor):
    kept, dup = factories.make_person(name="Jo Bloggs"), factories.make_person(name="Joanne Bloggs")
    role = m.Role.objects.create(person=dup, organisation=org("Acme"))
    concern = factories.make_concern()
    concern.people.add(dup)
    done = merge(kept, dup, editor)
    role.refresh_from_db()
    assert role.person == kept and list(concern.people.all()) == [kept]
    undo_merge(done, editor)
    assert list(concern.people.all()) == [dup]


def test_two_sources_merge_with_the_citations_that_use_them(editor):
    kept, dup = (
        factories.make_source(title="Annual report 2022"),
        factories.make_source(title="AR 2022"),
    )
    record = org("Acme")
    moved, repeat = (
        factories.cite(record, source=dup),
        factories.cite(record, source=dup, quote="Q"),
    )
    factories.cite(record, source=kept, quote="Q")
    merge(kept, dup, editor)
    moved.refresh_from_db()
    assert moved.source == kept and not m.Citation.objects.filter(pk=repeat.pk).exists()
    assert m.Citation.objects.filter(source=kept).count() == 2


# The admin
def test_the_merge_action_leads_to_a_dry_run_page(editor_client):
    kept, dup = org("Alliance Medical Ltd"), org("Alliance Medical")
    m.Identifier.objects.create(organisation=dup, value="02128897")
    response = factories.post_action(editor_client, m.Organisation, "merge_selected", [kept, dup])
    page = response.content.decode()
    assert response.status_code == 200 and "This is a dry run" in page
    assert "GB-COH-02128897" in page and not m.Merge.objects.exists()


def test_the_admin_merges_on_confirm_and_undoes_from_the_merges_page(editor_client, editor):
    kept, dup = org("Alliance Medical Ltd"), org("Alliance Medical")
    url = reverse("admin:investigations_organisation_merge", args=[kept.pk, dup.pk])
    response = editor_client.post(url, follow=True)
    done = m.Merge.objects.get()
    assert response.status_code == 200 and "Undo this merge" in response.content.decode()
    editor_client.post(reverse("admin:merges_undo", args=[done.pk]))
    dup.refresh_from_db()
    assert dup.deleted_at is None and m.Merge.objects.get().undone_at


def test_a_refused_merge_shows_why_and_leaves_the_database_as_it_was(editor_client, editor):
    kept = factories.make_published(org("Alliance Medical Ltd"), editor)
    dup = org("Alliance Medical")
    url = reverse("admin:investigations_organisation_merge", args=[kept.pk, dup.pk])
    response = editor_client.post(url)
    assert response.status_code == 200 and "The merge was refused" in response.content.decode()
    dup.refresh_from_db()
    assert dup.deleted_at is None and not m.Merge.objects.exists()


def test_researchers_may_not_merge_or_undo(researcher_client, editor):
    kept, dup = org("Alliance Medical Ltd"), org("Alliance Medical")
    url = reverse("admin:investigations_organisation_merge", args=[kept.pk, dup.pk])
    assert researcher_client.get(url).status_code == 403
    assert researcher_client.post(url).status_code == 403
    changelist = researcher_client.get(factories.changelist_url(m.Organisation))
    assert "merge_selected" not in changelist.content.decode()
    done = merge(kept, dup, editor)
    assert researcher_client.post(reverse("admin:merges_undo", args=[done.pk])).status_code == 403
    dup.refresh_from_db()
    assert dup.deleted_at is not None


def test_a_merge_is_undone_only_once(editor):
    done = merge(org("Alliance Medical Ltd"), org("Alliance Medical"), editor)
    undo_merge(done, editor)
    with pytest.raises(MergeRefused, match="undone already"):
        undo_merge(done, editor)


def test_the_merge_pages_are_well_formed_and_take_a_bounded_number_of_queries(
    pair, editor_client, django_assert_max_num_queries
):
    kept, dup, _ = pair
    url = reverse("admin:investigations_organisation_merge", args=[kept.pk, dup.pk])
    # About two queries for each kind of row that can point at an organisation, and one
    # for each record owning a moved row (its pending revision).
    with django_assert_max_num_queries(50):
        dry_run = editor_client.get(url)
    assert dry_run.status_code == 200 and parse_errors(dry_run.content.decode()) == []
    done = editor_client.post(url, follow=True)
    assert done.status_code == 200 and parse_errors(done.content.decode()) == []
