"""The kinds of link the network draws, each read from published rows only.

Every link is a row of the database (a relationship, a contract party, a site role...) or
a field of a record (a contract's framework, a concern's regulator) tying two public
records. Each says where its citations are: the row itself, or the record's field.
"""

import operator
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, reduce

from django.db import connections
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce, NullIf

from investigations.models import (
    Concern,
    ConcernParty,
    Contract,
    ContractParty,
    Framework,
    FrameworkMembership,
    Organisation,
    PartialDate,
    Relationship,
    Role,
    SiteRole,
    format_money,
    published_through,
)
from investigations.templatetags.public import share as share_of

from .as_of import HELD, standing_on

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


# A published row's fields no link, label or footnote reads.
BOOKKEEPING = (
    "published_at",
    "last_reviewed",
    "publication_override_reason",
    "publication_override_by",
    "created_at",
    "updated_at",
)


# A record's links of one kind read for a step of the walk, at most: enough to choose the
# few drawn and to count the rest, without reading all of a national buyer's contracts.
REACH_LIMIT = 100
PK_PLACEHOLDER = -918_273_645  # stands for a record's pk in a query written once


@dataclass(frozen=True)
class Reach:
    """One link from a record the walk has reached (``near``) to another (``far``), both
    as (model, pk); read as a few columns, not as a row, to choose what to draw."""

    link_kind: object
    pk: int
    near: tuple
    far: tuple
    far_name: str
    ownership: bool
    standing: str  # as_of.HELD or as_of.UNCERTAIN


def _resolve(getter, paths):
    """The first set value along ``paths``: a contract is dated by its start, else its award."""
    return next((value for value in map(getter, paths) if value), None)


@dataclass(frozen=True, eq=False)
class LinkKind:
    """One way two records are tied: the rows that tie them and how to read one.

    ``ends`` name the row's two records, from the one the arrow leaves to the one it
    reaches; a blank end is the row itself (a contract is the near end of its framework).
    ``dated`` says where a link's dates are: the fields its start is read from, the first
    set one winning, and the field of its end; undated links leave it empty.
    """

    name: str
    rows: object  # () -> the published rows, as a queryset
    ends: tuple[str, str]
    label: object  # row -> short label
    cited: object = None  # row -> (record, field name) whose citations back the link
    dated: tuple = ()  # ((start field, ...), end field or None)

    def branches(self, ids_by_model, rank):
        """The SQL and parameters of a query of the links of this kind from each of these
        records (pks by model), at most REACH_LIMIT a record and way; each row ends with the
        way it was read and ``rank``, which says its kind.

        Django's union() cannot limit its parts on SQLite, and building a queryset a
        record took longer than the query: each way's SQL is written once, then repeated
        with each record's pk. PostgreSQL took longer to plan a part a record than to run
        them: there, each way's SQL is one lateral join on the records' pks.
        """
        parts, params = [], []
        lateral = connections[self.model.objects.db].vendor == "postgresql"
        for way, (near, _) in enumerate(self.way_models):
            sql, template, at = self._branch_sql(way)
            pks = ids_by_model.get(near, ())
            if lateral and pks:
                pieces = sql.split("%s")
                joined = "%s".join(pieces[: at + 1]) + "reached.pk" + "%s".join(pieces[at + 1 :])
                parts.append(
                    f"SELECT part.*, {rank} FROM unnest(%s) AS reached(pk)"
                    f" CROSS JOIN LATERAL ({joined}) AS part"
                )
                params.extend([list(pks), *template[:at], *template[at + 1 :]])
            for pk in () if lateral else pks:
                parts.append(f"SELECT part.*, {rank} FROM ({sql}) AS part")
                params.extend([*template[:at], pk, *template[at + 1 :]])
        return parts, params

    @property
    def _ways(self):
        """The two ways a row is read: from its first end to its second, and back."""
        return self.ends, self.ends[::-1]

    @cached_property
    def way_models(self):
        """The models at the (near, far) ends of each way."""
        return [self._end_models(ends) for ends in self._ways]

    def _end_models(self, ends):
        return tuple(self.end_model(end) for end in ends)

    def _branch_sql(self, way):
        """One way's query (SQL, parameters, the place of the record's pk among them)."""
        if way not in self._compiled:
            near, far = self._ways[way]
            queryset = self._branch(near, far, PK_PLACEHOLDER).annotate(way=Value(way))
            sql, params = queryset.values_list(*self._read).query.sql_with_params()
            [at] = [index for index, value in enumerate(params) if value == PK_PLACEHOLDER]
            self._compiled[way] = (sql, params, at)
        return self._compiled[way]

    @cached_property
    def _compiled(self):
        return {}

    _read = ("pk", "near_pk", "far_pk", "far_name", "way", "link_rank", "link_start", "link_end")

    def _branch(self, near, far, pk):
        far_model = self.end_model(far)
        far_name = f"{far}__{far_model.slug_source_field}" if far else far_model.slug_source_field
        return (
            self.rows()
            .filter(**{self._column(near): pk})
            .annotate(
                near_pk=F(self._column(near)),
                far_pk=F(self._column(far)),
                far_name=F(far_name),
                link_rank=F("kind") if self.model is Relationship else Value(""),
                link_start=self._date_expression(0),
                link_end=self._date_expression(1),
            )
            .order_by("pk")[:REACH_LIMIT]
        )

    def _date_expression(self, which):
        """The link's start or end as one column; a contract starts when it starts, else when
        it was awarded."""
        if not self.dated:
            return Value("", output_field=CharField())
        paths = self.dated[0] if which == 0 else [self.dated[1]] if self.dated[1] else []
        if not paths:
            return Value("", output_field=CharField())
        columns = [NullIf(F(path), Value("")) for path in paths]
        return Coalesce(*columns, Value(""), output_field=CharField())

    def _column(self, end):
        return f"{end}_id" if end else "pk"

    def dates(self, row):
        """(start, end) of a row's link, as partial dates; None for an undated kind."""
        if not self.dated:
            return None
        starts, end = self.dated
        start = _resolve(lambda path: _attribute(row, path), starts)
        return start, _attribute(row, end) if end else None

    def rows_by_pk(self, pks, between=({}, {}), besides=()):
        """The whole rows of these links, and of every link from the records of one dict of
        ``between`` to those of the other (pks by model) but the ``besides`` pks: their
        labels, dates and citations."""
        wanted = [Q(pk__in=pks)] if pks else []
        for ends in self._ways:
            pks_at_ends = [
                ids.get(model) for ids, model in zip(between, self._end_models(ends), strict=True)
            ]
            if all(pks_at_ends):
                columns = (f"{self._column(end)}__in" for end in ends)
                linking = Q(**dict(zip(columns, pks_at_ends, strict=True)))
                wanted.append(linking & ~Q(pk__in=besides) if besides else linking)
        if not wanted:
            return []
        related = [end for end in self.ends if end]
        rows = self.rows().filter(reduce(operator.or_, wanted))
        return rows.select_related(*related).only(*self.columns)

    def standing(self, row, as_of):
        """Whether a whole row's link held on ``as_of``, as read_reaches() reads it."""
        return standing_on(*(self.dates(row) or (None, None)), as_of)

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


