"""No public page runs more queries with 200 related rows than with 1.

A page's network may run fewer: with many, the links it draws may all be of one kind, and
it reads the whole rows only of the kinds of link it draws.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations import models
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
from tests.test_public_pages import build_profile

pytestmark = pytest.mark.django_db
PUBLISHED = "published"
MANY = 200


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def queries(client, url):
    client.get(url)  # warm per-process caches (content types), as on a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def assert_constant(client, url, grow, limit):
    before = queries(client, url)
    grow()
    after = queries(client, url)
    assert after <= before, f"{url}: {before} queries with one row, {after} with {MANY}"
    assert after <= limit, f"{url}: {after} queries"


def add_to_profile(org, count):
    source = make_source()
    for number in range(count):
        contract = make_contract(status=PUBLISHED, value=number)
        cite(contract, "value", source=source)
        make_party(contract, organisation=org, role="supplier")
        make_party(contract, organisation=make_organisation(status=PUBLISHED), role="buyer")
        concern = make_concern(status=PUBLISHED, occurred="2020")
        models.ConcernParty.objects.create(concern=concern, organisation=org)
        role = models.Role.objects.create(person=make_person(status=PUBLISHED), organisation=org)
        cite(role, source=source)
        models.OrganisationAlias.objects.create(organisation=org, name=f"Alias {number}")


def test_the_organisation_profile(client):
    org = build_profile()
    add_to_profile(org, 1)  # one row of every kind first, so each kind of link is drawn
    url = reverse("organisation_detail", args=[org.slug])
    before = queries(client, url)
    add_to_profile(org, MANY - 1)
    after = queries(client, url)
    # Of them, the network's: one for the links it reads, one per kind of link drawn.
    assert after <= before <= 26


def test_a_contract_page(client):
    contract = make_contract(status=PUBLISHED)
    cite(make_party(contract, organisation=make_organisation(status=PUBLISHED)))

    def grow():
        for _ in range(MANY):
            party = make_party(contract, organisation=make_organisation(status=PUBLISHED))
            cite(party)

    assert_constant(client, reverse("contract_detail", args=[contract.slug]), grow, 10)


def test_a_concern_page(client):
    concern = make_concern(status=PUBLISHED)

    def grow(count=MANY - 1):
        for _ in range(count):
            org = make_organisation(status=PUBLISHED)
            cite(models.ConcernParty.objects.create(concern=concern, organisation=org))
            concern.contracts.add(make_contract(status=PUBLISHED))

    grow(1)
    assert_constant(client, reverse("concern_detail", args=[concern.slug]), grow, 11)


def test_person_site_and_framework_pages(client):
    person, site, framework = (
        make_person(status=PUBLISHED),
        make_site(status=PUBLISHED),
        make_framework(status=PUBLISHED),
    )

    def grow(count):
        for _ in range(count):
            org = make_organisation(status=PUBLISHED)
            cite(models.Role.objects.create(person=person, organisation=org))
            models.SiteRole.objects.create(site=site, organisation=org, kind="operator")
            models.FrameworkMembership.objects.create(framework=framework, organisation=org)
            make_contract(status=PUBLISHED, framework=framework, site=site)

    # A few of each first, so that every step of the site's network (three out) has records.
    # With many, the network's node limit stops it sooner, and the links a record shows
    # may all be of one kind: the site's and the framework's pages may run fewer.
    grow(3)
    urls = [record.get_absolute_url() for record in (person, site, framework)]
    person_page, site_page, framework_page = (queries(client, url) for url in urls)
    grow(MANY)
    assert queries(client, urls[0]) <= person_page
    assert queries(client, urls[1]) <= site_page <= 22
    assert queries(client, urls[2]) <= framework_page
    assert max(person_page, framework_page) <= 10


def cite_from_new_records(source, count):
    for _ in range(count):
        org = make_organisation(status=PUBLISHED)
        cite(org, source=source)
        cite(models.OrganisationAlias.objects.create(organisation=org, name="x"), source=source)
        cite(make_contract(status=PUBLISHED), "value", source=source)


def test_a_source_page(client):
    source = make_source()
    cite_from_new_records(source, 1)
    grow = lambda: cite_from_new_records(source, MANY - 1)  # noqa: E731
    assert_constant(client, reverse("source_detail", args=[source.slug]), grow, 12)


def make_list_rows(count, buyer):
    for _ in range(count):
        contract = make_contract(status=PUBLISHED)
        make_party(contract, organisation=buyer, role="buyer")
        make_party(contract, organisation=make_organisation(status=PUBLISHED))
        make_concern(status=PUBLISHED, regulator=buyer)
        make_person(status=PUBLISHED)
        make_source()


def test_the_lists(client):
    buyer = make_organisation(status=PUBLISHED)
    make_list_rows(1, buyer)
    routes = ["organisation_list", "contract_list", "concern_list", "person_list", "source_list"]
    urls = [reverse(route) for route in routes]
    before = [queries(client, url) for url in urls]
    make_list_rows(MANY - 1, buyer)
    assert [queries(client, url) for url in urls] == before
    assert max(before) <= 12


def test_the_lists_filtered_and_on_a_later_page(client):
    buyer = make_organisation(status=PUBLISHED, kind="company")
    make_list_rows(1, buyer)
    urls = [
        f"{reverse('organisation_list')}?kind=company&page=2",
        f"{reverse('contract_list')}?buyer={buyer.slug}&title=a&sort=-value&page=2",
        f"{reverse('contract_list')}?service_category=mri&awarded_from=2000&page=3",
        f"{reverse('concern_list')}?year=2020&page=2",
        f"{reverse('source_list')}?title=a&sort=-date&page=2",
        f"{reverse('person_list')}?name=a&page=2",
    ]
    before = [queries(client, url) for url in urls]
    make_list_rows(MANY - 1, buyer)
    assert [queries(client, url) for url in urls] == before
    assert max(before) <= 12


def test_a_list_counts_no_further_than_its_limit_and_all_its_facets_at_once(client):
    make_list_rows(3, make_organisation(status=PUBLISHED))
    for route in ("organisation_list", "contract_list", "concern_list", "source_list"):
        client.get(reverse(route))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse(route))
        counting = [query["sql"] for query in captured if "COUNT(" in query["sql"]]
        grouped = [sql for sql in counting if "GROUP BY" in sql]
        assert len(grouped) == 1, route
        [total] = [sql for sql in counting if sql not in grouped]
        assert "LIMIT 10001" in total, route


def test_home_search_sitemap_and_feed(client):
    make_organisation(name="Alliance Medical", status=PUBLISHED)
    make_contract(title="Alliance contract", status=PUBLISHED)
    urls = ["/", "/search/?q=alliance", "/sitemap.xml", "/feed/"]
    before = [queries(client, url) for url in urls]
    for number in range(MANY - 1):
        make_organisation(name=f"Alliance {number}", status=PUBLISHED)
        make_contract(title=f"Alliance contract {number}", status=PUBLISHED)
    after = [queries(client, url) for url in urls]
    assert after == before
    assert max(after) <= 12
