"""Footnotes for a public page: citations fetched once, numbered in order of first use.

A page builds one ``Footnotes`` from every record it shows. Templates then ask it for the
superscript of a claim (a record, one of its fields, or a ``[^marker]`` in its prose) as
they render, so numbers follow reading order. Each source gets one note however often it
is cited; each use of it gets a letter (a, b, c) that the note links back to.

Only citations whose source is published count: the reader could not follow the others.
A claim whose every citation points at an unpublished source is withheld altogether: its
field is blanked, its prose passage dropped, its row left out (see ``withhold``).

A stale citation (made for a value the record no longer has) counts for nothing: a
footnote must never stand beside a value it does not back. A claim shown without a fresh
published citation gets an "uncited" mark instead (see ``mark_uncited``).
"""

import re
import string
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from .models import Citation, Source, is_stale, needs_citation
from .prose import markers_in


@dataclass
class Use:
    """One place on the page where a source is cited."""

    anchor: str
    letter: str
    citations: list


@dataclass
class Note:
    number: int
    source: object
    uses: list = field(default_factory=list)

    @property
    def anchor(self):
        return f"note-{self.number}"

    @property
    def citations(self):
        """Each distinct passage once, with the uses (letters) that rely on it.

        Several rows are often cited to the same passage; the reader needs it only once.
        """
        grouped = {}
        for use in self.uses:
            for citation in use.citations:
                key = (citation.quote, citation.locator, citation.confidence, citation.note)
                entry = grouped.setdefault(key, (citation, []))
                if not entry[1] or entry[1][-1] is not use:
                    entry[1].append(use)
        return list(grouped.values())


class Footnotes:
    def __init__(self, records, citations=None):
        """``citations``: the records' citations in key order, if the caller read them
        (downloads read them as values, not instances); else they are read here."""
        records = [record for record in records if record is not None]
        self._claims = defaultdict(list)
        self._unpublished = set()
        self._notes = {}
        self._type_ids = {}
        self.marked_uncited = False
        if records:
            self._sort(records, citations)

    def _sort(self, records, citations):
        """All citations, in one query, and their sources in another: the unpublished ones
        only tell what to withhold. Each source is read once: a profile cites a few dozen
        sources two hundred times, and reading each with every citation (select_related)
        made a source, and parsed its five dates, per citation."""
        by_key = {self._record_key(record): record for record in records}
        if citations is None:
            citations = list(Citation.objects.for_objects(records).order_by("pk"))
            sources = Source.objects.in_bulk({citation.source_id for citation in citations})
            for citation in citations:
                citation.source = sources[citation.source_id]
        for citation in citations:
            key = _claim_key(citation)
            if is_stale(citation, by_key[key[:2]]):
                continue
            if citation.source.is_published:
                self._claims[key].append(citation)
            else:
                self._unpublished.add(key)

    @property
    def notes(self):
        return list(self._notes.values())

    @property
    def sources(self):
        return sorted((note.source for note in self.notes), key=lambda s: s.title.lower())

    def withheld(self, record, field_name="", marker=""):
        """True when the claim is cited, but only by sources the public cannot see."""
        key = self._record_key(record) + (field_name, marker)
        return key in self._unpublished and key not in self._claims

    def withhold(self, records):
        """Blank withheld field values in place; return the records not withheld whole."""
        shown = []
        for record in records:
            for name in getattr(record, "claim_fields", ()):
                if self.withheld(record, name):
                    field = record._meta.get_field(name)
                    setattr(record, field.attname, None if field.null else "")
            if not self.withheld(record):
                shown.append(record)
        return shown

    def visible_prose(self, record, field_name):
        """The prose without the passages whose every marker is withheld."""
        text = getattr(record, field_name) or ""
        kept = []
        for block in re.split(r"\n\s*\n", text):
            markers = markers_in(block)
            if markers and all(self.withheld(record, field_name, m) for m in markers):
                continue
            kept.append(block)
        return "\n\n".join(kept)

    def citations(self, record, field_name="", marker=""):
        """The claim's fresh citations to published sources, without numbering them."""
        return list(self._claims.get(self._record_key(record) + (field_name, marker), []))

    def cite(self, record, field_name="", marker=""):
        """The uses this claim adds, one per source, each numbered and lettered."""
        if record is None:
            return []
        found = self.citations(record, field_name, marker)
        by_source = defaultdict(list)
        for citation in found:
            by_source[citation.source_id].append(citation)
        return [self._use(citations) for citations in by_source.values()]

    def mark_uncited(self, record, field_name="", marker=""):
        """True when the claim needs a citation and has no fresh published one; the page
        then explains its marks (``marked_uncited``)."""
        if record is None or not needs_citation(record, field_name, marker):
            return False
        if self._claims.get(self._record_key(record) + (field_name, marker)):
            return False
        self.marked_uncited = True
        return True

    def _record_key(self, record):
        """(content type id, pk): the content type looked up once per model, as a download
        asks for every claim of thousands of records."""
        model = type(record)
        if model not in self._type_ids:
            self._type_ids[model] = ContentType.objects.get_for_model(model).pk
        return self._type_ids[model], record.pk

    def _use(self, citations):
        source = citations[0].source
        note = self._notes.get(source.pk)
        if note is None:
            note = self._notes[source.pk] = Note(len(self._notes) + 1, source)
        letter = _letter(len(note.uses))
        use = Use(f"ref-{note.number}-{letter}", letter, citations)
        note.uses.append(use)
        return note, use


def _claim_key(citation):
    return citation.content_type_id, citation.object_id, citation.field_name, citation.marker


def _letter(index):
    """a … z, then aa, ab …: enough for any page."""
    letters = string.ascii_lowercase
    if index < len(letters):
        return letters[index]
    return _letter(index // len(letters) - 1) + letters[index % len(letters)]
