"""The one visibility rule of the models layer, and the pages and tags built on it.

Querysets, one loaded record and loaded records' links all follow the same rule; views
hand templates public records only, and ``record_link`` never names any other.
"""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from investigations import models
from investigations.models import PUBLIC_KINDS, blank_private_links, is_public
from tests.factories import (
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

pytestmark = pytest.mark.django_db
PUBLISHED = models.PublicationStatus.PUBLISHED
DRAFT = models.PublicationStatus.DRAFT
MAKERS = {
    models.Organisation: make_organisation,
    models.Contract: make_contract,
    models.Concern: make_concern,
    models.Person: make_person,
    models.Site: make_site,
    models.Framework: make_framework,
    models.Source: make_source,
}


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Pages are rendered each time, so each response carries its template context."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def public_organisation(**kwargs):
    return make_organisation(status=PUBLISHED, **kwargs)


def draft_organisation(**kwargs):
    return make_organisation(**kwargs)


def deleted_organisation(**kwargs):
    return make_organisation(status=PUBLISHED, deleted_at=timezone.now(), **kwargs)


def record_link(record):
    return Template("{% load public %}{% record_link record %}").render(Context({"record": record}))


def test_it_shows_a_child_row_only_while_every_record_it_hangs_from_is_public():
    public_contract = make_contract(status=PUBLISHED)
    shown = make_party(public_contract, organisation=public_organisation())
    make_party(make_contract(), organisation=public_organisation())
    make_party(public_contract, organisation=deleted_organisation())
    assert list(models.ContractParty.objects.published()) == [shown]


def test_it_shows_a_relationship_only_while_both_its_ends_are_public():
    both = make_relationship(subject=public_organisation(), status=PUBLISHED)
    both.object.mark_published()
    both.object.save()
    draft_end = make_relationship(subject=public_organisation(), status=PUBLISHED)
    assert list(models.Relationship.objects.published()) == [both]
    assert is_public(both) and not is_public(draft_end)


@pytest.mark.parametrize("model", list(MAKERS))
def test_one_record_is_public_exactly_when_its_queryset_says_so(model):
    make = MAKERS[model]
    records = [
        make(status=DRAFT),
        make(status=PUBLISHED),
        make(status=PUBLISHED, deleted_at=timezone.now()),
    ]
    published = set(model.objects.published())
    assert [is_public(record) for record in records] == [False, True, False]
    assert {record for record in records if is_public(record)} == published


def test_it_blanks_in_memory_only_the_links_to_records_the_public_may_not_see():
    framework = make_framework(status=PUBLISHED)
    contract = make_contract(status=PUBLISHED, framework=framework, site=make_site())
    blank_private_links([contract])
    assert contract.framework == framework and contract.site is None
    assert models.Contract.objects.get(pk=contract.pk).site_id is not None


def test_it_blanks_a_deleted_regulator_and_a_draft_parent_at_the_time():
    concern = make_concern(status=PUBLISHED, regulator=deleted_organisation())
    party = models.ConcernParty.objects.create(
        concern=concern, organisation=public_organisation(), parent_at_time=draft_organisation()
    )
    blank_private_links([concern, party])
    assert concern.regulator is None and party.parent_at_time is None


def test_record_link_prints_no_name_for_a_draft():
    assert record_link(draft_organisation(name="Secret Holdings Ltd")) == ""


def test_record_link_prints_no_name_for_a_deleted_record():
    assert record_link(deleted_organisation(name="Gone Holdings Ltd")) == ""


def test_record_link_links_a_public_record_to_its_page():
    organisation = public_organisation(name="InHealth & Co")
    assert (
        record_link(organisation)
        == f'<a href="/organisations/{organisation.slug}/">InHealth &amp; Co</a>'
    )


def test_a_contract_page_gets_neither_its_draft_framework_nor_its_draft_site(client):
    framework = make_framework(name="Draft imaging framework")
    site = make_site(name="Draft diagnostic centre")
    contract = make_contract(status=PUBLISHED, framework=framework, site=site)
    response = client.get(contract.get_absolute_url())
    assert response.context["record"].framework is None
    assert response.context["record"].site is None
    html = response.content.decode()
    assert "Draft imaging framework" not in html and "Draft diagnostic centre" not in html


def test_a_contract_page_names_its_public_framework_and_site(client):
    framework = make_framework(name="Public imaging framework", status=PUBLISHED)
    site = make_site(name="Public diagnostic centre", status=PUBLISHED)
    contract = make_contract(status=PUBLISHED, framework=framework, site=site)
    html = client.get(contract.get_absolute_url()).content.decode()
    assert f'<a href="{framework.get_absolute_url()}">Public imaging framework</a>' in html
    assert f'<a href="{site.get_absolute_url()}">Public diagnostic centre</a>' in html


def test_a_framework_page_gets_no_draft_buyer(client):
    framework = make_framework(status=PUBLISHED, buyer=draft_organisation(name="Draft buyer"))
    response = client.get(framework.get_absolute_url())
    assert response.context["record"].buyer is None
    assert "Draft buyer" not in response.content.decode()


def test_a_concern_page_gets_no_draft_regulator_or_parent_at_the_time(client):
    concern = make_concern(status=PUBLISHED, regulator=draft_organisation(name="Draft regulator"))
    models.ConcernParty.objects.create(
        concern=concern, organisation=public_organisation(), parent_at_time=deleted_organisation()
    )
    response = client.get(concern.get_absolute_url())
    assert response.context["record"].regulator is None
    assert [party.parent_at_time for party in response.context["parties"]] == [None]
    assert "Draft regulator" not in response.content.decode()


def test_the_concern_list_gets_no_draft_regulator(client):
    make_concern(status=PUBLISHED, regulator=draft_organisation(name="Draft regulator"))
    response = client.get(reverse("concern_list"))
    assert [concern.regulator for concern in response.context["page"]] == [None]
    assert "Draft regulator" not in response.content.decode()


def test_a_profile_gets_no_draft_regulator_or_parent_at_the_time(client):
    organisation = public_organisation()
    concern = make_concern(status=PUBLISHED, regulator=draft_organisation(name="Draft regulator"))
    models.ConcernParty.objects.create(
        concern=concern, organisation=organisation, parent_at_time=draft_organisation()
    )
    response = client.get(organisation.get_absolute_url())
    [party] = response.context["concern_parties"]
    assert party.concern.regulator is None and party.parent_at_time is None
    assert "Draft regulator" not in response.content.decode()


def test_every_public_kind_has_a_page_in_the_sitemap_and_the_feed(client):
    records = [MAKERS[kind.model](status=PUBLISHED) for kind in PUBLIC_KINDS]
    sitemap = client.get(reverse("sitemap")).content.decode()
    feed = client.get(reverse("feed")).content.decode()
    for record in records:
        url = record.get_absolute_url()
        assert client.get(url).status_code == 200, url
        assert f"http://testserver{url}" in sitemap and f"http://testserver{url}" in feed


def test_the_navigation_links_the_list_of_each_listed_kind(client):
    html = client.get(reverse("home")).content.decode()
    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    for kind in models.LISTED_KINDS:
        assert f'<a href="{reverse(kind.list_route)}">{kind.label}</a>' in nav
