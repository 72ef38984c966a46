"""The read-only JSON API: every endpoint, citations, filters, paging, 404 and 410, CORS,
throttling and the schema (the page cache: test_api_cache.py)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.validation import validate_schema

from investigations import models
from investigations.api.links import RESOURCE_MODELS, prefix
from investigations.api.pagination import MAX_PAGE_SIZE
from investigations.api.views import VIEWSETS
from investigations.views.lists import COUNT_LIMIT, CountLimitedPaginator
from tests.factories import (
    cite,
    make_concern,
    make_contract,
    make_framework,
    make_organisation,
    make_party,
    make_person,
    make_relationship,
    make_site,
    make_source,
)
from tests.test_hostile_parameters import JUNK

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def published_world():
    """One published record of every kind, and one of every row between them."""
    org = make_organisation(name="Alliance Medical", status=PUBLISHED, founded="1989")
    other = make_organisation(name="Life Healthcare", status=PUBLISHED)
    person = make_person(status=PUBLISHED)
    site = make_site(status=PUBLISHED)
    framework = make_framework(status=PUBLISHED, buyer=org)
    contract = make_contract(status=PUBLISHED, value=350_000_000, framework=framework, site=site)
    concern = make_concern(status=PUBLISHED, regulator=other)
    concern.contracts.add(contract)
    concern.people.add(person)
    make_relationship(subject=other, object=org, status=PUBLISHED)
    make_party(contract, organisation=org)
    models.ConcernParty.objects.create(concern=concern, organisation=org)
    models.Role.objects.create(person=person, organisation=org)
    models.SiteRole.objects.create(site=site, organisation=org, kind="operator")
    models.FrameworkMembership.objects.create(framework=framework, organisation=org)
    source = make_source(title="Annual results")
    cite(contract, "value", source=source, quote="worth £350m", locator="p. 4", confidence="medium")
    return {"org": org, "contract": contract, "concern": concern, "source": source}


def api(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.content)
    return response.json()


def list_url(model):
    return f"/api/{prefix(model)}/"


def test_every_resource_lists_its_published_rows_and_details_each(client):
    published_world()
    make_organisation(name="A draft")
    for model in RESOURCE_MODELS:
        listed = api(client, list_url(model))
        assert listed["count"] == model.objects.published().count() > 0, model
        for row in listed["results"]:
            detail = api(client, row["url"])
            assert detail["url"] == row["url"]
            assert "citations" in detail


def test_the_api_root_links_every_list(client):
    root = api(client, "/api/")
    assert sorted(root) == sorted(prefix(model) for model in RESOURCE_MODELS)


def test_a_detail_gives_each_cited_field_its_citations(client):
    world = published_world()
    detail = api(client, f"/api/contracts/{world['contract'].slug}/")
    (citation,) = detail["citations"]
    assert citation == {
        "field": "value",
        "marker": "",
        "source": f"http://testserver/api/sources/{world['source'].slug}/",
        "source_title": "Annual results",
        "quote": "worth £350m",
        "locator": "p. 4",
        "confidence": "medium",
        "note": "",
        "stale": False,
    }
    assert detail["value"] == "350000000.00"
    assert detail["framework"].endswith(f"/api/frameworks/{world['contract'].framework.slug}/")


def test_a_citation_of_a_value_since_changed_is_marked_stale(client):
    contract = published_world()["contract"]
    contract.value = 400_000_000
    contract.save()
    (citation,) = api(client, f"/api/contracts/{contract.slug}/")["citations"]
    assert citation["stale"] is True


def test_a_claim_only_a_draft_source_backs_is_withheld(client):
    org = published_world()["org"]
    draft_source = make_source(title="Unpublished notes", status="draft")
    org.website = "https://example.org/secret"
    org.summary = "Public passage.\n\nOnly the draft backs this.[^secret]"
    org.save()
    cite(org, "website", source=draft_source)
    cite(org, "summary", marker="secret", source=draft_source)
    detail = api(client, f"/api/organisations/{org.slug}/")
    assert detail["website"] == ""
    assert detail["summary"] == "Public passage."
    assert all(c["source_title"] != "Unpublished notes" for c in detail["citations"])
    listed = api(client, "/api/organisations/", name="Alliance")["results"]
    assert [row["website"] for row in listed] == [""]


def test_links_to_drafts_are_blank(client):
    world = published_world()
    contract = world["contract"]
    models.Framework.objects.filter(pk=contract.framework_id).update(status="draft")
    detail = api(client, f"/api/contracts/{contract.slug}/")
    assert detail["framework"] is None
    listed = api(client, "/api/contracts/")["results"]
    assert listed[0]["framework"] is None


def test_an_organisation_shows_its_rows_and_links_to_the_rows_between_records(client):
    org = published_world()["org"]
    models.OrganisationAlias.objects.create(organisation=org, name="AMG")
    detail = api(client, f"/api/organisations/{org.slug}/")
    assert [alias["name"] for alias in detail["aliases"]] == ["AMG"]
    (party,) = detail["contract_parties"]
    assert api(client, party["url"])["organisation"] == detail["url"]
    (relationship,) = detail["relationships_in"]
    assert relationship["object"] == detail["url"]


def test_a_source_lists_the_published_claims_it_supports(client):
    world = published_world()
    detail = api(client, f"/api/sources/{world['source'].slug}/")
    (claim,) = detail["supports"]
    assert claim["record"] == f"http://testserver/api/contracts/{world['contract'].slug}/"
    assert (claim["field"], claim["quote"], claim["stale"]) == ("value", "worth £350m", False)


def test_the_lists_take_the_pages_filters(client):
    make_contract(title="Small scanning", status=PUBLISHED, value=10, awarded="2015")
    make_contract(title="Large scanning", status=PUBLISHED, value=1000, awarded="2021")
    results = api(client, "/api/contracts/", value_min=500)["results"]
    assert [row["title"] for row in results] == ["Large scanning"]
    results = api(client, "/api/contracts/", awarded_to=2016)["results"]
    assert [row["title"] for row in results] == ["Small scanning"]
    results = api(client, "/api/contracts/", sort="-value")["results"]
    assert [row["title"] for row in results] == ["Large scanning", "Small scanning"]


def test_a_filter_value_it_cannot_use_is_a_clear_error(client):
    response = client.get("/api/contracts/", {"awarded_from": "last year"})
    assert response.status_code == 400
    assert response.json() == {
        "awarded_from": ["Enter a year between 1000 and 9999, such as 2016."]
    }


def test_the_linking_rows_filter_by_the_records_at_their_ends(client):
    world = published_world()
    make_party(world["contract"], organisation=make_organisation(status=PUBLISHED), role="buyer")
    results = api(client, "/api/contract-parties/", organisation__slug=world["org"].slug)
    assert [row["role"] for row in results["results"]] == ["supplier"]
    assert api(client, "/api/contract-parties/", role="buyer")["count"] == 1


def test_lists_page_by_limit_and_offset_up_to_a_maximum(client):
    models.Organisation.objects.bulk_create(
        models.Organisation(name=f"Org {n:03d}", slug=f"org-{n:03d}", status=PUBLISHED)
        for n in range(MAX_PAGE_SIZE + 5)
    )
    first = api(client, "/api/organisations/", limit=2)
    assert [row["slug"] for row in first["results"]] == ["org-000", "org-001"]
    second = api(client, first["next"])
    assert [row["slug"] for row in second["results"]] == ["org-002", "org-003"]
    assert len(api(client, "/api/organisations/")["results"]) == 25
    assert len(api(client, "/api/organisations/", limit=1000)["results"]) == MAX_PAGE_SIZE


def test_a_list_counts_and_pages_no_further_than_the_html_lists(client, monkeypatch):
    monkeypatch.setattr(CountLimitedPaginator, "limit", 5)
    models.Organisation.objects.bulk_create(
        models.Organisation(name=f"Org {n}", slug=f"org-{n}", status=PUBLISHED) for n in range(8)
    )
    first = api(client, "/api/organisations/", limit=2)
    assert (first["count"], first["count_is_exact"]) == (5, False)
    last = api(client, "/api/organisations/", limit=2, offset=4)
    assert [row["slug"] for row in last["results"]] == ["org-4"]
    assert last["next"] is None
    assert api(client, "/api/organisations/", offset=5)["results"] == []
    models.Organisation.objects.filter(slug__in=["org-5", "org-6", "org-7"]).delete()
    exact = api(client, "/api/organisations/")
    assert (exact["count"], exact["count_is_exact"]) == (5, True)


def test_a_list_never_counts_every_row(client):
    make_organisation(status=PUBLISHED)
    with CaptureQueriesContext(connection) as captured:
        api(client, "/api/organisations/")
    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert counts and all(f"LIMIT {COUNT_LIMIT + 1}" in sql for sql in counts), counts


def test_a_deleted_record_is_gone_and_says_nothing_of_itself(client):
    org = make_organisation(name="Deleted Diagnostics", status=PUBLISHED)
    org.published_at = org.deleted_at = timezone.now()
    org.save()
    response = client.get(f"/api/organisations/{org.slug}/")
    assert response.status_code == 410
    assert "Deleted Diagnostics" not in response.content.decode()


def test_a_draft_is_not_found_like_an_address_that_never_existed(client):
    draft = make_organisation(name="Draft Diagnostics")
    never_published = make_organisation(name="Binned draft", deleted_at=timezone.now())
    unpublished = make_organisation(name="Withdrawn", published_at=timezone.now())
    for slug in (draft.slug, never_published.slug, unpublished.slug, "no-such-organisation"):
        response = client.get(f"/api/organisations/{slug}/")
        assert response.status_code == 404, slug
        assert response.json() == {"detail": "No published organisation at this address."}


def test_a_row_is_gone_when_deleted_and_not_found_when_an_end_is_a_draft(client):
    deleted = make_relationship(status=PUBLISHED, published_at=timezone.now())
    deleted.subject.status = deleted.object.status = PUBLISHED
    deleted.subject.save()
    deleted.object.save()
    deleted.deleted_at = timezone.now()
    deleted.save()
    to_a_draft = make_relationship(status=PUBLISHED, published_at=timezone.now())
    party = make_party(make_contract(status=PUBLISHED))  # its organisation is a draft
    assert client.get(f"/api/relationships/{deleted.pk}/").status_code == 410
    assert client.get(f"/api/relationships/{to_a_draft.pk}/").status_code == 404
    assert client.get(f"/api/contract-parties/{party.pk}/").status_code == 404


def test_an_old_slug_redirects_to_the_new_resource(client):
    org = make_organisation(name="Old Name", status=PUBLISHED)
    old = org.slug
    org.slug = "new-name"
    org.save()
    response = client.get(f"/api/organisations/{old}/")
    assert response.status_code == 301
    assert response["Location"] == "http://testserver/api/organisations/new-name/"


def test_it_is_read_only(client):
    org = make_organisation(status=PUBLISHED)
    assert client.post("/api/organisations/", {"name": "New"}).status_code == 405
    assert client.delete(f"/api/organisations/{org.slug}/").status_code == 405


def test_any_origin_may_read_the_api_and_nothing_else(client):
    origin = {"HTTP_ORIGIN": "https://newsroom.example"}
    response = client.get("/api/organisations/", **origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "X-RateLimit-Remaining" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/organisations/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin
    )
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Credentials" not in preflight
    assert "Access-Control-Allow-Origin" not in client.get("/organisations/", **origin)


def test_every_answer_tells_the_limit_and_what_remains(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    remaining = []
    for url in ("/api/", "/api/organisations/", "/api/schema/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "3"
        remaining.append(response["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]


def test_a_request_over_the_limit_is_refused_with_when_to_retry(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"},
    }
    for _ in range(2):
        assert client.get("/api/organisations/").status_code == 200
    refused = client.get("/api/organisations/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == ("2", "0")
    other_client = client.get("/api/organisations/", REMOTE_ADDR="198.51.100.7")
    assert other_client.status_code == 200


def test_behind_a_proxy_each_reader_is_counted_by_the_address_the_proxy_saw(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"},
        "NUM_PROXIES": 1,
    }
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert client.get("/api/", **first).status_code == 200
    assert client.get("/api/", **first).status_code == 429
    assert client.get("/api/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_the_schema_is_valid_openapi_and_lists_every_path(client):
    schema = api(client, "/api/schema/", format="json")
    validate_schema(schema)
    for model in RESOURCE_MODELS:
        lookup = "{slug}" if hasattr(model, "get_absolute_url") else "{id}"
        assert f"/api/{prefix(model)}/" in schema["paths"]
        detail = schema["paths"][f"/api/{prefix(model)}/{lookup}/"]["get"]
        assert {"200", "404", "410", "429"} <= set(detail["responses"])
    assert "410" in schema["info"]["description"]


def test_the_schema_says_a_lists_count_stops_at_the_limit(client):
    schema = api(client, "/api/schema/", format="json")
    paged = schema["components"]["schemas"]["PaginatedContractList"]
    assert "count_is_exact" in paged["required"]
    assert f"{COUNT_LIMIT:,}" in paged["properties"]["count"]["description"]
    assert "count_is_exact" in schema["info"]["description"]


def test_the_docs_page_serves_its_script_from_our_own_static_files(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<style>" not in page
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script["Content-Type"] == "application/javascript"
    assert "/api/schema/" in script.content.decode()


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_it_never_answers_a_junk_parameter_with_a_server_error(junk):
    published_world()
    client = Client(raise_request_exception=False)
    for model in RESOURCE_MODELS:
        viewset = VIEWSETS[model]
        filterset = DjangoFilterBackend().get_filterset_class(viewset(), model.objects.none())
        for parameter in [*filterset.base_filters, "limit", "offset"]:
            response = client.get(list_url(model), {parameter: junk})
            assert response.status_code in (200, 400), (model, parameter, response.status_code)


@pytest.mark.parametrize("address", ["999999999999999999999999", "0", "x" * 300])
def test_it_answers_a_junk_address_with_not_found(client, address):
    for model in RESOURCE_MODELS:
        response = Client(raise_request_exception=False).get(f"{list_url(model)}{address}/")
        assert response.status_code == 404, (model, response.status_code)


def test_the_counters_live_apart_from_the_page_cache(client, settings):
    """The page cache's directory holds thousands of files, which FileBasedCache lists on
    every write: the counter written on every API request is kept in a cache of its own."""
    from django.core.cache import caches

    assert client.get("/api/organisations/").status_code == 200
    throttle_key = "throttle_anon_127.0.0.1"
    assert caches["throttle"].get(throttle_key)
    assert caches["default"].get(throttle_key) is None
