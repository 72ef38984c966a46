"""The public pages: what a reader sees on each, with its citations."""

import re

import pytest
from django.urls import reverse

from investigations import models
from investigations.views import claims, details, profiles
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

pytestmark = pytest.mark.django_db
PUBLISHED = models.Publishable.Status.PUBLISHED


def build_profile(extra_contracts=0):
    """A published organisation with one of everything its profile shows."""
    source = make_source(title="Alliance Medical annual report 2022", url="https://example.org/ar")
    org = make_organisation(
        name="Alliance Medical Ltd",
        status=PUBLISHED,
        founded="1989",
        summary="An imaging provider.[^overview]",
    )
    cite(org, source=source, quote="Alliance Medical Limited")
    cite(org, "founded", source=source, quote="founded in 1989", locator="p. 2")
    cite(org, "summary", marker="overview", source=source, quote="imaging services")
    identifier = models.Identifier.objects.create(organisation=org, value="2128897")
    cite(identifier, source=make_source(title="Companies House register"), quote="02128897")
    models.OrganisationAlias.objects.create(organisation=org, name="Alliance Medical")
    section = models.ProfileSection.objects.create(
        organisation=org, heading="strategy", body="Founded in the UK.[^founding]"
    )
    cite(section, "body", marker="founding", source=source, quote="founded in the UK")
    filing = models.FinancialFiling.objects.create(
        organisation=org, period_end="2022-09-30", turnover=169_600_000
    )
    cite(filing, "turnover", source=source, quote="Turnover 169.6m", confidence="medium")
    buyer = make_organisation(name="NHS England", status=PUBLISHED, kind="public_body")
    parent = make_organisation(name="Life Healthcare Group", status=PUBLISHED)
    grandparent = make_organisation(name="Life Healthcare Holdings", status=PUBLISHED)
    make_relationship(
        subject=parent, object=org, kind="acquired", start="2016-11", status=PUBLISHED
    )
    make_relationship(subject=grandparent, object=parent, kind="parent_of", status=PUBLISHED)
    for number in range(1 + extra_contracts):
        contract = make_contract(
            title=f"PET-CT scanning services {number}",
            status=PUBLISHED,
            value=350_000_000,
            awarded="2014-11",
        )
        cite(contract, "value", source=source, quote="valued at £350 million")
        make_party(contract, organisation=org, role="lead_supplier")
        make_party(contract, organisation=buyer, role="buyer")
        concern = make_concern(
            title=f"Legal challenge {number}", status=PUBLISHED, occurred="2015-01"
        )
        models.ConcernParty.objects.create(concern=concern, organisation=org)
        person = make_person(name=f"Malcolm Rifkind {number}", status=PUBLISHED)
        models.Role.objects.create(person=person, organisation=org, kind="non_executive")
        site = make_site(name=f"Taunton CDC {number}", status=PUBLISHED)
        models.SiteRole.objects.create(
            site=site, organisation=org, kind="operator", start="2022-11"
        )
    return org


