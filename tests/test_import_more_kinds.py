"""Framework memberships and site roles import from a sheet of their own, cite inline,
match on their natural key, and export to a file that re-imports unchanged."""

import pytest
import tablib

from investigations import models as m
from investigations.importers.resources import resource_class_for
from investigations.importers.service import run_import
from investigations.importers.spreadsheets import template_dataset
from tests import factories

pytestmark = pytest.mark.django_db

MEMBERSHIPS = (
    "framework,organisation,lot,start,source,quote\n"
    "Imaging framework,Alliance Medical Ltd,Lot 2: PET-CT,2021-04,Award notice,"
    "appointed to Lot 2\n"
)
SITE_ROLES = (
    "site,organisation,kind,start,source,locator\n"
    "Taunton CDC,Alliance Medical Ltd,operator,2022,Trust board papers,p. 14\n"
)
WORKBOOK = {
    "organisations": [["name", "kind"], ["Alliance Medical Ltd", "company"]],
    "frameworks": [["name"], ["Imaging framework"]],
    "framework_memberships": [
        ["framework", "organisation", "lot", "source", "quote"],
        ["Imaging framework", "Alliance Medical", "Lot 1", "Award notice", "Lot 1: MRI"],
    ],
    "sites": [["name", "kind"], ["Taunton CDC", "cdc"]],
    "site_roles": [
        ["site", "organisation", "kind", "start", "source", "locator"],
        ["Taunton CDC", "Alliance Medical Ltd", "operator", "2022", "Board papers", "p. 14"],
    ],
}


@pytest.fixture
def parents(db):
    return {
        "framework": factories.make_framework(name="Imaging framework"),
        "site": factories.make_site(name="Taunton CDC"),
        "organisation": factories.make_organisation(name="Alliance Medical Ltd"),
    }


def csv_import(text, kind, user):
    return run_import(text.encode(), f"{kind}.csv", user=user, kind=kind)


def workbook(sheets=WORKBOOK):
    return tablib.Databook(
        [tablib.Dataset(*rows[1:], headers=rows[0], title=name) for name, rows in sheets.items()]
    ).export("xlsx")


def export(model):
    return resource_class_for(model)().export().export("csv").encode()


def test_it_imports_a_framework_membership_with_its_citation(parents, researcher):
    result = csv_import(MEMBERSHIPS, "framework_memberships", researcher)
    assert result.written and not result.errors, result.errors
    membership = m.FrameworkMembership.objects.get()
    assert membership.framework == parents["framework"]
    assert membership.organisation == parents["organisation"]
    assert (membership.lot, membership.start) == ("Lot 2: PET-CT", "2021-04")
    assert membership.citations.get().quote == "appointed to Lot 2"


def test_it_imports_a_site_role_with_its_citation(parents, researcher):
    result = csv_import(SITE_ROLES, "site_roles", researcher)
    assert result.written and not result.errors, result.errors
    role = m.SiteRole.objects.get()
    assert (role.site, role.organisation) == (parents["site"], parents["organisation"])
    assert (role.kind, role.start) == ("operator", "2022")
    assert role.citations.get().source.title == "Trust board papers"


@pytest.mark.parametrize(
    "text, kind", [(MEMBERSHIPS, "framework_memberships"), (SITE_ROLES, "site_roles")]
)
def test_importing_the_same_sheet_twice_changes_nothing(parents, researcher, text, kind):
    csv_import(text, kind, researcher)
    again = csv_import(text, kind, researcher)
    assert (again.batch.rows_created, again.batch.rows_updated) == (0, 0)
    assert again.batch.rows_skipped == 1
    assert m.Citation.objects.count() == 1


def test_a_later_sheet_updates_the_membership_it_matches(parents, researcher):
    csv_import(MEMBERSHIPS, "framework_memberships", researcher)
    csv_import(MEMBERSHIPS.replace("2021-04", "2021-05"), "framework_memberships", researcher)
    assert m.FrameworkMembership.objects.get().start == "2021-05"


def test_a_workbook_creates_the_parents_and_their_memberships_and_site_roles(researcher):
    result = run_import(workbook(), "book.xlsx", user=researcher)
    assert not result.errors, result.errors
    kinds = [s.kind for s in result.sheets]
    assert kinds.index("framework_memberships") > kinds.index("frameworks")
    assert kinds.index("site_roles") > kinds.index("sites")
    membership = m.FrameworkMembership.objects.get()
    assert membership.framework.name == "Imaging framework" and membership.lot == "Lot 1"
    assert membership.organisation.name == "Alliance Medical Ltd"
    assert m.SiteRole.objects.get().site.name == "Taunton CDC"
    assert m.Citation.objects.count() == 2


