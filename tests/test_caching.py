"""Public pages are cached whole, and a change to curated data makes the pages it shows on stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations import caching, models
from tests.factories import make_organisation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.caching_urls")]


def test_it_serves_a_repeated_anonymous_request_with_one_query_of_its_tags_versions(client):
    make_organisation(name="Equitix", status="published")
    assert client.get("/names/").content == b"Equitix"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/names/").content == b"Equitix"
    [query] = queries.captured_queries
    assert "investigations_pagecachetag" in query["sql"]


def served_from_the_cache(client, path, **headers):
    """The page, got twice: the second time with only the tag check, so it was cached."""
    first = client.get(path, **headers).content
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path, **headers).content
    assert (second, len(queries)) == (first, 1)
    return first


def test_it_shows_a_newly_published_record_at_once(client):
    organisation = make_organisation(name="Equitix")
    assert served_from_the_cache(client, "/names/") == b""
    organisation.status = "published"
    organisation.save()
    assert client.get("/names/").content == b"Equitix"


def test_it_hides_an_unpublished_record_at_once(client):
    organisation = make_organisation(name="Equitix", status="published")
    assert served_from_the_cache(client, "/names/") == b"Equitix"
    organisation.status = "draft"
    organisation.save()
    assert client.get("/names/").content == b""


def test_it_never_caches_for_a_signed_in_user(admin_client, django_assert_num_queries):
    make_organisation(name="Equitix", status="published")
    admin_client.get("/names/")
    with django_assert_num_queries(1):  # the page ran its own query: not from the cache
        admin_client.get("/names/")


def test_it_stores_no_page_that_changed_while_it_rendered(client):
    make_organisation(name="Equitix", status="published")
    client.get("/names-then-an-edit/")
    assert not [key for key in caching.cache._cache if "public-page:" in key]


def test_it_never_caches_the_admin(client, django_assert_num_queries):
    client.get("/admin/names/")
    with django_assert_num_queries(1):
        client.get("/admin/names/")


def ran_its_own_query(client, path):
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return any("investigations_organisation" in query["sql"] for query in queries)


def test_it_never_stores_a_page_its_view_marks_never_cache(client):
    client.get("/never-cached/names/")
    assert ran_its_own_query(client, "/never-cached/names/")


def test_import_bookkeeping_leaves_cached_pages_alone_until_the_batch_commits():
    batch = models.ImportBatch.objects.create(file_name="contracts.csv", file_sha256="0" * 64)
    organisation = make_organisation(name="Equitix")
    batch.items.create(record=organisation, action="created")
    version = caching.current_version()
    models.ImportBatch.objects.filter(pk=batch.pk).update(rows_done=500)
    batch.state = models.ImportBatch.State.RUNNING
    batch.save()
    assert caching.current_version() == version
    batch.state = models.ImportBatch.State.COMMITTED
    batch.save()
    assert caching.changed_since(
        [caching.record_tag(models.Organisation, organisation.pk)], version
    )


def test_one_save_is_one_change_though_it_also_writes_a_history_row(monkeypatch):
    organisation = make_organisation(name="Equitix")
    bumps = []
    monkeypatch.setattr(caching, "bump", bumps.append)
    organisation.status = "published"
    organisation.save()
    assert organisation.history.count() == 2
    assert len(bumps) == 1


def test_a_parameter_the_view_does_not_read_is_served_the_same_cached_page(
    client, django_assert_num_queries
):
    make_organisation(name="Equitix", status="published")
    client.get("/names/")
    with django_assert_num_queries(20):  # each the check of the page's tags
        for number in range(20):
            assert client.get("/names/", {"utm": number}).content == b"Equitix"


def test_a_parameter_the_view_reads_gets_a_page_of_its_own(client):
    make_organisation(name="Equitix", status="published")
    make_organisation(name="Amberside", status="published")
    assert client.get("/names/", {"starting": "E"}).content == b"Equitix"
    assert client.get("/names/", {"starting": "A"}).content == b"Amberside"


def test_the_view_never_sees_a_parameter_it_does_not_read(client):
    make_organisation(name="Equitix", status="published")
    response = client.get("/names-here/?utm=campaign&starting=E")
    assert response.content == b"Equitix at http://testserver/names-here/?starting=E"


def test_it_never_caches_a_view_that_does_not_say_which_parameters_it_reads(
    client, django_assert_num_queries
):
    client.get("/uncached/names/")
    with django_assert_num_queries(1):
        client.get("/uncached/names/")


def test_it_refuses_a_host_not_in_allowed_hosts_before_reading_the_cache(client, monkeypatch):
    make_organisation(name="Equitix", status="published")
    client.get("/names/")
    keys_read = []
    read = caching.cache.get
    monkeypatch.setattr(
        caching.cache, "get", lambda key, *a: keys_read.append(key) or read(key, *a)
    )
    response = client.get("/names/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert not [key for key in keys_read if key.startswith("public-page:")]


def test_it_caches_each_allowed_host_apart(client, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    pages = [
        served_from_the_cache(client, "/names-here/", HTTP_HOST=h) for h in settings.ALLOWED_HOSTS
    ]
    assert pages == [b" at http://one.example/names-here/", b" at http://two.example/names-here/"]


def test_the_keys_stay_short_whatever_the_parameters(client):
    client.get("/names/", {"starting": "x" * 10_000})
    [key] = [key for key in caching.cache._cache if "public-page:" in key]
    assert len(key) < 250


@pytest.mark.urls("investigations.urls")
@pytest.mark.parametrize(
    ("path", "query"), [("/", {}), ("/contracts/", {}), ("/search/", {"q": "scan"})]
)
def test_the_public_site_makes_no_new_entry_for_a_parameter_nobody_reads(client, path, query):
    make_organisation(name="Equitix", status="published")
    # The first search writes the index rows this test's transaction left pending (on a
    # commit they are written at once), a change the page it renders is not stored across.
    client.get(path, query)
    client.get(path, query)
    entries = len(caching.cache._cache)
    assert entries > 0  # the page itself was cached
    for number in range(5):
        client.get(path, {**query, "utm": number})
    assert len(caching.cache._cache) == entries


@pytest.mark.urls("investigations.urls")
def test_the_public_lists_cache_each_filter_they_read(client):
    client.get("/contracts/")
    entries = len(caching.cache._cache)
    client.get("/contracts/", {"awarded_from": 2015})
    assert len(caching.cache._cache) == entries + 1


def test_bumps_forget_the_tags_of_changes_older_than_any_cached_page(settings, monkeypatch):
    """Else the table keeps a row for every record ever written, deleted ones too."""
    import time
    import types

    monkeypatch.setattr(caching, "_next_prune", 0.0)
    old = make_organisation(name="Equitix")
    later = (settings.PUBLIC_PAGE_CACHE_SECONDS + caching.COMMIT_MARGIN_SECONDS + 1) * 10**9
    clock = types.SimpleNamespace(
        time_ns=lambda: time.time_ns() + later, monotonic=lambda: time.monotonic() + later
    )
    monkeypatch.setattr(caching, "time", clock)
    new = make_organisation(name="Alliance Medical")
    kept = set(models.PageCacheTag.objects.values_list("tag", flat=True))
    assert caching.record_tag(models.Organisation, old.pk) not in kept
    assert {caching.record_tag(models.Organisation, new.pk), models.PageCacheTag.COUNTER} <= kept
    assert caching.changed_since([caching.record_tag(models.Organisation, new.pk)], 0)
