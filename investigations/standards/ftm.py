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
from followthemoney import model
from followthemoney.types import registry

from investigations.models import (
    Contract,
    ContractParty,
    Framework,
    FrameworkMembership,
    Organisation,
    OrganisationAlias,
    Person,
    Relationship,
    Role,
    Site,
    SiteRole,
    Source,
)
from investigations.views.profiles import OWNERSHIP_KINDS, published_parties

from .provenance import Provenance, public_url, record_id

Kind = Organisation.Kind
ORGANISATION_SCHEMATA = {
    Kind.COMPANY: "Company",
    Kind.LLP: "Company",
    Kind.LP: "Company",
    Kind.FUND: "Company",
    Kind.NHS_TRUST: "PublicBody",
    Kind.PUBLIC_BODY: "PublicBody",
    Kind.REGULATOR: "PublicBody",
}  # every other kind is an Organization
COMPANY_REGISTERS = ("GB-COH", "ZA-CIP", "NL-KVK", "GG-GFSC")

# (schema, property of the relationship's subject, property of its object)
LINK = ("UnknownLink", "subject", "object")
OWNERSHIP = ("Ownership", "owner", "asset")
RELATIONSHIP_SCHEMATA = {
    Relationship.Kind.MEMBER_OF: ("Membership", "member", "organization"),
    Relationship.Kind.LENDER_TO: ("Debt", "creditor", "debtor"),
    Relationship.Kind.ADVISER_TO: ("Representation", "agent", "client"),
}
# (schema, property of the person, property of the organisation)
DIRECTORSHIP = ("Directorship", "director", "organization")
ROLE_SCHEMATA = {
    Role.Kind.DIRECTOR: DIRECTORSHIP,
    Role.Kind.NON_EXECUTIVE: DIRECTORSHIP,
    Role.Kind.CHAIR: DIRECTORSHIP,
    Role.Kind.EXECUTIVE: ("Employment", "employee", "employer"),
    Role.Kind.POLITICIAN: ("Membership", "member", "organization"),
    Role.Kind.ADVISER: ("Representation", "agent", "client"),
    Role.Kind.SHAREHOLDER: OWNERSHIP,
}


def _texts(values):
    values = values if isinstance(values, list | tuple) else [values]
    return [str(value) for value in values if value not in (None, "")]


def _number(value):
    return None if value is None else f"{value.normalize():f}"


class Entities:
    """Builds the entities of one batch of records, each carrying its citations."""

    def __init__(self, records, base_url=None):
        self.provenance = Provenance(records)
        self.base_url = base_url
        self.documentation = []
        self.cited_sources = {}

    def shown(self, rows):
        return [row for row in rows if self.provenance.is_shown(row)]

    def make(self, schema, record, page, **properties):
        """An entity of ``record``, shown on ``page``, carrying the record's citations."""
        entity = model.make_entity(schema)
        entity.id = record_id(record)
        entity.add("sourceUrl", public_url(page.get_absolute_url(), self.base_url))
        for name, values in properties.items():
            entity.add(name, _texts(values))
        self.carry(entity, record)
        return entity

    def carry(self, entity, record):
        """Put the citations of ``record`` (the entity's own, or a row it shows) on it."""
        for citation in self.provenance.citations(record):
            source = citation.source
            self.cited_sources[source.pk] = source
            entity.add("sourceUrl", source_url(source, self.base_url))
            entity.add("publisher", source.publisher or None)
            entity.add("indexText", citation.quote or None)
            if entity.schema.is_a("Thing"):
                self.documentation.append(self.documentation_of(citation, entity, record))

    def documentation_of(self, citation, entity, record):
        documentation = model.make_entity("Documentation")
        documentation.id = record_id(citation)
        documentation.add("document", record_id(citation.source))
        documentation.add("entity", entity.id)
        documentation.add("role", claim_name(citation, record))
        documentation.add("summary", citation.quote or None)
        details = [citation.locator, f"{citation.get_confidence_display()} confidence"]
        documentation.add("description", "; ".join(_texts([*details, citation.note])))
        return documentation


def claim_name(citation, record):
    """What the citation backs: "record", "value", "summary [^key]", "alias: value"..."""
    claim = citation.field_name or "record"
    if citation.marker:
        claim = f"{claim} [^{citation.marker}]"
    if isinstance(record, Organisation | Person | Site | Contract | Framework):
        return claim
    return f"{record._meta.verbose_name} {record}: {claim}"


def source_url(source, base_url=None):
    return source.url or public_url(source.get_absolute_url(), base_url)


def document_entities(entities, source):
    return [
        entities.make(
            "Document",
            source,
            source,
            title=source.title,
            name=source.title,
            publisher=source.publisher,
            author=source.author,
            publishedAt=source.published_on,
            retrievedAt=source.accessed_on,
            sourceUrl=[source.url, source.archived_url],
        )
    ]


