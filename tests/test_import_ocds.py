"""Native OCDS import (issue 11): release packages, record packages and JSON lines, read into
the spreadsheet import's own sheets, so its checks, batch, undo and trust rules hold."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import ocdsmerge
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from investigations import models as m
from investigations.importers import service
from investigations.importers.keys import Pending
from investigations.importers.kinds import KINDS
from investigations.importers.ocds import read_ocds
from investigations.importers.plan import Planner
from investigations.importers.reading import KnownCitation
from investigations.importers.rows import NewRow
from investigations.importers.undo import undo_batch
from investigations.publication import missing_claims, publish
from investigations.revisions import publish_revision

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "imports" / "ocds_release_package.json"
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "ocds-release-schema-1__1__4.json").read_text())
PET_CT = "ocds-b5fd17-6c5f3a5e-2f0b-4c1e-9d6a-000000000001"
TAUNTON = "ocds-b5fd17-6c5f3a5e-2f0b-4c1e-9d6a-000000000002"
pytestmark = pytest.mark.django_db


def sample():
    return json.loads(SAMPLE.read_text())


def as_bytes(package):
    return json.dumps(package).encode()


def run(package=None, **kwargs):
    data = SAMPLE.read_bytes() if package is None else as_bytes(package)
    return service.run_import(data, "notices.json", **kwargs)


def warnings(result):
    return " ".join(w for sheet in result.sheets for w in sheet.warnings)


def release(ocid="ocds-b5fd17-test-1", **award):
    """A minimal award release: one buyer, one supplier, and the award's fields as given."""
    return {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": "2020-01-01T00:00:00Z",
        "tag": ["award"],
        "initiationType": "tender",
        "buyer": {"id": "B", "name": "Somerset NHS Foundation Trust"},
        "parties": [
            {"id": "B", "name": "Somerset NHS Foundation Trust", "roles": ["buyer"]},
            {"id": "S", "name": "InHealth Group", "roles": ["supplier"]},
        ],
        "awards": [{"id": "1", "suppliers": [{"id": "S", "name": "InHealth Group"}], **award}],
    }


def package(*releases):
    return {"uri": "https://example.org/p.json", "publishedDate": "2020-01-02T00:00:00Z",
            "publisher": {"name": "Contracts Finder"}, "version": "1.1",
            "releases": list(releases)}  # fmt: skip


def contract(ocid, award="1"):
    return m.Contract.objects.get(reference=f"{ocid}/{award}")


def test_the_sample_is_valid_ocds():
    data = sample()
    assert isinstance(data["uri"], str) and isinstance(data["publishedDate"], str)
    assert data["publisher"]["name"] and data["version"] == "1.1"
    validator = jsonschema.Draft4Validator(SCHEMA)
    for item in data["releases"]:
        assert list(validator.iter_errors(item)) == []


def test_the_checker_sees_an_invalid_release():
    broken = sample()["releases"][0]
    del broken["tag"]
    assert list(jsonschema.Draft4Validator(SCHEMA).iter_errors(broken))


def test_it_imports_awards_as_contracts_with_their_buyer_and_suppliers(researcher):
    result = run(user=researcher)
    assert result.written and not result.errors
    taunton = contract(TAUNTON)
    parties = set(taunton.parties.values_list("organisation__name", "role"))
    assert parties == {
        ("Somerset NHS Foundation Trust", "buyer"),
        ("Rutherford Diagnostics", "supplier"),
        ("Philips Health UK", "supplier"),
    }
    pet_ct = contract(PET_CT)
    assert (pet_ct.title, pet_ct.currency) == ("National PET-CT services", "GBP")
    assert str(pet_ct.awarded) == "2016-11-01" and str(pet_ct.end) == "2027-03-31"


def test_the_notice_is_the_source_with_its_address_publisher_and_date(researcher):
    run(user=researcher)
    source = m.Source.objects.get(url__endswith="000000000001")
    assert source.url == (
        "https://www.contractsfinder.service.gov.uk/Notice/6c5f3a5e-2f0b-4c1e-9d6a-000000000001"
    )
    assert source.publisher == "Contracts Finder (sample)"
    assert str(source.published_on) == "2016-11-15"  # the later release's date


