"""The page cache keeps API lists, as it keeps the HTML lists, and a write stales them."""

import pytest

from investigations import models
from tests.factories import cite, make_contract, make_framework, make_organisation, make_source
from tests.test_cache_invalidation import is_cached, warm
from tests.test_visibility import MARKER, crawl_api, marked

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def listed(client, path):
    return client.get(path).json()["results"]


def titles(client, path):
    return [row["title"] for row in listed(client, path)]


def saved(record, **changes):
    """The record as the admin loads and saves it, with these changes."""
    record = type(record).objects.get(pk=record.pk)
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    return record


def test_an_api_list_is_kept_and_its_paging_and_filters_key_it(client):
    make_contract(title="PET-CT services", status=PUBLISHED, service_category="pet_ct")
    warm(client, "/api/contracts/", "/api/contracts/?limit=1&offset=0")
    warm(client, "/api/contracts/?service_category=pet_ct")
    assert is_cached(client, "/api/contracts/?utm_source=feed")  # a parameter no one reads
    assert titles(client, "/api/contracts/?service_category=mri") == []


def test_publishing_and_unpublishing_a_contract_stales_the_cached_api_list(client):
    draft = make_contract(title="Mobile MRI units")
    warm(client, "/api/contracts/")
    assert titles(client, "/api/contracts/") == []
    saved(draft, status=PUBLISHED)
    assert titles(client, "/api/contracts/") == ["Mobile MRI units"]
    warm(client, "/api/contracts/")
    saved(draft, status="draft")
    assert titles(client, "/api/contracts/") == []


def test_a_link_to_a_framework_made_a_draft_leaves_the_cached_api_list(client):
    framework = make_framework(name="Imaging framework", status=PUBLISHED)
    make_contract(title="Call-off", status=PUBLISHED, framework=framework)
    warm(client, "/api/contracts/")
    assert listed(client, "/api/contracts/")[0]["framework"] is not None
    saved(framework, status="draft")
    assert listed(client, "/api/contracts/")[0]["framework"] is None


def test_a_value_whose_only_source_becomes_a_draft_leaves_the_cached_api_list(client):
    source = make_source(title="Annual report")
    contract = make_contract(title="PET-CT services", status=PUBLISHED, value=350_000_000)
    cite(contract, "value", source=source)
    warm(client, "/api/contracts/")
    assert listed(client, "/api/contracts/")[0]["value"] is not None
    saved(source, status="draft")
    assert listed(client, "/api/contracts/")[0]["value"] is None


def test_an_api_list_is_stale_after_an_edit_of_its_table_and_kept_after_another(client):
    organisation = make_organisation(name="Alliance Medical", status=PUBLISHED)
    make_contract(title="PET-CT services", status=PUBLISHED)
    warm(client, "/api/organisations/", "/api/contracts/")
    saved(organisation, name="Alliance Medical Group")
    assert [row["name"] for row in listed(client, "/api/organisations/")] == [
        "Alliance Medical Group"
    ]
    assert is_cached(client, "/api/contracts/")


def test_an_api_detail_is_never_kept(client):
    contract = make_contract(title="PET-CT services", status=PUBLISHED)
    path = f"/api/contracts/{contract.slug}/"
    assert client.get(path).status_code == 200
    assert not is_cached(client, path)


def test_an_answer_from_the_cache_is_throttled_and_tells_this_readers_limit(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    make_contract(title="PET-CT services", status=PUBLISHED)
    answers = [client.get("/api/contracts/") for _ in range(3)]
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0"]
    assert client.get("/api/contracts/").status_code == 429
    other = client.get("/api/contracts/", REMOTE_ADDR="198.51.100.7")
    assert (other.status_code, other["X-RateLimit-Remaining"]) == (200, "2")


def test_no_unpublished_text_reaches_an_api_list_cached_while_it_was_published(client):
    org = models.Organisation.objects.create(**marked(models.Organisation, status=PUBLISHED))
    contract = models.Contract.objects.create(**marked(models.Contract, status=PUBLISHED))
    models.ContractParty.objects.create(contract=contract, organisation=org, role="supplier")
    assert any(MARKER in body.lower() for _, body in crawl_api(client))
    for record in (org, contract):
        saved(record, status="draft")
    answers = crawl_api(client)
    assert len(answers) > 10
    assert [url for url, body in answers if MARKER in body.lower()] == []