def _dates(*texts):
    return tuple(PartialDate(text) if text else None for text in texts)


def _attribute(row, path):
    for name in path.split("__"):
        row = getattr(row, name)
    return row


def _concern_m2m(field):
    through = getattr(Concern, field).through
    other = "contract" if field == "contracts" else "person"
    return lambda: through.objects.filter(published_through("concern"), published_through(other))


CONTRACT_DATES = (("start", "awarded"), "end")
PARTY_DATES = (("contract__start", "contract__awarded"), "contract__end")

LINK_KINDS = (
    LinkKind(
        "relationship",
        lambda: Relationship.objects.published(),
        ("subject", "object"),
        relationship_label,
        dated=(("start",), "end"),
    ),
    LinkKind(
        "contract party",
        lambda: ContractParty.objects.published(),
        ("organisation", "contract"),
        lambda row: row.get_role_display().lower(),
        dated=PARTY_DATES,
    ),
    LinkKind(
        "site role",
        lambda: SiteRole.objects.published(),
        ("organisation", "site"),
        lambda row: row.get_kind_display().lower(),
        dated=(("start",), "end"),
    ),
    LinkKind(
        "person role",
        lambda: Role.objects.published(),
        ("person", "organisation"),
        lambda row: (row.title or row.get_kind_display()).lower()[:40],
        dated=(("start",), "end"),
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
        dated=(("start",), None),
    ),
    LinkKind(
        "framework buyer",
        lambda: Framework.objects.published().filter(published_through("buyer")),
        ("buyer", ""),
        lambda row: "buyer",
        cited=lambda row: (row, "buyer"),
        dated=(("start",), "end"),
    ),
    LinkKind(
        "call-off",
        lambda: Contract.objects.published().filter(published_through("framework")),
        ("", "framework"),
        lambda row: "call-off",
        cited=lambda row: (row, "framework"),
        dated=CONTRACT_DATES,
    ),
    LinkKind(
        "contract site",
        lambda: Contract.objects.published().filter(published_through("site")),
        ("", "site"),
        lambda row: "at",
        cited=lambda row: (row, "site"),
        dated=CONTRACT_DATES,
    ),
)


def read_reaches(ids_by_model, as_of):
    """The links of every kind from each of these records (pks by model) that held on
    ``as_of`` (None: any), at most REACH_LIMIT a record, kind and way, in one query; and the
    records whose links of a kind were cut at that limit."""
    parts, params = [], []
    for rank, link_kind in enumerate(LINK_KINDS):
        more_parts, more_params = link_kind.branches(ids_by_model, rank)
        parts += more_parts
        params += more_params
    if not parts:
        return [], set()
    with connections[Relationship.objects.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found, counted = [], Counter()
    for pk, near_pk, far_pk, far_name, way, kind, began, ended, rank in rows:
        link_kind = LINK_KINDS[rank]
        near, far = link_kind.way_models[way]
        counted[(rank, near, near_pk)] += 1
        standing = standing_on(*_dates(began, ended), as_of) if as_of else HELD
        if standing:
            ownership = kind in OWNERSHIP_KINDS
            found.append(
                Reach(link_kind, pk, (near, near_pk), (far, far_pk), far_name, ownership, standing)
            )
    return found, {(near, pk) for (_, near, pk), count in counted.items() if count >= REACH_LIMIT}
