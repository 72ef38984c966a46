"""Published contracts as an OCDS 1.1 release package, for procurement analysts.

Each contract is one release; its ocid is ``<OCDS_OCID_PREFIX>-<contract pk>``, so it stays
put when the contract is renamed, and its release id adds the time it last changed. The
parties are the contract's published parties with OCDS roles (buyer, supplier, funder,
tenderer; any other part as interestedParty), their first org-id as ``identifier`` and
the rest as ``additionalIdentifiers``. The suppliers share one award; the contract section
holds the period and, as documents, the sources its claims cite (the tender holds them
while nothing is awarded).

OCDS dates are instants, and ours may be known only to the year or month: a start or an
award is written as the first moment of what is known (``2016`` as
``2016-01-01T00:00:00Z``), an end as the last (``2016-12-31T23:59:59Z``).

A total value is the award's and the contract's; an estimate or ceiling is the tender's;
an annual value, which OCDS has no field for, is left out.
"""

import datetime
import json

from django.conf import settings
from django.db.models import Max, Prefetch, Q
from django.urls import reverse

from investigations.models import Contract, ContractParty
from investigations.views.profiles import published_parties

from .chunks import in_chunks
from .provenance import Provenance, public_url, record_id

Role = ContractParty.Role
PARTY_ROLES = {
    Role.BUYER: "buyer",
    Role.LEAD_SUPPLIER: "supplier",
    Role.SUPPLIER: "supplier",
    Role.OPERATOR: "supplier",
    Role.FUNDER: "funder",
    Role.CHALLENGER: "tenderer",
}  # every other part is an interestedParty
Route = Contract.Route
PROCUREMENT_METHODS = {
    Route.OPEN: "open",
    Route.AQP: "open",
    Route.RESTRICTED: "selective",
    Route.COMPETITIVE_DIALOGUE: "selective",
    Route.NEGOTIATED: "selective",
    Route.DIRECT_AWARD: "direct",
}
Status = Contract.ContractStatus
CONTRACT_STATUSES = {
    Status.PLANNED: "pending",
    Status.TENDER: "pending",
    Status.AWARDED: "pending",
    Status.ACTIVE: "active",
    Status.ENDED: "terminated",
    Status.TERMINATED: "terminated",
}
TENDER_STATUSES = {
    Status.PLANNED: "planned",
    Status.TENDER: "active",
    Status.AWARDED: "complete",
    Status.ACTIVE: "complete",
    Status.ENDED: "complete",
    Status.TERMINATED: "complete",
}  # a challenged or unknown status says nothing of the tender
TENDER_VALUES = (Contract.ValueKind.ESTIMATED, Contract.ValueKind.CEILING)
ALL_CONTRACTS = Q()  # what ``where`` selects unless narrowed


def ocid(contract):
    return f"{settings.OCDS_OCID_PREFIX}-{contract.pk}"


