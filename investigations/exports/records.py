"""Published records a chunk at a time, with their citations: what downloads and dumps share.

Records are read by keyset on the primary key, ``CHUNK_SIZE`` at a time, so a million rows
cost the memory of one chunk, and nothing counts them first. Each chunk passes through the
one visibility rule (published querysets for its child rows, ``blank_private_links`` for its
links) and through ``Footnotes``, which withholds claims backed only by unpublished sources
and gives every claim its fresh citations to published sources. A chunk costs one query for
its records, one per child relation and one for all their citations, read as values: a
download of 10,000 contracts reads 60,000 citations, each of which would otherwise be two
model instances.
"""

import datetime
from collections import defaultdict
from functools import cache
from typing import NamedTuple

from django.db.models import BooleanField, ExpressionWrapper
from django.db.models.base import ModelState

from investigations.citations import Footnotes
from investigations.models import Citation, blank_private_links, published_through
from investigations.standards.chunks import in_chunks

CHUNK_SIZE = 2000

# The curation's bookkeeping and the stored file's internals: not claims, never written out.
PRIVATE_FIELDS = frozenset(
    (
        "status",
        "published_at",
        "publication_override_reason",
        "publication_override_by",
        "deleted_at",
        "created_at",
        "normalised_name",
        "notes",
        "file",
        "original_name",
    )
)


# What the visibility rule reads of a record, though no download writes it out.
RULE_FIELDS = frozenset(("status", "deleted_at"))


@cache
def exported_fields(model, parent=None):
    """The fields written out for a row; a child row leaves out the link to its parent."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.name not in PRIVATE_FIELDS and field.name != parent
    )


def parent_link(model, relation):
    """The name of the foreign key by which a child relation's rows point at ``model``."""
    return model._meta.get_field(relation).field.name


def links_to_load(model, parent=None):
    return [field.name for field in exported_fields(model, parent) if field.many_to_one]


@cache
def loaded_fields(model):
    """The fields read of a record: what is written out, and what the visibility rule
    tests. The rest (bookkeeping timestamps, notes) would cost a conversion each."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.name not in PRIVATE_FIELDS or field.name in RULE_FIELDS
    )


def plain_records(queryset, links):
    """The queryset's records, with their ``links`` loaded, built from one values query.

    Each record is filled from its row's values rather than constructed by Django: for a
    download of 10,000 contracts, building 70,000 instances (``__init__``, its signals,
    converting every column) cost most of its time. The records are the models' own, so
    the visibility rule, ``Footnotes`` and ``__str__`` read them as they read any other.
    """
    model = queryset.model
    own = [field.attname for field in loaded_fields(model)]
    linked = []
    for link in links:
        field = model._meta.get_field(link)
        names = [related.attname for related in loaded_fields(field.related_model)]
        linked.append((field, names))
    paths = own + [f"{field.name}__{name}" for field, names in linked for name in names]
    records = []
    for values in queryset.values_list(*paths):
        record = built(model, own, values[: len(own)], queryset.db)
        start = len(own)
        for field, names in linked:
            part = values[start : start + len(names)]
            start += len(names)
            has_link = getattr(record, field.attname) is not None
            target = built(field.related_model, names, part, queryset.db) if has_link else None
            record._state.fields_cache[field.name] = target
        records.append(record)
    return records


def built(model, names, values, db):
    record = model.__new__(model)
    record.__dict__.update(zip(names, values, strict=True))
    record._state = ModelState()
    record._state.adding = False
    record._state.db = db
    return record


def chunks(queryset, size=None):
    """``Chunk``s of at most ``size`` (``CHUNK_SIZE``) records of a published queryset, in
    primary key order, each read by keyset with one query however far into the table."""
    model = queryset.model
    links = links_to_load(model)
    for records in in_chunks(queryset, size or CHUNK_SIZE, lambda rows: plain_records(rows, links)):
        yield Chunk(model, records)


def children_of(model, relation, records):
    """The published rows of a child relation of these records, in the relation's order,
    by their parent's key: one query, each row's parent the loaded record."""
    child_model = model._meta.get_field(relation).related_model
    link = parent_link(model, relation)
    parents = {record.pk: record for record in records}
    rows = child_model.objects.published().filter(**{f"{link}__in": list(parents)})
    found = defaultdict(list)
    for row in plain_records(rows, links_to_load(child_model, link)):
        parent = parents[getattr(row, child_model._meta.get_field(link).attname)]
        setattr(row, link, parent)
        found[parent.pk].append(row)
    return found


class CitedSource(NamedTuple):
    slug: str
    title: str
    url: str
    is_published: bool


class Cited(NamedTuple):
    """What ``Footnotes`` and the exports read of a citation, read as values."""

    content_type_id: int
    object_id: int
    field_name: str
    marker: str
    confirmed_value: str
    quote: str
    locator: str
    confidence: str
    source_id: int
    source: CitedSource


CITED_COLUMNS = (*Cited._fields[:-1], "source__slug", "source__title", "source__url")


def citations_of(records):
    """Every citation of these records, in key order, with its source: one query."""
    rows = (
        Citation.objects.for_objects(records)
        .order_by("pk")
        .values_list(
            *CITED_COLUMNS,
            ExpressionWrapper(published_through("source"), output_field=BooleanField()),
        )
    )
    return [Cited(*row[:9], CitedSource(*row[9:])) for row in rows]


class Chunk:
    """Loaded records, their links to drafts blanked and their withheld claims removed."""

    def __init__(self, model, records):
        self.model = model
        self._children = {name: children_of(model, name, records) for name in model.claim_children}
        children = [
            child
            for rows in self._children.values()
            for siblings in rows.values()
            for child in siblings
        ]
        shown = blank_private_links(records + children)
        self.footnotes = Footnotes(shown, citations_of(shown) if shown else [])
        self.records = self.footnotes.withhold(records)

    def __iter__(self):
        return iter(self.records)

    def children(self, record, relation):
        return self.footnotes.withhold(list(self._children[relation].get(record.pk, ())))

    def sources(self, record, field_name=""):
        """The published sources of a claim, each once, in the order they were cited."""
        found = {}
        for citation in self.footnotes.citations(record, field_name):
            found.setdefault(citation.source_id, citation.source)
        return list(found.values())

    def value(self, record, field):
        """A field's value as the public reads it: prose without its withheld passages,
        dates as ISO text."""
        if field.name in record.prose_fields:
            return self.footnotes.visible_prose(record, field.name)
        value = getattr(record, field.attname)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value) if isinstance(value, str) else value
