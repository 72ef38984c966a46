"""The import engine: one file, one batch, matched by natural keys, undoable."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations import models as m
from investigations.importers.service import run_import
from investigations.importers.undo import UndoRefused, undo_batch
from investigations.search import search
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
pytestmark = pytest.mark.django_db


def load(name):
    return (FIXTURES / name).read_bytes()


def imported(name, **kwargs):
    return run_import(load(name), name, **kwargs)


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def test_it_imports_organisations_with_identifiers_aliases_and_citations(researcher):
    result = imported("organisations.csv", user=researcher)
    assert result.written and result.batch.rows_created == 4
    alliance = m.Organisation.objects.get(identifiers__value="02128897")
    assert alliance.name == "Alliance Medical Ltd" and alliance.status == "draft"
    assert alliance.founded == "1989"
    assert alliance.citations.get().locator == "Company overview"
    assert m.OrganisationAlias.objects.filter(name="Somerset FT").exists()


def test_it_imports_contracts_with_parties_and_an_inline_citation(researcher):
    imported("organisations.csv", user=researcher)
    result = imported("contracts.csv", user=researcher)
    assert result.batch.rows_created == 2
    pet = m.Contract.objects.get(reference="NHSE-PETCT-2016")
    assert (pet.value, pet.currency, pet.awarded) == (350_000_000, "GBP", "2016-11")
    roles = {(p.organisation.name, p.role) for p in pet.parties.all()}
    assert roles == {
        ("Somerset NHS Foundation Trust", "buyer"),
        ("Alliance Medical Ltd", "lead_supplier"),
    }
    assert pet.citations.get().source.title == "NHS England award notice"


def test_it_changes_nothing_when_the_same_file_is_imported_twice(researcher):
    imported("organisations.csv", user=researcher)
    imported("contracts.csv", user=researcher)
    counts = [model.objects.count() for model in (m.Contract, m.ContractParty, m.Citation)]
    again = imported("contracts.csv", user=researcher)
    assert again.batch.rows_skipped == 2 and again.batch.rows_created == 0
    assert counts == [model.objects.count() for model in (m.Contract, m.ContractParty, m.Citation)]
    assert m.Contract.history.count() == 2


def test_it_matches_by_bare_company_number_alias_and_suffix(researcher):
    org = factories.make_organisation(name="Alliance Medical Limited")
    m.Identifier.objects.create(organisation=org, value="2128897")
    data = csv_bytes(
        "title,buyer,supplier",
        "A,02128897,ALLIANCE MEDICAL",
        "B,GB-COH-02128897,Alliance Medical plc",
    )
    result = run_import(data, "c.csv", user=researcher, kind="contracts")
    assert not result.errors
    assert m.ContractParty.objects.filter(organisation=org).count() == 4


def test_it_names_the_candidates_of_an_ambiguous_reference(researcher):
    factories.make_organisation(name="Medical Imaging Ltd")
    factories.make_organisation(name="Medical Imaging Limited")
    data = csv_bytes("title,buyer", "A,Medical Imaging")
    result = run_import(data, "c.csv", user=researcher, kind="contracts")
    [error] = result.errors
    assert error["row"] == 2 and error["column"] == "buyer"
    assert (
        "Medical Imaging Ltd" in error["message"] and "Medical Imaging Limited" in error["message"]
    )
    assert not m.Contract.objects.exists()


def test_it_writes_nothing_when_one_row_is_invalid(researcher):
    result = imported("contracts_bad_row.csv", user=researcher, kind="contracts")
    assert not result.written and result.batch.state == "failed"
    assert not m.Contract.objects.exists() and not m.Source.objects.exists()
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "value")]


def test_it_writes_the_valid_rows_when_told_to_skip_invalid_ones(researcher):
    result = imported("contracts_bad_row.csv", user=researcher, skip_invalid=True)
    assert result.written and result.batch.rows_rejected == 1
    assert m.Contract.objects.count() == 2
    assert result.rejected_rows[0][1] == 3


def test_it_records_the_batch_on_history_and_items(researcher):
    result = imported("organisations.csv", user=researcher)
    batch = result.batch
    assert batch.file_sha256 and batch.user == researcher and batch.state == "committed"
    org = m.Organisation.objects.first()
    assert org.history.get().import_batch == batch
    assert batch.items.filter(content_type__model="organisation").count() == 4
    assert batch.items.filter(content_type__model="citation").count() == 4


def test_an_editor_undoes_a_batch_removing_created_and_restoring_updated(editor):
    org = factories.make_organisation(name="InHealth Group", website="https://old.example")
    data = csv_bytes("name,website", "InHealth Group,https://new.example", "New Co Ltd,")
    result = run_import(data, "o.csv", user=editor, kind="organisations")
    assert result.batch.rows_updated == 1 and result.batch.rows_created == 1
    undo_batch(result.batch, editor)
    org.refresh_from_db()
    assert org.website == "https://old.example"
    assert not m.Organisation.objects.filter(name="New Co Ltd").exists()
    assert result.batch.state == "undone"
    assert org.history.filter(import_batch=result.batch).count() == 2


def update_websites(editor, count, prefix):
    names = [f"{prefix} {number}" for number in range(count)]
    for name in names:
        factories.make_organisation(name=name, website="https://old.example")
    rows = [f"{name},https://new.example" for name in names]
    return run_import(csv_bytes("name,website", *rows), "o.csv", user=editor, kind="organisations")


def test_undoing_an_update_batch_takes_the_same_queries_for_3_rows_as_for_30(
    editor, django_assert_num_queries
):
    warm_up = update_websites(editor, 1, "Clinic")
    small = update_websites(editor, 3, "Hospice")
    large = update_websites(editor, 30, "Trust")
    assert large.batch.rows_updated == 30
    undo_batch(warm_up.batch, editor)  # fills the content-type cache the others then share
    with CaptureQueriesContext(connection) as small_undo:
        undo_batch(small.batch, editor)
    with django_assert_num_queries(len(small_undo.captured_queries)):
        undo_batch(large.batch, editor)
    assert set(m.Organisation.objects.values_list("website", flat=True)) == {"https://old.example"}
    restored = m.Organisation.objects.get(name="Trust 29").history.first()
    assert restored.history_change_reason == f"Restored by undoing import batch #{large.batch.pk}"


def test_an_imported_change_to_a_published_record_stays_out_of_search_and_undo_withdraws_it(
    editor,
):
    equitix = factories.make_organisation(name="Equitix", summary="Invests in hospitals.[^a]")
    factories.make_published(equitix, editor)
    data = csv_bytes("name,summary", "Equitix,Invests in scanners.")
    result = run_import(data, "o.csv", user=editor, kind="organisations")
    assert search("scanners") == []
    revision = m.Revision.objects.get(import_batch=result.batch)
    assert revision.is_pending
    undo_batch(result.batch, editor)
    revision.refresh_from_db()
    assert revision.state == m.Revision.State.WITHDRAWN
    assert [group.kind for group in search("hospitals")] == ["organisation"]


def test_a_write_that_fails_part_way_takes_back_the_chunks_already_written(editor, monkeypatch):
    from investigations.importers import write

    org = factories.make_organisation(name="InHealth Group", website="https://old.example")
    organisations_before = m.Organisation.objects.count()
    monkeypatch.setattr(write, "CHUNK", 2)
    real_items, chunks = write._items, []

    def items_failing_on_the_fifth_chunk(model, *args):
        chunks.append(model)
        if len(chunks) == 5:
            raise RuntimeError("disk full")
        return real_items(model, *args)

    monkeypatch.setattr(write, "_items", items_failing_on_the_fifth_chunk)
    rows = [f"New Scan Co {number},,NSC{number}" for number in range(5)]
    data = csv_bytes("name,website,aliases", "InHealth Group,https://new.example,", *rows)
    with pytest.raises(RuntimeError):
        run_import(data, "o.csv", user=editor, kind="organisations")
    # Three chunks of new organisations and one of updates were committed, then taken back.
    assert chunks == [m.Organisation] * 4 + [m.OrganisationAlias]
    assert m.Organisation.objects.count() == organisations_before
    org.refresh_from_db()
    assert org.website == "https://old.example"
    batch = m.ImportBatch.objects.get()
    assert batch.state == "failed" and not batch.items.exists()


def test_a_researcher_cannot_undo_a_batch(researcher):
    from django.core.exceptions import PermissionDenied

    result = imported("organisations.csv", user=researcher)
    with pytest.raises(PermissionDenied):
        undo_batch(result.batch, researcher)


def test_it_refuses_to_undo_a_batch_twice(editor):
    result = imported("organisations.csv", user=editor)
    undo_batch(result.batch, editor)
    with pytest.raises(UndoRefused):
        undo_batch(result.batch, editor)


def test_it_never_takes_status_or_pk_from_the_file(researcher):
    data = csv_bytes("id,name,status,published_at", "999,Sneaky Ltd,published,2020-01-01")
    result = run_import(data, "o.csv", user=researcher, kind="organisations")
    org = m.Organisation.objects.get()
    assert org.pk != 999 and org.status == "draft"
    assert "id" in result.sheets[0].warnings[0] and "status" in result.sheets[0].warnings[0]


def test_only_an_editor_may_publish_on_import(researcher):
    with pytest.raises(PermissionError):
        imported("organisations.csv", user=researcher, publish=True)


def test_publish_applies_the_gate_row_by_row(editor):
    data = csv_bytes(
        "name,source,locator,description",
        "Pat Cited,Register,p1,",
        "Sam Half Cited,Register,p2,A director",
    )
    result = run_import(data, "p.csv", user=editor, kind="people", publish=True)
    assert m.Person.objects.get(name="Pat Cited").status == "published"
    assert m.Person.objects.get(name="Sam Half Cited").status == "draft"
    assert m.Source.objects.get().status == "published"
    assert result.publish_refused[0][0] == 3


def test_the_command_prints_a_summary_and_dry_run_writes_nothing(capsys, db):
    call_command("import_batch", str(FIXTURES / "organisations.csv"), "--dry-run")
    assert "4 created" in capsys.readouterr().out
    assert not m.Organisation.objects.exists() and not m.ImportBatch.objects.exists()
    call_command("import_batch", str(FIXTURES / "organisations.csv"))
    assert m.Organisation.objects.count() == 4


def test_the_command_refuses_a_bad_file_and_can_skip_its_invalid_rows(capsys, researcher):
    from django.core.management.base import CommandError

    path = str(FIXTURES / "contracts_bad_row.csv")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_batch", path, "--kind", "contracts", "--user", researcher.username)
    assert "row 3, column value" in capsys.readouterr().out
    call_command("import_batch", path, "--skip-invalid", "--user", researcher.username)
    assert m.Contract.objects.count() == 2
    assert m.ImportBatch.objects.filter(state="committed").get().user == researcher


def test_records_saved_after_an_import_get_ids_of_their_own(researcher):
    """The fast path assigns ids itself (from the sequence on PostgreSQL): the ORM's next
    insert into each table must not collide with them."""
    imported("organisations.csv", user=researcher)
    imported("contracts.csv", user=researcher)
    contract = factories.make_contract(title="Saved after the import")
    party = factories.make_party(contract=contract)
    citation = m.Citation.objects.create(
        content_type_id=m.Citation.objects.first().content_type_id,
        object_id=contract.pk,
        source=factories.make_source(title="A later source"),
        quote="Saved later.",
    )
    assert contract.pk > max(
        m.Contract.objects.exclude(pk=contract.pk).values_list("pk", flat=True)
    )
    assert party.pk and citation.pk


def test_it_writes_children_citations_and_items_across_chunk_boundaries(researcher, monkeypatch):
    from investigations.importers import write

    monkeypatch.setattr(write, "CHUNK", 2)
    imported("organisations.csv", user=researcher)
    rows = [
        f"Contract {i},REF-{i},£{i}m,2020,Somerset FT,InHealth Group,Notice {i % 2},Quote {i}"
        for i in range(5)
    ]
    header = "title,reference,value,awarded,buyer,lead_supplier,source,quote"
    result = run_import(csv_bytes(header, *rows), "c.csv", user=researcher)
    assert result.written and result.batch.rows_created == 5
    assert m.ContractParty.objects.filter(contract__reference__startswith="REF-").count() == 10
    assert m.Citation.objects.filter(quote__startswith="Quote ").count() == 5
    items = result.batch.items
    assert items.filter(content_type__model="contractparty").count() == 10
    numbers = sorted(
        items.filter(content_type__model="citation").values_list("row_number", flat=True)
    )
    assert numbers == [2, 3, 4, 5, 6]
    assert m.Contract.history.filter(import_batch=result.batch).count() == 5


def test_other_databases_get_the_same_import_through_bulk_create(researcher, monkeypatch):
    from investigations.importers import fastinsert

    monkeypatch.setattr(fastinsert, "FAST_VENDORS", ())
    imported("organisations.csv", user=researcher)
    result = imported("contracts.csv", user=researcher)
    assert result.written and result.batch.rows_created == 2
    pet = m.Contract.objects.get(reference="NHSE-PETCT-2016")
    assert pet.parties.count() == 2 and pet.citations.get().quote
    assert pet.history.get().import_batch == result.batch
    assert result.batch.items.filter(content_type__model="contractparty").count() == 4