def test_it_shows_an_organisation_profile_with_its_sections(client):
    org = build_profile()
    response = client.get(reverse("organisation_detail", args=[org.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Alliance Medical Ltd",
        "GB-COH-02128897",
        "https://find-and-update.company-information.service.gov.uk/company/02128897",
        "Alliance Medical",
        "Founded in the UK.",
        "£169.6m",
        "PET-CT scanning services 0",
        "£350m",
        "November 2014",
        "Legal challenge 0",
        "Life Healthcare Group",
        "Life Healthcare Holdings",
        "Malcolm Rifkind 0",
        "Taunton CDC 0",
        "Timeline",
        "Last updated",
        "Companies House register",
    ):
        assert text in html, text


def test_a_contract_shows_once_on_a_profile_with_each_role_the_organisation_holds(client):
    org = make_organisation(name="InHealth", status=PUBLISHED)
    contract = make_contract(title="Taunton diagnostic centre", status=PUBLISHED)
    make_party(contract, organisation=org, role="lead_supplier")
    make_party(contract, organisation=org, role="operator")
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    contracts_section = html[html.index('id="contracts"') : html.index("</table>")]
    assert contracts_section.count("Taunton diagnostic centre</a>") == 1
    assert "Lead supplier" in contracts_section and "Operator" in contracts_section


def test_a_profile_shows_its_latest_contracts_and_links_to_every_one(client, monkeypatch):
    monkeypatch.setattr(profiles, "PROFILE_CONTRACTS", 2)
    org = make_organisation(name="NHS England", status=PUBLISHED)
    for year in (2019, 2020, 2021):
        contract = make_contract(title=f"Scanning {year}", awarded=str(year), status=PUBLISHED)
        make_party(contract, organisation=org, role="buyer")
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    start = html.index('id="contracts"')
    contracts_section = html[start : html.index("</section>", start)]
    assert "Scanning 2021</a>" in contracts_section and "Scanning 2020</a>" in contracts_section
    assert "Scanning 2019</a>" not in contracts_section
    assert f'href="/contracts/?buyer={org.slug}">as a buyer</a>' in html
    assert "as a supplier" not in html


def test_a_profile_with_few_contracts_shows_them_all_without_a_link(client):
    org = make_organisation(status=PUBLISHED)
    make_party(make_contract(status=PUBLISHED), organisation=org, role="buyer")
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    assert "?buyer=" not in html


def test_a_framework_shows_its_latest_call_offs_and_links_to_every_one(client, monkeypatch):
    monkeypatch.setattr(details, "FRAMEWORK_CALL_OFFS", 2)
    framework = make_framework(name="Imaging framework", status=PUBLISHED)
    for year in (2019, 2020, 2021):
        make_contract(
            title=f"Call-off {year}", awarded=str(year), framework=framework, status=PUBLISHED
        )
    make_contract(title="Draft call-off", awarded="2022", framework=framework)
    html = client.get(framework.get_absolute_url()).content.decode()
    start = html.index('id="call-offs"')
    section = html[start : html.index("</section>", start)]
    assert "Call-off 2021</a>" in section and "Call-off 2020</a>" in section
    assert "Call-off 2019</a>" not in section and "Draft call-off" not in section
    assert "The latest 2 are shown." in section
    assert f'href="/contracts/?framework={framework.pk}">Every call-off' in section


def test_a_framework_with_few_call_offs_shows_them_all_without_a_link(client):
    framework = make_framework(status=PUBLISHED)
    make_contract(title="The only call-off", framework=framework, status=PUBLISHED)
    html = client.get(framework.get_absolute_url()).content.decode()
    assert "The only call-off</a>" in html and "?framework=" not in html


def test_it_returns_404_for_a_draft_organisation(client):
    org = make_organisation()
    assert client.get(reverse("organisation_detail", args=[org.slug])).status_code == 404


def test_it_shows_each_kind_of_detail_page(client):
    org = make_organisation(status=PUBLISHED)
    contract = make_contract(status=PUBLISHED)
    make_party(contract, organisation=org)
    records = [
        contract,
        make_concern(status=PUBLISHED, summary="Bad things.[^x]"),
        make_person(status=PUBLISHED),
        make_site(status=PUBLISHED),
        make_framework(status=PUBLISHED),
        make_source(),
    ]
    for record in records:
        name = f"{record._meta.model_name}_detail"
        response = client.get(reverse(name, args=[record.slug]))
        assert response.status_code == 200, name
        assert str(getattr(record, "title", None) or record.name) in response.content.decode()


def test_it_lists_on_a_source_page_the_published_claims_that_cite_it(client):
    source = make_source()
    contract = make_contract(title="Published contract", status=PUBLISHED)
    cite(contract, "value", source=source, quote="Quoted value")
    hidden = make_contract(title="Draft contract")
    cite(hidden, source=source, quote="Hidden quote")
    html = client.get(reverse("source_detail", args=[source.slug])).content.decode()
    assert "Published contract" in html
    assert "Quoted value" in html
    assert "Draft contract" not in html
    assert "Hidden quote" not in html


def test_a_source_page_shows_its_claims_a_page_at_a_time_skipping_hidden_ones(client, monkeypatch):
    monkeypatch.setattr(claims, "CLAIMS_PER_PAGE", 2)
    monkeypatch.setattr(claims, "CITATIONS_READ", 2)
    source = make_source()
    for name in ("First", "Draft", "Second", "Third"):
        status = "draft" if name == "Draft" else PUBLISHED
        cite(make_contract(title=f"{name} contract", status=status), source=source)
    url = reverse("source_detail", args=[source.slug])
    first = client.get(url).content.decode()
    assert "First contract" in first and "Second contract" in first
    assert "Third contract" not in first and "Draft contract" not in first
    later = re.search(r'href="\?after=(\d+)">Later claims', first).group(1)
    rest = client.get(url, {"after": later}).content.decode()
    assert "Third contract" in rest and "Second contract" not in rest
    assert "Later claims" not in rest


def test_it_redirects_an_old_slug_permanently(client):
    org = make_organisation(name="Old Name Ltd", status=PUBLISHED)
    old_slug = org.slug
    org.slug = "new-name-ltd"
    org.save()
    response = client.get(reverse("organisation_detail", args=[old_slug]))
    assert response.status_code == 301
    assert response["Location"] == reverse("organisation_detail", args=["new-name-ltd"])


def test_it_does_not_redirect_an_old_slug_to_a_draft(client):
    org = make_organisation(name="Old Name Ltd")
    old_slug = org.slug
    org.slug = "new-name-ltd"
    org.save()
    assert client.get(reverse("organisation_detail", args=[old_slug])).status_code == 404


def test_it_shows_a_helpful_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/organisations/no-such-thing/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Search for it instead" in response.content.decode()


def test_it_shows_the_home_page_with_counts_and_recent_profiles(client):
    make_organisation(name="Equitix", status=PUBLISHED)
    make_organisation(name="Hidden draft")
    html = client.get(reverse("home")).content.decode()
    assert "Equitix" in html
    assert "Hidden draft" not in html
    assert "<strong>1</strong> organisations" in html
    assert 'type="search"' in html


def test_it_has_opengraph_and_twitter_meta(client):
    org = make_organisation(name="Equitix", status=PUBLISHED)
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    assert '<meta property="og:title" content="Equitix">' in html
    assert '<meta name="twitter:title" content="Equitix">' in html
    assert "<title>Equitix · " in html
    assert '<meta property="og:description" content="Equitix: Company — contracts' in html
    assert '<meta name="twitter:card"' in html
    contract = make_contract(title="PET-CT & MRI", status=PUBLISHED)
    html = client.get(reverse("contract_detail", args=[contract.slug])).content.decode()
    assert "<title>PET-CT &amp; MRI · " in html
    assert '<meta name="twitter:title" content="PET-CT &amp; MRI">' in html
    html = client.get(reverse("contract_list")).content.decode()
    assert '<meta property="og:title" content="Contracts">' in html


def test_the_sitemap_lists_published_records_only(client):
    org = make_organisation(name="Equitix", status=PUBLISHED)
    draft = make_organisation(name="Draft")
    source = make_source()
    xml = client.get("/sitemap.xml").content.decode()
    assert f"/organisations/{org.slug}/" in xml
    assert f"/sources/{source.slug}/" in xml
    assert f"/organisations/{draft.slug}/" not in xml
    assert "/contracts/</loc>" in xml


def test_the_feed_is_atom_with_recently_updated_published_records(client):
    org = make_organisation(name="Equitix", status=PUBLISHED)
    make_organisation(name="Draft Holdings")
    response = client.get("/feed/")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Organisation: Equitix" in body
    assert f"/organisations/{org.slug}/" in body
    assert "Draft Holdings" not in body


def test_the_500_page_needs_no_database_or_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert 'href="/"' in html


def test_it_walks_ownership_up_and_down_the_chain_with_shares_and_prices(client):
    org = build_profile()
    subsidiary = make_organisation(name="Erigal", status=PUBLISHED)
    make_relationship(
        subject=org,
        object=subsidiary,
        kind="shareholder_in",
        share_min=100,
        share_max=100,
        value=10_700_000,
        start="2013",
        status=PUBLISHED,
    )
    response = client.get(reverse("organisation_detail", args=[org.slug]))
    owners = [link.organisation.name for link in response.context["owners"]]
    holdings = [(link.organisation.name, link.depth) for link in response.context["holdings"]]
    assert owners == ["Life Healthcare Group", "Life Healthcare Holdings"]
    assert [link.depth for link in response.context["owners"]] == [1, 2]
    assert holdings == [("Erigal", 1)]
    html = response.content.decode()
    assert "100%" in html
    assert "£10.7m" in html


def test_it_withholds_a_value_whose_only_source_is_a_draft(client):
    org = make_organisation(status=PUBLISHED, website="https://secret.example.org/")
    cite(org, "website", source=make_source(status="draft"))
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    assert "secret.example.org" not in html


def test_it_shows_a_value_with_at_least_one_published_source(client):
    org = make_organisation(status=PUBLISHED, website="https://open.example.org/")
    cite(org, "website", source=make_source(status="draft"))
    cite(org, "website", source=make_source())
    html = client.get(reverse("organisation_detail", args=[org.slug])).content.decode()
    assert "open.example.org" in html


def heading_levels(html):
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def test_headings_never_skip_a_level_and_each_page_has_one_h1(client):
    org = build_profile()
    urls = [reverse("home"), reverse("organisation_detail", args=[org.slug])]
    urls += [reverse(name) for name in ("organisation_list", "contract_list", "concern_list")]
    urls += [reverse("search") + "?q=alliance", "/no-such-page/"]
    for url in urls:
        levels = heading_levels(client.get(url).content.decode())
        assert levels.count(1) == 1, url
        assert levels[0] == 1, url
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)


def test_a_site_page_lists_its_contracts_published_parties_only(client):
    site = make_site(name="Taunton centre", status=PUBLISHED)
    contract = make_contract(title="Operation of the centre", site=site, status=PUBLISHED)
    make_party(
        contract, organisation=make_organisation(name="Equitix", status=PUBLISHED), role="funder"
    )
    make_party(contract, organisation=make_organisation(name="Secret adviser"), role="adviser")
    html = client.get(site.get_absolute_url()).content.decode()
    assert "Equitix</a>: funder or financier" in html
    assert "Secret adviser" not in html and "adviser" not in html
