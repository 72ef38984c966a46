"""The publication rule: nothing unpublished ever reaches a public page.

Drafts of every kind, a soft-deleted record, a draft source cited by a published record,
and a claim backed only by that draft source all carry a marker in every text field. The
test crawls every page reachable from the home page, the lists and the sitemap, the feed,
every list's downloads and the bulk dumps the /data/ page links, and the marker must appear
on none of them. Another crawls the API from /api/, following every address in its JSON:
the marker appears in none, and every address answers, so none names a draft.
"""

import gzip
import io
import re
from collections import deque
from urllib.parse import urljoin, urlparse

import openpyxl
import pytest
from django.db import models as db
from django.urls import reverse
from django.utils import timezone

from investigations import models, revisions
from investigations.api.links import RESOURCE_MODELS, prefix
from investigations.exports import dumps
from investigations.exports.downloads import FORMATS
from investigations.models.dates import PartialDateField
from investigations.search import search
from tests.factories import cite, make_organisation, make_source

pytestmark = pytest.mark.django_db
MARKER = "zqxhidden"
PUBLISHED = "published"
START = ["/", "/organisations/", "/contracts/", "/concerns/", "/people/", "/sources/"]
START += ["/sites/", "/frameworks/"]
START += ["/sitemap.xml", "/feed/", "/data/"]
DOWNLOADS = [
    f"{reverse(kind.list_route)}?format={fmt}" for kind in models.LISTED_KINDS for fmt in FORMATS
]
MAX_PAGES = 600


def marked(model, **kwargs):
    """Values for every free-text field of a model, each carrying the marker."""
    for field in model._meta.get_fields():
        if not isinstance(field, db.CharField | db.TextField) or not field.editable:
            continue
        if field.choices or isinstance(field, PartialDateField | db.SlugField):
            continue
        if field.name in kwargs or (field.max_length or 100) < 40:
            continue
        if isinstance(field, db.URLField):
            kwargs[field.name] = f"https://example.org/{MARKER}"
        else:
            kwargs[field.name] = f"{MARKER} {field.name}"
    return kwargs


def create(model, **kwargs):
    return model.objects.create(**marked(model, **kwargs))


def published_world():
    """Published records the drafts hang from, so their pages are crawled."""
    org = make_organisation(name="Published Org", status=PUBLISHED, summary="Public text.")
    other = make_organisation(name="Other Org", status=PUBLISHED)
    contract = models.Contract.objects.create(title="Public contract", status=PUBLISHED)
    models.ContractParty.objects.create(contract=contract, organisation=org, role="supplier")
    concern = models.Concern.objects.create(
        title="Public concern", kind="fine", summary="Public.", status=PUBLISHED
    )
    models.ConcernParty.objects.create(concern=concern, organisation=org)
    source = make_source(title="Public source")
    cite(org, source=source)
    return org, other, contract, concern


def drafts_of_every_kind(org, other, contract, concern):
    draft_org = create(models.Organisation)
    deleted_org = create(models.Organisation, status=PUBLISHED, deleted_at=timezone.now())
    for parent in (draft_org, deleted_org):
        create(models.OrganisationAlias, organisation=parent)
        create(models.Identifier, organisation=parent, value=f"{MARKER}{parent.pk}")
        create(models.ProfileSection, organisation=parent, heading="strategy")
    person = create(models.Person)
    create(models.Role, person=person, organisation=org)
    site = create(models.Site)
    create(models.SiteRole, site=site, organisation=org, kind="operator")
    framework = create(models.Framework, buyer=org)
    create(models.FrameworkMembership, framework=framework, organisation=org)
    draft_contract = create(models.Contract, framework=framework, site=site)
    models.ContractParty.objects.create(contract=draft_contract, organisation=org, role="buyer")
    draft_concern = create(models.Concern, kind="fine", regulator=org)
    models.ConcernParty.objects.create(concern=draft_concern, organisation=org)
    draft_concern.contracts.add(contract)
    create(models.Relationship, subject=org, object=other, kind="partner_of")
    create(models.Relationship, subject=draft_org, object=org, kind="acquired", status=PUBLISHED)
    create(
        models.Relationship, subject=deleted_org, object=org, kind="partner_of", status=PUBLISHED
    )
    # Published records pointing at drafts: the drafts must not show through them.
    contract.framework, contract.site = framework, site
    contract.save()
    concern.regulator = draft_org
    concern.save()
    concern.people.add(person)
    models.ConcernParty.objects.create(
        concern=concern, organisation=other, parent_at_time=draft_org
    )
    models.ContractParty.objects.create(contract=contract, organisation=draft_org, role="buyer")
    public_framework = models.Framework.objects.create(
        name="Public framework", status=PUBLISHED, buyer=draft_org
    )
    models.FrameworkMembership.objects.create(framework=public_framework, organisation=draft_org)