def test_later_releases_of_one_ocid_win_as_ocdsmerge_compiles_them(researcher):
    run(user=researcher)
    releases = [r for r in sample()["releases"] if r["ocid"] == PET_CT]
    compiled = ocdsmerge.Merger(schema=copy.deepcopy(SCHEMA)).create_compiled_release(releases)
    award = compiled["awards"][0]
    pet_ct = contract(PET_CT)
    assert pet_ct.value == Decimal(award["value"]["amount"]) == Decimal("350000000")
    assert str(pet_ct.start) == award["contractPeriod"]["startDate"][:10]
    assert m.Contract.objects.filter(reference__startswith=PET_CT).count() == 1


def test_an_ocds_datetime_is_its_own_calendar_date_not_shifted_to_utc(researcher):
    run(package(release(date="2019-04-01T00:00:00+01:00")), user=researcher)
    assert str(contract("ocds-b5fd17-test-1").awarded) == "2019-04-01"


def test_a_value_of_0_is_unknown_by_default_for_ocds(researcher):
    result = run(user=researcher)
    assert contract(TAUNTON).value is None
    assert "1 value(s) of 0 read as unknown" in warnings(result)


def test_a_value_of_0_is_kept_when_asked(researcher):
    run(package(release(value={"amount": 0, "currency": "GBP"})), zero_is_unknown=False)
    assert contract("ocds-b5fd17-test-1").value == 0


def test_it_pads_a_short_company_number_and_says_so(researcher):
    result = run(user=researcher)
    alliance = m.Organisation.objects.get(name="Alliance Medical Limited")
    assert [i.org_id for i in alliance.identifiers.all()] == ["GB-COH-02128897"]
    assert "“2128897” was read as GB-COH-02128897, padded to eight digits" in warnings(result)


def test_an_additional_identifier_of_an_unknown_scheme_is_a_warning_naming_it(researcher):
    result = run(user=researcher)
    assert result.written
    assert not m.Identifier.objects.filter(value="200001").exists()
    assert "“GB-CFS-200001” is of GB-CFS, a scheme this database does not know" in warnings(result)


def test_strict_identifiers_make_it_a_row_error_and_nothing_is_written(researcher):
    result = run(user=researcher, strict_identifiers=True)
    assert not result.written and not m.Contract.objects.exists()
    assert any("GB-CFS-200001" in e["message"] for e in result.errors)


def test_a_company_number_of_the_wrong_format_is_dropped_with_a_warning(researcher):
    data = package(release())
    data["releases"][0]["parties"][1]["identifier"] = {"scheme": "GB-COH", "id": "123456789"}
    result = run(data, user=researcher)
    assert result.written and not m.Identifier.objects.exists()
    assert "“GB-COH-123456789” is not a Companies House number" in warnings(result)


def test_an_award_with_an_unnamed_supplier_imports_with_the_named_ones(researcher):
    data = package(release())
    data["releases"][0]["awards"][0]["suppliers"].append({"id": "X"})
    result = run(data, user=researcher)
    assert result.written
    assert contract("ocds-b5fd17-test-1").parties.count() == 2
    assert "releases[0].awards[0].suppliers[1]: a supplier without a name" in warnings(result)


def test_every_imported_claim_is_cited_to_the_notice_with_its_json_path(researcher, editor):
    run(user=researcher)
    for source in m.Source.objects.all():
        publish(source, editor)
    pet_ct = contract(PET_CT)
    assert missing_claims(pet_ct) == []
    notice = m.Source.objects.get(url__endswith="000000000001")
    locators = {
        (c.field_name, c.locator) for c in pet_ct.citations.all() if c.source_id == notice.pk
    }
    assert locators == {
        ("", "releases[2].awards[0]"),
        ("reference", "releases[2].awards[0].id"),
        ("value", "releases[2].awards[0].value"),
        ("awarded", "releases[0].awards[0].date"),
        ("start", "releases[0].awards[0].contractPeriod.startDate"),
        ("end", "releases[0].awards[0].contractPeriod.endDate"),
    }
    supplier = pet_ct.parties.get(role="supplier")
    assert supplier.citations.get().locator == "releases[0].awards[0].suppliers[0]"
    alliance = supplier.organisation
    assert alliance.citations.get().locator == "releases[0].parties[1]"
    assert alliance.identifiers.get().citations.get().locator == "releases[0].parties[1].identifier"
    # OCDS states no company status: a new organisation's is unknown, a claim of nothing.
    assert alliance.org_status == "unknown" and list(missing_claims(alliance)) == []


