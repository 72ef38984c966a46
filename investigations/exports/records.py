"""Published records a chunk at a time, with their citations: what downloads and dumps share.

Records are read by keyset on the primary key, ``CHUNK_SIZE`` at a time, so a million rows
cost the memory of one chunk, and nothing counts them first. Each chunk passes through the
one visibility rule (published querysets for its child rows, ``blank_private_links`` for its
links) and through ``Footnotes``, which withholds claims backed only by unpublished sources
and gives every claim its fresh citations to published sources. A chunk costs one query for
its records, one per child relation and one for all their citations.
"""

import datetime
from functools import cache

from django.db.models import Prefetch

from investigations.citations import Footnotes
from investigations.models import blank_private_links
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


def public_children(model, relation):
    child_model = model._meta.get_field(relation).related_model
    rows = child_model.objects.published().select_related(
        *links_to_load(child_model, parent_link(model, relation))
    )
    return Prefetch(relation, queryset=rows)


def chunks(queryset, size=None):
    """``Chunk``s of at most ``size`` (``CHUNK_SIZE``) records of a published queryset, in
    primary key order."""
    size = size or CHUNK_SIZE
    model = queryset.model
    queryset = (
        queryset.select_related(*links_to_load(model))
        .prefetch_related(None)
        .prefetch_related(*(public_children(model, name) for name in model.claim_children))
    )
    for records in in_chunks(queryset, size):
        yield Chunk(model, records)


class Chunk:
    """Loaded records, their links to drafts blanked and their withheld claims removed."""

    def __init__(self, model, records):
        self.model = model
        children = [
            child
            for record in records
            for name in model.claim_children
            for child in getattr(record, name).all()
        ]
        self.footnotes = Footnotes(blank_private_links(records + children))
        self.records = self.footnotes.withhold(records)

    def __iter__(self):
        return iter(self.records)

    def children(self, record, relation):
        return self.footnotes.withhold(list(getattr(record, relation).all()))

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