def organisation_entities(entities, organisation):
    aliases = entities.shown(organisation.aliases.all())
    identifiers = entities.shown(organisation.identifiers.all())
    sections = entities.shown(organisation.sections.all())
    former = OrganisationAlias.Kind.FORMER
    entity = entities.make(
        ORGANISATION_SCHEMATA.get(organisation.kind, "Organization"),
        organisation,
        organisation,
        name=organisation.name,
        alias=[alias.name for alias in aliases if alias.kind != former],
        previousName=[alias.name for alias in aliases if alias.kind == former],
        registrationNumber=[i.value for i in identifiers if i.scheme in COMPANY_REGISTERS],
        leiCode=[i.value for i in identifiers if i.scheme == "XI-LEI"],
        idNumber=[identifier.org_id for identifier in identifiers],
        jurisdiction=organisation.country,
        incorporationDate=organisation.founded,
        dissolutionDate=organisation.dissolved,
        status=organisation.get_org_status_display() if organisation.org_status else None,
        website=organisation.website,
        legalForm=organisation.get_kind_display(),
        summary=entities.provenance.prose(organisation, "summary"),
        description=[entities.provenance.prose(section, "body") for section in sections],
    )
    for row in (*aliases, *identifiers, *sections):
        entities.carry(entity, row)
    return [entity]


def person_entities(entities, person):
    return [
        entities.make(
            "Person",
            person,
            person,
            name=person.name,
            description=person.description,
            biography=entities.provenance.prose(person, "biography"),
        )
    ]


def site_entities(entities, site):
    return [
        entities.make(
            "RealEstate",
            site,
            site,
            name=site.name,
            propertyType=site.get_kind_display(),
            address=", ".join(_texts([site.address, site.locality, site.region])),
            createDate=site.opened,
            description=entities.provenance.prose(site, "description"),
        )
    ]


def contract_entities(entities, contract):
    parties = entities.shown(contract.parties.all())
    buyers = [party for party in parties if party.role in ContractParty.BUYER_ROLES]
    suppliers = [party for party in parties if party.role in ContractParty.SUPPLIER_ROLES]
    entity = entities.make(
        "Contract",
        contract,
        contract,
        title=contract.title,
        name=contract.title,
        authority=[record_id(party.organisation) for party in buyers],
        amount=_number(contract.value),
        currency=contract.currency if contract.value is not None else None,
        contractDate=contract.awarded,
        procedureNumber=contract.reference,
        procedure=contract.get_procurement_route_display(),
        status=contract.get_contract_status_display(),
        classification=contract.get_service_category_display(),
        numberAwards=len(suppliers) or None,
        description=entities.provenance.prose(contract, "description"),
    )
    for party in buyers:
        entities.carry(entity, party)
    awards = [contract_award(entities, contract, party, len(suppliers) == 1) for party in suppliers]
    others = [party for party in parties if party not in buyers and party not in suppliers]
    return [entity, *awards, *(party_link(entities, contract, party) for party in others)]


def contract_award(entities, contract, party, sole_supplier):
    """A supplier's award; the contract's value is the award's when it has one supplier."""
    return entities.make(
        "ContractAward",
        party,
        contract,
        contract=record_id(contract),
        supplier=record_id(party.organisation),
        role=party.get_role_display(),
        amount=_number(contract.value) if sole_supplier else None,
        currency=contract.currency if sole_supplier and contract.value is not None else None,
        date=contract.awarded,
        startDate=contract.start,
        endDate=contract.end,
        lotNumber=contract.lot,
        summary=party.note,
    )


def party_link(entities, contract, party):
    """A part in a contract that is neither buying nor supplying: a funder, a landlord."""
    return entities.make(
        "UnknownLink",
        party,
        contract,
        subject=record_id(party.organisation),
        object=record_id(contract),
        role=party.get_role_display(),
        summary=party.note,
    )


def framework_entities(entities, framework):
    entity = entities.make(
        "Contract",
        framework,
        framework,
        title=framework.name,
        name=framework.name,
        type="Framework agreement",
        authority=record_id(framework.buyer) if framework.buyer else None,
        amount=_number(framework.value),
        currency=framework.currency if framework.value is not None else None,
        procedureNumber=framework.reference,
        classification=framework.get_service_category_display(),
        description=entities.provenance.prose(framework, "description"),
    )
    places = entities.shown(framework.memberships.all())
    return [entity, *(framework_place(entities, framework, place) for place in places)]


def framework_place(entities, framework, place):
    return entities.make(
        "ContractAward",
        place,
        framework,
        contract=record_id(framework),
        supplier=record_id(place.organisation),
        role="Framework supplier",
        lotNumber=place.lot,
        startDate=place.start,
    )


