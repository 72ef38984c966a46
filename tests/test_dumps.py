"""Bulk dumps (manage.py export_dumps) and the /data/ page that links the latest."""

import gzip
import hashlib
import json

import pytest
from django.core.management import call_command
from followthemoney import model

from investigations import models
from investigations.exports import dumps
from tests.factories import cite, make_contract, make_organisation, make_source
from tests.test_ocds_export import RELEASE_VALIDATOR

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


@pytest.fixture(autouse=True)
def dumps_root(settings, tmp_path):
    settings.DUMPS_ROOT = tmp_path / "dumps"
    return settings.DUMPS_ROOT


def read_dump(folder, name):
    with gzip.open(folder / name, "rt") as lines:
        return [json.loads(line) for line in lines]


def latest_folder(root):
    return root / (root / dumps.LATEST).read_text().strip()


def world():
    buyer = make_organisation(name="NHS England", status=PUBLISHED)
    hidden = make_organisation(name="Secret Holdings")
    contract = make_contract(title="National PET-CT", value=350_000_000, status=PUBLISHED)
    models.ContractParty.objects.create(contract=contract, organisation=buyer, role="buyer")
    models.ContractParty.objects.create(contract=contract, organisation=hidden, role="supplier")
    notice = make_source(title="Award notice", url="https://example.org/notice")
    cite(contract, "value", source=notice, quote="valued at £350 million", locator="p. 2")
    cite(contract, "value", source=make_source(title="Draft source", status="draft"))
    make_contract(title="Draft contract")
    return contract, notice


