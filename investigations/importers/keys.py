"""Natural keys: find the records a spreadsheet names, with a few queries per batch.

Each index loads every key of its model once (ids, slugs, normalised names, aliases,
identifiers), so resolving 100,000 cells costs no query at all. Records planned earlier in
the same batch are added as ``Pending`` refs, so a workbook's contracts can name the
organisations its first sheet creates.
"""

import re
from functools import lru_cache

from investigations.models import Identifier, Organisation, OrganisationAlias, normalise_name
from investigations.models.organisations import normalise_identifier


class Pending:
    """A record planned in this batch but not yet written; compared by identity."""

    __slots__ = ("instance",)  # one per record planned: a year of notices plans 80,000

    def __init__(self, instance):
        self.instance = instance

    def __eq__(self, other):
        return isinstance(other, Pending) and other.instance is self.instance

    def __hash__(self):
        return id(self.instance)

    def __str__(self):
        return f"{self.instance} (new in this file)"


class LookupError_(ValueError):
    pass


class NameIndex:
    """Records of one model by id, slug and normalised name."""

    def __init__(self, model, name_field, extra=()):
        self.model, self.name_field = model, name_field
        self.by_slug, self.by_name, self.labels = {}, {}, {}
        self.by_extra = {column: {} for column in extra}
        self.keyed = {column: set() for column in extra}  # refs that have this key
        fields = ("pk", "slug", name_field, *extra)
        rows = model._default_manager.values_list(*fields).iterator(chunk_size=5000)
        for pk, slug, name, *others in rows:
            self.labels[pk] = name
            self.by_slug[slug] = pk
            _put(self.by_name, self.normalise(name), pk)
            for column, value in zip(extra, others, strict=True):
                if value:
                    _put(self.by_extra[column], self.normalise(value), pk)
                    self.keyed[column].add(pk)

    def normalise(self, text):
        return _normalised(str(text))

    def add(self, ref, names):
        for name in names:
            if name:
                _put(self.by_name, self.normalise(name), ref)

    def candidates(self, text):
        """By slug, else by name; an id only as "#12", never a bare number."""
        text = str(text).strip()
        if text.startswith("#") and text[1:].isdigit() and int(text[1:]) in self.labels:
            return {int(text[1:])}
        if text.lower() in self.by_slug:
            return {self.by_slug[text.lower()]}
        return _refs(self.by_name, self.normalise(text))

    def candidates_by(self, column, text):
        """Candidates using one key column: slug, an extra field (reference, url) or name."""
        if column == "slug":
            found = self.by_slug.get(str(text).strip().lower())
            return {found} if found is not None else set()
        if column in self.by_extra:
            return _refs(self.by_extra[column], self.normalise(text))
        return _refs(self.by_name, self.normalise(text))

    def add_extra(self, column, ref, value):
        if value and column in self.by_extra:
            _put(self.by_extra[column], self.normalise(value), ref)
            self.keyed[column].add(ref)

    def has_key(self, column, ref):
        """Whether the record has a value for this strong key (every record has a slug)."""
        return column == "slug" or ref in self.keyed.get(column, ())

    def resolve(self, text):
        """The one record named by ``text``, or ValueError naming the candidates."""
        found = self.candidates(text)
        if len(found) == 1:
            return found.pop()
        label = self.model._meta.verbose_name
        if not found:
            raise LookupError_(f"no {label} matches “{text}”")
        names = "; ".join(sorted(self.describe(ref) for ref in found))
        raise LookupError_(f"“{text}” matches several {label}s: {names}")

    def describe(self, ref):
        if isinstance(ref, Pending):
            return str(ref)
        return f"{self.labels.get(ref, '?')} (#{ref})"


# A file names the same buyers, suppliers and sources on row after row.
_normalised = lru_cache(maxsize=8192)(normalise_name)


def _put(table, key, ref):
    """Add ``ref`` under ``key``. A key almost always names one record, so it holds that
    ref alone and becomes a set only on a second: a set per key would cost 200 bytes."""
    found = table.get(key)
    if found is None:
        table[key] = ref
    elif isinstance(found, set):
        found.add(ref)
    elif found is not ref and found != ref:
        table[key] = {found, ref}


def _refs(table, key):
    """A new set of the refs under ``key``."""
    found = table.get(key)
    if found is None:
        return set()
    return set(found) if isinstance(found, set) else {found}


class OrganisationIndex(NameIndex):
    """Organisations also by alias and by identifier (GB-COH-02128897 or a bare number)."""

    def __init__(self):
        super().__init__(Organisation, "name")
        self.by_extra["identifiers"] = {}
        for org_id, name in OrganisationAlias.objects.values_list("organisation_id", "name"):
            _put(self.by_name, normalise_name(name), org_id)
        self.by_identifier = {}
        for org_id, scheme, value in Identifier.objects.values_list(
            "organisation_id", "scheme", "value"
        ):
            self.by_identifier[(scheme, value)] = org_id
        self.keyed["identifiers"] = set(self.by_identifier.values())

    def candidates(self, text):
        identifier = parse_identifier(text, strict=True)
        if identifier and identifier in self.by_identifier:
            return {self.by_identifier[identifier]}
        return super().candidates(text)

    def add_identifier(self, ref, identifier):
        self.by_identifier[identifier] = ref
        self.keyed["identifiers"].add(ref)


SCHEMES = frozenset(Identifier.Scheme.values)
# An org-id: a two-letter country (or XI, XM), a register code, then the value.
ORG_ID = re.compile(r"^([A-Z]{2})-([A-Z0-9]+)-(.+)$", re.IGNORECASE)
# Eight characters: digits, two letters and six digits (SC, NI, OC, SO, NC...), or R and seven.
COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R\d{7})$")
MAX_VALUE = Identifier._meta.get_field("value").max_length


class IdentifierDropped(ValueError):
    """An identifier the import cannot file: its row imports without it, with a warning."""


def read_identifier(text):
    """(scheme, value, note) from "GB-COH-02128897" or, as Companies House, "02128897".

    The note tells of a number padded to eight digits. Raises ``IdentifierDropped`` for an
    unknown scheme or a value that fails its scheme's check: never filed under another.
    """
    text = str(text).strip().replace(" ", "")
    match = ORG_ID.match(text)
    scheme, raw = (f"{match[1]}-{match[2]}".upper(), match[3]) if match else ("GB-COH", text)
    if scheme not in SCHEMES:
        raise IdentifierDropped(f"“{text}” is of {scheme}, a scheme this database does not know")
    value = normalise_identifier(scheme, raw)
    if scheme == "GB-COH" and not COMPANY_NUMBER.match(value):
        raise IdentifierDropped(
            f"“{text}” is not a Companies House number (eight characters: digits, or a "
            "prefix such as SC, NI or OC and digits)"
        )
    if len(value) > MAX_VALUE:
        raise IdentifierDropped(f"“{text}” is longer than {MAX_VALUE} characters")
    padded = scheme == "GB-COH" and value != raw.upper()
    note = f"“{raw}” was read as {scheme}-{value}, padded to eight digits" if padded else ""
    return scheme, value, note


def parse_identifier(text, strict=False):
    """(scheme, value) of a valid identifier, or None.

    With ``strict``, a bare value must look like a company number (digits, or two letters
    and six digits), so that names are never read as identifiers.
    """
    bare = str(text).strip().replace(" ", "")
    if (
        strict
        and not ORG_ID.match(bare)
        and not (bare.isdigit() or COMPANY_NUMBER.match(bare.upper()))
    ):
        return None
    try:
        return read_identifier(text)[:2]
    except IdentifierDropped:
        return None
