"""Full-text search over published records: one interface, two engines.

The index (migration 0002) is a table of documents, one per published record: FTS5 with
bm25 ranking on SQLite, a weighted tsvector with ts_rank on PostgreSQL.

It is kept in step record by record. Saving or deleting anything a document reads (the
record, an organisation's alias, identifier or section, a citation, a source whose
publication changes what may be shown) marks the documents it touches as pending, and
they are rewritten when the transaction commits; a search flushes what its own thread
left pending first. Imports and their undoing write in bulk without signals, so an
ImportBatch marks everything it wrote once it is committed or undone.
``manage.py rebuild_search_index`` rebuilds it all.
"""

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import prefetch_related_objects

from . import caching
from .citations import Footnotes
from .models import (
    PUBLIC_KINDS,
    Citation,
    Identifier,
    ImportBatch,
    OrganisationAlias,
    ProfileSection,
    Source,
    published_through,
)
from .prose import MARKER

TABLE = "investigations_search"  # made by migration 0002, with no model
DOCUMENT_COLUMNS = ("kind", "record_id", "title", "body")  # what a document is written with
# On SQLite a document's FTS5 rowid is its key: its record's id and a code for its kind
# (stored: never renumbered; migration 0020 gave older documents theirs). FTS5 indexes only
# the text, so finding a record's document by kind and id read the whole index: 0.8 s at a
# million contracts, on every save of a published record. PostgreSQL's table has an index
# on (kind, record_id).
KIND_CODES = {
    "organisation": 1,
    "contract": 2,
    "concern": 3,
    "person": 4,
    "site": 5,
    "framework": 6,
    "source": 7,
}
KEY_SPACING = 16
KINDS = {kind.key: kind for kind in PUBLIC_KINDS}  # in the order results are shown
RESULT_LIMIT = 1000  # matches read from the index, best first
# Matches ranked: a word in a million documents would otherwise have every one scored to
# show fifty. Past it, the best are those of the first CANDIDATE_LIMIT the index holds.
CANDIDATE_LIMIT = 5000
GROUP_LIMIT = 50  # shown per kind, so a common word in names does not crowd out the rest


def document_text(*parts):
    """A document's body from its parts: the non-empty ones, without [^marker]s."""
    return " ".join(MARKER.sub("", str(part)) for part in parts if part)


def identifier_terms(org_id, value):
    """ "GB-COH-02128897", "GB COH 02128897", "02128897" and "2128897" all find it."""
    return [org_id, org_id.replace("-", " "), value, value.lstrip("0")]


def _organisation_document(organisation, footnotes):
    footnotes.withhold([organisation])
    aliases = footnotes.withhold(list(organisation.aliases.all()))
    identifiers = footnotes.withhold(list(organisation.identifiers.all()))
    sections = footnotes.withhold(list(organisation.sections.all()))
    body = document_text(
        *(alias.name for alias in aliases),
        *(term for found in identifiers for term in identifier_terms(found.org_id, found.value)),
        footnotes.visible_prose(organisation, "summary"),
        *(footnotes.visible_prose(section, "body") for section in sections),
    )
    return organisation.name, body


def _record_document(record, footnotes):
    """Title and body of any other record, without claims only unpublished sources back."""
    footnotes.withhold([record])
    if isinstance(record, Source):
        return record.title, document_text(record.publisher, record.author)
    title = str(getattr(record, "title", None) or record.name)
    plain = ("reference", "region", "locality", "address", "description")
    prose = ("description", "summary", "biography")
    values = [getattr(record, name, "") for name in plain if name not in prose]
    values += [footnotes.visible_prose(record, name) for name in prose if hasattr(record, name)]
    return title, document_text(*values)


CHILDREN = ("aliases", "identifiers", "sections")  # an organisation's rows its document reads
INDEX_CHUNK = 500
REBUILD_CHUNK = 5000


def _documents(kind, records):
    """(kind, id, title, body) of these published records."""
    children = []
    if kind == "organisation":
        prefetch_related_objects(records, *CHILDREN)
        children = [
            child for org in records for name in CHILDREN for child in getattr(org, name).all()
        ]
    footnotes = Footnotes(_withholding(records + children))
    document = _organisation_document if kind == "organisation" else _record_document
    for record in records:
        yield (kind, record.pk, *document(record, footnotes))


