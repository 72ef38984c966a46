import json
import shutil
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from investigations import models
from investigations.demo_data import CHANGE_REASON, FIXTURE_DIR, DemoDataError, load_demo_data
from investigations.publication import missing_claims

MINIMUMS = {
    models.Organisation: 25,
    models.Person: 5,
    models.Relationship: 15,
    models.Site: 7,
    models.Contract: 8,
    models.Framework: 2,
    models.Concern: 5,
    models.Source: 12,
    models.Citation: 60,
}


@pytest.fixture
def loaded(db):
    load_demo_data()


def copy_fixtures(tmp_path):
    directory = tmp_path / "demo"
    shutil.copytree(FIXTURE_DIR, directory)
    return directory


def snapshot():
    """Every row of every table of the app, history tables included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("investigations").get_models()
    }


def test_it_loads_through_the_management_command(db, capsys):
    call_command("load_demo_data")
    assert "created" in capsys.readouterr().out
    assert models.Organisation.objects.filter(slug="alliance-medical").exists()


def test_it_changes_nothing_when_loaded_twice(loaded, capsys):
    before = snapshot()
    call_command("load_demo_data")
    assert snapshot() == before
    assert "already up to date" in capsys.readouterr().out


def test_it_updates_an_edited_record_in_place_and_resets_a_removed_value(loaded, tmp_path):
    directory = copy_fixtures(tmp_path)
    sites = json.loads((directory / "sites.json").read_text())
    sites[0]["name"] = "Taunton Diagnostic Centre"
    del sites[0]["locality"]
    (directory / "sites.json").write_text(json.dumps(sites))
    count = models.Site.objects.count()
    load_demo_data(directory)
    site = models.Site.objects.get(slug=sites[0]["slug"])
    assert (site.name, site.locality) == ("Taunton Diagnostic Centre", "")
    assert models.Site.objects.count() == count
    assert site.history.count() == 2
    assert site.history.first().history_change_reason == CHANGE_REASON


def test_it_holds_at_least_the_minimum_of_each_kind(loaded):
    for model, minimum in MINIMUMS.items():
        assert model.objects.count() >= minimum, model.__name__


def test_it_publishes_nothing_with_an_uncited_claim(loaded):
    for model in models.PUBLISHABLE_MODELS:
        published = model.objects.filter(status=models.Publishable.Status.PUBLISHED)
        assert published.exists(), model.__name__
        for record in published:
            assert missing_claims(record) == [], record
            assert record.published_at and record.last_reviewed, record


def test_it_keeps_some_drafts_out_of_public_view(loaded):
    draft = models.Concern.objects.get(slug="taunton-cdc-joint-procurement-foi")
    assert draft.status == models.Publishable.Status.DRAFT
    assert not models.Concern.objects.published().filter(pk=draft.pk).exists()
    assert models.Site.objects.drafts().exists()
    assert models.Source.objects.drafts().exists()


def test_it_keeps_the_key_figures_of_the_seeds(loaded):
    contract = models.Contract.objects.get(slug="pet-ct-scanning-services-england")
    assert (contract.value, contract.currency) == (Decimal("350000000.00"), "GBP")
    assert (contract.duration_months, contract.awarded) == (120, "2014")
    identifier = models.Identifier.objects.get(organisation__slug="alliance-medical")
    assert identifier.org_id == "GB-COH-02128897"
    filings = models.FinancialFiling.objects.filter(organisation__slug="alliance-medical")
    assert filings.get(period_end="2022-09-30").turnover == Decimal("169600000")
    assert filings.get(period_end="2021-09-30").profit_before_tax == Decimal("5900000")
    parent = models.FinancialFiling.objects.get(organisation__slug="life-healthcare-group-holdings")
    assert (parent.turnover, parent.currency, parent.period_months) == (
        Decimal("13500000000"),
        "ZAR",
        6,
    )


def test_it_names_every_party_to_the_pet_ct_contract_in_its_role(loaded):
    contract = models.Contract.objects.get(slug="pet-ct-scanning-services-england")
    roles = set(contract.parties.values_list("organisation__slug", "role"))
    assert {
        ("nhs-england", "buyer"),
        ("alliance-medical", "lead_supplier"),
        ("molecular-imaging-collaborative-network", "supplier"),
        ("clatterbridge-cancer-centre", "challenger"),
    } <= roles


def test_it_dates_the_taunton_operators_in_turn(loaded):
    site = models.Site.objects.get(slug="taunton-community-diagnostic-centre")
    operators = site.roles.filter(kind="operator").order_by("start")
    assert [(r.organisation.slug, r.start) for r in operators] == [
        ("rutherford-diagnostics", "2021-09"),
        ("somerset-nhs-foundation-trust", "2022-06"),
        ("alliance-medical", "2022-11-01"),
    ]


def test_it_invents_no_addresses_and_quotes_every_source(loaded):
    assert not models.Source.objects.exclude(url="").exists()
    assert not models.Organisation.objects.exclude(website="").exists()
    assert not models.Citation.objects.filter(quote="").exists()


def test_it_refuses_data_with_an_uncited_claim_and_writes_nothing(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    contracts = json.loads((directory / "contracts.json").read_text())
    contracts[0]["citations"] = contracts[0]["citations"][1:]
    (directory / "contracts.json").write_text(json.dumps(contracts))
    with pytest.raises(DemoDataError, match="Uncited claims"):
        load_demo_data(directory)
    assert not models.Organisation.objects.exists()


def test_it_refuses_a_citation_of_a_marker_the_prose_lacks(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    organisations = json.loads((directory / "organisations.json").read_text())
    organisations[0]["citations"][0]["claims"] = ["summary#no-such-marker"]
    (directory / "organisations.json").write_text(json.dumps(organisations))
    with pytest.raises(DemoDataError, match="no-such-marker"):
        load_demo_data(directory)


TAUNTON = "taunton-community-diagnostic-centre"
AGREEMENT = "equitix-rutherford-diagnostic-centres-agreement"

# How the Taunton centre reaches each party of the investigation, one published, cited link
# at a time: ("role", organisation, kind) is a site role of the centre; ("contract", slug,
# organisation, role) a party to a contract at the centre; ("relationship", subject, kind,
# object) a relationship between two organisations, each one already reached.
TAUNTON_PATHS = {
    "somerset-nhs-foundation-trust": [("role", "somerset-nhs-foundation-trust", "commissioner")],
    "rutherford-diagnostics": [("role", "rutherford-diagnostics", "operator")],
    "rutherford-health": [("contract", AGREEMENT, "rutherford-health", "supplier")],
    "equitix": [("role", "equitix", "owner")],
    "tfg-asset-management": [
        ("role", "equitix", "owner"),
        ("relationship", "tfg-asset-management", "parent_of", "equitix"),
    ],
    "tetragon-financial-group": [
        ("role", "equitix", "owner"),
        ("relationship", "tfg-asset-management", "parent_of", "equitix"),
        ("relationship", "tetragon-financial-group", "parent_of", "tfg-asset-management"),
    ],
    "amberside-advisors": [("contract", AGREEMENT, "amberside-advisors", "adviser")],
    "steer-group": [
        ("contract", AGREEMENT, "amberside-advisors", "adviser"),
        ("relationship", "steer-group", "parent_of", "amberside-advisors"),
    ],
    "philips-health-uk": [("role", "philips-health-uk", "equipment_supplier")],
    "schroder-uk-public-private-trust": [
        ("contract", AGREEMENT, "rutherford-health", "supplier"),
        ("relationship", "schroder-uk-public-private-trust", "shareholder_in", "rutherford-health"),
    ],
    "alliance-medical": [("role", "alliance-medical", "operator")],
    "life-healthcare-group-holdings": [
        ("role", "alliance-medical", "operator"),
        ("relationship", "life-healthcare-group-holdings", "parent_of", "alliance-medical"),
    ],
    "equitix-rutherford-cancer-care-llp": [
        ("contract", AGREEMENT, "equitix-rutherford-cancer-care-llp", "consortium_member"),
    ],
    "taunton-diagnostic-centre-lp": [
        ("contract", AGREEMENT, "equitix-rutherford-cancer-care-llp", "consortium_member"),
        (
            "relationship",
            "taunton-diagnostic-centre-lp",
            "member_of",
            "equitix-rutherford-cancer-care-llp",
        ),
    ],
}


def published_link(site, step):
    """The published row a step names, and the organisations it reaches."""
    kind, *names = step
    if kind == "role":
        organisation, role_kind = names
        row = models.SiteRole.objects.published().get(
            site=site, organisation__slug=organisation, kind=role_kind
        )
        return row, {organisation}
    if kind == "contract":
        contract, organisation, role = names
        row = models.ContractParty.objects.published().get(
            contract__slug=contract, contract__site=site, organisation__slug=organisation, role=role
        )
        return row, {organisation}
    subject, relationship_kind, object_ = names
    row = models.Relationship.objects.published().get(
        subject__slug=subject, kind=relationship_kind, object__slug=object_
    )
    return row, {subject, object_}


def test_it_links_the_taunton_centre_to_every_party_of_the_investigation(loaded):
    site = models.Site.objects.published().get(slug=TAUNTON)
    for party, steps in TAUNTON_PATHS.items():
        reached = set()
        for step in steps:
            row, ends = published_link(site, step)
            if step[0] == "relationship":
                assert ends & reached, (party, step)  # it continues the path
            reached |= ends
            cited = row.citations.filter(field_name="", source__status="published")
            assert cited.exclude(quote="").exists(), (party, step)
        assert party in reached, party


def test_the_taunton_page_names_the_parties_to_the_contracts_at_the_centre(loaded, client):
    site = models.Site.objects.get(slug=TAUNTON)
    html = client.get(site.get_absolute_url()).content.decode()
    parties = models.ContractParty.objects.published().filter(contract__site=site)
    assert parties.filter(organisation__slug="equitix-rutherford-cancer-care-llp").exists()
    for party in parties.select_related("organisation"):
        assert f'href="{party.organisation.get_absolute_url()}"' in html, party
