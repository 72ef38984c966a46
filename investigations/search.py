"""Full-text search over published records: one interface, two engines.

The index (migration 0002) is a table of documents, one per published record: FTS5 with
bm25 ranking on SQLite, a weighted tsvector with ts_rank on PostgreSQL. Rather than keep
it in step with triggers on a dozen tables, it is rebuilt when the content version (bumped
by every save, see caching.py) differs from the version it was built at. Rebuilding a few
thousand documents takes a fraction of a second, and most searches find it fresh.
"""

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import prefetch_related_objects

from .caching import content_version
from .citations import Footnotes
from .models import Concern, Contract, Framework, Organisation, Person, Site, Source
from .prose import MARKER

# In the order results are shown.
KINDS = {
    "organisation": ("Organisations", Organisation),
    "contract": ("Contracts", Contract),
    "concern": ("Concerns", Concern),
    "person": ("People", Person),
    "site": ("Sites", Site),
    "framework": ("Frameworks", Framework),
    "source": ("Sources", Source),
}
RESULT_LIMIT = 1000  # matches read from the index, best first
GROUP_LIMIT = 50  # shown per kind, so a common word in names does not crowd out the rest


def _text(*parts):
    return " ".join(MARKER.sub("", str(part)) for part in parts if part)


def _identifier_terms(identifier):
    """ "GB-COH-02128897", "GB COH 02128897", "02128897" and "2128897" all find it."""
    org_id = identifier.org_id
    return [org_id, org_id.replace("-", " "), identifier.value, identifier.value.lstrip("0")]


def _organisation_document(organisation, footnotes):
    aliases = footnotes.withhold(list(organisation.aliases.all()))
    identifiers = footnotes.withhold(list(organisation.identifiers.all()))
    sections = footnotes.withhold(list(organisation.sections.all()))
    body = _text(
        *(alias.name for alias in aliases),
        *(term for identifier in identifiers for term in _identifier_terms(identifier)),
        footnotes.visible_prose(organisation, "summary"),
        *(footnotes.visible_prose(section, "body") for section in sections),
    )
    return organisation.name, body


def _record_document(record, footnotes):
    """Title and body of any other record, without claims only unpublished sources back."""
    footnotes.withhold([record])
    if isinstance(record, Source):
        return record.title, _text(record.publisher, record.author)
    title = str(getattr(record, "title", None) or record.name)
    plain = ("reference", "region", "locality", "address", "description")
    prose = ("description", "summary", "biography")
    values = [getattr(record, name, "") for name in plain if name not in prose]
    values += [footnotes.visible_prose(record, name) for name in prose if hasattr(record, name)]
    return title, _text(*values)


def _documents():
    records = {kind: list(model.objects.published()) for kind, (_, model) in KINDS.items()}
    organisations = records["organisation"]
    prefetch_related_objects(organisations, "aliases", "identifiers", "sections")
    children = [
        child
        for organisation in organisations
        for name in ("aliases", "identifiers", "sections")
        for child in getattr(organisation, name).all()
    ]
    everything = [record for listed in records.values() for record in listed]
    footnotes = Footnotes(everything + children)
    for organisation in organisations:
        footnotes.withhold([organisation])
        yield ("organisation", organisation.pk, *_organisation_document(organisation, footnotes))
    for kind, listed in records.items():
        if kind != "organisation":
            for record in listed:
                yield (kind, record.pk, *_record_document(record, footnotes))


def rebuild_index(version=None):
    rows = list(_documents())
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two processes rebuilding at once would otherwise interleave and duplicate rows.
            cursor.execute("LOCK TABLE investigations_search IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM investigations_search")
        cursor.executemany(
            "INSERT INTO investigations_search (kind, record_id, title, body) VALUES (%s, %s, %s, %s)",
            rows,
        )
        cursor.execute("DELETE FROM investigations_search_state")
        cursor.execute(
            "INSERT INTO investigations_search_state (id, version) VALUES (1, %s)",
            [str(version or content_version())],
        )


def ensure_fresh():
    version = str(content_version())
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM investigations_search_state WHERE id = 1")
        row = cursor.fetchone()
    if row is None or row[0] != version:
        rebuild_index(version)


def terms(query):
    """The words of a query; punctuation (as in GB-COH-02128897) separates them."""
    return re.findall(r"\w+", query.lower())[:12]


def _ranked_sqlite(words):
    match = " AND ".join(f'"{word}"*' for word in words)
    sql = (
        "SELECT kind, record_id FROM investigations_search WHERE investigations_search MATCH %s"
        " ORDER BY bm25(investigations_search, 0, 0, 10.0, 1.0) LIMIT %s"
    )
    return sql, [match, RESULT_LIMIT]


def _ranked_postgresql(words):
    query = " & ".join(f"{word}:*" for word in words)
    sql = (
        "SELECT kind, record_id FROM investigations_search, to_tsquery('english', %s) query"
        " WHERE document @@ query ORDER BY ts_rank(document, query) DESC LIMIT %s"
    )
    return sql, [query, RESULT_LIMIT]


def ranked_matches(query):
    """(kind, id) of matching records, best first."""
    words = terms(query)
    if not words:
        return []
    ensure_fresh()
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
    for kind, (label, model) in KINDS.items():
        ids = ids_by_kind.get(kind)
        if ids:
            # Checked again: the index may be a moment older than the data.
            found = model.objects.published().in_bulk(ids)
            groups.append(Group(kind, label, [found[pk] for pk in ids if pk in found]))
    return [group for group in groups if group.records]