def _withholding(records):
    """The records with a claim that an unpublished source backs: only their citations can
    withhold anything, so only theirs need reading."""
    cited = Citation.objects.for_objects(records).exclude(published_through("source"))
    withheld = set(cited.values_list("content_type_id", "object_id"))
    key = lambda record: (ContentType.objects.get_for_model(record).pk, record.pk)  # noqa: E731
    return [record for record in records if key(record) in withheld]


def document_key(kind, record_id):
    return record_id * KEY_SPACING + KIND_CODES[kind]


def document_columns():
    """The columns a document is written with: on SQLite, its key first."""
    return ("rowid", *DOCUMENT_COLUMNS) if connection.vendor == "sqlite" else DOCUMENT_COLUMNS


def document_row(kind, record_id, title, body):
    """A document's values for ``document_columns()``."""
    row = (kind, record_id, title, body)
    return (document_key(kind, record_id), *row) if connection.vendor == "sqlite" else row


def _insert(rows):
    columns = document_columns()
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            [document_row(*row) for row in rows],
        )


def _delete(kind, ids):
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            keys = [document_key(kind, record_id) for record_id in ids]
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", keys)  # noqa: S608
        else:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE kind = %s AND record_id IN ({placeholders})",  # noqa: S608
                [kind, *ids],
            )


def index_records(kind, ids):
    """Bring the index rows of these records in step with the database, in chunks."""
    model = KINDS[kind].model
    ids = sorted(set(ids))
    for start in range(0, len(ids), INDEX_CHUNK):
        chunk = ids[start : start + INDEX_CHUNK]
        rows = list(_documents(kind, list(model.objects.published().filter(pk__in=chunk))))
        with transaction.atomic():
            _delete(kind, chunk)
            _insert(rows)
            caching.lists_changed(caching.SEARCH_TABLE)


