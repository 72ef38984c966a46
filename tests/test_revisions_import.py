"""Import batches change published records only through pending revisions."""

import pytest
from django.core.cache import cache

from investigations import models as m
from investigations.importers.service import run_import
from investigations.importers.undo import undo_batch
from tests import factories

pytestmark = pytest.mark.django_db


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def public_page(client, record):
    cache.clear()
    return client.get(record.get_absolute_url()).content


def published_organisation(editor, name, summary="Runs scanners.[^a]"):
    return factories.make_published(factories.make_organisation(name=name, summary=summary), editor)


def test_a_researchers_batch_makes_one_pending_revision_per_published_record(
    client, researcher, editor
):
    alliance = published_organisation(editor, "Alliance Medical")
    draft = factories.make_organisation(name="Draft Imaging")
    before = public_page(client, alliance)
    data = csv_bytes(
        "name,summary,aliases",
        "Alliance Medical,It paid no tax in 2022.,AML;Alliance Imaging",
        "Draft Imaging,Runs two vans.,",
    )
    result = run_import(data, "o.csv", user=researcher, kind="organisations")
    assert result.written
    assert public_page(client, alliance) == before
    alliance.refresh_from_db()
    assert alliance.summary == "Runs scanners.[^a]" and not alliance.aliases.exists()
    revision = m.Revision.objects.get()
    assert (revision.record, revision.import_batch, revision.created_by) == (
        alliance,
        result.batch,
        researcher,
    )
    assert revision.snapshot["record"]["fields"]["summary"] == "It paid no tax in 2022."
    assert revision.history.get().import_batch == result.batch
    aliases = {a["fields"]["name"] for a in revision.snapshot["children"]["aliases"]}
    assert aliases == {"AML", "Alliance Imaging"}
    draft.refresh_from_db()
    assert draft.summary == "Runs two vans."  # a draft is written at once, as before


def test_an_imported_citation_of_a_published_record_waits_in_its_revision(researcher, editor):
    alliance = published_organisation(editor, "Alliance Medical")
    source = factories.make_source(title="Companies House filing")
    data = csv_bytes(
        "name,website,cited_field,source,quote",
        f"Alliance Medical,https://alliance.example,website,{source.title},Our website",
    )
    run_import(data, "o.csv", user=researcher, kind="organisations")
    assert not alliance.citations.filter(field_name="website").exists()
    revision = m.Revision.objects.get()
    cited = [c["fields"]["field_name"] for c in revision.snapshot["citations"]]
    assert "website" in cited


def test_an_editors_publishing_batch_publishes_what_passes_the_gate_and_leaves_the_rest(editor):
    cited = published_organisation(editor, "Alliance Medical")
    uncited = published_organisation(editor, "Equitix")
    source = factories.make_source(title="Annual report")
    data = csv_bytes(
        "name,website,summary,cited_field,source,quote",
        f"Alliance Medical,https://alliance.example,,website,{source.title},See our site",
        "Equitix,,Owns the building.,,,",
    )
    result = run_import(data, "o.csv", user=editor, kind="organisations", publish=True)
    cited.refresh_from_db()
    uncited.refresh_from_db()
    assert cited.website == "https://alliance.example"
    assert uncited.summary == "Runs scanners.[^a]"
    states = dict(m.Revision.objects.values_list("label", "state"))
    assert states == {"Alliance Medical": "published", "Equitix": "pending"}
    assert [row[1] for row in result.batch.summary["_left_pending"]] == ["Equitix"]


def test_undoing_a_batch_withdraws_its_pending_revisions(researcher, editor):
    alliance = published_organisation(editor, "Alliance Medical")
    data = csv_bytes("name,summary", "Alliance Medical,It paid no tax in 2022.")
    result = run_import(data, "o.csv", user=researcher, kind="organisations")
    undo_batch(result.batch, editor)
    assert m.Revision.objects.get().state == m.Revision.State.WITHDRAWN
    alliance.refresh_from_db()
    assert alliance.summary == "Runs scanners.[^a]"
