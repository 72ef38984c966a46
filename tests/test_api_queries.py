"""Every API page runs as many queries with 30 rows as with 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations import models
from investigations.api.links import RESOURCE_MODELS, prefix
from tests.factories import (
    cite,
    make_concern,
    make_contract,
    make_framework,
    make_organisation,
    make_party,
    make_person,
    make_site,
    make_source,
)

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


@pytest.fixture
def hub():
    """A published organisation, framework, site, person and concern for rows to hang on."""
    org = make_organisation(status=PUBLISHED, summary="Scans.[^a]")
    return {
        "org": org,
        "framework": make_framework(status=PUBLISHED, buyer=org),
        "site": make_site(status=PUBLISHED),
        "person": make_person(status=PUBLISHED),
        "concern": make_concern(status=PUBLISHED, regulator=org),
        "source": make_source(),
    }


def grow(hub, count):
    """``count`` more published records of every kind, each tied to the hub and cited."""
    org, source = hub["org"], hub["source"]
    for _ in range(count):
        other = make_organisation(status=PUBLISHED)
        contract = make_contract(
            status=PUBLISHED, value=10, framework=hub["framework"], site=hub["site"]
        )
        cite(contract, "value", source=source)
        cite(make_party(contract, organisation=org), source=source)
        make_party(contract, organisation=other, role="buyer")
        concern = make_concern(status=PUBLISHED, regulator=other)
        models.ConcernParty.objects.create(concern=concern, organisation=org, parent_at_time=other)
        hub["concern"].contracts.add(contract)
        hub["concern"].people.add(make_person(status=PUBLISHED))
        models.Relationship.objects.create(
            subject=other, object=org, kind="acquired", status=PUBLISHED
        )
        models.Role.objects.create(person=hub["person"], organisation=other)
        models.SiteRole.objects.create(site=hub["site"], organisation=other, kind="owner")
        models.FrameworkMembership.objects.create(framework=hub["framework"], organisation=other)
        models.OrganisationAlias.objects.create(organisation=org, name=f"Alias {other.pk}")
        make_site(status=PUBLISHED)
        make_framework(status=PUBLISHED, buyer=other)
        make_source()


def urls(hub):
    lists = [f"/api/{prefix(model)}/?limit=100" for model in RESOURCE_MODELS]
    details = [
        f"/api/{prefix(type(record))}/{record.slug}/"
        for name, record in hub.items()
        if name != "source"
    ]
    return [*lists, *details, f"/api/sources/{hub['source'].slug}/"]


def queries(client, url):
    client.get(url)  # warm per-process caches (content types), as on a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_every_api_page_runs_as_many_queries_with_30_rows_as_with_3(
    client, hub, django_assert_max_num_queries, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # what a list costs to make, not to serve cached
    grow(hub, 3)
    with_three = {url: queries(client, url) for url in urls(hub)}
    grow(hub, 27)
    for url, count in with_three.items():
        assert count <= 16, url
        with django_assert_max_num_queries(count):
            response = client.get(url)
        rows = response.json().get("results")
        assert rows is None or len(rows) >= 30, url
