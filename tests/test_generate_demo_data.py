"""manage.py generate_demo_data, at a small scale: proportions, citations, drafts kept from
the public, the search index, the seed, and the refusal to generate twice."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from investigations import generation, models
from investigations import search as search_index
from investigations.generation.base import PREFIX
from investigations.search import rebuild_index, search
from tests.factories import make_contract, make_organisation, make_party

pytestmark = pytest.mark.django_db
ORGANISATIONS, CONTRACTS = 200, 1000


def generate(*options, seed=1):
    call_command(
        "generate_demo_data",
        f"--organisations={ORGANISATIONS}",
        f"--contracts={CONTRACTS}",
        f"--seed={seed}",
        "--no-progress",
        *options,
        stdout=io.StringIO(),
    )


@pytest.fixture
def generated():
    generate()


def generated_only(model):
    return model.objects.filter(slug__startswith=PREFIX)


def cited(model, **conditions):
    """Rows of ``model`` with a citation matching ``conditions``."""
    citations = models.Citation.objects.filter(
        content_type__model=model._meta.model_name, object_id=OuterRef("pk"), **conditions
    )
    return Exists(citations)


def test_it_makes_every_kind_in_proportion(generated):
    contracts = generated_only(models.Contract)
    assert contracts.count() == CONTRACTS
    assert generated_only(models.Organisation).count() == ORGANISATIONS
    assert generated_only(models.Source).count() == CONTRACTS // 10
    parties = models.ContractParty.objects.filter(contract__in=contracts)
    assert 2.5 < parties.count() / CONTRACTS < 3.1
    assert parties.filter(role="buyer").count() / CONTRACTS == pytest.approx(1.05, abs=0.05)
    registered = models.Organisation.objects.filter(kind__in=("company", "nhs_trust", "charity"))
    with_identifier = registered.filter(identifiers__isnull=False).distinct().count()
    assert 0.7 < with_identifier / registered.count() <= 0.95
    assert 0.1 < models.OrganisationAlias.objects.count() / ORGANISATIONS < 0.3
    filers = models.FinancialFiling.objects.values("organisation").distinct().count()
    assert filers > 20
    assert models.FinancialFiling.objects.count() >= 2 * filers
    ownership = models.Relationship.objects.filter(kind__in=("parent_of", "shareholder_in"))
    assert ownership.exists()
    assert models.Person.objects.count() == ORGANISATIONS // 4
    assert models.Role.objects.count() >= models.Person.objects.count()
    assert models.Concern.objects.annotate(n=Count("parties")).filter(n=0).count() == 0
    assert models.Site.objects.annotate(n=Count("roles")).filter(n__gte=3).count() == 5
    assert models.FrameworkMembership.objects.count() >= 10
    assert contracts.filter(framework__isnull=False).count() / CONTRACTS == pytest.approx(
        0.25, abs=0.06
    )


def test_a_small_share_of_each_kind_is_left_as_a_draft(generated):
    for model in (models.Contract, models.Organisation, models.Source, models.Relationship):
        drafts = model.objects.drafts().count()
        # Sources: one draft in each of five pools at least, so a little more at this size.
        assert 0 < drafts / model.objects.count() < 0.1, model


def test_every_published_contract_has_a_buyer_a_supplier_and_citations(generated):
    parties = models.ContractParty.objects.filter(
        contract=OuterRef("pk"), organisation__status="published"
    )
    published = generated_only(models.Contract).published()
    supplier_roles = models.ContractParty.SUPPLIER_ROLES
    lacking = published.exclude(
        Exists(parties.filter(role="buyer"))
        & Exists(parties.filter(role__in=supplier_roles))
        & cited(models.Contract, field_name="", source__status="published")
        & cited(models.Contract, field_name="awarded", source__status="published")
        # A value may be backed by a draft source only: the public page then withholds it.
        & cited(models.Contract, field_name="value")
    )
    assert published.count() > 0.95 * CONTRACTS
    assert not lacking.exists()


def test_field_and_prose_citations_are_confirmed_against_what_they_back(generated):
    contract = generated_only(models.Contract).published().first()
    citation = contract.citations.get(field_name="value")
    assert not citation.is_stale(contract)
    assert f"{contract.value:,.0f}" in citation.quote
    described = generated_only(models.Contract).exclude(description="").first()
    passage = described.citations.get(field_name="description", marker="d1")
    assert not passage.is_stale(described)
    assert passage.quote in described.description
    summarised = generated_only(models.Organisation).exclude(summary="").first()
    assert not summarised.citations.get(field_name="summary").is_stale(summarised)


def test_every_citation_of_a_field_or_passage_is_confirmed_against_its_value(generated):
    claims = list(models.Citation.objects.exclude(field_name="").prefetch_related("record"))
    assert len(claims) > 3 * CONTRACTS
    assert not [claim for claim in claims if claim.record is None or claim.is_stale(claim.record)]


def raw_published_at(contract):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT published_at FROM investigations_contract WHERE id = %s", [contract.pk]
        )
        return cursor.fetchone()[0]


def test_publication_times_are_stored_as_the_orm_stores_them(generated):
    contract = generated_only(models.Contract).published().first()
    written = raw_published_at(contract)
    models.Contract.objects.filter(pk=contract.pk).update(published_at=contract.published_at)
    assert raw_published_at(contract) == written


def test_drafts_are_not_in_the_public_lists_search_or_pages(client, generated):
    draft = generated_only(models.Organisation).drafts().first()
    published = generated_only(models.Organisation).published().exclude(kind="regulator")[0]
    assert client.get(draft.get_absolute_url()).status_code == 404
    found = client.get(reverse("search"), {"q": draft.name}).content.decode()
    assert draft.get_absolute_url() not in found
    found = client.get(reverse("search"), {"q": published.name}).content.decode()
    assert published.get_absolute_url() in found
    draft_contract = generated_only(models.Contract).drafts().first()
    listed = client.get(reverse("contract_list"), {"title": draft_contract.title}).content.decode()
    assert draft_contract.get_absolute_url() not in listed
    assert client.get(draft_contract.get_absolute_url()).status_code == 404


def test_the_search_index_finds_generated_records_by_name_and_identifier(generated):
    identifier = models.Identifier.objects.filter(
        organisation__status="published", scheme="GB-COH"
    ).first()
    for query in (identifier.organisation.name, identifier.org_id):
        groups = {group.kind: group.records for group in search(query)}
        assert identifier.organisation in groups["organisation"]


def snapshot():
    contracts = generated_only(models.Contract).order_by("slug")
    parties = models.ContractParty.objects.filter(contract__in=contracts)
    return (
        list(contracts.values_list("slug", "title", "value", "awarded", "status")),
        sorted(parties.values_list("contract__slug", "organisation__name", "role")),
        list(generated_only(models.Organisation).order_by("slug").values_list("slug", "name")),
    )


def test_the_same_seed_makes_the_same_data_and_another_seed_other_data(generated):
    first = snapshot()
    generate("--replace")
    assert snapshot() == first
    generate("--replace", seed=2)
    assert snapshot() != first


def test_it_refuses_a_database_that_holds_generated_data(generated):
    before = snapshot()
    with pytest.raises(CommandError, match="already holds generated data.*--replace"):
        generate()
    assert snapshot() == before


def test_replacing_keeps_curated_records_and_their_citations():
    curated = make_organisation(name="Curated Imaging Ltd", status="published")
    contract = make_contract(title="Curated contract", status="published")
    make_party(contract, organisation=curated, role="buyer")
    generate()
    generate("--replace")
    assert models.Organisation.objects.filter(pk=curated.pk).exists()
    assert contract.parties.get().organisation == curated
    assert generated_only(models.Contract).count() == CONTRACTS


def test_too_few_organisations_is_refused_and_writes_nothing():
    with pytest.raises(CommandError, match="at least 50 organisations"):
        call_command("generate_demo_data", "--organisations=10", "--contracts=10")
    assert not models.Organisation.objects.exists()


def index_documents():
    """Every document in the search index, with the tsvector PostgreSQL derives from it."""
    derived = ", document::text" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, record_id, title, body{derived} FROM investigations_search")  # noqa: S608
        return sorted(cursor.fetchall())


def test_the_documents_written_as_it_generates_are_those_a_rebuild_makes():
    curated = make_organisation(name="Curated Imaging Ltd", status="published")
    make_party(make_contract(title="Curated scanning", status="published"), organisation=curated)
    rebuild_index()
    generate()
    written = index_documents()
    kinds = {document[0] for document in written}
    assert kinds == {"organisation", "contract", "concern", "person", "site", "framework", "source"}
    assert len(written) > CONTRACTS
    rebuild_index()
    assert index_documents() == written
    generate("--replace", seed=2)
    written = index_documents()
    rebuild_index()
    assert index_documents() == written


def schema_indexes():
    """(table, name, definition) of every index, and on PostgreSQL of every constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index'")
            return sorted(cursor.fetchall())
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = current_schema()"
            " UNION ALL SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        return sorted(cursor.fetchall())


