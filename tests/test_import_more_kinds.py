"""Framework memberships and site roles import from a sheet of their own, cite inline,
match on their natural key, and export to a file that re-imports unchanged."""

import pytest
import tablib

from investigations import models as m
from investigations.importers.registry import resource_class_for
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
