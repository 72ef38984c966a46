"""The publication rule: nothing unpublished ever reaches a public page.

Drafts of every kind, a soft-deleted record, a draft source cited by a published record,
and a claim backed only by that draft source all carry a marker in every text field. The
test crawls every page reachable from the home page, the lists and the sitemap, and the
feed, and the marker must appear on none of them.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.db import models as db
from django.utils import timezone

from investigations import models, revisions
from investigations.models.dates import PartialDateField
from investigations.search import search
from tests.factories import cite, make_organisation, make_source

pytestmark = pytest.mark.django_db
MARKER = "zqxhidden"
PUBLISHED = "published"
START = ["/", "/organisations/", "/contracts/", "/concerns/", "/people/", "/sources/"]
START += ["/sitemap.xml", "/feed/"]
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


def crawl(client):
    """Every page reachable from the start pages: (url, body) pairs."""
    queue, seen, pages = deque(START), set(START), []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code in (200, 301, 302, 404), url
        body = response.content.decode()
        pages.append((url, body))
        for link in re.findall(r'(?:href|<loc>|<link href)="?([^"<\s]+)', body):
            target = urljoin(f"http://testserver{url}", link.replace("&amp;", "&"))
            parsed = urlparse(target)
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            internal = parsed.netloc == "testserver" and not path.startswith(("/admin", "/static"))
            if internal and path not in seen:
                seen.add(path)
                queue.append(path)
    return pages


def test_no_unpublished_text_reaches_any_public_page(client):
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    draft_source_cited_by_published_records(org, contract)
    pending_revisions_carrying_the_marker(org, contract, concern)
    pages = crawl(client)
    assert len(pages) > 20
    crawled = {url for url, _ in pages}
    assert f"/organisations/{org.slug}/" in crawled
    assert f"/contracts/{contract.slug}/" in crawled
    assert "/frameworks/public-framework/" in crawled
    network = f"/network/?around=organisation%3A{org.slug}&depth="
    assert any(url.startswith(network) for url in crawled)
    assert {url.split("?")[0] for url in crawled} >= {
        f"/network/download.{kind}" for kind in ("svg", "gexf", "json")
    }
    leaks = [url for url, body in pages if MARKER in body.lower()]
    assert leaks == []


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
