"""Public pages are cached whole, and any change to curated data makes them stale."""

import pytest

from investigations import caching, models
from investigations.caching import content_version
from tests.factories import make_organisation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.caching_urls")]


def test_it_serves_a_repeated_anonymous_request_without_touching_the_database(
    client, django_assert_num_queries
):
    make_organisation(name="Equitix", status="published")
    assert client.get("/names/").content == b"Equitix"
    with django_assert_num_queries(0):
        assert client.get("/names/").content == b"Equitix"


def test_it_shows_a_newly_published_record_at_once(client):
    organisation = make_organisation(name="Equitix")
    assert client.get("/names/").content == b""
    organisation.status = "published"
    organisation.save()
    assert client.get("/names/").content == b"Equitix"


def test_it_hides_an_unpublished_record_at_once(client):
    organisation = make_organisation(name="Equitix", status="published")
    assert client.get("/names/").content == b"Equitix"
    organisation.status = "draft"
    organisation.save()
    assert client.get("/names/").content == b""


def test_it_never_caches_for_a_signed_in_user(admin_client, django_assert_num_queries):
    make_organisation(name="Equitix", status="published")
    admin_client.get("/names/")
    with django_assert_num_queries(1):  # the page ran its own query: not from the cache
        admin_client.get("/names/")


def test_it_never_caches_the_admin(client, django_assert_num_queries):
    client.get("/admin/names/")
    with django_assert_num_queries(1):
        client.get("/admin/names/")


def test_it_never_stores_a_page_its_view_marks_never_cache(client, django_assert_num_queries):
    client.get("/never-cached/names/")
    with django_assert_num_queries(1):
        client.get("/never-cached/names/")


def test_import_bookkeeping_leaves_cached_pages_alone_until_the_batch_commits():
    batch = models.ImportBatch.objects.create(file_name="contracts.csv", file_sha256="0" * 64)
    version = content_version()
    models.ImportBatch.objects.filter(pk=batch.pk).update(rows_done=500)
    batch.state = models.ImportBatch.State.RUNNING
    batch.save()
    assert content_version() == version
    batch.state = models.ImportBatch.State.COMMITTED
    batch.save()
    assert content_version() != version


def test_one_save_is_one_change_though_it_also_writes_a_history_row(monkeypatch):
    organisation = make_organisation(name="Equitix")
    bumps = []
    monkeypatch.setattr(caching, "_bump", lambda: bumps.append(1))
    organisation.status = "published"
    organisation.save()
    assert organisation.history.count() == 2
    assert len(bumps) == 1
