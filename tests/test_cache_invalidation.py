"""A change makes stale the cached pages that show what changed, and leaves the others cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations import models, revisions
from investigations.importers.service import run_import
from investigations.importers.undo import undo_batch
from tests.factories import cite, make_contract, make_organisation, make_party, make_person
from tests.test_visibility import MARKER, crawl, marked

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def is_cached(client, path):
    """True if the page came from the cache: its one query the check of its tags."""
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    sqls = [query["sql"] for query in queries]
    return len(sqls) == 1 and "investigations_pagecachetag" in sqls[0]


def warm(client, *paths):
    for path in paths:
        assert client.get(path).status_code == 200, path
        assert is_cached(client, path), path


def text(client, path):
    return client.get(path).content.decode()


def test_an_edit_stales_the_pages_that_show_the_record_and_no_other(client):
    edited = make_organisation(name="Alliance Medical", status=PUBLISHED)
    contract = make_contract(title="PET-CT services", status=PUBLISHED)
    make_party(contract, organisation=edited)
    unrelated = make_organisation(name="Equitix", status=PUBLISHED)
    pages = [edited.get_absolute_url(), contract.get_absolute_url(), "/organisations/"]
    warm(client, *pages, unrelated.get_absolute_url())
    edited.name = "Alliance Medical Group"
    edited.save()
    for path in pages:
        assert not is_cached(client, path), path
        assert "Alliance Medical Group" in text(client, path), path
    assert is_cached(client, unrelated.get_absolute_url())


def test_publishing_a_draft_contract_stales_its_parties_profiles_and_the_contracts_list(client):
    supplier = make_organisation(name="Alliance Medical", status=PUBLISHED)
    draft = make_contract(title="Mobile MRI units")
    make_party(draft, organisation=supplier)
    unrelated = make_organisation(name="Equitix", status=PUBLISHED)
    warm(client, supplier.get_absolute_url(), "/contracts/", unrelated.get_absolute_url())
    assert "Mobile MRI units" not in text(client, supplier.get_absolute_url())
    draft = models.Contract.objects.get(pk=draft.pk)  # as the admin loads it
    draft.status = PUBLISHED
    draft.save()
    assert "Mobile MRI units" in text(client, supplier.get_absolute_url())
    assert "Mobile MRI units" in text(client, "/contracts/")
    assert is_cached(client, unrelated.get_absolute_url())


def test_adding_a_person_to_a_concern_stales_the_concern_and_the_person(client):
    concern = models.Concern.objects.create(title="Fine", kind="fine", status=PUBLISHED)
    person = make_person(name="Pat Example", status=PUBLISHED)
    warm(client, concern.get_absolute_url(), person.get_absolute_url())
    concern.people.add(person)
    assert "Pat Example" in text(client, concern.get_absolute_url())
    assert not is_cached(client, person.get_absolute_url())
    warm(client, concern.get_absolute_url())
    person.concerns.clear()
    assert "Pat Example" not in text(client, concern.get_absolute_url())


def test_an_import_and_its_undo_stale_the_pages_they_change_and_no_other(client, editor):
    unrelated = make_organisation(name="Equitix", status=PUBLISHED)
    warm(client, "/people/", unrelated.get_absolute_url())
    data = b"name,source,locator\nPat Imported,Register,p1\n"
    result = run_import(data, "p.csv", user=editor, kind="people", publish=True)
    person = models.Person.objects.get(name="Pat Imported")
    assert person.status == PUBLISHED
    assert "Pat Imported" in text(client, "/people/")
    warm(client, "/people/", person.get_absolute_url())
    assert is_cached(client, unrelated.get_absolute_url())
    undo_batch(result.batch, editor)
    assert "Pat Imported" not in text(client, "/people/")
    assert client.get(person.get_absolute_url()).status_code == 404
    assert is_cached(client, unrelated.get_absolute_url())


def test_a_page_rendered_while_a_write_commits_is_served_but_not_kept(client, monkeypatch):
    from investigations import caching

    organisation = make_organisation(name="Alliance Medical", status=PUBLISHED)
    path = organisation.get_absolute_url()
    read_version = caching.current_version

    def version_then_a_write():
        # The counter is read, then an editor's change commits before the page is made.
        version = read_version()
        models.Organisation.objects.filter(pk=organisation.pk).update(name="Renamed")
        caching.records_changed(models.Organisation, [organisation.pk])
        return version

    monkeypatch.setattr(caching, "current_version", version_then_a_write)
    client.get(path)
    monkeypatch.setattr(caching, "current_version", read_version)
    assert not is_cached(client, path)
    assert "Renamed" in text(client, path)


def test_a_proposed_change_leaves_the_cached_pages_alone(client):
    organisation = make_organisation(name="Alliance Medical", status=PUBLISHED)
    warm(client, organisation.get_absolute_url(), "/organisations/")

    def change():
        staged = models.Organisation.objects.get(pk=organisation.pk)
        staged.name = "Renamed"
        staged.save()

    _, kept = revisions.propose([organisation], None, change)
    assert len(kept) == 1
    assert is_cached(client, organisation.get_absolute_url())
    assert is_cached(client, "/organisations/")


def marked_world():
    """Published records carrying the marker, and the published records they show on."""
    org = make_organisation(name="Published Org", status=PUBLISHED, summary="Public text.")
    hidden = models.Organisation.objects.create(**marked(models.Organisation, status=PUBLISHED))
    contract = models.Contract.objects.create(**marked(models.Contract, status=PUBLISHED))
    make_party(contract, organisation=org)
    make_party(contract, organisation=hidden)
    person = models.Person.objects.create(**marked(models.Person, status=PUBLISHED))
    models.Role.objects.create(person=person, organisation=org, title="Director")
    source = models.Source.objects.create(**marked(models.Source, status=PUBLISHED))
    cite(org, source=source)
    return [hidden, contract, person, source]


def test_no_unpublished_text_reaches_a_page_cached_while_it_was_published(client):
    records = marked_world()
    assert any(MARKER in body.lower() for _, body in crawl(client))
    for record in records:
        record = type(record).objects.get(pk=record.pk)
        record.status = "draft"
        record.save()
    pages = crawl(client)
    assert len(pages) > 20
    assert [url for url, body in pages if MARKER in body.lower()] == []
