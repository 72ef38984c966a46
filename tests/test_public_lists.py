"""The public lists: filters in the URL, facet counts, sorting and pages."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual

from investigations import filters, models
from investigations.views.lists import CountLimitedPaginator, IdsFirstPaginator
from tests.factories import (
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
        "site_list",
        "framework_list",
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


def make_operated_site(operator, **kwargs):
    site = make_site(status=PUBLISHED, **kwargs)
    models.SiteRole.objects.create(site=site, organisation=operator, kind="operator")
    return site


def test_it_filters_sites_by_name_kind_place_operator_owner_and_opening(client):
    alliance = make_organisation(name="Alliance Medical", status=PUBLISHED)
    equitix = make_organisation(name="Equitix", status=PUBLISHED)
    taunton = make_operated_site(
        alliance, name="Taunton Diagnostic Centre", kind="cdc", locality="Taunton", opened="2021-09"
    )
    models.SiteRole.objects.create(site=taunton, organisation=equitix, kind="owner")
    make_site(name="Musgrove Park Hospital", kind="hospital", opened="1941", status=PUBLISHED)
    url = reverse("site_list")
    assert names(client.get(url, {"name": "taunton"})) == ["Taunton Diagnostic Centre"]
    assert names(client.get(url, {"kind": "hospital"})) == ["Musgrove Park Hospital"]
    assert names(client.get(url, {"place": "Taun"})) == ["Taunton Diagnostic Centre"]
    assert names(client.get(url, {"operator": alliance.slug})) == ["Taunton Diagnostic Centre"]
    assert names(client.get(url, {"operator": "Equitix"})) == []
    assert names(client.get(url, {"owner": "Equitix"})) == ["Taunton Diagnostic Centre"]
    assert names(client.get(url, {"opened_from": 2000})) == ["Taunton Diagnostic Centre"]
    assert names(client.get(url, {"opened_to": 2000})) == ["Musgrove Park Hospital"]
    assert names(client.get(url, {"sort": "-opened"}))[0] == "Taunton Diagnostic Centre"
    [kind] = client.get(url).context["facets"]
    assert [(value.label, value.count) for value in kind.values] == [
        ("Community diagnostic centre", 1),
        ("Hospital", 1),
    ]


def test_it_filters_frameworks_by_name_service_buyer_member_and_start(client):
    nhs_england = make_organisation(name="NHS England", status=PUBLISHED)
    alliance = make_organisation(name="Alliance Medical", status=PUBLISHED)
    cdc = make_framework(
        name="Community diagnostic centres",
        service_category="cdc",
        buyer=nhs_england,
        start="2022",
        status=PUBLISHED,
    )
    models.FrameworkMembership.objects.create(framework=cdc, organisation=alliance)
    make_framework(name="MRI services", service_category="mri", start="2017", status=PUBLISHED)
    url = reverse("framework_list")
    assert names(client.get(url, {"name": "mri"})) == ["MRI services"]
    assert names(client.get(url, {"service_category": "cdc"})) == [cdc.name]
    assert names(client.get(url, {"buyer": nhs_england.pk})) == [cdc.name]
    assert names(client.get(url, {"member": "alliance"})) == [cdc.name]
    assert names(client.get(url, {"member": "england"})) == []
    assert names(client.get(url, {"start_from": 2020})) == [cdc.name]
    assert names(client.get(url, {"start_to": 2020})) == ["MRI services"]
    assert names(client.get(url, {"sort": "-start"})) == [cdc.name, "MRI services"]


def test_the_site_and_framework_lists_leave_out_drafts_and_draft_links(client):
    draft_operator = make_organisation(name="Secret operator")
    make_operated_site(draft_operator, name="Public centre", kind="cdc")
    make_site(name="Draft centre", kind="hospital")
    make_framework(name="Public framework", buyer=draft_operator, status=PUBLISHED)
    make_framework(name="Draft framework", service_category="mri")
    sites = client.get(reverse("site_list"))
    frameworks = client.get(reverse("framework_list"))
    assert names(sites) == ["Public centre"]
    assert names(frameworks) == ["Public framework"]
    for response in (sites, frameworks, client.get(reverse("site_list"), {"operator": "Secret"})):
        html = response.content.decode()
        assert "Secret operator" not in html and "Draft" not in html
    assert names(client.get(reverse("site_list"), {"operator": draft_operator.slug})) == []
    [kind] = sites.context["facets"]
    assert [value.label for value in kind.values] == ["Community diagnostic centre"]
    assert frameworks.context["filter"].form.fields["buyer"].queryset.count() == 0


@pytest.mark.parametrize("route", ["site_list", "framework_list"])
def test_the_site_and_framework_lists_run_as_many_queries_for_many_rows(
    client, settings, django_assert_max_num_queries, route
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    operator = make_organisation(status=PUBLISHED)

    def grow(count):
        for _ in range(count):
            make_operated_site(make_organisation(status=PUBLISHED))
            models.SiteRole.objects.create(
                site=make_site(status=PUBLISHED), organisation=operator, kind="operator"
            )
            framework = make_framework(buyer=make_organisation(status=PUBLISHED), status=PUBLISHED)
            models.FrameworkMembership.objects.create(framework=framework, organisation=operator)

    grow(1)
    client.get(reverse(route))  # warm per-process caches (content types)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(route))
    grow(60)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(reverse(route)).context["page"].object_list) == 25


def test_the_navigation_and_the_sitemap_link_the_site_and_framework_lists(client):
    home = client.get("/").content.decode()
    sitemap = client.get(reverse("sitemap")).content.decode()
    for route in ("site_list", "framework_list"):
        assert f'href="{reverse(route)}"' in home
        assert f"{reverse(route)}</loc>" in sitemap


def test_a_list_longer_than_it_counts_says_more_and_pages_no_deeper(client, monkeypatch):
    monkeypatch.setattr(CountLimitedPaginator, "limit", 30)
    for number in range(35):
        make_contract(title=f"Scan {number:02d}", service_category="mri", status=PUBLISHED)
    url = reverse("contract_list")
    first = client.get(url, {"sort": "title"})
    assert "More than 30 results · page 1 of 2" in first.content.decode()
    [status, service] = first.context["facets"]
    assert ("MRI", None) in [(value.label, value.count) for value in service.values]
    last = client.get(url, {"sort": "title", "page": 2})
    assert names(last) == [f"Scan {number:02d}" for number in range(25, 30)]
    assert "narrow the filters to see the rest" in last.content.decode()
    # A page past the counted rows is the last one, not an empty one.
    assert names(client.get(url, {"sort": "title", "page": 3})) == names(last)


def test_a_list_within_its_count_counts_exactly(client, monkeypatch):
    monkeypatch.setattr(CountLimitedPaginator, "limit", 30)
    for _ in range(30):
        make_contract(service_category="mri", status=PUBLISHED)
    response = client.get(reverse("contract_list"))
    assert "30 results · page 1 of 2" in response.content.decode()
    [status, service] = response.context["facets"]
    assert [(value.label, value.count) for value in service.values] == [("MRI", 30)]


def test_text_filters_ignore_case_and_read_wildcards_as_text(client):
    make_contract(title="MRI Imaging for Taunton", status=PUBLISHED)
    make_contract(title="100% of PET_CT scans", status=PUBLISHED)
    make_contract(title="1000 of PETXCT scans", status=PUBLISHED)
    make_party(
        make_contract(title="Scanning", status=PUBLISHED),
        organisation=make_organisation(name="Alliance Medical", status=PUBLISHED),
        role="lead_supplier",
    )
    url = reverse("contract_list")
    assert names(client.get(url, {"title": "iMAGING"})) == ["MRI Imaging for Taunton"]
    assert names(client.get(url, {"title": "100%"})) == ["100% of PET_CT scans"]
    assert names(client.get(url, {"title": "pet_ct"})) == ["100% of PET_CT scans"]
    assert names(client.get(url, {"supplier": "ALLIANCE med"})) == ["Scanning"]


def test_text_filters_compare_the_column_itself_whose_statistics_the_planner_has():
    contracts = models.Contract.objects.published()
    sql = str(filters.ContractFilter({"title": "imaging"}, queryset=contracts).qs.query)
    assert '"investigations_contract"."title"' in sql
    assert "UPPER(" not in sql.upper()


@pytest.mark.parametrize("value", ["", "cdc", "<b>"])
def test_a_quick_select_writes_what_djangos_select_writes(value):
    choices = [
        ("", "---------"),
        ("Imaging", [("mri", "MRI & CT"), ("cdc", 'Centres "for" diagnostics')]),
        ("<b>", "<b>bold</b>"),
    ]
    attrs = {"id": "id_service", "class": "wide", "required": True, "disabled": False}
    quick = filters.QuickSelect(choices=choices).render("service", value, attrs)
    django = filters.forms.Select(choices=choices).render("service", value, attrs)
    assert "<b>" not in quick
    assertHTMLEqual(quick, django)


def test_every_list_filter_with_choices_draws_a_quick_select():
    filter_sets = [
        filters.OrganisationFilter,
        filters.ContractFilter,
        filters.ConcernFilter,
        filters.SourceFilter,
        filters.SiteFilter,
        filters.FrameworkFilter,
        filters.PersonFilter,
    ]
    for filter_set in filter_sets:
        for name, field in filter_set(
            queryset=filter_set._meta.model.objects.none()
        ).form.fields.items():
            if isinstance(field, filters.forms.ChoiceField) and name != "sort":
                assert isinstance(field.widget, filters.QuickSelect), (filter_set, name)
