"""Search: names, aliases, identifiers, titles and prose of published records, ranked."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from investigations import models
from investigations.importers.service import run_import
from investigations.search import GROUP_LIMIT, document_key, search, terms
from tests.factories import (
    cite,
    make_concern,
    make_contract,
    make_organisation,
    make_person,
    make_source,
)

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def kinds_found(query):
    return {group.kind: [str(record) for record in group.records] for group in search(query)}


@pytest.fixture
def alliance():
    org = make_organisation(
        name="Alliance Medical Ltd", status=PUBLISHED, summary="Runs PET-CT scanners."
    )
    models.Identifier.objects.create(organisation=org, value="2128897")
    models.OrganisationAlias.objects.create(organisation=org, name="AML Imaging")
    models.ProfileSection.objects.create(
        organisation=org, heading="strategy", body="Produces fludeoxyglucose.[^fdg]"
    )
    return org


@pytest.mark.parametrize(
    "query", ["02128897", "2128897", "GB-COH-02128897", "gb coh 02128897", "alliance med"]
)
def test_it_finds_a_company_by_number_org_id_or_name_prefix(alliance, query):
    assert kinds_found(query) == {"organisation": ["Alliance Medical Ltd"]}


def test_it_finds_an_organisation_by_alias_and_by_its_prose(alliance):
    assert kinds_found("AML") == {"organisation": ["Alliance Medical Ltd"]}
    assert kinds_found("fludeoxyglucose") == {"organisation": ["Alliance Medical Ltd"]}
    assert kinds_found("scanners") == {"organisation": ["Alliance Medical Ltd"]}


def test_it_finds_contracts_and_concerns_and_groups_them_by_kind(alliance):
    make_contract(title="PET-CT scanning in England", status=PUBLISHED)
    make_concern(title="Legal challenge", summary="A rival PET-CT bid.", status=PUBLISHED)
    make_person(name="Pet Owner", status=PUBLISHED)
    found = kinds_found("pet")
    assert list(found) == ["organisation", "contract", "concern", "person"]


def test_it_ranks_a_title_match_above_a_passing_mention(alliance):
    make_organisation(name="Scanners United", status=PUBLISHED)
    assert kinds_found("scanners")["organisation"][0] == "Scanners United"


def test_it_never_finds_drafts_or_deleted_records():
    make_organisation(name="Draft Diagnostics")
    make_contract(title="Draft Diagnostics contract")
    assert search("draft diagnostics") == []


def test_it_sees_a_change_at_once():
    org = make_organisation(name="Equitix", status=PUBLISHED)
    assert kinds_found("equitix")
    org.status = "draft"
    org.save()
    assert search("equitix") == []


def test_it_ignores_punctuation_that_would_break_the_query_syntax(alliance):
    assert terms('"alliance" OR (medical*') == ["alliance", "or", "medical"]
    assert search('"') == []
    # NEAR is an FTS5 operator, and (unlike AND) not a stop word PostgreSQL would drop.
    assert search("alliance NEAR") == []


def test_the_search_page_shows_grouped_results(client, alliance):
    response = client.get(reverse("search"), {"q": "02128897"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Organisations (1)" in html
    assert f'href="/organisations/{alliance.slug}/"' in html
    assert '<label for="search-q">' in html


def test_an_alias_added_later_is_found(alliance):
    assert search("scanography") == []
    models.OrganisationAlias.objects.create(organisation=alliance, name="Scanography Ltd")
    assert kinds_found("scanography") == {"organisation": ["Alliance Medical Ltd"]}


def test_a_passage_shows_in_search_only_while_its_source_is_published(alliance):
    section = alliance.sections.get()
    draft_source = make_source(status="draft")
    cite(section, "body", source=draft_source, marker="fdg")
    assert search("fludeoxyglucose") == []
    draft_source.status = "published"
    draft_source.save()
    assert kinds_found("fludeoxyglucose") == {"organisation": ["Alliance Medical Ltd"]}


def test_a_committed_import_batch_indexes_what_it_wrote_in_bulk(editor):
    data = b"name,source,locator\nPat Importedperson,Register,p1\n"
    run_import(data, "people.csv", user=editor, kind="people", publish=True)
    assert kinds_found("importedperson") == {"person": ["Pat Importedperson"]}


def test_a_save_rewrites_one_document_not_the_whole_index(django_assert_max_num_queries):
    for number in range(60):
        make_organisation(name=f"Bulkhead {number} Ltd", status=PUBLISHED)
    assert len(search("bulkhead")[0].records) == GROUP_LIMIT
    renamed = make_organisation(name="Equitix", status=PUBLISHED)
    search("equitix")
    renamed.name = "Equitix Health"
    renamed.save()
    # The same count with 1 published organisation or 60: only the saved one is rewritten
    # (and the search pages' cache tag bumped: two queries).
    with django_assert_max_num_queries(14):
        assert kinds_found("health") == {"organisation": ["Equitix Health"]}


def test_the_rebuild_command_restores_a_wiped_index(alliance):
    search("alliance")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM investigations_search")
    assert search("alliance") == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert kinds_found("alliance") == {"organisation": ["Alliance Medical Ltd"]}


def test_a_records_document_is_found_by_its_key_and_replaced_on_each_save():
    org = make_organisation(name="Keyed Imaging", status=PUBLISHED)
    search("keyed")
    for name in ("Keyed Imaging Ltd", "Keyed Scanning Ltd"):
        org.name = name
        org.save()
        search("keyed")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title FROM investigations_search WHERE kind = 'organisation'"
            " AND record_id = %s",
            [org.pk],
        )
        assert cursor.fetchall() == [("Keyed Scanning Ltd",)]
        if connection.vendor == "sqlite":
            # FTS5 indexes only the text: the key is what finds the document.
            cursor.execute(
                "SELECT title FROM investigations_search WHERE rowid = %s",
                [document_key("organisation", org.pk)],
            )
            assert cursor.fetchall() == [("Keyed Scanning Ltd",)]
