"""What an organisation's profile page shows, fetched in a fixed number of queries.

Every related row is filtered to published records at both ends, so a draft contract,
concern, person, site or owner never appears on a published organisation's page.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from investigations.models import (
    ConcernParty,
    ContractParty,
    FrameworkMembership,
    Organisation,
    Relationship,
    Role,
    SiteRole,
)
from investigations.network.as_of import HELD, UNCERTAIN, standing_on
from investigations.network.links import OWNERSHIP_KINDS


def published_parties():
    return ContractParty.objects.published().select_related("organisation")


@dataclass
class Link:
    """One ownership edge on the chain, ``depth`` steps away from the organisation."""

    relationship: Relationship
    organisation: Organisation
    depth: int
    standing: str = HELD  # on the page's date: as_of.HELD or as_of.UNCERTAIN

    @property
    def uncertain(self):
        return self.standing == UNCERTAIN


MAX_CHAIN_DEPTH = 30  # ends the walk on a cycle of ownership edges

# The ownership edges a chain can take from an organisation: up (from what is owned to its
# owner) and down, as far as they go. Publication is checked on the edges found. Edge ids,
# not organisations: given the organisations, PostgreSQL expected thousands of edges and
# read every relationship and organisation to find two (74 ms). The kind test names
# `walk` too (`walk.id` is never NULL): a test on `edge` alone makes SQLite build a Bloom
# filter over every relationship at each step, 3 ms a step for a chain of two edges.
WALK_STEP = """
    SELECT edge.{far}, edge.id, walk.depth + 1
    FROM {table} edge JOIN {walk} walk ON edge.{near} = walk.id
    WHERE (edge.kind IN ({kinds}) OR walk.id IS NULL) AND walk.depth < %s
"""
REACHABLE_EDGES = """
WITH RECURSIVE
    up(id, edge, depth) AS (SELECT CAST(%s AS BIGINT), CAST(NULL AS BIGINT), 0 UNION {up}),
    down(id, edge, depth) AS (SELECT CAST(%s AS BIGINT), CAST(NULL AS BIGINT), 0 UNION {down})
