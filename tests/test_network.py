"""The network of a record's published neighbourhood: its SVG, its downloads, its limits."""

import json
import re
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.core.management import call_command

from investigations import models
from investigations.network import graph as graph_module
from investigations.network.graph import DEFAULT_FANOUT, FANOUT, NODE_LIMIT, neighbourhood
from investigations.network.layout import compute_positions, positions
from investigations.network.links import REACH_LIMIT
from tests.factories import (
    cite,
    make_contract,
    make_organisation,
    make_party,
    make_person,
    make_relationship,
    make_site,
    make_source,
)
from tests.test_visibility import (
    MARKER,
    draft_source_cited_by_published_records,
    drafts_of_every_kind,
    published_world,
)

pytestmark = pytest.mark.django_db
PUBLISHED = "published"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def small_world():
    """An owner, a company, its contract, a site it runs and a director, each cited."""
    source = make_source(title="Annual report 2016")
    company = make_organisation(name="Alliance Medical Ltd", status=PUBLISHED)
    owner = make_organisation(name="Life Healthcare Group", status=PUBLISHED)
    acquisition = make_relationship(
        subject=owner,
        object=company,
        kind="acquired",
        start="2016",
        value=10_700_000,
        status=PUBLISHED,
    )
    cite(acquisition, source=source, quote="acquired Alliance Medical")
    contract = make_contract(title="PET-CT scanning", status=PUBLISHED)
    cite(make_party(contract, organisation=company, role="operator"), source=source)
    site = make_site(name="Taunton CDC", status=PUBLISHED)
    models.SiteRole.objects.create(site=site, organisation=company, kind="operator")
    person = make_person(name="Pat Director", status=PUBLISHED)
    models.Role.objects.create(person=person, organisation=company, kind="director")
    return {"company": company, "owner": owner, "source": source, "site": site}


def network_svg(client, around, **parameters):
    response = client.get("/network/download.svg", {"around": around, **parameters})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    return ElementTree.fromstring(response.content)


def test_it_draws_every_neighbour_as_a_focusable_link_with_an_accessible_name(client, small_world):
    svg = network_svg(client, "organisation:alliance-medical-ltd")
    nodes = svg.find(f"{SVG}g[@class='nodes']").findall(f"{SVG}a")
    names = {node.get("aria-label") for node in nodes}
    assert names == {
        "Alliance Medical Ltd (company)",
        "Life Healthcare Group (company)",
        "PET-CT scanning (contract)",
        "Taunton CDC (site)",
        "Pat Director (person)",
    }
    assert all(node.get("href").startswith("http://testserver/") for node in nodes)
    assert svg.find(f"{SVG}title").text == "Network around Alliance Medical Ltd"


def test_each_edge_has_a_short_label_that_links_to_its_footnote(client, small_world):
    svg = network_svg(client, "organisation:alliance-medical-ltd")
    labels = svg.find(f"{SVG}g[@class='edge-labels']")
    texts = {text.text for text in labels.iter(f"{SVG}text")}
    assert texts == {"acquired 2016 for £10.7m", "operator", "director"}
    links = labels.findall(f"{SVG}a")
    assert len(links) == 2  # the acquisition and the contract party are cited; the rest not
    for link in links:
        assert re.fullmatch(r"http://testserver/network/\?.*#note-1", link.get("href"))
        assert link.get("id").startswith("ref-1-")
    assert len(svg.find(f"{SVG}g[@class='edges']").findall(f"{SVG}line")) == 4


def test_the_page_shows_the_picture_the_legend_and_the_same_links_as_a_table(client, small_world):
    response = client.get("/network/", {"around": "organisation:alliance-medical-ltd"})
    body = response.content.decode()
    assert response.status_code == 200
    for kind in ("Company", "Contract", "Site", "Person"):
        assert f">{kind}</text>" in body  # the legend lists the kinds drawn
    assert ">Public body</text>" not in body
    table = body[body.index('<table class="network-links">') :]
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", table, re.S)
    assert len(rows) == 4
    assert any("Life Healthcare Group" in row and "acquired 2016 for £10.7m" in row for row in rows)
    assert 'href="#note-1"' in table
    assert "Annual report 2016" in body  # the note the edges lead to