def draft_source_cited_by_published_records(org, contract):
    """A draft source cited by published records, and claims only it supports."""
    source = create(models.Source)
    cite(org, source=source, quote=f"{MARKER} quote", locator=f"{MARKER} page")
    cite(contract, source=source, quote=f"{MARKER} quote 2")
    org.website = f"https://example.org/{MARKER}"
    org.summary += f"\n\nA claim only a draft backs: {MARKER}.[^secret]"
    org.save()
    cite(org, "website", source=source)
    cite(org, "summary", marker="secret", source=source)
    contract.extension_options = f"{MARKER} extension"
    contract.save()
    cite(contract, "extension_options", source=source)
    alias = models.OrganisationAlias.objects.create(organisation=org, name=f"{MARKER} alias")
    cite(alias, source=source)
    return source


def pending_revisions_carrying_the_marker(org, contract, concern):
    """Changes to published records, fields, rows and citations alike, waiting for review."""
    source = make_source(title="Public source for a pending claim")

    def change():
        staged_org = models.Organisation.objects.get(pk=org.pk)
        staged_org.name = f"{MARKER} renamed"
        staged_org.summary = f"{MARKER} pending summary.[^pending]"
        staged_org.save()
        cite(staged_org, "summary", source=source, marker="pending", quote=f"{MARKER} pending")
        models.OrganisationAlias.objects.create(organisation=org, name=f"{MARKER} pending alias")
        models.ProfileSection.objects.create(organisation=org, heading="strategy", body=MARKER)
        staged_contract = models.Contract.objects.get(pk=contract.pk)
        staged_contract.description = f"{MARKER} pending description"
        staged_contract.save()
        contract.parties.update(note=f"{MARKER} pending note")
        models.ContractParty.objects.filter(contract=contract).first().save()
        staged_concern = models.Concern.objects.get(pk=concern.pk)
        staged_concern.summary = f"{MARKER} pending concern"
        staged_concern.save()

    _, kept = revisions.propose([org, contract, concern], None, change)
    assert len(kept) == 3