def test_the_same_workbook_twice_changes_nothing(researcher):
    run_import(workbook(), "book.xlsx", user=researcher)
    again = run_import(workbook(), "book.xlsx", user=researcher)
    assert (again.batch.rows_created, again.batch.rows_updated) == (0, 0)
    assert again.batch.rows_skipped == 5


def test_an_unknown_framework_is_reported_by_row_and_column(parents, researcher):
    result = csv_import(MEMBERSHIPS.replace("Imaging framework", "Nope"), "framework_memberships",
                        researcher)  # fmt: skip
    assert not result.written
    assert result.errors == [
        {
            "sheet": "framework_memberships",
            "row": 2,
            "column": "framework",
            "message": "no framework matches “Nope”",
        }
    ]


def test_an_ambiguous_organisation_names_the_candidates(parents, researcher):
    twin = factories.make_organisation(name="Alliance Medical Ltd")
    result = csv_import(SITE_ROLES, "site_roles", researcher)
    [error] = result.errors
    assert (error["row"], error["column"]) == (2, "organisation")
    assert "matches several organisations" in error["message"]
    assert f"#{twin.pk}" in error["message"]
    assert f"#{parents['organisation'].pk}" in error["message"]
    assert not m.SiteRole.objects.exists()


def test_an_inline_citation_of_a_field_the_record_lacks_rejects_the_row(parents, researcher):
    text = SITE_ROLES.replace("source,", "cited_field,source,").replace("2022,", "2022,lot,")
    result = csv_import(text, "site_roles", researcher)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "cited_field")]
    assert not m.SiteRole.objects.exists()


def test_a_site_role_needs_a_kind_the_model_knows(parents, researcher):
    result = csv_import(SITE_ROLES.replace("operator", "tenant"), "site_roles", researcher)
    error = result.errors[0]
    assert (error["row"], error["column"]) == (2, "kind") and "operator" in error["message"]


def test_the_same_membership_twice_in_a_file_is_rejected(parents, researcher):
    line = MEMBERSHIPS.splitlines()[1]
    result = csv_import(MEMBERSHIPS + line + "\n", "framework_memberships", researcher)
    assert [e["row"] for e in result.errors] == [3]
    assert "duplicate of row 2" in result.errors[0]["message"]


@pytest.mark.parametrize(
    "kind, model", [("framework_memberships", m.FrameworkMembership), ("site_roles", m.SiteRole)]
)
def test_an_export_reimports_unchanged_and_rebuilds_the_same_rows(researcher, kind, model):
    run_import(workbook(), "book.xlsx", user=researcher)
    data = export(model)
    unchanged = run_import(data, f"{kind}.csv", user=researcher, kind=kind)
    assert not unchanged.errors and not unchanged.sheets[0].warnings
    assert unchanged.batch.rows_skipped == 1 and unchanged.batch.rows_created == 0
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    before = list(model.objects.values(*columns))
    model.objects.all().delete()
    rebuilt = run_import(data, f"{kind}.csv", user=researcher, kind=kind)
    assert rebuilt.batch.rows_created == 1
    assert list(model.objects.values(*columns)) == before


def test_an_export_names_its_references_by_slug(parents, researcher):
    csv_import(MEMBERSHIPS, "framework_memberships", researcher)
    exported = tablib.Dataset().load(export(m.FrameworkMembership).decode(), format="csv")
    assert exported.headers[:2] == ["framework", "organisation"]
    assert exported[0][:3] == ("imaging-framework", parents["organisation"].slug, "Lot 2: PET-CT")


@pytest.mark.parametrize("kind", ["framework_memberships", "site_roles"])
def test_the_blank_template_has_the_kind_columns_and_citation_columns(kind):
    headers = template_dataset(kind).headers
    parent = "framework" if kind == "framework_memberships" else "site"
    assert headers[:2] == [parent, "organisation"]
    assert {"source", "quote", "locator", "confidence"} <= set(headers)


def test_a_sheet_named_memberships_is_read_as_framework_memberships(parents, researcher):
    result = run_import(workbook({"memberships": WORKBOOK["framework_memberships"]}), "m.xlsx",
                        user=researcher)  # fmt: skip
    assert result.sheets[0].kind == "framework_memberships" and not result.errors


CITATIONS = (
    "record_kind,record,cited_field,marker,source,quote,locator,confidence\n"
    "contracts,national-pet-ct,value,,Award notice,valued at £350 million,,high\n"
    "organisation,Alliance Medical Ltd,,,Companies House,,Overview,medium\n"
    "sites,Taunton CDC,description,opening,Trust board papers,opened in 2022,p. 3,\n"
)