def test_every_detail_page_has_a_network_section(client, small_world):
    for url in (
        small_world["company"].get_absolute_url(),
        small_world["site"].get_absolute_url(),
        "/people/pat-director/",
        "/contracts/pet-ct-scanning/",
    ):
        body = client.get(url).content.decode()
        assert 'aria-labelledby="network-heading"' in body, url
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="network-graph"' in body, url


def test_a_record_with_500_neighbours_folds_the_rest_into_one_node_that_leads_onward(client):
    hub = make_organisation(name="Hub Ltd", status=PUBLISHED)
    neighbour = make_organisation(name="Aardvark Ltd", status=PUBLISHED)
    make_relationship(subject=hub, object=neighbour, kind="partner_of", status=PUBLISHED)
    contract = make_contract(title="Big framework call-off", status=PUBLISHED)
    make_party(contract, organisation=hub)
    models.ContractParty.objects.bulk_create(
        models.ContractParty(contract=contract, organisation=org, role="supplier")
        for org in models.Organisation.objects.bulk_create(
            models.Organisation(name=f"Supplier {n}", slug=f"supplier-{n}", status=PUBLISHED)
            for n in range(500)
        )
    )
    graph = neighbourhood(hub, depth=2)
    assert len(graph.nodes) <= NODE_LIMIT
    more = [node for node in graph.nodes.values() if node.kind == "more"]
    # The contract shows as many suppliers as a record may, less one for the folded node;
    # its links are read REACH_LIMIT at a time, one of them to the hub, so the rest is
    # counted as at least what was read.
    folded = REACH_LIMIT - 1 - (DEFAULT_FANOUT - 1)
    assert [node.name for node in more] == [f"and {folded}+ more"]
    assert more[0].url == "/network/?around=contract%3Abig-framework-call-off"
    svg = network_svg(client, "organisation:hub-ltd", depth=2)
    assert f"and {folded}+ more (more links, folded)" in {
        node.get("aria-label") for node in svg.iter(f"{SVG}a")
    }


def test_a_record_with_fewer_links_than_the_reading_limit_counts_its_folded_ones_exactly():
    hub = make_organisation(name="Hub Ltd", status=PUBLISHED)
    for number in range(40):
        make_party(make_contract(title=f"Contract {number}", status=PUBLISHED), organisation=hub)
    make_party(make_contract(title="Draft contract"), organisation=hub)
    graph = neighbourhood(hub)
    [more] = [node for node in graph.nodes.values() if node.kind == "more"]
    assert more.name == f"and {40 - (FANOUT[0] - 1)} more"


def partners(organisation, *names):
    found = []
    for name in names:
        partner = make_organisation(name=name, status=PUBLISHED)
        make_relationship(subject=organisation, object=partner, kind="partner_of", status=PUBLISHED)
        found.append(partner)
    return found


def test_once_a_records_links_fold_for_lack_of_room_the_last_place_is_its_folded_nodes(
    monkeypatch,
):
    monkeypatch.setattr(graph_module, "NODE_LIMIT", 10)
    hub = make_organisation(name="Hub Ltd", status=PUBLISHED)
    crowded, single = partners(hub, "A crowded partner", "B single partner")
    partners(crowded, *(f"Crowd member {number}" for number in range(8)))
    partners(single, "Lone partner")
    graph = neighbourhood(hub, depth=2)
    names = {node.name for node in graph.nodes.values()}
    # The hub and its partners leave seven places: six of the crowded partner's eight
    # links and its folded node take them, not the single partner's one link.
    assert len(graph.nodes) == 10
    assert "and 2 more" in names
    assert "Lone partner" not in names
    assert graph.left_out == 1 and not graph.unread


