"""Real data in (issue 11): what portal and register data did to the import, each finding
reproduced first, then held."""

from pathlib import Path

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse

from investigations import models as m
from investigations.importers import service
from investigations.importers.plan import MAX_ROW_WARNINGS
from investigations.importers.report import summary_lines
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
SAMPLES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".csv", ".xlsx", ".json"))
pytestmark = pytest.mark.django_db
# Samples in a portal's own layout, read with the mapping shipped for the portal.
SAMPLE_MAPPINGS = {"contracts_portal.csv": "Contracts Finder"}


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def contracts(*lines, **kwargs):
    return service.run_import(csv_bytes(*lines), "c.csv", kind="contracts", **kwargs)


def organisations(*lines, **kwargs):
    return service.run_import(csv_bytes(*lines), "o.csv", kind="organisations", **kwargs)


def all_warnings(result):
    return " ".join(w for sheet in result.sheets for w in sheet.warnings)


def sample_mapping(name):
    saved = SAMPLE_MAPPINGS.get(name)
    return m.ImportMapping.objects.get(name=saved).as_mapping() if saved else None


def verdict(result):
    sheets = [s.summary() for s in result.sheets]
    return result.file_error, result.errors, sheets


# Finding 1: a duplicate supplier in one award
def test_it_lists_the_same_supplier_named_twice_in_one_award_once(researcher):
    factories.make_organisation(name="Alliance Medical Ltd")
    result = contracts(
        "title,reference,supplier", "PET-CT,CF-1,Alliance Medical Ltd;Alliance Medical Ltd"
    )
    assert result.written and not result.errors
    assert m.ContractParty.objects.filter(contract__reference="CF-1").count() == 1
    assert "“Alliance Medical Ltd” is named twice" in all_warnings(result)


def test_it_merges_two_spellings_of_one_supplier_with_a_warning(researcher):
    factories.make_organisation(name="Alliance Medical Ltd")
    result = contracts(
        "title,reference,supplier", "PET-CT,CF-1,Alliance Medical;ALLIANCE MEDICAL LTD"
    )
    assert result.written and m.ContractParty.objects.count() == 1
    assert "name one organisation" in all_warnings(result)


def test_it_merges_a_supplier_planned_in_the_same_file_named_twice(researcher):
    book = tablib.Databook()
    book.add_sheet(
        tablib.Dataset(["Alliance Medical Ltd"], headers=["name"], title="organisations")
    )
    awards = tablib.Dataset(headers=["title", "reference", "supplier"], title="contracts")
    awards.append(["PET-CT", "CF-1", "Alliance Medical;Alliance Medical Ltd"])
    book.add_sheet(awards)
    result = service.run_import(book.export("xlsx"), "book.xlsx", user=researcher)
    assert result.written and m.ContractParty.objects.count() == 1


@pytest.mark.parametrize("name", SAMPLES)
def test_the_dry_run_predicts_the_import_of_every_sample_file(name, researcher):
    data, mapping = (FIXTURES / name).read_bytes(), sample_mapping(name)
    dry = service.run_import(data, name, user=researcher, mapping=mapping, dry_run=True)
    real = service.run_import(data, name, user=researcher, mapping=mapping)
    assert verdict(dry) == verdict(real)
    assert real.written == (not dry.file_error and not dry.errors)


@pytest.mark.parametrize("name", [n for n in SAMPLES if n.startswith("contracts")])
def test_the_dry_run_predicts_the_import_of_contracts_once_their_parties_exist(name, researcher):
    service.run_import((FIXTURES / "organisations.csv").read_bytes(), "organisations.csv")
    data, mapping = (FIXTURES / name).read_bytes(), sample_mapping(name)
    dry = service.run_import(data, name, user=researcher, mapping=mapping, dry_run=True)
    real = service.run_import(data, name, user=researcher, mapping=mapping)
    assert verdict(dry) == verdict(real)


# Finding 3: a contract is overwritten through its title
def test_it_keeps_two_awards_with_one_title_as_two_contracts(researcher):
    factories.make_contract(title="Imaging services", reference="CF-1")
    result = contracts("title,reference,value", "Imaging services,CF-2,£5m")
    assert result.batch.rows_created == 1
    assert m.Contract.objects.get(reference="CF-1").value is None
    assert m.Contract.objects.filter(title="Imaging services").count() == 2


def test_it_keeps_two_awards_with_one_title_in_one_file_apart(researcher):
    result = contracts("title,reference", "Imaging services,CF-1", "Imaging services,CF-2")
    assert result.written and result.batch.rows_created == 2


def test_it_refuses_a_row_matched_by_its_title_alone_unless_matching_by_name(researcher):
    contract = factories.make_contract(title="Imaging services")
    refused = contracts("title,value", "Imaging services,£5m", match_by_name=False)
    [error] = refused.errors
    assert "by title alone" in error["message"] and "--match-by-name" in error["message"]
    taken = contracts("title,value", "Imaging services,£5m", match_by_name=True)
    contract.refresh_from_db()
    assert contract.value == 5_000_000 and "matched by title alone" in all_warnings(taken)