def instant(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def earliest(partial_date):
    return f"{partial_date.earliest().isoformat()}T00:00:00Z" if partial_date else None


def latest(partial_date):
    return f"{partial_date.latest().isoformat()}T23:59:59Z" if partial_date else None


def compact(mapping):
    """The mapping without empty values: OCDS fields are left out, not blank."""
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


def value(contract):
    amount = contract.value
    if amount is None:
        return None
    number = int(amount) if amount == amount.to_integral() else float(amount)
    return {"amount": number, "currency": contract.currency}


def contracts():
    """Published contracts with their published parties and those parties' identifiers."""
    parties = published_parties().prefetch_related("organisation__identifiers")
    return (
        Contract.objects.published()
        .select_related("framework", "site")
        .prefetch_related(Prefetch("parties", parties))
    )


def cited_rows(contract):
    """The contract and what its release shows of others: their claims may be withheld."""
    parties = list(contract.parties.all())
    organisations = [party.organisation for party in parties]
    identifiers = [i for organisation in organisations for i in organisation.identifiers.all()]
    return [contract, *parties, *organisations, *identifiers]


class Releases:
    """The releases of one batch of contracts, as the public pages show them."""

    def __init__(self, batch, base_url=None):
        self.provenance = Provenance([row for contract in batch for row in cited_rows(contract)])
        self.base_url = base_url

    def release(self, contract):
        parties = [p for p in contract.parties.all() if self.provenance.is_shown(p)]
        buyers = organisations_in(parties, ContractParty.BUYER_ROLES)
        suppliers = organisations_in(parties, ContractParty.SUPPLIER_ROLES)
        release = {
            "ocid": ocid(contract),
            "id": f"{ocid(contract)}-{contract.updated_at.astimezone(datetime.UTC):%Y%m%dT%H%M%S}",
            "date": instant(contract.updated_at),
            "tag": tags(contract, suppliers),
            "initiationType": "tender",
            "language": "en",
            "parties": self.parties(parties),
            "buyer": self.reference(buyers[0]) if buyers else None,
            "tender": self.tender(contract, with_documents=not suppliers),
            # OCDS has a contract only as the outcome of an award, which needs a supplier.
            "awards": [self.award(contract, suppliers)] if suppliers else None,
            "contracts": [self.contract(contract)] if suppliers else None,
            "relatedProcesses": self.related_processes(contract),
        }
        return compact(release)

    def parties(self, parties):
        """One entry per organisation, with every role it has in the contract."""
        roles = {}
        for party in parties:
            roles.setdefault(party.organisation, set()).add(
                PARTY_ROLES.get(party.role, "interestedParty")
            )
        return [self.party(organisation, sorted(r)) for organisation, r in roles.items()]

    def identifiers(self, organisation):
        return [i for i in organisation.identifiers.all() if self.provenance.is_shown(i)]

    def reference(self, organisation):
        """A party's id is its first org-id, else its id in every export of ours."""
        identifiers = self.identifiers(organisation)
        party_id = identifiers[0].org_id if identifiers else record_id(organisation)
        return {"id": party_id, "name": organisation.name}

    def party(self, organisation, roles):
        identified = [identifier_of(organisation, i) for i in self.identifiers(organisation)]
        return compact(
            {
                **self.reference(organisation),
                "identifier": identified[0] if identified else None,
                "additionalIdentifiers": identified[1:],
                "contactPoint": {"url": organisation.website} if organisation.website else None,
                "roles": roles,
                "details": {"url": public_url(organisation.get_absolute_url(), self.base_url)},
            }
        )

    def tender(self, contract, with_documents):
        """The process; it holds the cited sources while there is no contract to hold them."""
        tender_value = value(contract) if contract.value_kind in TENDER_VALUES else None
        return compact(
            {
                "id": f"{ocid(contract)}-tender",
                "title": contract.title,
                "status": TENDER_STATUSES.get(contract.contract_status),
                "value": tender_value,
                "procurementMethod": PROCUREMENT_METHODS.get(contract.procurement_route),
                "procurementMethodDetails": contract.get_procurement_route_display(),
                "mainProcurementCategory": "services",
                "documents": self.documents(contract) if with_documents else None,
            }
        )

    def award(self, contract, suppliers):
        total = value(contract) if contract.value_kind == Contract.ValueKind.TOTAL else None
        return compact(
            {
                "id": f"{ocid(contract)}-award",
                "title": contract.title,
                "status": "active",
                "date": earliest(contract.awarded),
                "value": total,
                "suppliers": [self.reference(organisation) for organisation in suppliers],
                "contractPeriod": period(contract),
            }
        )

    def contract(self, contract):
        total = value(contract) if contract.value_kind == Contract.ValueKind.TOTAL else None
        return compact(
            {
                "id": f"{ocid(contract)}-contract",
                "awardID": f"{ocid(contract)}-award",
                "title": contract.title,
                "description": self.provenance.prose(contract, "description"),
                "status": CONTRACT_STATUSES.get(contract.contract_status),
                "value": total,
                "period": period(contract),
                "documents": self.documents(contract),
            }
        )

    def documents(self, contract):
        """One document per source the contract's claims cite, saying what it backs."""
        documents = {}
        for citation in self.provenance.citations(contract):
            source = citation.source
            document = documents.setdefault(source.pk, document_of(source, self.base_url))
            document["description"].append(backing(citation))
        return [{**d, "description": " ".join(d["description"])} for d in documents.values()]

    def related_processes(self, contract):
        framework = contract.framework
        if framework is None:
            return None
        url = public_url(framework.get_absolute_url(), self.base_url)
        return [
            {"id": "framework", "relationship": ["framework"], "title": str(framework), "uri": url}
        ]


def organisations_in(parties, roles):
    """Each organisation once, however many of these roles it has (lead supplier and
    operator, say)."""
    return list({p.organisation_id: p.organisation for p in parties if p.role in roles}.values())


def tags(contract, suppliers):
    if contract.contract_status == Status.PLANNED:
        return ["planning"]
    if contract.contract_status == Status.TENDER or not suppliers:
        return ["tender"]
    return ["award", "contract"]


def identifier_of(organisation, identifier):
    return compact(
        {
            "scheme": identifier.scheme,
            "id": identifier.value,
            "legalName": organisation.name,
            "uri": identifier.register_url,
        }
    )


def period(contract):
    return compact({"startDate": earliest(contract.start), "endDate": latest(contract.end)}) or None


def document_of(source, base_url):
    return compact(
        {
            "id": record_id(source),
            "title": source.title,
            "url": source.url or public_url(source.get_absolute_url(), base_url),
            "datePublished": earliest(source.published_on),
            "language": "en",
        }
    ) | {"description": []}


def backing(citation):
    """A citation in words: the claim it backs, the quote, the locator."""
    claim = citation.field_name or "the contract"
    quote = f"“{citation.quote}”" if citation.quote else ""
    locator = f"({citation.locator})" if citation.locator else ""
    return " ".join(part for part in (f"Backs {claim}:", quote, locator) if part) + "."


def releases(where=ALL_CONTRACTS, base_url=None, chunk_size=200):
    """A release per published contract (those ``where`` selects), streamed: queries are
    constant per chunk and memory holds one chunk."""
    for batch in in_chunks(contracts().filter(where), chunk_size):
        built = Releases(batch, base_url)
        yield from (built.release(contract) for contract in batch)


def package_envelope(where=ALL_CONTRACTS, uri="", base_url=None):
    """The release package without its releases: published when its newest release was."""
    newest = (
        Contract.objects.published().filter(where).aggregate(newest=Max("updated_at"))["newest"]
    )
    return {
        "uri": uri or public_url(reverse("contract_list"), base_url),
        "version": "1.1",
        "publishedDate": instant(newest or datetime.datetime.now(datetime.UTC)),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME, "uri": public_url("/", base_url)},
    }


def release_package(where=ALL_CONTRACTS, uri="", base_url=None):
    """(envelope, releases): the package's fields, and a generator of its releases."""
    return package_envelope(where, uri, base_url), releases(where, base_url)


def package_json(envelope, releases):
    """The package as JSON text, in pieces, so that a response or a file can stream it."""
    yield json.dumps(envelope, ensure_ascii=False)[:-1] + ', "releases": ['
    for index, release in enumerate(releases):
        yield ("," if index else "") + json.dumps(release, ensure_ascii=False)
    yield "]}\n"