def test_once_the_picture_is_full_only_links_between_its_records_are_read(client, monkeypatch):
    monkeypatch.setattr(graph_module, "NODE_LIMIT", 4)
    hub = make_organisation(name="Hub Ltd", status=PUBLISHED)
    [middle] = partners(hub, "Middle Ltd")
    left, right = partners(middle, "Left Ltd", "Right Ltd")
    make_relationship(subject=left, object=right, kind="lender_to", status=PUBLISHED)
    partners(left, "Further out Ltd")
    graph = neighbourhood(hub, depth=3)
    assert {node.name for node in graph.nodes.values()} == {
        "Hub Ltd",
        "Middle Ltd",
        "Left Ltd",
        "Right Ltd",
    }
    assert ("organisation:left-ltd", "organisation:right-ltd", "lender") in {
        (edge.source, edge.target, edge.label) for edge in graph.edges
    }
    # The link further out was not read, so not counted among those that did not fit.
    assert graph.unread and graph.left_out == 0
    body = client.get("/network/", {"around": "organisation:hub-ltd", "depth": 3}).content
    assert "Once the picture was full, links further out were not read." in body.decode()


def test_the_network_page_runs_a_bounded_number_of_queries(
    client, small_world, django_assert_max_num_queries
):
    for number in range(30):
        contract = make_contract(title=f"Contract {number}", status=PUBLISHED)
        make_party(contract, organisation=small_world["company"])
        make_party(contract, organisation=make_organisation(status=PUBLISHED), role="buyer")
    # per step, one query (two if the room fills) for the links read, one per kind drawn
    with django_assert_max_num_queries(18):
        response = client.get(
            "/network/", {"around": "organisation:alliance-medical-ltd", "depth": 3}
        )
    assert response.status_code == 200


def test_the_gexf_and_json_downloads_hold_the_same_graph(client, small_world):
    query = {"around": "organisation:alliance-medical-ltd", "depth": 1}
    gexf = client.get("/network/download.gexf", query)
    assert (
        gexf["Content-Disposition"]
        == 'attachment; filename="network-alliance-medical-ltd-depth-1.gexf"'
    )
    root = ElementTree.fromstring(gexf.content)
    gexf_nodes = {n.get("label") for n in root.iter("{http://gexf.net/1.3}node")}
    data = json.loads(client.get("/network/download.json", query).content)
    assert gexf_nodes == {node["name"] for node in data["nodes"]}
    assert len(list(root.iter("{http://gexf.net/1.3}edge"))) == len(data["links"]) == 4
    acquisition = next(link for link in data["links"] if link["kind"] == "relationship")
    assert acquisition["sources"][0]["title"] == "Annual report 2016"
    assert acquisition["sources"][0]["quotes"] == ["acquired Alliance Medical"]
    assert acquisition["start"] == "2016"


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"around": "alliance-medical-ltd"},
        {"around": "source:alliance-medical-ltd"},
        {"around": "organisation:"},
        {"around": "organisation:\x00"},
        {"around": "organisation:' OR 1=1 --"},
        {"around": "organisation:alliance-medical-ltd", "depth": "4"},
        {"around": "organisation:alliance-medical-ltd", "depth": "0"},
        {"around": "organisation:alliance-medical-ltd", "depth": "x" * 10_000},
        {"around": "organisation:alliance-medical-ltd", "as_of": "2016"},
        {"around": "organisation:alliance-medical-ltd", "as_of": "2016-02-30"},
        {"around": "organisation:alliance-medical-ltd", "as_of": "yesterday"},
    ],
)
def test_bad_parameters_get_a_400_with_a_message(client, small_world, parameters):
    for url in ("/network/", "/network/download.json"):
        response = client.get(url, parameters)
        assert response.status_code == 400, (url, parameters)
        assert re.search(r"around=organisation:|depth|a date|single day", response.content.decode())