def planned_citations(as_rows):
    """The citations the sample plans: as the reader hands them over, or each read as the
    citations-sheet row it stands for (``as_rows``), planned on the general path."""
    planner = Planner(zero_is_unknown=True, match_by_name=True)
    results = []
    for sheet in read_ocds(SAMPLE.read_bytes()):
        if as_rows:
            sheet.rows = [
                (n, r.as_row() if isinstance(r, KnownCitation) else r) for n, r in sheet.rows
            ]
        results.append(planner.plan_sheet(sheet, KINDS[sheet.name]).summary())
    cited = [
        dict(zip(c.names, map(described, c.values), strict=True)) for c in planner.plan.citations
    ]
    return results, cited


def described(value):
    """A planned value, records planned in the batch by what they are rather than by id."""
    if isinstance(value, Pending):
        value = value.instance
    if isinstance(value, NewRow):
        return (value.model.__name__, *map(described, value.values))
    if isinstance(value, m.Contract | m.Organisation | m.Source):
        return (type(value).__name__, str(value))
    return value


def test_the_readers_citations_plan_as_their_rows_would(researcher):
    known, as_rows = planned_citations(as_rows=False), planned_citations(as_rows=True)
    assert known == as_rows
    results, cited = known
    assert (results[-1]["created"], results[-1]["skipped"]) == (15, 1)  # 1 dropped identifier
    assert len(cited) == 15 + 2 + 5  # the citations sheet's, the contracts', the organisations'

    assert {c["locator"] for c in cited} >= {"releases[0].awards[0].suppliers[0]"}


def test_a_reimport_changes_nothing_and_says_so(researcher):
    run(user=researcher)
    counts = [model.objects.count() for model in (m.Contract, m.Citation, m.ContractParty)]
    again = run(user=researcher)
    assert again.batch.state == m.ImportBatch.State.UNCHANGED and again.nothing_changed
    assert [model.objects.count() for model in (m.Contract, m.Citation, m.ContractParty)] == counts


def test_the_dry_run_predicts_the_import(researcher):
    dry = run(user=researcher, dry_run=True)
    real = run(user=researcher)
    assert [s.summary() for s in dry.sheets] == [s.summary() for s in real.sheets]
    assert dry.errors == real.errors == [] and real.written


def test_undo_of_an_ocds_batch_takes_everything_back(researcher, editor):
    result = run(user=researcher)
    undo_batch(result.batch, editor)
    for model in (m.Contract, m.ContractParty, m.Organisation, m.Identifier, m.Source, m.Citation):
        assert not model.objects.exists(), model


def test_a_new_supplier_of_a_published_contract_waits_in_its_revision_with_its_citation(
    researcher, editor
):
    run(package(release()), user=researcher)
    for source in m.Source.objects.all():
        publish(source, editor)
    for org in m.Organisation.objects.all():
        publish(org, editor, override_reason="company status not in the notice")
    award = contract("ocds-b5fd17-test-1")
    publish(award, editor)
    update = release()
    update["id"], update["date"] = "ocds-b5fd17-test-1-2", "2020-02-01T00:00:00Z"
    update["parties"].append({"id": "T", "name": "Alliance Medical", "roles": ["supplier"]})
    update["awards"][0]["suppliers"].append({"id": "T", "name": "Alliance Medical"})
    result = run(package(release(), update), user=researcher)
    assert result.written and award.parties.count() == 2  # the live contract is unchanged
    revision = m.Revision.objects.get(object_id=award.pk, content_type__model="contract")
    publish_revision(revision, editor)
    party = award.parties.get(organisation__name="Alliance Medical")
    assert party.citations.get().locator == "releases[1].awards[0].suppliers[1]"
    assert missing_claims(award) == []


