"""FollowTheMoney entities of the published records, for Aleph and OCCRP's tools.

Ids are ``<FTM_ID_PREFIX>-<model>-<pk>`` (``investigations-organisation-12``): they stay put
when a record is renamed, and a database that sets its own prefix cannot collide with ours.

An organisation is a Company, PublicBody or Organization by its kind; a person a Person; a
site RealEstate; a contract, and a framework, a Contract whose suppliers (a framework's
members) are ContractAwards and whose buyers its ``authority``. Relationships, people's
roles and sites' roles are edges: Ownership, Directorship, Employment, Membership,
Representation, Debt, or UnknownLink with the kind as its ``role`` where FtM has nothing
nearer.

Citations become provenance. An entity's ``sourceUrl`` holds its page on this site, then
the addresses of the sources cited for it; ``publisher`` those sources' publishers;
``indexText`` the quoted passages. Each source is a Document, and each citation of a thing
(not of an edge, which FtM cannot document) a Documentation edge from that Document to the
entity: the claim as its ``role``, the quote as its ``summary``, and the locator, confidence
and note as its ``description``. Partial dates keep their precision: FtM dates may be
``2016`` or ``2016-06``.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from followthemoney.types import registry

from investigations.models import (
    Contract,
    ContractParty,
    Framework,
    FrameworkMembership,
    Organisation,
    Person,
    Relationship,
    Role,
    Site,
    SiteRole,
    Source,
)
from investigations.views.profiles import published_parties

from .chunks import in_chunks
from .ftm_entities import (
    Entities,
    contract_entities,
    document_entities,
    framework_entities,
    organisation_entities,
    person_entities,
    relationship_entities,
    role_entities,
    site_entities,
    site_role_entities,
)


def no_rows(record):
    return []


@dataclass(frozen=True)
class Export:
    """One kind of record: its published rows, the cited rows each shows, its entities."""

    queryset: object
    build: object
    rows: object = no_rows


ORGANISATION_ROWS = ("aliases", "identifiers", "sections")


def organisations():
    return Organisation.objects.published().prefetch_related(*ORGANISATION_ROWS)


ORGANISATIONS = Export(
    organisations,
    organisation_entities,
    lambda organisation: [getattr(organisation, name).all() for name in ORGANISATION_ROWS],
)
SOURCES = Export(lambda: Source.objects.published(), document_entities)
PEOPLE = Export(lambda: Person.objects.published(), person_entities)
SITES = Export(lambda: Site.objects.published(), site_entities)
FRAMEWORKS = Export(
    lambda: (
        Framework.objects.published()
        .select_related("buyer")
        .prefetch_related(
            Prefetch(
                "memberships",
                FrameworkMembership.objects.published().select_related("organisation"),
            )
        )
    ),
    framework_entities,
    lambda framework: [framework.memberships.all()],
)
CONTRACTS = Export(
    lambda: Contract.objects.published().prefetch_related(Prefetch("parties", published_parties())),
    contract_entities,
    lambda contract: [contract.parties.all()],
)
RELATIONSHIPS = Export(
    lambda: Relationship.objects.published().select_related("subject", "object"),
    relationship_entities,
)
ROLES = Export(
    lambda: Role.objects.published().select_related("person", "organisation"), role_entities
)
SITE_ROLES = Export(
    lambda: SiteRole.objects.published().select_related("site", "organisation"),
    site_role_entities,
)
# Things first, then the edges between them.
EXPORTS = (
    SOURCES,
    ORGANISATIONS,
    PEOPLE,
    SITES,
    FRAMEWORKS,
    CONTRACTS,
    RELATIONSHIPS,
    ROLES,
    SITE_ROLES,
)


def build(batches, base_url=None):
    """The entities of ``(export, records)`` batches, built with one ``Provenance``."""
    cited = [
        row for export, records in batches for record in records for row in _rows(export, record)
    ]
    entities = Entities(cited, base_url)
    built = [
        e
        for export, records in batches
        for record in records
        for e in export.build(entities, record)
    ]
    return entities, built + entities.documentation


def _rows(export, record):
    return [record, *(row for rows in export.rows(record) for row in rows)]


def published_entities(base_url=None, chunk_size=500):
    """Every published record as FtM entity dicts, things before edges.

    Queries are constant per chunk of ``chunk_size`` records; memory holds one chunk.
    """
    for export in EXPORTS:
        for records in in_chunks(export.queryset(), chunk_size):
            _, built = build([(export, records)], base_url)
            yield from (entity.to_dict() for entity in built)


def organisation_neighbourhood(organisation):
    relationships = list(
        RELATIONSHIPS.queryset().filter(Q(subject=organisation) | Q(object=organisation))
    )
    roles = list(ROLES.queryset().filter(organisation=organisation))
    site_roles = list(SITE_ROLES.queryset().filter(organisation=organisation))
    parties = ContractParty.objects.published().filter(organisation=organisation)
    places = FrameworkMembership.objects.published().filter(organisation=organisation)
    frameworks = FRAMEWORKS.queryset().filter(
        Q(buyer=organisation) | Q(pk__in=places.values("framework"))
    )
    others = {r.subject_id for r in relationships} | {r.object_id for r in relationships}
    return [
        (ORGANISATIONS, ORGANISATIONS.queryset().filter(pk__in=others | {organisation.pk})),
        (PEOPLE, {role.person for role in roles}),
        (SITES, {site_role.site for site_role in site_roles}),
        (CONTRACTS, CONTRACTS.queryset().filter(pk__in=parties.values("contract"))),
        (FRAMEWORKS, frameworks),
        (RELATIONSHIPS, relationships),
        (ROLES, roles),
        (SITE_ROLES, site_roles),
    ]


def person_neighbourhood(person):
    roles = list(ROLES.queryset().filter(person=person))
    organisations = ORGANISATIONS.queryset().filter(pk__in={role.organisation_id for role in roles})
    return [(PEOPLE, [person]), (ORGANISATIONS, organisations), (ROLES, roles)]


def site_neighbourhood(site):
    site_roles = list(SITE_ROLES.queryset().filter(site=site))
    ids = {site_role.organisation_id for site_role in site_roles}
    organisations = ORGANISATIONS.queryset().filter(pk__in=ids)
    return [(SITES, [site]), (ORGANISATIONS, organisations), (SITE_ROLES, site_roles)]


def contract_neighbourhood(contract):
    contracts = list(CONTRACTS.queryset().filter(pk=contract.pk))
    ids = {party.organisation_id for c in contracts for party in c.parties.all()}
    return [(CONTRACTS, contracts), (ORGANISATIONS, ORGANISATIONS.queryset().filter(pk__in=ids))]


NEIGHBOURHOODS = {
    Organisation: organisation_neighbourhood,
    Person: person_neighbourhood,
    Site: site_neighbourhood,
    Contract: contract_neighbourhood,
}


def record_entities(record, base_url=None):
    """A published record's entities, with the published records one edge away, the edges
    between them, and the sources cited, as dicts. References to anything further are
    left out, so every edge joins two entities of the list."""
    batches = [(export, list(records)) for export, records in NEIGHBOURHOODS[type(record)](record)]
    entities, built = build(batches, base_url)
    for source in entities.cited_sources.values():
        built.extend(document_entities(entities, source))
    return [entity.to_dict() for entity in self_contained(built)]


def self_contained(entities):
    """The entities without edges to, or references to, entities not in the list."""
    ids = {entity.id for entity in entities}
    kept = []
    for entity in entities:
        schema = entity.schema
        if schema.edge and not all({one, other} <= ids for one, other in entity.edgepairs()):
            continue
        for prop in list(entity.iterprops()):
            if prop.type == registry.entity:
                for value in set(entity.get(prop)) - ids:
                    entity.remove(prop, value)
        kept.append(entity)
    return kept
