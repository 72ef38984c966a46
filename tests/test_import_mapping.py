"""Column mapping (issue 11): a file's own column names read as the template's, saved
mappings, and the portals' layout of one row per award and party."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from investigations import models as m
from investigations.importers import service
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
REGISTER = ("name,company_number,status", "Alliance Medical Ltd,2128897,active")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def upload(client, content, kind="organisations", **options):
    file = SimpleUploadedFile("download.csv", content)
    client.post(reverse("admin:imports_upload"), {"file": file, "kind": kind, **options})
    return m.ImportBatch.objects.latest("pk")


def page(client, batch):
    url = reverse("admin:investigations_importbatch_change", args=[batch.pk])
    return client.get(url).content.decode()


def remap(client, batch, **fields):
    client.post(reverse("admin:imports_remap", args=[batch.pk]), fields)
    batch.refresh_from_db()
    return batch


def confirm(client, batch):
    client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    return batch


def make_parties(*suppliers):
    factories.make_organisation(name="Somerset NHS Foundation Trust")
    for name in suppliers:
        factories.make_organisation(name=name)


def awards(*lines, **kwargs):
    header = "reference,title,value,buyer,supplier"
    return service.run_import(csv_bytes(header, *lines), "c.csv", kind="contracts", **kwargs)


GROUPED = {"one_row_per_party": True}
SOMERSET = "Somerset NHS Foundation Trust"


# Mapping in the preview
def test_the_preview_preselects_the_template_column_a_common_name_means(researcher_client):
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    content = page(researcher_client, batch)
    assert '<option value="identifiers:GB-COH" selected>' in content
    assert '<option value="org_status" selected>' in content
    assert 'name="column:company_number"' in content and 'name="column:status"' in content


def test_the_preview_says_prominently_that_unmapped_columns_are_dropped(researcher_client):
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    content = page(researcher_client, batch)
    warning = content[content.index('class="errornote"') : content.index("Column mapping")]
    assert "will be dropped" in warning and "company_number" in warning
    assert "Map them below" in warning


def test_confirm_applies_the_mapping_the_preview_was_given(researcher_client):
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    batch = remap(
        researcher_client,
        batch,
        **{"column:company_number": "identifiers:GB-COH", "column:status": "org_status"},
    )
    assert batch.state == "previewed" and "will be dropped" not in page(researcher_client, batch)
    assert confirm(researcher_client, batch).state == "committed"
    org = m.Organisation.objects.get()
    assert org.org_status == "active"
    assert [i.org_id for i in org.identifiers.all()] == ["GB-COH-02128897"]
    assert batch.mapping["columns"] == {
        "company_number": "identifiers:GB-COH",
        "status": "org_status",
    }


def test_a_column_left_unmapped_is_dropped_with_its_warning(researcher_client):
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    batch = remap(
        researcher_client, batch, **{"column:company_number": "", "column:status": "org_status"}
    )
    assert batch.summary["download"]["dropped"] == [
        "company_number (use identifiers, as GB-COH-<value>)"
    ]
    confirm(researcher_client, batch)
    assert not m.Identifier.objects.exists() and m.Organisation.objects.get().org_status == "active"


def test_the_form_refuses_a_target_it_did_not_offer(researcher_client):
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    batch = remap(researcher_client, batch, **{"column:company_number": "supplier"})
    assert batch.mapping == {} and batch.summary["download"]["dropped"]


def test_a_mapping_fills_the_identifiers_column_beside_the_file_own(researcher):
    result = service.run_import(
        csv_bytes("name,identifiers,charity_number", "Acme,GB-COH-02128897,1234567"),
        "o.csv",
        kind="organisations",
        mapping={"columns": {"charity_number": "identifiers:GB-CHC"}},
    )
    assert result.written
    assert sorted(i.org_id for i in m.Identifier.objects.all()) == [
        "GB-CHC-1234567",
        "GB-COH-02128897",
    ]


def test_a_mapping_to_a_column_the_kind_lacks_is_a_clear_file_error(researcher):
    result = service.run_import(
        csv_bytes(*REGISTER),
        "o.csv",
        kind="organisations",
        mapping={"columns": {"company_number": "supplier"}},
    )
    assert "“company_number” as “supplier”" in result.file_error
    assert not m.Organisation.objects.exists()


def test_two_columns_mapped_to_one_field_are_refused(researcher):
    result = service.run_import(
        csv_bytes("name,company_name", "Acme,Acme Ltd"),
        "o.csv",
        kind="organisations",
        mapping={"columns": {"company_name": "name"}},
    )
    assert "gives name from two columns" in result.file_error


def test_the_admin_shows_why_a_file_was_refused(researcher_client):
    file = SimpleUploadedFile("bad.xlsx", (FIXTURES / "bad_corrupt.xlsx").read_bytes())
    researcher_client.post(reverse("admin:imports_upload"), {"file": file})
    batch = m.ImportBatch.objects.get()
    assert batch.state == "failed" and "not a valid XLSX" in page(researcher_client, batch)


# Saved mappings
def test_a_mapping_saved_in_the_preview_is_reused_on_upload(researcher_client, researcher):
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    fields = {"column:company_number": "identifiers:GB-COH", "column:status": "org_status"}
    remap(researcher_client, batch, save_as="Register download", **fields)
    saved = m.ImportMapping.objects.get(name="Register download")
    assert saved.columns == {"company_number": "identifiers:GB-COH", "status": "org_status"}
    assert saved.kind == "organisations" and saved.created_by == researcher
    again = upload(researcher_client, csv_bytes(*REGISTER), kind="", mapping=saved.pk)
    assert again.mapping["name"] == "Register download"
    assert not again.summary["download"]["dropped"]
    confirm(researcher_client, again)
    assert m.Identifier.objects.get().org_id == "GB-COH-02128897"


def test_a_saved_mapping_keeps_its_name_unique(researcher_client):
    m.ImportMapping.objects.create(name="Register download")
    batch = upload(researcher_client, csv_bytes(*REGISTER))
    remap(researcher_client, batch, save_as="Register download")
    assert m.ImportMapping.objects.filter(name="Register download").count() == 1


def test_the_mappings_admin_refuses_columns_of_the_wrong_shape(researcher_client):
    url = reverse("admin:investigations_importmapping_add")
    response = researcher_client.post(url, {"name": "Bad", "kind": "", "columns": '["x"]'})
    assert (
        response.status_code == 200 and "is an object of column names" in response.content.decode()
    )
    assert not m.ImportMapping.objects.filter(name="Bad").exists()


def register_file(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(*REGISTER))
    return path


def test_the_command_line_takes_a_saved_mapping_by_name(tmp_path, researcher):
    m.ImportMapping.objects.create(
        name="Register", kind="organisations", columns={"company_number": "identifiers:GB-COH"}
    )
    call_command("import_batch", str(register_file(tmp_path)), "--mapping", "Register")
    assert m.Identifier.objects.get().org_id == "GB-COH-02128897"
    assert m.ImportBatch.objects.get().mapping["name"] == "Register"


def test_the_command_line_takes_a_mapping_from_a_json_file(tmp_path, researcher):
    mapping = tmp_path / "register.json"
    mapping.write_text(
        json.dumps({"kind": "organisations", "columns": {"Company Number": "identifiers:GB-COH"}})
    )
    call_command("import_batch", str(register_file(tmp_path)), "--mapping", str(mapping))
    assert m.Identifier.objects.get().org_id == "GB-COH-02128897"
    assert m.ImportBatch.objects.get().mapping["columns"] == {
        "company_number": "identifiers:GB-COH"
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "not a JSON mapping"), ('{"columns": ["x"]}', "Nothing was imported")],
)
def test_the_command_line_refuses_a_mapping_file_it_cannot_read(
    tmp_path, researcher, content, message
):
    mapping = tmp_path / "bad.json"
    mapping.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_batch", str(register_file(tmp_path)), "--mapping", str(mapping))
    assert not m.Organisation.objects.exists()


def test_the_command_line_refuses_a_mapping_it_does_not_know(tmp_path, researcher):
    with pytest.raises(CommandError, match="No mapping “Nowhere”.*Contracts Finder"):
        call_command("import_batch", str(register_file(tmp_path)), "--mapping", "Nowhere")


# The portals' layout: one row per award and party
def test_rows_sharing_a_reference_are_one_contract_with_several_parties(researcher):
    make_parties("Alliance Medical Ltd", "InHealth Group", "Life Healthcare")
    result = awards(
        f"CF-1,MRI,£1m,{SOMERSET},Alliance Medical Ltd",
        f"CF-1,MRI,£1m,{SOMERSET},InHealth Group",
        f"CF-1,MRI,,{SOMERSET},Life Healthcare",
        f"CF-2,PET-CT,£2m,{SOMERSET},InHealth Group",
        mapping=GROUPED,
    )
    assert result.written and m.Contract.objects.count() == 2
    parties = m.ContractParty.objects.filter(contract__reference="CF-1")
    assert sorted(parties.values_list("role", flat=True)) == ["buyer", *["supplier"] * 3]
    assert m.Contract.objects.get(reference="CF-1").value == 1_000_000
    assert result.sheets[0].grouped == [
        "4 rows read as 2 contracts, one per reference",
        "rows 2–4 → one contract (CF-1): 1 buyer, 3 suppliers",
    ]


def test_the_preview_shows_the_grouping(researcher_client):
    make_parties("Alliance Medical Ltd", "InHealth Group")
    lines = [
        f"CF-1,MRI,£1m,{SOMERSET},Alliance Medical Ltd",
        f"CF-1,MRI,£1m,{SOMERSET},InHealth Group",
    ]
    batch = upload(
        researcher_client,
        csv_bytes("reference,title,value,buyer,supplier", *lines),
        kind="contracts",
    )
    assert "duplicate of row 2" in str(batch.errors)
    batch = remap(researcher_client, batch, one_row_per_party="1")
    content = page(researcher_client, batch)
    assert "rows 2–3 → one contract (CF-1): 1 buyer, 2 suppliers" in content
    assert batch.mapping["one_row_per_party"] and batch.rows_rejected == 0
    assert confirm(researcher_client, batch).state == "committed"
    assert m.ContractParty.objects.count() == 3


def test_rows_of_one_award_that_disagree_are_a_row_error_naming_rows_and_column(researcher):
    make_parties("Alliance Medical Ltd", "InHealth Group")
    result = awards(
        f"CF-1,MRI,£1m,{SOMERSET},Alliance Medical Ltd",
        f"CF-1,MRI,£2m,{SOMERSET},InHealth Group",
        mapping=GROUPED,
    )
    [error] = result.errors
    assert (error["row"], error["column"]) == (2, "value")
    assert "rows 2–3 are one award but disagree" in error["message"]
    assert "“£1m” (row 2)" in error["message"] and "“£2m” (row 3)" in error["message"]
    assert not m.Contract.objects.exists()


def test_the_option_is_off_by_default_and_the_duplicate_message_names_it(researcher):
    make_parties("Alliance Medical Ltd", "InHealth Group")
    result = awards(
        f"CF-1,MRI,£1m,{SOMERSET},Alliance Medical Ltd",
        f"CF-1,MRI,£1m,{SOMERSET},InHealth Group",
    )
    [error] = result.errors
    assert "duplicate of row 2" in error["message"]
    assert "one row per award and party" in error["message"]


def test_the_option_leaves_kinds_without_parties_row_by_row(researcher):
    result = service.run_import(
        csv_bytes("name", "Acme", "Acme"), "o.csv", kind="organisations", mapping=GROUPED
    )
    assert "is for contracts, not organisations" in " ".join(result.sheets[0].warnings)
    assert "duplicate of row 2" in result.errors[0]["message"]


def test_the_contracts_finder_mapping_is_shipped_with_the_option_on():
    saved = m.ImportMapping.objects.get(name="Contracts Finder")
    assert saved.kind == "contracts" and saved.one_row_per_party
    assert saved.columns["notice_identifier"] == "reference"


def portal_sample(**kwargs):
    data = (FIXTURES / "contracts_portal.csv").read_bytes()
    mapping = m.ImportMapping.objects.get(name="Contracts Finder").as_mapping()
    return service.run_import(data, "contracts_portal.csv", mapping=mapping, **kwargs)


def test_the_portal_sample_imports_with_the_contracts_finder_mapping(researcher):
    service.run_import((FIXTURES / "organisations.csv").read_bytes(), "organisations.csv")
    dry = portal_sample(zero_is_unknown=True, dry_run=True)
    real = portal_sample(zero_is_unknown=True)
    assert (dry.errors, [s.summary() for s in dry.sheets]) == (
        real.errors,
        [s.summary() for s in real.sheets],
    )
    assert real.written and m.Contract.objects.count() == 3
    suppliers = m.ContractParty.objects.filter(
        contract__reference="CF-SAMPLE-0001", role="supplier"
    )
    assert sorted(suppliers.values_list("organisation__name", flat=True)) == [
        "Alliance Medical Ltd",
        "InHealth Group",
    ]
    assert m.Contract.objects.get(reference="CF-SAMPLE-0002").value is None
    assert "supplier_companies_house_number" in real.sheets[0].dropped


def test_the_command_line_turns_the_mapping_grouping_off(tmp_path, researcher):
    service.run_import((FIXTURES / "organisations.csv").read_bytes(), "organisations.csv")
    path = FIXTURES / "contracts_portal.csv"
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_batch", str(path), "--mapping", "Contracts Finder", "--no-one-row-per-party"
        )
    call_command("import_batch", str(path), "--mapping", "Contracts Finder")
    assert m.Contract.objects.count() == 3


def test_the_rejected_rows_download_reads_the_file_with_its_mapping(researcher_client):
    make_parties("Alliance Medical Ltd", "InHealth Group")
    lines = [
        f"CF-1,MRI,£1m,{SOMERSET},Alliance Medical Ltd",
        f"CF-1,MRI,£2m,{SOMERSET},InHealth Group",
    ]
    header = "reference,title,value,buyer,supplier"
    batch = upload(researcher_client, csv_bytes(header, *lines), kind="contracts")
    batch = remap(researcher_client, batch, one_row_per_party="1")
    url = reverse("admin:imports_rejected", args=[batch.pk, "csv"])
    download = researcher_client.get(url).content.decode()
    assert batch.rows_rejected == 1 and "are one award but disagree" in download


def test_a_batch_refused_for_its_layout_can_be_previewed_again_and_imported(researcher_client):
    make_parties("Alliance Medical Ltd", "InHealth Group")
    lines = [
        f"CF-1,MRI,£1m,{SOMERSET},Alliance Medical Ltd",
        f"CF-1,MRI,£1m,{SOMERSET},InHealth Group",
    ]
    header = "reference,title,value,buyer,supplier"
    batch = upload(researcher_client, csv_bytes(header, *lines), kind="contracts")
    assert confirm(researcher_client, batch).state == "failed"
    assert "Preview again with this mapping" in page(researcher_client, batch)
    batch = remap(researcher_client, batch, one_row_per_party="1")
    assert batch.state == "previewed" and not batch.errors
    assert confirm(researcher_client, batch).state == "committed"


def test_a_mapping_added_in_its_admin_keeps_who_made_it_and_its_history(
    researcher_client, researcher
):
    url = reverse("admin:investigations_importmapping_add")
    columns = json.dumps({"Company Number": "identifiers:GB-COH"})
    researcher_client.post(url, {"name": "Register", "kind": "organisations", "columns": columns})
    saved = m.ImportMapping.objects.get(name="Register")
    assert saved.created_by == researcher and saved.columns == {
        "Company Number": "identifiers:GB-COH"
    }
    assert saved.history.get().history_user == researcher