# Finding 4: a new spelling renames the organisation and drops the old name
def test_a_new_name_through_an_identifier_renames_and_keeps_the_old_as_a_former_name(
    researcher,
):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    m.Identifier.objects.create(organisation=org, value="02128897")
    result = organisations("name,identifiers", "AML Imaging,GB-COH-02128897")
    org.refresh_from_db()
    assert org.name == "AML Imaging"
    former = org.aliases.get()
    assert (former.name, former.kind) == ("Alliance Medical Ltd", "former")
    assert "renamed “AML Imaging”" in all_warnings(result)


def test_it_keeps_the_name_when_the_row_names_an_alias(researcher):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    m.OrganisationAlias.objects.create(organisation=org, name="AML")
    organisations("name,country", "AML,GB")
    org.refresh_from_db()
    assert (org.name, org.country) == ("Alliance Medical Ltd", "GB")


# Finding 2: identifiers of unknown schemes are filed as Companies House numbers
def test_it_files_a_register_code_from_the_org_id_list_under_its_own_scheme(researcher):
    organisations("name,identifiers", "Derby City Council,GB-LAE-DER")
    assert m.Identifier.objects.get().org_id == "GB-LAE-DER"


def test_it_keeps_the_case_of_a_supplier_registration_service_id(researcher):
    organisations(
        "name,identifiers", "Natural England,GB-SRS-sid4gov.cabinetoffice.gov.uk/hWvd872d"
    )
    assert m.Identifier.objects.get().value == "sid4gov.cabinetoffice.gov.uk/hWvd872d"


def test_it_imports_the_row_without_an_identifier_of_an_unknown_scheme(researcher):
    result = organisations("name,identifiers", "Acme,XX-ABC-123;GB-COH-02128897")
    assert result.written
    assert [i.org_id for i in m.Identifier.objects.all()] == ["GB-COH-02128897"]
    assert "XX-ABC-123" in all_warnings(result)
    assert "XX-ABC-123" in str(result.batch.summary)


@pytest.mark.parametrize("number", ["123456789", "1234X678", "AB12345"])
def test_it_refuses_a_company_number_of_the_wrong_format_with_a_warning(number, researcher):
    result = organisations("name,identifiers", f"Acme,GB-COH-{number}")
    assert result.written and not m.Identifier.objects.exists()
    assert number in all_warnings(result)


def test_in_strict_mode_an_identifier_that_cannot_be_filed_rejects_its_row(researcher):
    result = organisations("name,identifiers", "Acme,XX-ABC-123", strict_identifiers=True)
    [error] = result.errors
    assert error["column"] == "identifiers" and "XX-ABC-123" in error["message"]
    assert not m.Organisation.objects.exists() and result.batch.strict_identifiers


