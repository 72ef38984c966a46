"""The public lists: filters in the URL, facet counts, sorting and pages."""

import pytest
from django.urls import reverse

from investigations import models
from investigations.views.lists import IdsFirstPaginator
from tests.factories import (
    make_concern,
    make_contract,
    make_framework,
    make_organisation,
    make_party,
    make_person,
    make_source,
)

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def names(response):
    return [str(record) for record in response.context["page"].object_list]


def test_it_filters_organisations_by_kind_and_status(client):
    make_organisation(name="Equitix", kind="fund", status=PUBLISHED)
    make_organisation(name="Rutherford", org_status="in_administration", status=PUBLISHED)
    make_organisation(name="Draft fund", kind="fund")
    url = reverse("organisation_list")
    assert names(client.get(url, {"kind": "fund"})) == ["Equitix"]
    assert names(client.get(url, {"org_status": "in_administration"})) == ["Rutherford"]


def test_it_counts_facets_of_published_records_only(client):
    make_organisation(name="A", kind="fund", status=PUBLISHED)
    make_organisation(name="B", kind="fund", status=PUBLISHED)
    make_organisation(name="C", kind="charity", status=PUBLISHED)
    make_organisation(name="D", kind="charity")
    response = client.get(reverse("organisation_list"))
    [kind, _status] = response.context["facets"]
    assert [(value.label, value.count) for value in kind.values] == [
        ("Fund or investor", 2),
        ("Charity", 1),
    ]
    assert "?kind=fund" in kind.values[0].url


def test_it_filters_contracts_by_buyer_supplier_value_date_status_and_framework(client):
    buyer = make_organisation(name="NHS England", status=PUBLISHED)
    supplier = make_organisation(name="Alliance Medical", status=PUBLISHED)
    framework = make_framework(name="Increasing Capacity", status=PUBLISHED)
    big = make_contract(
        title="PET-CT",
        value=350_000_000,
        awarded="2014-11",
        contract_status="active",
        framework=framework,
        status=PUBLISHED,
    )
    make_party(big, organisation=buyer, role="buyer")
    make_party(big, organisation=supplier, role="lead_supplier")
    make_contract(title="Small", value=1_000, awarded="2020", status=PUBLISHED)
    url = reverse("contract_list")
    assert names(client.get(url, {"buyer": buyer.slug})) == ["PET-CT"]
    assert names(client.get(url, {"buyer": "england"})) == ["PET-CT"]
    assert names(client.get(url, {"supplier": "Alliance"})) == ["PET-CT"]
    assert names(client.get(url, {"supplier": buyer.slug})) == []
    assert names(client.get(url, {"value_min": 1_000_000})) == ["PET-CT"]
    assert names(client.get(url, {"value_max": 5_000})) == ["Small"]
    assert names(client.get(url, {"awarded_from": 2015})) == ["Small"]
    assert names(client.get(url, {"awarded_to": 2014})) == ["PET-CT"]
    assert names(client.get(url, {"contract_status": "active"})) == ["PET-CT"]
    assert names(client.get(url, {"framework": framework.pk})) == ["PET-CT"]
    assert names(client.get(url, {"sort": "-value"})) == ["PET-CT", "Small"]
    assert names(client.get(url, {"sort": "value"})) == ["Small", "PET-CT"]


def test_a_draft_organisation_filters_like_one_that_does_not_exist(client):
    draft = make_organisation(name="Secret buyer")
    make_party(make_contract(title="Scanning", status=PUBLISHED), organisation=draft, role="buyer")
    url = reverse("contract_list")
    assert "Secret buyer" not in client.get(url).content.decode()
    nobody = client.get(url, {"buyer": "nobody"})
    for value in (draft.slug, "Secret"):
        response = client.get(url, {"buyer": value})
        assert names(response) == []
        html = response.content.decode().replace(value, "nobody")
        assert html == nobody.content.decode()


def test_the_contract_filters_offer_no_list_of_organisations(client):
    for number in range(30):
        buyer = make_organisation(name=f"Trust number {number}", status=PUBLISHED)
        make_party(make_contract(status=PUBLISHED), organisation=buyer, role="buyer")
    form = client.get(reverse("contract_list")).context["filter"].form
    assert form.fields["buyer"].widget.input_type == "text"
    assert form.fields["supplier"].widget.input_type == "text"


def test_it_filters_concerns_by_kind_regulator_year_and_penalty(client):
    hse = make_organisation(name="Health and Safety Executive", status=PUBLISHED)
    make_concern(
        title="HSE fine",
        kind="fine",
        regulator=hse,
        occurred="2019-03",
        penalty=20_000,
        status=PUBLISHED,
    )
    make_concern(title="Challenge", kind="legal_case", occurred="2015-01", status=PUBLISHED)
    url = reverse("concern_list")
    assert names(client.get(url, {"kind": "fine"})) == ["HSE fine"]
    assert names(client.get(url, {"regulator": hse.pk})) == ["HSE fine"]
    assert names(client.get(url, {"year": 2015})) == ["Challenge"]
    assert names(client.get(url, {"penalty_min": 10_000})) == ["HSE fine"]


def test_it_paginates_and_keeps_the_filters_in_the_page_links(client):
    for number in range(30):
        make_organisation(name=f"Fund {number:02d}", kind="fund", status=PUBLISHED)
    response = client.get(reverse("organisation_list"), {"kind": "fund"})
    assert len(response.context["page"].object_list) == 25
    assert "kind=fund&amp;page=2" in response.content.decode()
    second = client.get(reverse("organisation_list"), {"kind": "fund", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_each_list_page_renders_with_labelled_fields(client):
    make_person(status=PUBLISHED)
    make_source()
    for name in (
        "organisation_list",
        "contract_list",
        "concern_list",
        "person_list",
        "source_list",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        for field in response.context["filter"].form:
            assert f'<label for="{field.id_for_label}">' in html, (name, field.name)


def test_pages_neither_repeat_nor_skip_records_that_sort_equal(client):
    made = {make_contract(title="Same", awarded="2020", status=PUBLISHED).pk for _ in range(30)}
    url = reverse("contract_list")
    shown = [
        contract.pk
        for page in (1, 2)
        for contract in client.get(url, {"page": page}).context["page"].object_list
    ]
    assert sorted(shown) == sorted(made)
    # SQLite happens to return equal rows in insertion order; the id at the end of the
    # order is what guarantees it on every database.
    paginator = IdsFirstPaginator(models.Contract.objects.published(), 25)
    assert list(paginator.object_list.query.order_by) == ["-awarded", "title", "pk"]
