"""What each kind of sheet may contain: a whitelist of columns, its natural key, its
references to other records and the child rows a row may carry.

Nothing outside these lists is ever read from a file: not a primary key, not the
publication status, not a slug of someone else's record.
"""

from dataclasses import dataclass, field

from investigations import models as m

CITATION_COLUMNS = ("source", "source_url", "quote", "locator", "cited_field", "confidence")


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    fields: tuple  # plain model fields, each from the column of the same name
    required: tuple
    refs: dict = field(default_factory=dict)  # column → index name; the column is the FK field
    key: tuple = ()  # columns tried in order to find an existing record
    key_fields: tuple = ()  # for kinds keyed by a combination (relationships, filings)
    children: dict = field(default_factory=dict)  # column → child spec
    aliases: tuple = ()  # other names of the sheet

    @property
    def columns(self):
        cited = CITATION_COLUMNS if self.model is not m.Source else ()
        return (*self.key, *self.fields, *self.refs, *self.children, *cited)

    @property
    def name_field(self):
        return "title" if "title" in self.key else "name"


@dataclass(frozen=True)
class ChildSpec:
    """A ";"-separated column whose every item becomes one child row."""

    model: type
    parent_field: str
    kind: str  # "organisation" (resolved to an organisation), "alias" or "identifier"
    extra: dict = field(default_factory=dict)  # fixed values, such as the party's role


PARTY_ROLES = {
    role: ChildSpec(m.ContractParty, "contract", "organisation", {"role": role})
    for role in m.ContractParty.Role.values
}

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "sources",
            m.Source,
            fields=("kind", "source_type", "publisher", "author", "published_on", "url",
                    "archived_url", "accessed_on", "notes"),
            required=("title",),
            key=("slug", "url", "title"),
        ),
        Kind(
            "organisations",
            m.Organisation,
            fields=("kind", "org_status", "country", "website", "founded", "dissolved", "summary"),
            required=("name",),
            key=("identifiers", "slug", "name"),
            children={
                "aliases": ChildSpec(m.OrganisationAlias, "organisation", "alias"),
                "identifiers": ChildSpec(m.Identifier, "organisation", "identifier"),
            },
            aliases=("organizations", "orgs", "companies"),
        ),
        Kind(
            "people",
            m.Person,
            fields=("description", "biography"),
            required=("name",),
            key=("slug", "name"),
            aliases=("persons",),
        ),
        Kind(
            "roles",
            m.Role,
            fields=("kind", "title", "start", "end"),
            required=("person", "organisation"),
            refs={"person": "person", "organisation": "organisation"},
            key_fields=("person", "organisation", "kind", "start"),
        ),
        Kind(
            "frameworks",
            m.Framework,
            fields=("reference", "value", "currency", "supplier_count", "service_category",
                    "start", "end", "description"),
            required=("name",),
            refs={"buyer": "organisation"},
            key=("slug", "name"),
        ),
        Kind(
            "framework_memberships",
            m.FrameworkMembership,
            fields=("lot", "start"),
            required=("framework", "organisation"),
            refs={"framework": "framework", "organisation": "organisation"},
            key_fields=("framework", "organisation", "lot"),
            aliases=("memberships", "framework_suppliers"),
        ),
        Kind(
            "sites",
            m.Site,
            fields=("kind", "address", "locality", "region", "opened", "closed", "description"),
            required=("name",),
            key=("slug", "name"),
        ),
        Kind(
            "site_roles",
            m.SiteRole,
            fields=("kind", "start", "end"),
            required=("site", "organisation", "kind"),
            refs={"site": "site", "organisation": "organisation"},
            key_fields=("site", "organisation", "kind", "start"),
        ),
        Kind(
            "contracts",
            m.Contract,
            fields=("value", "currency", "value_kind", "awarded", "start", "end",
                    "duration_months", "extension_options", "procurement_route",
                    "contract_status", "service_category", "region", "lot", "description"),
            required=("title",),
            refs={"framework": "framework", "site": "site"},
            key=("slug", "reference", "title"),
            children=PARTY_ROLES,
        ),
        Kind(
            "relationships",
            m.Relationship,
            fields=("kind", "share_min", "share_max", "value", "currency", "start", "end",
                    "description"),
            required=("subject", "kind", "object"),
            refs={"subject": "organisation", "object": "organisation"},
            key_fields=("subject", "kind", "object", "start"),
        ),
        Kind(
            "financial_filings",
            m.FinancialFiling,
            fields=("period_end", "period_months", "currency", "turnover", "operating_profit",
                    "profit_before_tax", "net_assets", "employees"),
            required=("organisation", "period_end"),
            refs={"organisation": "organisation"},
            key_fields=("organisation", "period_end", "period_months"),
            aliases=("filings", "financials"),
        ),
        Kind(
            "concerns",
            m.Concern,
            fields=("kind", "concern_status", "occurred", "ended", "action_count", "penalty",
                    "currency", "summary"),
            required=("title", "kind"),
            refs={"regulator": "organisation"},
            key=("slug", "title"),
            children={"organisations": ChildSpec(m.ConcernParty, "concern", "organisation")},
        ),
        # A row cites a record named by record_kind and record (see citation_sheet).
        Kind(
            "citations",
            m.Citation,
            fields=("record_kind", "record", "marker", "note"),
            required=(),
        ),
    )
}  # fmt: skip

# Dependency order: a sheet may refer only to kinds before it (and to the database).
ORDER = tuple(KINDS)
# The order in which rows are written: parents before children, citations last.
WRITE_ORDER = (
    m.Source, m.Organisation, m.OrganisationAlias, m.Identifier, m.Person, m.Role,
    m.Framework, m.FrameworkMembership, m.Site, m.SiteRole, m.Contract, m.ContractParty,
    m.Relationship, m.FinancialFiling, m.Concern, m.ConcernParty, m.Citation,
)  # fmt: skip


def kind_for_sheet(sheet_name, headers, requested=None):
    """The kind named by --kind, else by the sheet's name, else guessed from its headers."""
    if requested:
        return KINDS[requested]
    wanted = sheet_name.strip().lower().replace(" ", "_").replace("-", "_")
    for kind in KINDS.values():
        if wanted in (kind.name, kind.name.rstrip("s"), *kind.aliases):
            return kind
    scored = [(len(set(headers) & set(k.columns)), k) for k in KINDS.values()]
    best = [k for score, k in scored if score and all(r in headers for r in k.required)]
    return max(best, key=lambda k: len(set(headers) & set(k.columns)), default=None)
