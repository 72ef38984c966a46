"""Downloads of the public lists: every list, every format, its filter, its citations."""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations import models
from investigations.exports import records
from investigations.exports.downloads import FORMATS
from tests.factories import cite, make_contract, make_organisation, make_source

pytestmark = pytest.mark.django_db
PUBLISHED = "published"
LISTS = list(models.LISTED_KINDS)
KIND = {kind.key: kind for kind in LISTS}
PAYLOAD = '=HYPERLINK("http://evil.example","click")'


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def parse(response, fmt):
    """The rows of a download as dicts of text (lists in JSON stay lists)."""
    content = body_of(response)
    if fmt == "json":
        return json.loads(content)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [
        {name: "" if cell is None else cell for name, cell in zip(header, row, strict=False)}
        for row in rows
    ]


def download(client, kind, fmt, **filters):
    response = client.get(reverse(kind.list_route), {**filters, "format": fmt})
    assert response.status_code == 200, body_of(response)
    return parse(response, fmt)


def make_record(kind, title, **kwargs):
    """A record of any listed kind, named by the field its slug comes from."""
    return kind.model.objects.create(**{kind.model.slug_source_field: title, **kwargs})


def titles(kind, rows):
    return [row[kind.model.slug_source_field] for row in rows]


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("kind", LISTS, ids=lambda kind: kind.key)
def test_it_downloads_every_list_in_every_format_with_published_records_only(client, kind, fmt):
    make_record(kind, "Public record", status=PUBLISHED)
    make_record(kind, "Draft record")
    deleted = make_record(kind, "Deleted record", status=PUBLISHED)
    deleted.deleted_at = deleted.updated_at
    deleted.save()
    response = client.get(reverse(kind.list_route), {"format": fmt})
    assert response["Content-Disposition"].startswith(f'attachment; filename="{kind.plural}-')
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    rows = parse(response, fmt)
    assert titles(kind, rows) == ["Public record"]
    public = kind.model.objects.published().get()
    assert rows[0]["page_url"] == f"http://testserver{public.get_absolute_url()}"


@pytest.mark.parametrize("kind", LISTS, ids=lambda kind: kind.key)
def test_every_list_page_links_its_downloads_with_its_query_string(client, kind):
    body = client.get(reverse(kind.list_route), {"sort": "-updated", "page": "1"}).content.decode()
    links = re.findall(r'href="(\?[^"]*format=[^"]*)"', body)
    assert [re.search(r"format=(\w+)", link)[1] for link in links] == list(FORMATS)
    assert all("sort=-updated" in link and "page=" not in link for link in links)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_download_keeps_the_lists_filter(client, fmt):
    make_organisation(name="Somerset NHS Foundation Trust", kind="nhs_trust", status=PUBLISHED)
    make_organisation(name="Alliance Medical", kind="company", status=PUBLISHED)
    body = client.get("/organisations/", {"kind": "nhs_trust"}).content.decode()
    link = re.search(rf'href="(\?[^"]*format={fmt})"', body)[1].replace("&amp;", "&")
    rows = parse(client.get(f"/organisations/{link}"), fmt)
    assert [row["name"] for row in rows] == ["Somerset NHS Foundation Trust"]


def test_a_contract_download_filters_by_party_and_value(client):
    buyer = make_organisation(name="NHS England", status=PUBLISHED)
    for title, value in (("Small scans", 1000), ("National PET-CT", 350_000_000)):
        contract = make_contract(title=title, value=value, status=PUBLISHED)
        models.ContractParty.objects.create(contract=contract, organisation=buyer, role="buyer")
    make_contract(title="Unbought", value=500_000_000, status=PUBLISHED)
    rows = download(client, KIND["contract"], "csv", buyer="NHS England", value_min="100000")
    assert [row["title"] for row in rows] == ["National PET-CT"]
    assert rows[0]["parties"] == "NHS England (Buyer)"
    assert rows[0]["value"] == "350000000.00"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_cited_field_has_its_published_sources_titles_and_urls(client, fmt):
    contract = make_contract(title="National PET-CT", value=350_000_000, status=PUBLISHED)
    notice = make_source(title="Award notice", url="https://example.org/notice")
    press = make_source(title="Press release")
    hidden = make_source(title="Draft source", status="draft")
    cite(contract, "value", source=notice)
    cite(contract, "value", source=notice, quote="Said twice")
    cite(contract, "value", source=press)
    cite(contract, "value", source=hidden)
    cite(contract, source=notice)
    [row] = download(client, KIND["contract"], fmt)
    expected_titles, expected_urls = (
        ["Award notice", "Press release"],
        ["https://example.org/notice", ""],
    )
    if fmt != "json":
        expected_titles, expected_urls = "; ".join(expected_titles), "; ".join(expected_urls)
    assert row["value_source_titles"] == expected_titles
    assert row["value_source_urls"] == expected_urls
    assert row["record_source_titles"] == (["Award notice"] if fmt == "json" else "Award notice")
    assert not row["awarded_source_titles"]
    assert {f"{claim}_source_titles" for claim in models.Contract.claim_fields} <= set(row)