SELECT edge FROM up WHERE edge IS NOT NULL
UNION SELECT edge FROM down WHERE edge IS NOT NULL
"""


def _reachable_edges(organisation):
    kinds = ", ".join(["%s"] * len(OWNERSHIP_KINDS))
    table = Relationship._meta.db_table
    up = WALK_STEP.format(far="subject_id", near="object_id", walk="up", table=table, kinds=kinds)
    down = WALK_STEP.format(
        far="object_id", near="subject_id", walk="down", table=table, kinds=kinds
    )
    step = [*OWNERSHIP_KINDS, MAX_CHAIN_DEPTH]
    params = [organisation.pk, *step, organisation.pk, *step]
    return RawSQL(REACHABLE_EDGES.format(up=up, down=down), params)


def ownership_chains(organisation, as_of=None):
    """Owners up the chain and holdings down it, in one query; on ``as_of`` if given."""
    return chains(organisation, ownership_edges(organisation), as_of)


def ownership_edges(organisation):
    """The published ownership edges the chains can use, in one query.

    A recursive query in the database finds the edges the chains can use, so the page
    reads those and not every ownership edge there is; walking them in Python keeps the
    query count constant however deep the chain.
    """
    return list(
        Relationship.objects.published()
        .filter(kind__in=OWNERSHIP_KINDS, pk__in=_reachable_edges(organisation))
        .select_related("subject", "object")
        .order_by("start", "pk")
    )


def chains(organisation, edges, as_of=None):
    """Owners and holdings along the edges that held on ``as_of`` (None: every edge); a
    chain through an uncertain edge is uncertain from there on."""
    return _walk(organisation, edges, True, as_of), _walk(organisation, edges, False, as_of)


def _walk(start, edges, up, as_of):
    found, seen, frontier, depth = [], {start.pk}, {start.pk: HELD}, 1
    while frontier:
        following = {}
        for edge in edges:
            near, far = (edge.object, edge.subject) if up else (edge.subject, edge.object)
            if near.pk not in frontier:
                continue
            standing = standing_on(edge.start, edge.end, as_of)
            if standing:
                if frontier[near.pk] == UNCERTAIN:
                    standing = UNCERTAIN
                found.append(Link(edge, far, depth, standing))
                if far.pk not in seen:
                    seen.add(far.pk)
                    following[far.pk] = standing
        frontier, depth = following, depth + 1
    return found


def other_relationships(organisation):
    return (
        Relationship.objects.published()
        .filter(Q(subject=organisation) | Q(object=organisation))
        .exclude(kind__in=OWNERSHIP_KINDS)
        .select_related("subject", "object")
    )


# A profile shows this many of an organisation's contracts, the latest first, as many as a
# page of the contracts list; that list, filtered by the organisation, has every one. A
# national buyer is party to tens of thousands: each shown costs the page its row, its
# parties and its footnotes (at a million contracts a profile took 65 ms at 50, 46 at 25).
PROFILE_CONTRACTS = 25


def contract_parties(organisation, limit):
    """The organisation's parts in its latest contracts, at most ``limit``, and whether it
    has more.

    Their ids first, then their rows: sorting a national buyer's thousands of parts as
    whole rows, each with its contract's, took most of the page's SQL. The award date is
    sorted as an expression, which no index matches: given the plain column, PostgreSQL
    walked every published contract from the latest, looking for the organisation's
    (0.7 s for one party to 2,653 of a million).
    """
    latest = (
        ContractParty.objects.published()
        .filter(organisation=organisation)
        .order_by(Coalesce("contract__awarded", Value("")).desc(), "contract__title", "pk")
        .values_list("pk", flat=True)
    )
    ids = list(latest[: limit + 1])
    rows = (
        ContractParty.objects.filter(pk__in=ids[:limit])
        .select_related("contract", "contract__framework", "contract__site")
        .prefetch_related(Prefetch("contract__parties", queryset=published_parties()))
        .in_bulk()
    )
    return [rows[pk] for pk in ids[:limit]], len(ids) > limit


def contract_roles(organisation, more):
    """Whether the organisation is a buyer and a supplier, and of more contracts than its
    profile shows, for the links to the contracts list."""
    parties = ContractParty.objects.published().filter(organisation=organisation)
    return {
        "more": more,
        "buyer": parties.filter(role__in=ContractParty.BUYER_ROLES).exists(),
        "supplier": parties.filter(role__in=ContractParty.SUPPLIER_ROLES).exists(),
    }


def concern_parties(organisation):
    return (
        ConcernParty.objects.published()
        .filter(organisation=organisation)
        .select_related("concern", "concern__regulator", "parent_at_time")
        .order_by("-concern__occurred", "concern__title")
    )


def organisation_profile(organisation, as_of=None):
    """Everything the profile shows, and the records whose citations it footnotes; the
    ownership chains as they stood on ``as_of``, if given."""
    edges = ownership_edges(organisation)
    owners, holdings = chains(organisation, edges, as_of)
    parties, more_parties = contract_parties(organisation, PROFILE_CONTRACTS)
    every_owner, every_holding = (
        (owners, holdings) if as_of is None else chains(organisation, edges)
    )
    profile = {
        "as_of": as_of,
        "ownership_links": every_owner + every_holding,
        "aliases": list(organisation.aliases.all()),
        "identifiers": list(organisation.identifiers.all()),
        "sections": list(organisation.sections.all()),
        "filings": list(organisation.filings.all()),
        "contract_parties": parties,
        "contract_roles": contract_roles(organisation, more_parties),
        "concern_parties": list(concern_parties(organisation)),
        "owners": owners,
        "holdings": holdings,
        "relationships": list(other_relationships(organisation)),
        "roles": list(
            Role.objects.published()
            .filter(organisation=organisation)
            .select_related("person")
            .order_by("start", "person__name")
        ),
        "site_roles": list(
            SiteRole.objects.published()
            .filter(organisation=organisation)
            .select_related("site")
            .order_by("site__name", "start")
        ),
        "memberships": list(
            FrameworkMembership.objects.published()
            .filter(organisation=organisation)
            .select_related("framework")
        ),
    }
    profile["timeline"] = timeline(organisation, profile)
    return profile


# Prose sections with these headings open the matching structured section of the page.
STRUCTURED_HEADINGS = ("financials", "contracts", "concerns", "ownership")


def group_sections(profile):
    """Split prose sections: those leading the page, and those heading a structured one."""
    sections = profile["sections"]
    profile["lead_sections"] = [s for s in sections if s.heading not in STRUCTURED_HEADINGS]
    for heading in STRUCTURED_HEADINGS:
        profile[f"{heading}_sections"] = [s for s in sections if s.heading == heading]


def cited_records(organisation, profile):
    """The organisation and every row its page shows, for one citation query."""
    records = [organisation]
    for key in ("aliases", "identifiers", "sections", "filings", "relationships"):
        records.extend(profile[key])
    for key in ("roles", "site_roles", "memberships"):
        records.extend(profile[key])
    for party in profile["contract_parties"]:
        records.extend([party, party.contract])
    for party in profile["concern_parties"]:
        records.extend([party, party.concern])
    records.extend(link.relationship for link in profile["ownership_links"])
    return records


def withhold_from_profile(footnotes, organisation, profile):
    """Drop what only unpublished sources back, then rebuild the timeline from the rest."""
    footnotes.withhold([organisation])
    for key in ("aliases", "identifiers", "sections", "filings", "relationships", "roles"):
        profile[key] = footnotes.withhold(profile[key])
    for key in ("site_roles", "memberships", "contract_parties", "concern_parties"):
        profile[key] = footnotes.withhold(profile[key])
    footnotes.withhold([party.contract for party in profile["contract_parties"]])
    footnotes.withhold([party.concern for party in profile["concern_parties"]])
    for key in ("owners", "holdings", "ownership_links"):
        shown = set(footnotes.withhold([link.relationship for link in profile[key]]))
        profile[key] = [link for link in profile[key] if link.relationship in shown]
    profile["contract_rows"] = contract_rows(profile["contract_parties"])
    profile["timeline"] = timeline(organisation, profile)
    profile["ownership_changes"] = ownership_changes(profile["ownership_links"])


@dataclass
class ContractRow:
    contract: object
    parties: list  # this organisation's parts in it: buyer and operator, say


def contract_rows(parties):
    """One row per contract, however many roles the organisation holds in it."""
    rows = {}
    for party in parties:
        rows.setdefault(party.contract_id, ContractRow(party.contract, [])).parties.append(party)
    return list(rows.values())


@dataclass
class Event:
    date: str
    text: str
    record: object
    field_name: str


def timeline(organisation, profile):
    """Dated events from the records on the page, earliest first."""
    events = [
        Event(organisation.founded, "Founded", organisation, "founded"),
        Event(organisation.dissolved, "Dissolved", organisation, "dissolved"),
    ]
    for party in profile["contract_parties"]:
        contract = party.contract
        events.append(Event(contract.awarded, f"Contract awarded: {contract}", contract, "awarded"))
    for party in profile["concern_parties"]:
        concern = party.concern
        events.append(Event(concern.occurred, str(concern), concern, "occurred"))
    for link in profile["ownership_links"]:
        relationship = link.relationship
        events.append(Event(relationship.start, str(relationship), relationship, "start"))
    for relationship in profile["relationships"]:
        events.append(Event(relationship.start, str(relationship), relationship, "start"))
    for membership in profile["memberships"]:
        events.append(
            Event(membership.start, f"Appointed to {membership.framework}", membership, "start")
        )
    for role in profile["site_roles"]:
        events.append(Event(role.start, f"{role.get_kind_display()} of {role.site}", role, "start"))
    unique = {(event.date, event.text): event for event in events if event.date}
    return sorted(unique.values(), key=lambda event: event.date)


@dataclass
class OwnershipChange:
    """A start or an end of ownership, with the first day the change is certain by."""

    date: str
    text: str
    relationship: Relationship
    field_name: str
    certain_from: datetime.date


def ownership_changes(links):
    """Every start and end of an ownership edge on the chains, earliest first."""
    changes = {}
    for link in links:
        relationship = link.relationship
        if relationship.start:
            certain = relationship.start.latest()
            change = OwnershipChange(
                relationship.start, str(relationship), relationship, "start", certain
            )
            changes[(relationship.pk, "start")] = change
        if relationship.end:
            certain = relationship.end.latest() + datetime.timedelta(days=1)
            text = f"Ended: {relationship}"
            changes[(relationship.pk, "end")] = OwnershipChange(
                relationship.end, text, relationship, "end", certain
            )
    return sorted(changes.values(), key=lambda change: (change.date, change.text))