def text_of(response):
    """A page's text; a download's or a dump's too, unzipped and read from its cells."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"\x1f\x8b"):
        content = gzip.decompress(content)
    if content.startswith(b"PK"):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = (
            cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
        return " ".join(str(cell) for cell in cells if cell is not None)
    return content.decode()


def crawl(client):
    """Every page reachable from the start pages: (url, body) pairs."""
    start = START + DOWNLOADS
    queue, seen, pages = deque(start), set(start), []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code in (200, 301, 302, 404), url
        body = text_of(response)
        pages.append((url, body))
        for link in re.findall(r'(?:href|<loc>|<link href)="?([^"<\s]+)', body):
            target = urljoin(f"http://testserver{url}", link.replace("&amp;", "&"))
            parsed = urlparse(target)
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            internal = parsed.netloc == "testserver" and not path.startswith(("/admin", "/static"))
            # Each list's downloads are fetched once, unfiltered (DOWNLOADS); following every
            # filtered list's would spend the crawl's budget of pages on files.
            internal = internal and "format=" not in parsed.query
            if internal and path not in seen:
                seen.add(path)
                queue.append(path)
    return pages


def test_no_unpublished_text_reaches_any_public_page(client, settings, tmp_path):
    settings.DUMPS_ROOT = tmp_path
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    draft_source_cited_by_published_records(org, contract)
    pending_revisions_carrying_the_marker(org, contract, concern)
    folder, manifest = dumps.export_dumps()
    pages = crawl(client)
    assert len(pages) > 20
    crawled = {url for url, _ in pages}
    assert f"/organisations/{org.slug}/" in crawled
    assert f"/contracts/{contract.slug}/" in crawled
    assert "/frameworks/public-framework/" in crawled
    assert set(DOWNLOADS) <= crawled
    assert {f"/data/dumps/{folder.name}/{entry['name']}" for entry in manifest["files"]} <= crawled
    assert f"/organisations/{org.slug}/ftm.jsonl" in crawled
    assert f"/contracts/{contract.slug}/ocds.json" in crawled
    network = f"/network/?around=organisation%3A{org.slug}&depth="
    assert any(url.startswith(network) for url in crawled)
    assert {url.split("?")[0] for url in crawled} >= {
        f"/network/download.{kind}" for kind in ("svg", "gexf", "json")
    }
    leaks = [url for url, body in pages if MARKER in body.lower()]
    assert leaks == []


def addresses_in(data):
    """Every address on this site in a JSON document, at any depth."""
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            yield from addresses_in(item)
    elif isinstance(data, str) and data.startswith("http://testserver/"):
        yield data.removeprefix("http://testserver")


def crawl_api(client):
    """Every API answer reachable from /api/, and every other address they give."""
    queue, seen, answers = deque(["/api/"]), {"/api/"}, []
    while queue and len(answers) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, url
        answers.append((url, response.content.decode()))
        if not url.startswith("/api/"):
            continue  # a public page or a file: crawled by the test above
        for address in addresses_in(response.json()):
            if address not in seen:
                seen.add(address)
                queue.append(address)
    return answers


def test_no_unpublished_text_or_address_reaches_the_api(client):
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    draft_source_cited_by_published_records(org, contract)
    pending_revisions_carrying_the_marker(org, contract, concern)
    answers = crawl_api(client)
    crawled = {url for url, _ in answers}
    assert f"/api/organisations/{org.slug}/" in crawled
    assert f"/api/contracts/{contract.slug}/" in crawled
    assert "/api/frameworks/public-framework/" in crawled
    assert {f"/api/{prefix(model)}/" for model in RESOURCE_MODELS} <= crawled
    assert sum(url.startswith("/api/") for url in crawled) > 20
    leaks = [url for url, body in answers if MARKER in body.lower()]
    assert leaks == []


def test_no_unpublished_text_reaches_the_dump_files(settings, tmp_path):
    settings.DUMPS_ROOT = tmp_path
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    draft_source_cited_by_published_records(org, contract)
    pending_revisions_carrying_the_marker(org, contract, concern)
    folder, manifest = dumps.export_dumps()
    texts = {path.name: path.read_bytes() for path in folder.iterdir()}
    texts = {
        name: gzip.decompress(data) if name.endswith(".gz") else data
        for name, data in texts.items()
    }
    assert {entry["records"] for entry in manifest["files"]} != {0}
    assert [name for name, text in texts.items() if MARKER.encode() in text.lower()] == []


def test_search_finds_no_unpublished_record(client):
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    draft_source_cited_by_published_records(org, contract)
    pending_revisions_carrying_the_marker(org, contract, concern)
    body = client.get("/search/", {"q": MARKER}).content.decode()
    assert "0 results" in body
    assert search(MARKER) == []
    assert [group.kind for group in search("Published Org")] == ["organisation"]


def test_counts_exclude_drafts(client):
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    body = client.get("/").content.decode()
    assert "<strong>2</strong> organisations" in body
    assert "<strong>1</strong> contracts" in body
    assert "<strong>0</strong> people" in body