def relationship_entities(entities, relationship):
    schema = RELATIONSHIP_SCHEMATA.get(relationship.kind, LINK)
    is_ownership = relationship.kind in OWNERSHIP_KINDS
    if is_ownership:
        schema = OWNERSHIP if _is_asset(relationship.object) else LINK
    shares = sorted({_number(relationship.share_min), _number(relationship.share_max)} - {None})
    name, subject, object_ = schema
    properties = {
        subject: record_id(relationship.subject),
        object_: record_id(relationship.object),
        "startDate": relationship.start,
        "endDate": relationship.end,
        "summary": entities.provenance.prose(relationship, "description"),
        ("ownershipType" if name == "Ownership" else "role"): relationship.get_kind_display(),
    }
    if name == "Ownership":
        properties.update(percentage="-".join(shares), sharesValue=_number(relationship.value))
        properties["sharesCurrency"] = relationship.currency if relationship.value else None
    elif name == "Debt":
        properties.update(amount=_number(relationship.value), currency=relationship.currency)
    return [entities.make(name, relationship, relationship.subject, **properties)]


def _is_asset(organisation):
    schema = ORGANISATION_SCHEMATA.get(organisation.kind, "Organization")
    return model.get(schema).is_a("Asset")


def role_entities(entities, role):
    name, person_property, organisation_property = ROLE_SCHEMATA.get(role.kind, LINK)
    if name == "Ownership" and not _is_asset(role.organisation):
        name, person_property, organisation_property = LINK
    properties = {
        person_property: record_id(role.person),
        organisation_property: record_id(role.organisation),
        "startDate": role.start,
        "endDate": role.end,
        ("ownershipType" if name == "Ownership" else "role"): role.title or role.get_kind_display(),
    }
    return [entities.make(name, role, role.person, **properties)]


def site_role_entities(entities, site_role):
    name, organisation_property, site_property = (
        OWNERSHIP if site_role.kind == SiteRole.Kind.OWNER else LINK
    )
    properties = {
        organisation_property: record_id(site_role.organisation),
        site_property: record_id(site_role.site),
        "startDate": site_role.start,
        "endDate": site_role.end,
        ("ownershipType" if name == "Ownership" else "role"): site_role.get_kind_display(),
    }
    return [entities.make(name, site_role, site_role.site, **properties)]


def no_rows(record):
    return []


@dataclass(frozen=True)
class Export:
    """One kind of record: its published rows, the cited rows each shows, its entities."""

    queryset: object
    build: object
    rows: object = no_rows

    def records(self):
        return self.queryset()


def organisations():
    return Organisation.objects.published().prefetch_related(*ORGANISATION_ROWS)


ORGANISATION_ROWS = ("aliases", "identifiers", "sections")
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


def in_chunks(queryset, size):
    """Lists of up to ``size`` rows in key order, each read with one query (and its
    prefetches) however far into the table it is."""
    last_pk = 0
    while chunk := list(queryset.filter(pk__gt=last_pk).order_by("pk")[:size]):
        yield chunk
        last_pk = chunk[-1].pk


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
        for records in in_chunks(export.records(), chunk_size):
            _, built = build([(export, records)], base_url)
            yield from (entity.to_dict() for entity in built)


def organisation_neighbourhood(organisation):
    relationships = list(
        RELATIONSHIPS.records().filter(Q(subject=organisation) | Q(object=organisation))
    )
    roles = list(ROLES.records().filter(organisation=organisation))
    site_roles = list(SITE_ROLES.records().filter(organisation=organisation))
    parties = ContractParty.objects.published().filter(organisation=organisation)
    places = FrameworkMembership.objects.published().filter(organisation=organisation)
    frameworks = FRAMEWORKS.records().filter(
        Q(buyer=organisation) | Q(pk__in=places.values("framework"))
    )
    others = {r.subject_id for r in relationships} | {r.object_id for r in relationships}
    return [
        (ORGANISATIONS, ORGANISATIONS.records().filter(pk__in=others | {organisation.pk})),
        (PEOPLE, {role.person for role in roles}),
        (SITES, {site_role.site for site_role in site_roles}),
        (CONTRACTS, CONTRACTS.records().filter(pk__in=parties.values("contract"))),
        (FRAMEWORKS, frameworks),
        (RELATIONSHIPS, relationships),
        (ROLES, roles),
        (SITE_ROLES, site_roles),
    ]


def person_neighbourhood(person):
    roles = list(ROLES.records().filter(person=person))
    organisations = ORGANISATIONS.records().filter(pk__in={role.organisation_id for role in roles})
    return [(PEOPLE, [person]), (ORGANISATIONS, organisations), (ROLES, roles)]


def site_neighbourhood(site):
    site_roles = list(SITE_ROLES.records().filter(site=site))
    ids = {site_role.organisation_id for site_role in site_roles}
    organisations = ORGANISATIONS.records().filter(pk__in=ids)
    return [(SITES, [site]), (ORGANISATIONS, organisations), (SITE_ROLES, site_roles)]


def contract_neighbourhood(contract):
    contracts = list(CONTRACTS.records().filter(pk=contract.pk))
    ids = {party.organisation_id for c in contracts for party in c.parties.all()}
    return [(CONTRACTS, contracts), (ORGANISATIONS, ORGANISATIONS.records().filter(pk__in=ids))]


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