def rebuild_index():
    """Index every record from scratch: after writes that bypass signals, or to repair.

    Records are read in order of id, a chunk at a time, so memory stays flat however many
    there are.
    """
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM investigations_search")
    caching.lists_changed(caching.SEARCH_TABLE)
    for kind in PUBLIC_KINDS:
        published = kind.model.objects.published().order_by("pk")
        last = 0
        while records := list(published.filter(pk__gt=last)[:REBUILD_CHUNK]):
            with transaction.atomic():
                _insert(list(_documents(kind.key, records)))
            last = records[-1].pk
    # Again once filled: a search page made while the index was empty is stale now.
    caching.lists_changed(caching.SEARCH_TABLE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM investigations_search")
        return cursor.fetchone()[0]


KIND_OF_MODEL = {kind.model: kind.key for kind in PUBLIC_KINDS}
ORGANISATION_CHILDREN = (OrganisationAlias, Identifier, ProfileSection)
LOOKUP_CHUNK = 5000  # ids per IN (...), well under SQLite's limit on variables


class PendingDocuments(threading.local):
    """(kind, id) of documents that may be stale, per thread."""

    def __init__(self):
        self.keys = set()

    def add(self, keys):
        if keys:
            self.keys |= keys
            transaction.on_commit(self.flush)

    def flush(self):
        keys, self.keys = self.keys, set()
        ids_by_kind = defaultdict(list)
        for kind, record_id in keys:
            ids_by_kind[kind].append(record_id)
        for kind, ids in ids_by_kind.items():
            index_records(kind, ids)


pending = PendingDocuments()


def record_changed(sender, instance, **kwargs):
    """post_save and post_delete receiver: mark the documents this row is part of."""
    if isinstance(instance, Citation):
        keys = _document_keys([(instance.content_type_id, instance.object_id)])
    elif isinstance(instance, ORGANISATION_CHILDREN):
        keys = {("organisation", instance.organisation_id)}
    elif type(instance) in KIND_OF_MODEL:
        keys = {(KIND_OF_MODEL[type(instance)], instance.pk)}
        if isinstance(instance, Source):
            # Publishing or withdrawing a source shows or hides the claims it backs.
            cited = Citation.objects.filter(source=instance)
            keys |= _document_keys(cited.values_list("content_type_id", "object_id"))
    else:
        keys = set()
    pending.add(keys)


def batch_changed(sender, instance, **kwargs):
    """post_save receiver of ImportBatch: committing and undoing write rows in bulk,
    without signals."""
    if instance.state in (ImportBatch.State.COMMITTED, ImportBatch.State.UNDONE):
        # Only rows a document reads: not, for instance, a contract's parties.
        read = ContentType.objects.get_for_models(*KIND_OF_MODEL, *ORGANISATION_CHILDREN, Citation)
        items = instance.items.filter(content_type__in=read.values())
        # A chunk at a time, so that a year of OCDS (some 300,000 rows a document reads) is
        # never all in memory; each chunk read whole before its documents are written, since
        # on SQLite a write cannot start on a connection whose read is still open.
        rows = items.order_by("pk").values_list("pk", "content_type_id", "object_id")
        last = 0
        while chunk := list(rows.filter(pk__gt=last)[:LOOKUP_CHUNK]):
            last = chunk[-1][0]
            pending.add(_document_keys((kind, record) for _, kind, record in chunk))


def _document_keys(pairs):
    """The documents that these (content type id, object id) rows belong to."""
    keys = set()
    ids_by_model = defaultdict(list)
    for content_type_id, object_id in pairs:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        ids_by_model[model].append(object_id)
    for model, ids in ids_by_model.items():
        keys |= _chunk_keys(model, ids)
    return keys


def _chunk_keys(model, ids):
    if model in KIND_OF_MODEL:
        return {(KIND_OF_MODEL[model], record_id) for record_id in ids}
    if model in ORGANISATION_CHILDREN:
        found = model.objects.filter(pk__in=ids).values_list("organisation_id", flat=True)
        return {("organisation", record_id) for record_id in found}
    if model is Citation:
        cited = Citation.objects.filter(pk__in=ids).values_list("content_type_id", "object_id")
        return _document_keys(cited)
    return set()


def terms(query):
    """The words of a query; punctuation (as in GB-COH-02128897) separates them."""
    return re.findall(r"\w+", query.lower())[:12]


def _ranked_sqlite(words):
    match = " AND ".join(f'"{word}"*' for word in words)
    sql = (
        "SELECT kind, record_id FROM ("
        " SELECT kind, record_id, bm25(investigations_search, 0, 0, 10.0, 1.0) AS score"
        " FROM investigations_search WHERE investigations_search MATCH %s LIMIT %s"
        ") ORDER BY score LIMIT %s"
    )
    return sql, [match, CANDIDATE_LIMIT, RESULT_LIMIT]


def _ranked_postgresql(words):
    query = " & ".join(f"{word}:*" for word in words)
    sql = (
        "SELECT kind, record_id FROM ("
        " SELECT kind, record_id, ts_rank(document, query) AS score"
        " FROM investigations_search, to_tsquery('english', %s) query"
        " WHERE document @@ query LIMIT %s"
        ") candidates ORDER BY score DESC LIMIT %s"
    )
    return sql, [query, CANDIDATE_LIMIT, RESULT_LIMIT]


def ranked_matches(query):
    """(kind, id) of matching records, best first."""
    words = terms(query)
    if not words:
        return []
    pending.flush()
    ranked = _ranked_sqlite if connection.vendor == "sqlite" else _ranked_postgresql
    sql, params = ranked(words)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(kind, int(record_id)) for kind, record_id in cursor.fetchall()]


@dataclass
class Group:
    kind: str
    label: str
    records: list


def search(query):
    """Published records matching the query, grouped by kind, each group best first."""
    ids_by_kind = {}
    for kind, record_id in ranked_matches(query):
        ids = ids_by_kind.setdefault(kind, [])
        if len(ids) < GROUP_LIMIT and record_id not in ids:
            ids.append(record_id)
    groups = []
    for kind in PUBLIC_KINDS:
        ids = ids_by_kind.get(kind.key)
        if ids:
            # Checked again: the index may be a moment older than the data.
            found = kind.model.objects.published().in_bulk(ids)
            groups.append(Group(kind.key, kind.label, [found[pk] for pk in ids if pk in found]))
    return [group for group in groups if group.records]
