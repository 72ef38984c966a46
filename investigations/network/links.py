"""The kinds of link the network draws, each read from published rows only.

Every link is a row of the database (a relationship, a contract party, a site role...) or
a field of a record (a contract's framework, a concern's regulator) tying two public
records. Each says where its citations are: the row itself, or the record's field.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from investigations.models import (
    Concern,
    ConcernParty,
    Contract,
    ContractParty,
    Framework,
    FrameworkMembership,
    Organisation,
    Relationship,
    Role,
    SiteRole,
    format_money,
    published_through,
)
from investigations.templatetags.public import share as share_of

from .as_of import standing_on

OWNERSHIP_KINDS = (
    Relationship.Kind.PARENT_OF,
    Relationship.Kind.ACQUIRED,
    Relationship.Kind.SHAREHOLDER_IN,
)

RELATIONSHIP_LABELS = {
    Relationship.Kind.PARENT_OF: "parent",
    Relationship.Kind.SHAREHOLDER_IN: "shareholder",
    Relationship.Kind.ACQUIRED: "acquired",
    Relationship.Kind.JOINT_VENTURE: "joint venture",
    Relationship.Kind.PARTNER_OF: "partner",
    Relationship.Kind.MEMBER_OF: "member",
    Relationship.Kind.LENDER_TO: "lender",
    Relationship.Kind.LANDLORD_OF: "landlord",
    Relationship.Kind.CONTRACTOR_TO: "contractor",
    Relationship.Kind.ADVISER_TO: "adviser",
    Relationship.Kind.INVESTOR_IN: "investor",
    Relationship.Kind.SUPPLIER_TO: "supplier",
}


def relationship_label(relationship):
    """ "owns 51%", "acquired 2016 for £10.7m", "lender"."""
    share = share_of(relationship)
    if relationship.kind == Relationship.Kind.ACQUIRED:
        words = ["acquired"]
        if relationship.start:
            words.append(str(relationship.start.year))
        if relationship.value is not None:
            words.append(f"for {format_money(relationship.value, relationship.currency)}")
        return " ".join(words + ([f"({share})"] if share else []))
    if share and relationship.kind in OWNERSHIP_KINDS:
        return f"owns {share}"
    if relationship.kind == Relationship.Kind.PARENT_OF:
        return "owns"
    return RELATIONSHIP_LABELS[relationship.kind]


def _contract_dates(row):
    contract = row if isinstance(row, Contract) else row.contract
    return contract.start or contract.awarded, contract.end


# A published row's fields no link, label or footnote reads.
BOOKKEEPING = (
    "published_at",
    "last_reviewed",
    "publication_override_reason",
    "publication_override_by",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class LinkKind:
    """One way two records are tied: the rows that tie them and how to read one.

    ``ends`` name the row's two records, from the one the arrow leaves to the one it
    reaches; a blank end is the row itself (a contract is the near end of its framework).
    """

    name: str
    rows: object  # () -> the published rows, as a queryset
    ends: tuple[str, str]
    label: object  # row -> short label
    cited: object = None  # row -> (record, field name) whose citations back the link
    dates: object = None  # row -> (start, end) PartialDates, or None for undated links

    def between(self, ids_by_model, as_of):
        """The links touching any of these records that held on ``as_of`` (None: any)."""
        condition = Q()
        for end in self.ends:
            model = self.end_model(end)
            if ids_by_model.get(model):
                condition |= Q(**{f"{end}_id__in" if end else "pk__in": ids_by_model[model]})
        if not condition:
            return []
        related = [end for end in self.ends if end]
        rows = self.rows().filter(condition).select_related(*related).only(*self.columns)
        found = []
        for row in rows:
            start, end = self.dates(row) if self.dates else (None, None)
            standing = standing_on(start, end, as_of)
            if standing:
                found.append((row, standing))
        return found

    @cached_property
    def columns(self):
        """The row but its bookkeeping (its claims are checked against its citations); of
        the records at its ends only what a node shows: reading 500 whole rows and records
        took most of a page's time."""
        columns = [
            field.name
            for field in self.model._meta.concrete_fields
            if field.name not in BOOKKEEPING
        ]
        for end in filter(None, self.ends):
            shown = self.end_model(end)
            names = ["slug", shown.slug_source_field]
            names += ["kind"] if shown is Organisation else []
            names += ["start", "awarded", "end"] if shown is Contract else []  # dates a party
            columns += [f"{end}__{name}" for name in names]
        return columns

    @cached_property
    def model(self):
        return self.rows().model

    def end_model(self, end):
        return self.model._meta.get_field(end).related_model if end else self.model

    def record_at(self, row, end):
        return getattr(row, end) if end else row

    def citation_of(self, row):
        return self.cited(row) if self.cited else (row, "")


def _dated(row):
    return row.start, row.end


def _concern_m2m(field):
    through = getattr(Concern, field).through
    other = "contract" if field == "contracts" else "person"
    return lambda: through.objects.filter(published_through("concern"), published_through(other))


LINK_KINDS = (
    LinkKind(
        "relationship",
        lambda: Relationship.objects.published(),
        ("subject", "object"),
        relationship_label,
        dates=_dated,
    ),
    LinkKind(
        "contract party",
        lambda: ContractParty.objects.published(),
        ("organisation", "contract"),
        lambda row: row.get_role_display().lower(),
        dates=_contract_dates,
    ),
    LinkKind(
        "site role",
        lambda: SiteRole.objects.published(),
        ("organisation", "site"),
        lambda row: row.get_kind_display().lower(),
        dates=_dated,
    ),
    LinkKind(
        "person role",
        lambda: Role.objects.published(),
        ("person", "organisation"),
        lambda row: (row.title or row.get_kind_display()).lower()[:40],
        dates=_dated,
    ),
    LinkKind(
        "concern party",
        lambda: ConcernParty.objects.published(),
        ("organisation", "concern"),
        lambda row: "named in",
    ),
    LinkKind(
        "regulator",
        lambda: Concern.objects.published().filter(published_through("regulator")),
        ("regulator", ""),
        lambda row: "regulator",
        cited=lambda row: (row, "regulator"),
    ),
    LinkKind(
        "person in concern",
        _concern_m2m("people"),
        ("person", "concern"),
        lambda row: "named in",
        cited=lambda row: (row.concern, ""),
    ),
    LinkKind(
        "contract in concern",
        _concern_m2m("contracts"),
        ("concern", "contract"),
        lambda row: "about",
        cited=lambda row: (row.concern, ""),
    ),
    LinkKind(
        "framework member",
        lambda: FrameworkMembership.objects.published(),
        ("organisation", "framework"),
        lambda row: "supplier on",
        dates=lambda row: (row.start, None),
    ),
    LinkKind(
        "framework buyer",
        lambda: Framework.objects.published().filter(published_through("buyer")),
        ("buyer", ""),
        lambda row: "buyer",
        cited=lambda row: (row, "buyer"),
        dates=lambda row: (row.start, row.end),
    ),
    LinkKind(
        "call-off",
        lambda: Contract.objects.published().filter(published_through("framework")),
        ("", "framework"),
        lambda row: "call-off",
        cited=lambda row: (row, "framework"),
        dates=_contract_dates,
    ),
    LinkKind(
        "contract site",
        lambda: Contract.objects.published().filter(published_through("site")),
        ("", "site"),
        lambda row: "at",
        cited=lambda row: (row, "site"),
        dates=_contract_dates,
    ),
)