def test_a_record_that_is_not_published_is_a_404(client, small_world):
    make_organisation(name="Draft Ltd")
    assert client.get("/network/", {"around": "organisation:draft-ltd"}).status_code == 404
    assert client.get("/network/", {"around": "organisation:no-such"}).status_code == 404
    assert (
        client.get(
            "/network/download.pdf", {"around": "organisation:alliance-medical-ltd"}
        ).status_code
        == 404
    )


def test_layouts_are_cached_by_the_graphs_version(small_world):
    cache.clear()
    graph = neighbourhood(small_world["company"])
    assert cache.get(f"network-layout:{graph.version}") is None
    assert positions(graph) == compute_positions(graph)
    assert cache.get(f"network-layout:{graph.version}") == positions(graph)
    models.SiteRole.objects.create(
        site=make_site(status=PUBLISHED), organisation=small_world["company"], kind="owner"
    )
    assert neighbourhood(small_world["company"]).version != graph.version


def test_an_ownership_chain_is_laid_out_in_layers_owners_above(small_world):
    top = make_organisation(name="Life Healthcare Holdings", status=PUBLISHED)
    make_relationship(subject=top, object=small_world["owner"], kind="parent_of", status=PUBLISHED)
    below = make_organisation(name="Alliance Medical Italy", status=PUBLISHED)
    make_relationship(
        subject=small_world["company"], object=below, kind="parent_of", status=PUBLISHED
    )
    graph = neighbourhood(small_world["owner"], depth=2)
    graph.edges = [edge for edge in graph.edges if edge.is_ownership]
    graph.nodes = {
        key: graph.nodes[key]
        for key in {e.source for e in graph.edges} | {e.target for e in graph.edges}
    }
    assert graph.is_ownership_chain
    spots = compute_positions(graph)
    heights = [
        spots[f"organisation:{slug}"][1]
        for slug in (
            "life-healthcare-holdings",
            "life-healthcare-group",
            "alliance-medical-ltd",
            "alliance-medical-italy",
        )
    ]
    assert heights == sorted(heights) and len(set(heights)) == 4


def test_no_draft_reaches_a_network_at_any_depth_or_in_any_download(client):
    """The drafts are tied to the published records by every kind of link there is."""
    org, other, contract, concern = published_world()
    drafts_of_every_kind(org, other, contract, concern)
    draft_source_cited_by_published_records(org, contract)
    centres = [f"organisation:{org.slug}", f"organisation:{other.slug}"]
    centres += [f"contract:{contract.slug}", f"concern:{concern.slug}"]
    urls = ["/network/", *(f"/network/download.{kind}" for kind in ("svg", "gexf", "json"))]
    for around in centres:
        for url in urls:
            response = client.get(url, {"around": around, "depth": 3})
            assert response.status_code == 200
            assert MARKER not in response.content.decode().lower(), (url, around)
    models.Person.objects.update(status=PUBLISHED)  # published, the draft would show
    body = client.get("/network/", {"around": f"organisation:{org.slug}"}).content.decode()
    assert f"{MARKER} name" in body


TAUNTON_PARTIES = [
    "somerset-nhs-foundation-trust", "rutherford-diagnostics", "rutherford-health", "equitix",
    "tfg-asset-management", "tetragon-financial-group", "amberside-advisors", "steer-group",
    "philips-health-uk", "schroder-uk-public-private-trust", "alliance-medical",
    "life-healthcare-group-holdings", "equitix-rutherford-cancer-care-llp",
    "taunton-diagnostic-centre-lp",
]  # fmt: skip


def test_the_taunton_centres_page_draws_every_party_of_the_investigation(client):
    call_command("load_demo_data", verbosity=0)
    site = models.Site.objects.get(slug="taunton-community-diagnostic-centre")
    page = client.get(site.get_absolute_url()).content.decode()
    [figure] = re.findall(r"<svg[^>]*>.*?</svg>", page, re.S)[:1]
    drawn = set(re.findall(r'href="/organisations/([^/"]+)/"', figure))
    assert [slug for slug in TAUNTON_PARTIES if slug not in drawn] == []
