"""Every list's download, byte for byte, for a world with drafts, withheld claims, several
parties and citations, stale citations and cells a spreadsheet would run as formulas.

The files under tests/pinned_downloads/ were written by the download as it stood before it
was rebuilt from values() queries; the rebuilt one must write the same bytes. To pin a
deliberate change of the output, run this file with PIN_DOWNLOADS=1 and read the diff.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from investigations import models
from investigations.exports import records
from tests.factories import cite, make_source

PINNED = Path(__file__).parent / "pinned_downloads"
PUBLISHED = "published"
DRAFT = "draft"
UPDATED_AT = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)


def organisations(source, draft_source):
    nhs = models.Organisation.objects.create(
        name="NHS England", kind="public_body", website="https://nhs.example", status=PUBLISHED
    )
    cite(nhs, "website", source=source)
    alliance = models.Organisation.objects.create(
        name="Alliance Medical",
        website="https://alliance.example",
        summary="Runs scanners.[^a]\n\nA plan nobody published.[^b]",
        status=PUBLISHED,
    )
    cite(alliance, source=source)
    cite(alliance, "website", source=draft_source)  # withheld: only a draft backs it
    cite(alliance, "summary", marker="a", source=source)
    cite(alliance, "summary", marker="b", source=draft_source)
    models.OrganisationAlias.objects.create(organisation=alliance, name="=Alliance")
    cite(models.OrganisationAlias.objects.create(organisation=alliance, name="AML"), source=source)
    hidden = models.OrganisationAlias.objects.create(organisation=alliance, name="Secret name")
    cite(hidden, source=draft_source)  # the whole row withheld
    models.Identifier.objects.create(organisation=alliance, scheme="GB-COH", value="2128897")
    models.ProfileSection.objects.create(
        organisation=alliance, heading="strategy", body="Grew.[^s]", position=1
    )
    filing = models.FinancialFiling.objects.create(
        organisation=alliance, period_end=datetime.date(2022, 12, 31), turnover=169_600_000
    )
    cite(filing, "turnover", source=source)
    equitix = models.Organisation.objects.create(name="@Equitix", status=PUBLISHED)
    draft = models.Organisation.objects.create(name="+Draft Diagnostics", status=DRAFT)
    return nhs, alliance, equitix, draft


def contracts(orgs, source, press, draft_source):
    nhs, alliance, equitix, draft = orgs
    framework = models.Framework.objects.create(
        name="Imaging framework", buyer=nhs, status=PUBLISHED
    )
    secret = models.Framework.objects.create(name="Secret framework", buyer=nhs, status=DRAFT)
    models.FrameworkMembership.objects.create(framework=framework, organisation=alliance)
    models.FrameworkMembership.objects.create(framework=framework, organisation=draft)
    site = models.Site.objects.create(name="Taunton CDC", kind="cdc", status=PUBLISHED)
    models.SiteRole.objects.create(site=site, organisation=alliance, kind="operator")
    national = models.Contract.objects.create(
        title="National PET-CT",
        reference="NHS-123",
        value=350_000_000,
        awarded="2016-03",
        framework=framework,
        site=site,
        region="South West",
        description="Ten years.[^t]\n\nA clause from a leak.[^l]",
        status=PUBLISHED,
    )
    cite(national, source=source)
    cite(national, "value", source=source)
    cite(national, "value", source=source, quote="Said twice")
    cite(national, "value", source=press)
    cite(national, "value", source=draft_source)
    cite(national, "reference", source=draft_source)  # withheld
    cite(national, "description", marker="t", source=press)
    cite(national, "description", marker="l", source=draft_source)
    for organisation, role in ((nhs, "buyer"), (alliance, "lead_supplier"), (draft, "supplier")):
        models.ContractParty.objects.create(contract=national, organisation=organisation, role=role)
    quiet = models.ContractParty.objects.create(
        contract=national, organisation=equitix, role="subcontractor"
    )
    cite(quiet, source=draft_source)  # the party withheld
    payload = models.Contract.objects.create(
        title='=HYPERLINK("http://evil.example","click")',
        region="-2+3",
        lot="@lot",
        value=1_000,
        framework=secret,  # a draft: blank
        status=PUBLISHED,
    )
    cite(payload, "value", source=make_source(title="+cmd|' /C calc'!A0"))
    payload.value = 2_000  # the citation is now stale
    payload.save()
    models.ContractParty.objects.create(contract=payload, organisation=equitix, role="buyer")
    models.Contract.objects.create(title="A draft contract", status=DRAFT)


def others(orgs, source, draft_source):
    nhs, alliance, equitix, _ = orgs
    concern = models.Concern.objects.create(
        title="Enforcement action",
        kind="enforcement",
        regulator=nhs,
        action_count=12,
        summary="Twelve actions.[^e]",
        status=PUBLISHED,
    )
    cite(concern, "action_count", source=source)
    models.ConcernParty.objects.create(
        concern=concern, organisation=alliance, parent_at_time=equitix
    )
    person = models.Person.objects.create(name="Pat Example", status=PUBLISHED)
    cited_role = models.Role.objects.create(person=person, organisation=alliance, title="Chair")
    cite(cited_role, "title", source=source)
    hidden_title = models.Role.objects.create(person=person, organisation=nhs, title="-Adviser")
    cite(hidden_title, "title", source=draft_source)  # the title withheld, the role shown
    models.Person.objects.create(name="Draft Person", status=DRAFT)


def world():
    source = make_source(title="Award notice", url="https://example.org/notice")
    press = make_source(title="Press release")
    draft_source = make_source(title="Leaked memo", status=DRAFT)
    orgs = organisations(source, draft_source)
    contracts(orgs, source, press, draft_source)
    others(orgs, source, draft_source)
    for model in apps.get_app_config("investigations").get_models():
        if any(field.name == "updated_at" for field in model._meta.fields):
            model.objects.update(updated_at=UPDATED_AT)


def downloaded(client, kind, fmt):
    response = client.get(reverse(kind.list_route), {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


# Ids are written out: the sequences start afresh, so that they are the same on every run.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_download_writes_the_pinned_bytes(client, monkeypatch, fmt):
    world()
    for kind in models.LISTED_KINDS:
        pinned = PINNED / f"{kind.key}.{fmt}"
        if os.environ.get("PIN_DOWNLOADS"):
            pinned.write_bytes(downloaded(client, kind, fmt))
        assert downloaded(client, kind, fmt) == pinned.read_bytes(), kind.key
        monkeypatch.setattr(records, "CHUNK_SIZE", 1)
        assert downloaded(client, kind, fmt) == pinned.read_bytes(), (kind.key, "chunks of 1")
        monkeypatch.undo()


def test_the_pinned_files_hold_what_they_are_meant_to():
    contracts = (PINNED / "contract.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in contracts and "'-2+3" in contracts and "'@lot" in contracts
    assert "'@Equitix (Buyer)" in contracts
    assert "NHS England (Buyer); Alliance Medical (Lead supplier)" in contracts
    assert "Subcontractor" not in contracts  # a party only a draft source backs
    assert "Draft" not in contracts and "Leaked" not in contracts and "Secret" not in contracts
    assert "NHS-123" not in contracts  # a reference only a draft source backs
    assert "A clause from a leak" not in contracts
    assert "Award notice; Press release" in contracts
    organisations = (PINNED / "organisation.csv").read_text("utf-8-sig")
    assert "https://alliance.example" not in organisations
    assert "'=Alliance; AML" in organisations and "Secret name" not in organisations
    assert "A plan nobody published" not in organisations
    people = (PINNED / "person.csv").read_text("utf-8-sig")
    assert "Chair" in people and "Adviser" not in people