def test_the_command_line_takes_the_strict_identifiers_option(tmp_path, researcher):
    path = tmp_path / "o.csv"
    path.write_bytes(csv_bytes("name,identifiers", "Acme,123456789"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_batch", str(path), "--kind", "organisations", "--strict-identifiers")


@pytest.mark.parametrize("number", ["SC123456", "NI012345", "OC301234", "R0000123", "02128897"])
def test_it_takes_company_numbers_of_every_format(number, researcher):
    organisations("name,identifiers", f"Acme,GB-COH-{number}")
    assert m.Identifier.objects.get().value == number


def test_it_reports_a_padded_company_number_in_the_preview(researcher):
    result = organisations("name,identifiers", "Acme,158718", dry_run=True)
    assert "158718" in all_warnings(result) and "00158718" in all_warnings(result)


# Finding 8: a value of 0 imports as £0
def test_it_imports_a_zero_value_from_a_spreadsheet_as_zero_by_default(researcher):
    contracts("title,reference,value", "PET-CT,CF-1,0")
    assert m.Contract.objects.get().value == 0


def test_it_treats_a_zero_value_as_unknown_when_asked(researcher):
    result = contracts("title,reference,value", "PET-CT,CF-1,£0", zero_is_unknown=True)
    contract = m.Contract.objects.get()
    assert contract.value is None and contract.currency == "GBP"
    assert "1 value(s) of 0 read as unknown" in all_warnings(result)
    assert result.batch.zero_is_unknown


def test_the_command_line_takes_the_zero_is_unknown_option(tmp_path, researcher):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes("title,reference,value", "PET-CT,CF-1,0"))
    call_command("import_batch", str(path), "--kind", "contracts", "--zero-is-unknown")
    assert m.Contract.objects.get().value is None


# Finding 9: a re-import that changes nothing
def test_a_re_import_that_changes_nothing_says_so_and_commits_no_batch(researcher):
    data = csv_bytes("title,reference,value", "PET-CT,CF-1,£5m")
    service.run_import(data, "c.csv", kind="contracts", user=researcher)
    again = service.run_import(data, "c.csv", kind="contracts", user=researcher)
    assert again.batch.state == m.ImportBatch.State.UNCHANGED
    assert not again.batch.items.exists()
    assert "Nothing changed" in "\n".join(summary_lines(again))


# Finding 6: natural column names are dropped
def test_it_warns_prominently_that_unknown_columns_will_be_dropped(researcher):
    result = organisations("name,company_number,status", "Acme,02128897,active", dry_run=True)
    warning = all_warnings(result)
    assert "will be dropped" in warning and "company_number" in warning
    assert "identifiers" in warning  # the column it should be, suggested


def upload(client, content, kind="contracts", **options):
    file = SimpleUploadedFile("c.csv", content)
    client.post(reverse("admin:imports_upload"), {"file": file, "kind": kind, **options})
    return m.ImportBatch.objects.latest("pk")


def test_the_admin_keeps_strict_identifiers_from_preview_to_confirm(
    researcher_client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    data = csv_bytes("name,identifiers", "Acme,123456789")
    batch = upload(researcher_client, data, kind="organisations", strict_identifiers="1")
    assert batch.strict_identifiers and batch.rows_rejected == 1
    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "failed" and not m.Organisation.objects.exists()


def test_the_admin_reads_zero_as_unknown_from_preview_to_confirm(
    researcher_client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    batch = upload(
        researcher_client, csv_bytes("title,reference,value", "PET-CT,CF-1,0"), zero_is_unknown="1"
    )
    assert batch.zero_is_unknown
    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    assert m.Contract.objects.get().value is None


def test_the_admin_says_nothing_changed_on_a_re_import(researcher_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    data = csv_bytes("title,reference,value", "PET-CT,CF-1,£5m")
    for _ in range(2):
        batch = upload(researcher_client, data)
        response = researcher_client.post(
            reverse("admin:imports_confirm", args=[batch.pk]), follow=True
        )
    batch.refresh_from_db()
    assert batch.state == "unchanged" and "Nothing changed" in response.content.decode()
    assert "Undo this batch" not in response.content.decode()


def test_the_preview_page_shows_the_columns_that_will_be_dropped(
    researcher_client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    batch = upload(researcher_client, csv_bytes("title,status", "PET-CT,active"))
    page = researcher_client.get(
        reverse("admin:investigations_importbatch_change", args=[batch.pk])
    )
    assert 'class="errornote"' in page.content.decode()
    assert "status (use contract_status)" in page.content.decode()


def test_the_upload_page_documents_the_separator_for_several_values(researcher_client):
    page = researcher_client.get(reverse("admin:imports_upload")).content.decode()
    assert "<code>;</code>" in page and "Alliance Medical;InHealth Group" in page


# Finding 5: the portals' layout is refused with no hint
def test_it_says_how_to_give_an_award_with_several_suppliers(researcher):
    factories.make_organisation(name="Alliance Medical Ltd")
    factories.make_organisation(name="InHealth Group")
    result = contracts(
        "title,reference,supplier", "PET-CT,CF-1,Alliance Medical", "PET-CT,CF-1,InHealth Group"
    )
    [error] = result.errors
    assert (
        error["row"] == 3
        and "duplicate of row 2" in error["message"]
        and "separated by ;" in error["message"]
    )


def test_a_dropped_identifier_does_not_keep_a_row_from_its_organisation(researcher):
    org = factories.make_organisation(name="Derby City Council")
    m.Identifier.objects.create(organisation=org, scheme="GB-LAE", value="DER")
    result = organisations("name,country,identifiers", "Derby City Council,GB,XX-FOO-1")
    assert result.batch.rows_updated == 1 and m.Organisation.objects.count() == 1


def test_a_new_identifier_does_not_reach_an_organisation_with_another_by_name(researcher):
    org = factories.make_organisation(name="Acme Ltd")
    m.Identifier.objects.create(organisation=org, value="02128897")
    organisations("name,identifiers", "Acme Ltd,GB-COH-09999999")
    assert m.Organisation.objects.count() == 2


def test_it_keeps_a_few_hundred_row_warnings_and_counts_the_rest(researcher):
    lines = [f"Acme {n},XX-FOO-{n}" for n in range(MAX_ROW_WARNINGS + 5)]
    result = organisations("name,identifiers", *lines)
    warnings = result.batch.summary["o"]["warnings"]
    assert len(warnings) == MAX_ROW_WARNINGS + 1 and warnings[-1] == "… and 5 more warnings"


def test_a_write_that_fails_is_recorded_with_its_reason(researcher, monkeypatch):
    def failing_write(*args):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(service, "write_plan", failing_write)
    with pytest.raises(IntegrityError):
        contracts("title,reference", "PET-CT,CF-1", user=researcher)
    batch = m.ImportBatch.objects.get()
    assert batch.state == "failed" and "UNIQUE constraint failed" in batch.errors[0]["message"]