def test_it_reads_a_record_package_with_embedded_releases(researcher):
    records = {"uri": "https://example.org/r.json", "publishedDate": "2021-03-16T09:00:00Z",
               "publisher": {"name": "Find a Tender"}, "version": "1.1",
               "records": [{"ocid": PET_CT, "releases": [r for r in sample()["releases"]
                                                         if r["ocid"] == PET_CT]}]}  # fmt: skip
    result = run(records, user=researcher)
    assert result.written and contract(PET_CT).value == 350_000_000
    value = contract(PET_CT).citations.get(field_name="value")
    assert value.locator == "records[0].releases[1].awards[0].value"


def test_it_reads_a_record_packages_compiled_release(researcher):
    compiled = release(value={"amount": 1200, "currency": "GBP"})
    records = {"records": [{"ocid": compiled["ocid"], "compiledRelease": compiled}]}
    run(records, user=researcher)
    value = contract(compiled["ocid"]).citations.get(field_name="value")
    assert value.locator == "records[0].compiledRelease.awards[0].value"


def test_it_reads_json_lines_of_releases(researcher):
    lines = "\n".join(json.dumps(r) for r in sample()["releases"]) + "\n"
    result = service.run_import(lines.encode(), "notices.jsonl", user=researcher)
    assert result.written and m.Contract.objects.count() == 2
    assert contract(PET_CT).value == 350_000_000
    assert contract(PET_CT).citations.get(field_name="value").locator == "line 3: awards[0].value"


def test_a_broken_json_file_is_refused_whole(researcher):
    result = service.run_import(b'{"releases": [{"ocid": ', "bad.json", user=researcher)
    assert "not valid JSON" in result.file_error and not m.Source.objects.exists()


def test_a_json_file_without_releases_is_refused(researcher):
    result = service.run_import(b'{"uri": "https://example.org"}', "empty.json")
    assert "no OCDS releases" in result.file_error


def test_the_command_reads_ocds_by_its_content_whatever_its_name(tmp_path, researcher):
    path = tmp_path / "download.txt"
    path.write_bytes(SAMPLE.read_bytes())
    call_command("import_batch", str(path), "--user", researcher.username)
    assert m.Contract.objects.count() == 2 and contract(TAUNTON).value is None


def test_the_command_keeps_a_0_when_told(tmp_path):
    path = tmp_path / "notices.json"
    path.write_bytes(as_bytes(package(release(value={"amount": 0, "currency": "GBP"}))))
    call_command("import_batch", str(path), "--no-zero-is-unknown")
    assert contract("ocds-b5fd17-test-1").value == 0


def test_the_command_refuses_a_strict_import_with_a_bad_identifier(tmp_path):
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_batch", str(SAMPLE), "--strict-identifiers")


def test_the_admin_previews_and_confirms_an_ocds_upload(researcher_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    upload = SimpleUploadedFile("notices.jsonl", SAMPLE.read_bytes())
    response = researcher_client.post(reverse("admin:imports_upload"), {"file": upload})
    batch = m.ImportBatch.objects.get()
    assert batch.state == "previewed" and batch.zero_is_unknown
    page = researcher_client.get(response.url).content.decode()
    assert "Confirm the import" in page and "GB-CFS-200001" in page
    assert not m.Contract.objects.exists()
    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "committed" and m.Contract.objects.count() == 2
    assert set(batch.summary) == {"sources", "organisations", "contracts", "citations"}


def test_the_undo_command_takes_an_ocds_batch_back(editor):
    result = run(user=editor)
    call_command("undo_batch", str(result.batch.pk), "--user", editor.username)
    result.batch.refresh_from_db()
    assert result.batch.state == m.ImportBatch.State.UNDONE and not m.Contract.objects.exists()


def test_the_undo_command_refuses_a_researcher(researcher):
    result = run(user=researcher)
    with pytest.raises(CommandError, match="Only editors"):
        call_command("undo_batch", str(result.batch.pk), "--user", researcher.username)
    assert m.Contract.objects.count() == 2


def test_a_release_without_an_ocid_is_refused_naming_it(researcher):
    broken = release()
    del broken["ocid"]
    result = run(package(release(), broken), user=researcher)
    assert "releases[1] has no ocid" in result.file_error and not m.Contract.objects.exists()
