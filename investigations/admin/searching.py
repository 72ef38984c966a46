"""Changelist search that reads indexes: each field is matched in a subquery of its own.

Django's admin search joins every relation it searches (a contract's parties' names) into
the changelist's query, ORs a ``LIKE '%term%'`` per field over each row, and removes the
duplicate rows that to-many joins make with DISTINCT over the whole table: a scan of every
contract per search. Here each field is matched from its own table's side, and the ids
they find are one UNION the changelist reads its rows from (``id IN (SELECT id FROM contract
WHERE title matches UNION SELECT contract_id FROM party WHERE organisation_id IN (...))``):

- a name or title the trigram indexes of migration 0016 hold is matched through them: on
  PostgreSQL Django's own ``icontains`` is what pg_trgm's index serves; on SQLite the FTS5
  table ``<table>_text`` is asked for the term as a phrase, which with the trigram tokenizer
  is a case-insensitive substring (a term under three letters has no trigram: it is matched
  by ``LIKE``, a scan);
- a field across a relation is matched in the related table, and followed back by the
  foreign key's index;
- the model's other fields are matched together, in one scan.

That reads the ids of every match, and the changelist then sorts them: quick for a few
thousand, not for a word in half the contracts. When a term matches more than
``FEW_MATCHES`` rows, the changelist instead walks its ordering's index and tests each row
(its fields, and an EXISTS per related table), which finds a page's worth of such a common
term within a few thousand rows.
"""

from django.contrib import messages
from django.db import connection
from django.db.models import Exists, ForeignObjectRel, Max, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.text import smart_split, unescape_string_literal

PREFIXES = ("^", "=", "@")  # Django's search-field prefixes, which this leaves to Django
# The columns migration 0016 indexes by trigrams, by table.
TRIGRAM_INDEXED = {
    "investigations_contract": {"title", "reference"},
    "investigations_organisation": {"name"},
    "investigations_source": {"title"},
}
SHORTEST_TRIGRAM_TERM = 3
EVERY_ROW = Q()
FEW_MATCHES = 5_000  # more, and sorting the matches costs more than walking the list


class SubquerySearchMixin:
    """For a ModelAdmin whose search_fields are plain field paths (no ^, =, @).

    ``search_scan_limit``: when set, the fields no index serves are searched only in that
    many of the newest rows (by id), and the page says so: a scan of the quotes of
    millions of citations takes seconds."""

    search_scan_limit = None

    def get_search_results(self, request, queryset, search_term):
        fields = [str(field) for field in self.get_search_fields(request)]
        if not search_term or any(field.startswith(PREFIXES) for field in fields):
            return super().get_search_results(request, queryset, search_term)
        floor = self._scan_floor(request, fields)
        scanned = Q(pk__gt=floor) if floor else EVERY_ROW
        for term in smart_split(search_term):
            if term.startswith(('"', "'")) and term[0] == term[-1]:
                term = unescape_string_literal(term)
            if (
                found_ids(self.model, fields, term, scanned)[: FEW_MATCHES + 1].count()
                <= FEW_MATCHES
            ):
                queryset = queryset.filter(pk__in=matching_ids(self.model, fields, term, scanned))
            else:
                queryset = queryset.filter(row_matches(self.model, fields, term, scanned))
        return queryset, False

    def _scan_floor(self, request, fields):
        """The id above which unindexed fields are searched (0: all), said on the page."""
        if self.search_scan_limit is None:
            return 0
        newest = self.model._base_manager.aggregate(newest=Max("pk"))["newest"] or 0
        if newest <= self.search_scan_limit:
            return 0
        names = [field for field in fields if _is_scanned(self.model, field, "")]
        others = [field.replace("__", " ") for field in fields if field not in names]
        plural = self.model._meta.verbose_name_plural
        message = (
            f"{_listed(names)} are searched in the newest "
            f"{self.search_scan_limit:,} {plural} only; {_listed(others)} in all of them."
        )
        messages.info(request, message)
        return newest - self.search_scan_limit


def matching_ids(model, fields, term, scanned=EVERY_ROW):
    """The ids of the rows of which any of the fields contains the term, as one UNION;
    the fields no index serves are searched among the ``scanned`` rows only."""

    def ids_of(path):
        return rows_matching(model, path, term).order_by().values_list("pk")

    return _union_of_ids(model, fields, term, scanned, ids_of)


