"""A claim's value as text: what a citation was made for, so that a change shows it stale.

A citation stores the value it was confirmed against (``Citation.confirmed_value``). When the
record's value no longer matches it, the citation backs a value the record no longer shows,
and it neither counts for the publication gate nor gives a footnote.

These functions read only attributes (ids, not related rows), so they cost no query and work
on the historical models of a migration too.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist

from investigations.prose import MARKER, passages

EMPTY_VALUES = (None, "", "unknown")


def claim_value(record, field_name, marker=""):
    """The claim's current value as canonical text; "" for the record itself."""
    if not field_name:
        return ""
    if marker:
        return passage_text(getattr(record, field_name, ""), marker)
    try:
        field = record._meta.get_field(field_name)
    except FieldDoesNotExist:
        return ""
    return canonical_text(getattr(record, field.attname, None))


def passage_text(text, marker):
    """The passage that carries ``[^marker]``, without its markers; "" if none carries it.

    Markers are left out so that citing another part of the passage does not make this
    citation stale: the words it backs are unchanged.
    """
    for passage in passages(text):
        if marker in MARKER.findall(passage):
            return " ".join(MARKER.sub("", passage).split())
    return ""


def canonical_text(value):
    """One spelling per value: 350000000 whether read back as 350000000.00 or not."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


def is_stale(citation, record):
    """True when the citation was confirmed against a value the record no longer has.

    A citation of the whole record backs its existence, which no edit changes.
    """
    if not citation.field_name:
        return False
    return citation.confirmed_value != claim_value(record, citation.field_name, citation.marker)


def needs_citation(record, field_name="", marker=""):
    """True when the claim is one the gate asks a citation for, as the record stands."""
    if not field_name:
        return record.requires_record_citation
    if marker or field_name in record.prose_fields:
        return True
    if field_name not in record.claim_fields:
        return False
    return getattr(record, record._meta.get_field(field_name).attname) not in EMPTY_VALUES