def test_the_indexes_dropped_for_the_load_are_made_again_as_they_were(monkeypatch):
    before = schema_indexes()
    during = []
    make_contracts = generation.Generator.make_contracts

    def seen_while_loading(self):
        during.extend(schema_indexes())
        make_contracts(self)

    monkeypatch.setattr(generation.Generator, "make_contracts", seen_while_loading)
    generate()
    assert len([index for index in before if index[0] == "investigations_citation"]) >= 5
    # Left while loading: the primary key and the checks; no other index, no foreign key.
    assert not [
        name
        for table, name, definition in during
        if table == "investigations_citation"
        and definition.startswith(("CREATE INDEX", "FOREIGN KEY"))
    ]
    assert schema_indexes() == before


def test_a_generation_that_fails_leaves_no_data_and_the_indexes_as_they_were(monkeypatch):
    before = schema_indexes()

    def fail(self):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(generation.Generator, "make_concerns", fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        generate()
    assert not generation.generated_counts()
    assert schema_indexes() == before
    assert not index_documents()


def connection_settings():
    names = ("synchronous", "cache_size", "temp_store")
    if connection.vendor == "postgresql":
        names = ("synchronous_commit", "maintenance_work_mem")
    with connection.cursor() as cursor:
        found = []
        for name in names:
            cursor.execute(f"PRAGMA {name}" if connection.vendor == "sqlite" else f"SHOW {name}")
            found.append(cursor.fetchone()[0])
        return found


@pytest.mark.django_db(transaction=True)
def test_the_connection_is_tuned_for_the_load_only_while_it_lasts(monkeypatch):
    before = connection_settings()
    during = []
    make_contracts = generation.Generator.make_contracts

    def seen_while_loading(self):
        during.extend(connection_settings())
        make_contracts(self)

    monkeypatch.setattr(generation.Generator, "make_contracts", seen_while_loading)
    generate()
    assert during != before
    assert connection_settings() == before


def test_a_search_document_a_flushed_record_left_behind_does_not_stop_generation():
    """``flush`` leaves the search table (it has no model): a new record taking a removed
    one's id meets its document, whose key on SQLite is the same."""
    source_id = (
        models.Source.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    search_index._insert([("source", source_id, "Withdrawn briefing", "")])
    generate()
    source = models.Source.objects.get(pk=source_id)
    assert source.slug.startswith(PREFIX)
    assert source.pk in [record.pk for group in search(source.title) for record in group.records]
    if connection.vendor == "sqlite":
        assert search("withdrawn briefing") == []