def found_ids(model, fields, term, scanned=EVERY_ROW):
    """The ids ``matching_ids`` finds, each as often as a matching row holds it, read where
    they are held (a reverse foreign key's column in the related table): counted with a
    LIMIT, SQLite stops reading at the limit, where ``id IN (...)`` first gathers every id."""

    def ids_of(path):
        name, _, rest = path.partition("__")
        field = model._meta.get_field(name)
        if rest and isinstance(field, ForeignObjectRel) and not field.many_to_many:
            children = rows_matching(field.related_model, rest, term).order_by()
            return children.values_list(field.field.name)
        return rows_matching(model, path, term).order_by().values_list("pk")

    return _union_of_ids(model, fields, term, scanned, ids_of)


def _union_of_ids(model, fields, term, scanned, ids_of):
    """``ids_of`` each indexed field, and one scan of the others, as one UNION ALL."""
    unindexed = [field for field in fields if _is_scanned(model, field, term)]
    ids = [ids_of(field) for field in fields if field not in unindexed]
    if unindexed:
        scan = model._base_manager.filter(scanned, _any_contains(unindexed, term))
        ids.append(scan.order_by().values_list("pk"))
    return ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0]


def row_matches(model, fields, term, scanned=EVERY_ROW):
    """Whether a row matches, tested row by row: its own fields, and the related rows that
    point to it (through their foreign key's index)."""
    matches = Q()
    own = Q()
    for path in fields:
        name, _, rest = path.partition("__")
        field = model._meta.get_field(name)
        if rest and isinstance(field, ForeignObjectRel) and not field.many_to_many:
            matches |= Exists(_children_matching(field, rest, term))
        elif rest and _is_forward_key(field):
            # The row's own key, not ``pk IN (the rows pointing to the matches)``: a list
            # PostgreSQL scans once a row.
            matches |= _key_matching(field, rest, term)
        elif rest and field.is_relation:
            matches |= Q(pk__in=rows_matching(model, path, term).order_by().values("pk"))
        elif _is_scanned(model, path, term):
            own |= Q(**{f"{path}__icontains": term})
        else:
            matches |= Q(**{f"{path}__icontains": term})
    return matches | (scanned & own) if own else matches


def rows_matching(model, path, term):
    """The rows of ``model`` whose field at ``path`` (across relations) contains the term."""
    name, _, rest = path.partition("__")
    field = model._meta.get_field(name)
    rows = model._base_manager
    if not rest or not field.is_relation:
        return rows.filter(_contains(model, path, term))
    if _is_forward_key(field):
        return rows.filter(_key_matching(field, rest, term))
    if isinstance(field, ForeignObjectRel) and not field.many_to_many:
        children = rows_matching(field.related_model, rest, term).order_by()
        return rows.filter(pk__in=children.values(field.field.name))  # a foreign key's reverse
    return rows.filter(**{f"{path}__icontains": term})  # many-to-many: Django's own join


def _is_forward_key(field):
    return field.many_to_one or (field.one_to_one and field.concrete)


def _key_matching(field, rest, term):
    """The row's foreign key is among the related rows' whose ``rest`` contains the term."""
    related = rows_matching(field.related_model, rest, term).order_by()
    return Q(**{f"{field.name}__in": related.values(field.target_field.name)})


def _children_matching(relation, path, term):
    """The rows pointing to the outer row that match, each tested by its own id: left to
    itself, SQLite probes a (parent, organisation) index once per matching organisation."""
    child = relation.related_model
    matching = rows_matching(child, path, term).order_by().filter(pk=OuterRef("pk"))
    pointing = child._base_manager.filter(**{relation.field.name: OuterRef("pk")})
    return pointing.filter(Exists(matching))


def _is_scanned(model, path, term):
    """A field of the model's own that no index serves."""
    field = model._meta.get_field(path.partition("__")[0])
    return not field.is_relation and not _trigram_indexed(model, path, term)


def _trigram_indexed(model, name, term):
    return name in TRIGRAM_INDEXED.get(model._meta.db_table, ()) and (
        connection.vendor == "postgresql" or len(term) >= SHORTEST_TRIGRAM_TERM
    )


def _any_contains(names, term):
    matches = Q()
    for name in names:
        matches |= Q(**{f"{name}__icontains": term})
    return matches


def _contains(model, name, term):
    if connection.vendor != "sqlite" or not _trigram_indexed(model, name, term):
        return Q(**{f"{name}__icontains": term})
    table = f"{model._meta.db_table}_text"
    escaped = term.replace('"', '""')
    phrase = f'{{{name}}} : "{escaped}"'
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [phrase]))


def _listed(names):
    quoted = [f"“{name}”" for name in names]
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)