@pytest.fixture
def cited(parents):
    return {**parents, "contract": factories.make_contract(title="National PET-CT")}


def test_a_citations_sheet_cites_records_named_by_kind_and_natural_key(cited, researcher):
    result = csv_import(CITATIONS, "citations", researcher)
    assert result.written and not result.errors, result.errors
    value = cited["contract"].citations.get()
    assert (value.field_name, value.quote, value.source.title) == (
        "value", "valued at £350 million", "Award notice")  # fmt: skip
    whole = cited["organisation"].citations.get()
    assert (whole.field_name, whole.locator, whole.confidence) == ("", "Overview", "medium")
    prose = cited["site"].citations.get()
    assert (prose.field_name, prose.marker) == ("description", "opening")


def test_the_same_citations_sheet_twice_changes_nothing(cited, researcher):
    csv_import(CITATIONS, "citations", researcher)
    again = csv_import(CITATIONS, "citations", researcher)
    assert (again.batch.rows_created, again.batch.rows_skipped) == (0, 3)
    assert m.Citation.objects.count() == 3


def test_a_citations_sheet_cites_records_new_in_the_same_workbook(researcher):
    citations = [
        ["record_kind", "record", "cited_field", "source", "locator"],
        ["sites", "Taunton CDC", "opened", "Board papers", "p. 2"],
    ]
    result = run_import(workbook({**WORKBOOK, "citations": citations}), "b.xlsx", user=researcher)
    assert not result.errors, result.errors
    assert [s.kind for s in result.sheets][-1] == "citations"
    assert m.Site.objects.get().citations.get().field_name == "opened"


def test_a_record_without_a_name_is_cited_by_its_id(parents, researcher):
    csv_import(SITE_ROLES, "site_roles", researcher)
    role = m.SiteRole.objects.get()
    text = (
        f"record_kind,record,cited_field,source,quote\nsite_roles,#{role.pk},start,Memo,From 2022\n"
    )
    assert not csv_import(text, "citations", researcher).errors
    assert role.citations.filter(field_name="start").exists()


@pytest.mark.parametrize(
    "line, column, message",
    [
        ("contracts,Nope,,,Memo,quoted,,", "record", "no contract matches “Nope”"),
        ("widgets,Nope,,,Memo,quoted,,", "record_kind", "“widgets” is not a kind"),
        ("contracts,,,,Memo,quoted,,", "record", "a value is required"),
        ("contracts,national-pet-ct,colour,,Memo,quoted,,", "cited_field", "not a claim"),
        ("contracts,national-pet-ct,,,Memo,,,", "quote", "needs a quote or a locator"),
        ("contracts,national-pet-ct,,,Memo,quoted,,certain", "confidence", "high, medium"),
        ("roles,Pat,,,Memo,quoted,,", "record", "no person matches “Pat”"),
        ("roles,#999,,,Memo,quoted,,", "record", "by its id, as “#12”"),
    ],
)
def test_a_bad_citation_row_is_reported_by_row_and_column(cited, researcher, line, column,
                                                         message):  # fmt: skip
    result = csv_import(CITATIONS.splitlines()[0] + "\n" + line + "\n", "citations", researcher)
    [error] = result.errors
    assert (error["row"], error["column"]) == (2, column) and message in error["message"]
    assert not m.Citation.objects.exists()


def test_a_citation_of_an_ambiguous_name_lists_the_candidates(cited, researcher):
    twin = factories.make_organisation(name="Alliance Medical Ltd")
    result = csv_import(CITATIONS, "citations", researcher)
    [error] = result.errors
    assert (error["row"], error["column"]) == (3, "record")
    assert f"#{twin.pk}" in error["message"] and "matches several" in error["message"]


def test_the_same_citation_twice_in_a_sheet_is_rejected(cited, researcher):
    line = CITATIONS.splitlines()[1]
    result = csv_import(CITATIONS + line + "\n", "citations", researcher)
    assert [(e["row"], e["message"]) for e in result.errors] == [(5, "duplicate of row 2")]


def test_exported_citations_rebuild_the_same_citations(researcher):
    run_import(workbook(), "book.xlsx", user=researcher)
    data = export(m.Citation)
    columns = ("content_type", "object_id", "field_name", "marker", "source", "quote", "locator")
    before = set(m.Citation.objects.values_list(*columns))
    m.Citation.objects.all().delete()
    rebuilt = run_import(data, "citations.csv", user=researcher, kind="citations")
    assert not rebuilt.errors and rebuilt.batch.rows_created == len(before) == 2
    assert set(m.Citation.objects.values_list(*columns)) == before


def test_the_citations_template_has_the_record_columns():
    assert template_dataset("citations").headers[:2] == ["record_kind", "record"]