def test_a_stale_citation_is_not_listed_as_a_source(client):
    contract = make_contract(title="National PET-CT", value=350_000_000, status=PUBLISHED)
    cite(contract, "value", source=make_source(title="Old figure"))
    contract.value = 400_000_000
    contract.save()
    [row] = download(client, KIND["contract"], "json")
    assert row["value"] == "400000000.00"
    assert row["value_source_titles"] == []


def test_a_claim_only_a_draft_source_backs_is_withheld_and_a_draft_link_is_blank(client):
    draft_framework = models.Framework.objects.create(name="Secret framework")
    organisation = make_organisation(
        name="Equitix", website="https://equitix.example", status=PUBLISHED
    )
    cite(organisation, "website", source=make_source(status="draft"))
    make_contract(title="Call-off", framework=draft_framework, status=PUBLISHED)
    [org_row] = download(client, KIND["organisation"], "json")
    [contract_row] = download(client, KIND["contract"], "json")
    assert org_row["website"] == ""
    assert contract_row["framework"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_characters_are_neutralised_in_spreadsheet_formats(client, fmt):
    contract = make_contract(title=PAYLOAD, region="-2+3", status=PUBLISHED)
    supplier = make_organisation(name="@SUM(A1)", status=PUBLISHED)
    models.ContractParty.objects.create(contract=contract, organisation=supplier, role="supplier")
    cite(contract, source=make_source(title="+cmd|' /C calc'!A0"))
    [row] = download(client, KIND["contract"], fmt)
    assert row["title"] == "'" + PAYLOAD
    assert row["region"] == "'-2+3"
    assert row["parties"] == "'@SUM(A1) (Supplier)"
    assert row["record_source_titles"] == "'+cmd|' /C calc'!A0"


def test_json_keeps_formula_like_text_as_it_is(client):
    make_contract(title=PAYLOAD, status=PUBLISHED)
    [row] = download(client, KIND["contract"], "json")
    assert row["title"] == PAYLOAD


def test_an_xlsx_download_holds_text_a_workbook_cannot_as_the_rest_of_it(client):
    make_contract(title="Scans\x07 for Taunton", status=PUBLISHED)
    [row] = download(client, KIND["contract"], "xlsx")
    assert row["title"] == "Scans for Taunton"


def contracts_with_parties(count):
    buyer = make_organisation(status=PUBLISHED)
    source = make_source()
    for number in range(count):
        contract = make_contract(title=f"Contract {number}", status=PUBLISHED)
        models.ContractParty.objects.create(contract=contract, organisation=buyer, role="buyer")
        cite(contract, source=source)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_download_reads_by_chunks_in_a_bounded_number_of_queries_and_counts_nothing(
    client, monkeypatch, settings, fmt
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the download's own queries only
    monkeypatch.setattr(records, "CHUNK_SIZE", 5)
    contracts_with_parties(12)
    with CaptureQueriesContext(connection) as queries:
        rows = download(client, KIND["contract"], fmt)
    assert len(rows) == 12
    chunks = 3  # 5 + 5 + 2: a short chunk is the last
    per_chunk = 3  # the records, their published parties, all their citations
    assert len(queries) <= chunks * per_chunk + 1  # + the content type, once
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_an_unknown_format_or_an_unusable_filter_is_a_plain_error(client):
    response = client.get("/contracts/", {"format": "pdf"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"no download format 'pdf'" in response.content
    response = client.get("/contracts/", {"format": "csv", "value_min": "<b>lots</b>"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"value_min: Enter a number." in response.content


def test_downloads_are_never_served_from_the_page_cache(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    organisation = make_organisation(name="Equitix", status=PUBLISHED)
    assert b"Equitix" in client.get("/organisations/").content
    download(client, KIND["organisation"], "csv")
    # Behind the cache's back, so no change bumps its version.
    models.Organisation.objects.filter(pk=organisation.pk).update(name="Equitix Ltd")
    assert b"Equitix Ltd" not in client.get("/organisations/").content  # the page was cached
    assert [row["name"] for row in download(client, KIND["organisation"], "csv")] == ["Equitix Ltd"]


def contract_download_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert download(client, KIND["contract"], "csv")
    return len(queries)


def test_a_downloads_queries_do_not_grow_with_its_rows_parties_or_citations(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the download's own queries only
    contracts_with_parties(3)
    with_three = contract_download_queries(client)
    source = make_source()
    for number in range(30):
        contract = make_contract(title=f"More {number}", value=number, status=PUBLISHED)
        for role in ("buyer", "supplier", "operator"):
            party = models.ContractParty.objects.create(
                contract=contract, organisation=make_organisation(status=PUBLISHED), role=role
            )
            cite(party, source=source)
        cite(contract, "value", source=source)
    assert contract_download_queries(client) <= with_three


def test_a_download_fills_its_records_and_parties_from_values_not_constructed_instances(
    client, settings
):
    """Constructing an instance (``__init__`` and its signals) per record, party and link
    was most of a large download's time."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the download's own reading only
    contracts_with_parties(3)
    constructed = []

    def note(sender, **kwargs):
        constructed.append(sender)

    post_init.connect(note)
    try:
        rows = download(client, KIND["contract"], "csv")
    finally:
        post_init.disconnect(note)
    assert len(rows) == 3 and all(row["parties"] for row in rows)
    assert [model for model in constructed if model._meta.app_label == "investigations"] == []