def test_it_writes_every_kind_with_a_manifest_of_counts_and_checksums(dumps_root):
    world()
    call_command("export_dumps", stdout=None)
    folder = latest_folder(dumps_root)
    manifest = json.loads((folder / dumps.MANIFEST).read_text())
    assert [entry["name"] for entry in manifest["files"]] == [name for name, _ in dumps.DUMPS]
    for entry in manifest["files"]:
        path = folder / entry["name"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["bytes"] == path.stat().st_size
        assert entry["records"] == len(read_dump(folder, entry["name"]))
    counts = {entry["name"]: entry["records"] for entry in manifest["files"]}
    assert counts["contracts.jsonl.gz"] == 1
    assert counts["organisations.jsonl.gz"] == 1
    assert counts["sources.jsonl.gz"] == 1
    assert manifest["licence"] == "Creative Commons Attribution 4.0 International (CC BY 4.0)"


def test_a_record_carries_its_published_citations_and_its_public_child_rows(dumps_root):
    contract, notice = world()
    call_command("export_dumps", stdout=None)
    [found] = read_dump(latest_folder(dumps_root), "contracts.jsonl.gz")
    assert found["slug"] == contract.slug
    assert found["page_url"] == contract.get_absolute_url()
    assert found["value"] == "350000000.00"
    assert found["citations"] == [
        {
            "field": "value",
            "marker": "",
            "source": notice.slug,
            "source_title": "Award notice",
            "source_url": "https://example.org/notice",
            "quote": "valued at £350 million",
            "locator": "p. 2",
            "confidence": "high",
        }
    ]
    assert [(p["organisation"], p["role"]) for p in found["parties"]] == [("nhs-england", "buyer")]
    assert "contract" not in found["parties"][0]


def test_a_second_run_on_one_day_replaces_that_days_dump(dumps_root):
    world()
    first, _ = dumps.export_dumps()
    make_contract(title="Another", status=PUBLISHED)
    second, manifest = dumps.export_dumps()
    assert first == second == latest_folder(dumps_root)
    assert {e["name"]: e["records"] for e in manifest["files"]}["contracts.jsonl.gz"] == 2
    assert [path.name for path in dumps_root.iterdir() if path.name.startswith(".")] == []


def failing_documents():
    yield {"a": 1}
    raise RuntimeError("the database went away")


def test_a_failed_run_leaves_the_last_dump_and_no_half_written_folder(dumps_root):
    world()
    good, manifest = dumps.export_dumps()
    broken = (*dumps.DUMPS, ("broken.jsonl.gz", failing_documents))
    with pytest.raises(RuntimeError):
        dumps.export_dumps(dumps=broken)
    assert latest_folder(dumps_root) == good
    assert json.loads((good / dumps.MANIFEST).read_text()) == manifest
    assert sorted(path.name for path in dumps_root.iterdir()) == [good.name, dumps.LATEST]


def test_a_first_failed_run_writes_nothing_at_all(dumps_root):
    with pytest.raises(RuntimeError):
        dumps.export_dumps(dumps=(("broken.jsonl.gz", failing_documents),))
    assert list(dumps_root.iterdir()) == []


def test_output_writes_elsewhere_and_leaves_the_latest_pointer_alone(dumps_root, tmp_path):
    call_command("export_dumps", output=str(tmp_path / "elsewhere"), stdout=None)
    assert (tmp_path / "elsewhere" / dumps.MANIFEST).exists()
    assert not (dumps_root / dumps.LATEST).exists()


def test_the_data_page_links_the_latest_dump_and_states_licence_and_citation(client, settings):
    settings.DATA_LICENCE = "Open Government Licence v3.0"
    settings.DATA_CITATION = "Cite us as the Investigations database, {date}, {url}"
    world()
    folder, manifest = dumps.export_dumps()
    body = client.get("/data/").content.decode()
    for entry in manifest["files"]:
        assert f'href="/data/dumps/{folder.name}/{entry["name"]}"' in body
        assert entry["sha256"] in body
    assert f'href="/data/dumps/{folder.name}/manifest.json"' in body
    assert "Open Government Licence v3.0" in body
    assert f"Cite us as the Investigations database, {folder.name}, http://testserver/data/" in body
    assert 'href="/api/docs/"' in body
    assert 'href="/contracts/?format=csv"' in body


def test_the_data_page_before_any_dump_says_so(client):
    assert "No dump has been published yet." in client.get("/data/").content.decode()


def test_every_page_links_the_data_page(client):
    assert 'href="/data/"' in client.get("/").content.decode()


def test_it_serves_only_the_files_a_manifest_names(client, dumps_root):
    world()
    folder, _ = dumps.export_dumps()
    (folder / "stray.txt").write_text("not a dump")
    response = client.get(f"/data/dumps/{folder.name}/contracts.jsonl.gz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert b"".join(response.streaming_content) == (folder / "contracts.jsonl.gz").read_bytes()
    assert client.get(f"/data/dumps/{folder.name}/manifest.json").status_code == 200
    for path in (
        f"/data/dumps/{folder.name}/stray.txt",
        f"/data/dumps/{folder.name}/{dumps.LATEST}",
        "/data/dumps/2001-01-01/contracts.jsonl.gz",
        f"/data/dumps/{dumps.LATEST}/manifest.json",
        "/data/dumps/..%2F..%2Fsettings/manifest.json",
    ):
        assert client.get(path).status_code == 404, path


def test_the_dumps_hold_every_published_record_as_ftm_entities_and_ocds_releases(dumps_root):
    contract, _notice = world()
    call_command("export_dumps", stdout=None)
    folder = latest_folder(dumps_root)
    entities = read_dump(folder, "followthemoney.jsonl.gz")
    proxies = [model.get_proxy(data, cleaned=False) for data in entities]
    assert {proxy.schema.name for proxy in proxies} >= {"Contract", "Document"}
    assert "NHS England" in {proxy.caption for proxy in proxies}
    assert "Secret Holdings" not in json.dumps(entities)
    [release] = read_dump(folder, "ocds-releases.jsonl.gz")
    assert list(RELEASE_VALIDATOR.iter_errors(release)) == []
    assert release["ocid"].endswith(f"-{contract.pk}")
    assert [party["name"] for party in release["parties"]] == ["NHS England"]


def test_a_profile_section_keeps_its_cited_passages_and_loses_those_only_a_draft_backs(
    dumps_root,
):
    organisation = make_organisation(name="Alliance Medical", status=PUBLISHED)
    section = models.ProfileSection.objects.create(
        organisation=organisation,
        heading="strategy",
        body="It grew by buying rivals.[^growth]\n\nA passage only a draft backs.[^secret]",
    )
    cite(section, "body", marker="growth", source=make_source(title="Annual report"))
    cite(section, "body", marker="secret", source=make_source(status="draft"))
    dumps.export_dumps()
    [found] = read_dump(latest_folder(dumps_root), "organisations.jsonl.gz")
    [shown] = found["sections"]
    assert shown["body"] == "It grew by buying rivals.[^growth]"
    assert [(c["field"], c["marker"], c["source_title"]) for c in shown["citations"]] == [
        ("body", "growth", "Annual report")
    ]
    assert "organisation" not in shown
