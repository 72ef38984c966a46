"""FollowTheMoney entities of single records: which schema each becomes, and how its
citations become provenance (see ``ftm`` for the choices)."""

from followthemoney import model

from investigations.models import (
    ContractParty,
    Organisation,
    OrganisationAlias,
    Relationship,
    Role,
    SiteRole,
)
from investigations.models.visibility import has_status
from investigations.network.links import OWNERSHIP_KINDS

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
    """What the citation backs: "record", "value", "summary [^key]", or for a row the page
    shows, the row and its claim ("identifier GB-COH-02128897: record")."""
    claim = citation.field_name or "record"
    if citation.marker:
        claim = f"{claim} [^{citation.marker}]"
    if has_status(type(record)):  # a record of its own, not a row of another's
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
