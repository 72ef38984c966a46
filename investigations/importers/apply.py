"""Second pass of planning: one valid row becomes planned creates, updates and child rows.

A blank cell means "not given": it never clears a value already in the database, so a
partial spreadsheet can safely update a few columns.
"""

import sys
from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from investigations import models as m

from . import values as v
from .errors import RowError
from .keys import Pending
from .rows import NewRow

CHILD_KEYS = {
    m.ContractParty: ("contract_id", "organisation_id", "role"),
    m.ConcernParty: ("concern_id", "organisation_id"),
    m.OrganisationAlias: ("organisation_id", "normalised_name"),
}


def apply_draft(planner, kind, draft, existing):
    """Plan one row; returns "created", "updated" or "unchanged"."""
    plan, target = planner.plan, draft.target
    if isinstance(target, int):
        obj = existing.get(target)
        if obj is None:
            raise RowError("", "the matching record was deleted meanwhile")
        new = False
    else:
        obj, new = (target.instance if target else kind.model()), True
    changed = _set_fields(obj, draft)
    if target is None:
        _claim_only_what_is_given(obj, draft)
        plan.create(obj, draft.number)
        _register(planner, kind, draft, obj)
    elif changed and not new:
        plan.update(obj, changed, draft.number)
    added = _plan_children(planner, kind, draft, obj, new)
    added += plan_citation(planner, draft, obj, new)
    if isinstance(obj, m.Publishable) and (new or changed or added):
        plan.publishable.append(obj)
    if target is None:
        return "created"
    return "updated" if changed or added else "unchanged"


def _claim_only_what_is_given(obj, draft):
    """A new record claims nothing its row does not say: a claim whose default is a choice
    (an organisation's "active") is "unknown" unless the row gives it, so it needs no
    citation the file could not have."""
    for name in obj.claim_fields:
        field = obj._meta.get_field(name)
        unknown = field.choices and "unknown" in dict(field.choices)
        if unknown and draft.values.get(name) is None and field.has_default():
            setattr(obj, name, "unknown")


def _set_fields(obj, draft):
    changed = set()
    for name, value in draft.values.items():
        if value is not None and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    for name, ref in draft.refs.items():
        attname = obj._meta.get_field(name).attname
        if isinstance(ref, Pending) or getattr(obj, attname) != ref:
            assign(obj, name, ref)
            changed.add(name)
    return changed


def assign(obj, name, ref):
    """Point a foreign key at an existing id or at a record planned in this batch."""
    if isinstance(ref, Pending):
        setattr(obj, name, ref.instance)
    else:
        setattr(obj, obj._meta.get_field(name).attname, ref)


def ref_of(obj):
    return obj.pk if obj.pk is not None else Pending(obj)


def _register(planner, kind, draft, obj):
    """Later rows and sheets of the batch can find a record planned here."""
    pending = Pending(obj)
    if kind.key_fields:
        planner.tuple_index(kind)[planner.tuple_key(kind, draft)] = pending
        return
    index = planner.index(kind.name)
    index.add(pending, [getattr(obj, kind.name_field)])
    index.add_extra("reference", pending, getattr(obj, "reference", ""))
    index.add_extra("url", pending, getattr(obj, "url", ""))


def _plan_children(planner, kind, draft, parent, new):
    added = 0
    for spec, value in draft.children:
        values = dict(spec.extra)
        values[_attname(spec.model, spec.parent_field)] = _planned(ref_of(parent))
        if spec.kind == "organisation":
            values["organisation_id"] = _planned(value)
        elif spec.kind == "alias":
            values["name"], values["normalised_name"] = value, m.normalise_name(value)
            if values["normalised_name"] == m.normalise_name(parent.name):
                continue
            planner.index("organisation").add(ref_of(parent), [value])
        else:
            if not _new_identifier(planner, parent, value):
                continue
            values["scheme"], values["value"] = value
        child = NewRow(spec.model, values, draft.number)
        if not new and _child_exists(planner, child):
            continue
        planner.plan.create(child, draft.number)
        _remember_child(planner, child)
        planned_children(planner, spec.model)[planned_key(child)] = child
        added += 1
    return added


def planned_children(planner, model):
    """{natural key: NewRow} of the child rows planned in this batch, which a citations
    sheet can name before they have ids."""
    return planner.memo(("planned children", model), dict)


def planned_key(child):
    """A child row's natural key; a parent planned in this batch stands as its identity."""
    names = ("scheme", "value") if child.model is m.Identifier else CHILD_KEYS[child.model]
    return tuple(identity(child.planned(name)) for name in names)


def identity(value):
    """A key part: an id as it is, a record planned in this batch as a ``Pending``, which
    compares by identity (and costs half a tuple of a tag and an id)."""
    if isinstance(value, Pending):
        return value
    return Pending(value) if isinstance(value, Model) else value


def dropped_identifiers(planner):
    """The identifiers (as the file gives them) this batch could not file."""
    return planner.memo(("dropped identifiers",), set)


def _attname(model, name):
    return model._meta.get_field(name).attname


def _planned(ref):
    """An id, or the instance planned in this batch (its id is known once it is written)."""
    return ref.instance if isinstance(ref, Pending) else ref


def _new_identifier(planner, parent, identifier):
    index = planner.index("organisation")
    owner = index.by_identifier.get(identifier)
    if owner is None:
        index.add_identifier(ref_of(parent), identifier)
        return True
    if owner == ref_of(parent):
        return False
    if owner == parent.pk:
        return False
    raise RowError("identifiers", f"{'-'.join(identifier)} belongs to {index.describe(owner)}")


def _child_key(child):
    names = CHILD_KEYS.get(child.model)
    return (child.model, *(child.get(n) for n in names)) if names else None


def _child_exists(planner, child):
    key = _child_key(child)
    return key is not None and key in _existing_children(planner, child.model)


def _remember_child(planner, child):
    key = _child_key(child)
    if key is not None and None not in key:
        _existing_children(planner, child.model).add(key)


def _existing_children(planner, model):
    """Child rows already in the database, loaded once per batch."""
    names = CHILD_KEYS[model]
    return planner.memo(
        ("children", model),
        lambda: {(model, *row) for row in model.objects.values_list(*names).iterator(5000)},
    )


def plan_citation(planner, draft, obj, new, target=None):
    """Plan the citation a row gives ``obj`` (``target``, where the record is a planned
    child row); returns how many were planned: 0 where the database has it already."""
    given = draft.citation
    if not given:
        return 0
    field_name = cited_field(type(obj), given)
    record = target or (obj.pk if obj.pk is not None else obj)
    confirmed = confirmed_value(obj, field_name)
    source = _source(planner, given, draft.number)
    existing = None if new else obj.pk
    return add_citation(
        planner, given, draft.number, type(obj), record, field_name, confirmed, source, existing
    )


def cited_field(model, given):
    field_name = str(given.get("cited_field") or "").strip()
    if field_name and field_name not in (*model.claim_fields, *model.prose_fields):
        raise RowError("cited_field", f"“{field_name}” is not a claim of this record")
    return field_name


def add_citation(planner, given, number, model, record, field_name, confirmed, source, existing):
    """Plan one citation of ``record`` (an id, or a record planned in this batch) to
    ``source``, unless the record is in the database (``existing``, its id) and has it."""
    # Interned: a batch holds one of these per citation until it is written.
    confidence = sys.intern(str(given.get("confidence") or "high").lower())
    if confidence not in CONFIDENCES:
        raise RowError("confidence", "must be high, medium or low")
    values = {
        "content_type_id": ContentType.objects.get_for_model(model).pk,
        "object_id": record,
        "field_name": field_name,
        "quote": str(given.get("quote") or ""),
        "locator": str(given.get("locator") or ""),
        "confidence": confidence,
        "source_id": _planned(source),
        "confirmed_value": confirmed,
    }
    citation = NewRow(m.Citation, values, number)
    known = existing is not None and isinstance(source, int)
    if known and _citation_exists(planner, existing, citation):
        return 0
    planner.plan.citations.append(citation)
    return 1


# The field each citation column is written to, when it makes a source or a citation.
CITATION_FIELDS = {
    "source": m.Source._meta.get_field("title"),
    "source_url": m.Source._meta.get_field("url"),
    "quote": m.Citation._meta.get_field("quote"),
    "locator": m.Citation._meta.get_field("locator"),
}


def check_citation_values(planner, given):
    """RowError for the first citation cell whose value its field refuses.

    A batch cites each source on row after row and sheet after sheet, and checking its
    address costs more than the rest of the row: each source cell is checked once a batch.
    """
    checked = checked_source_cells(planner)
    for column, field in CITATION_FIELDS.items():
        value = given.get(column)
        if value is None or value in checked.get(column, ()):
            continue
        try:
            v.parse_value(field, value)
        except ValueError as error:
            raise RowError(column, str(error)) from None
        if column in checked:
            checked[column].add(value)


def checked_source_cells(planner):
    """{citation column: the cells of it the batch has found good}, for the source columns."""
    return planner.memo(("checked source cells",), lambda: {"source": set(), "source_url": set()})


# Read once: the enum builds its list of values anew on every read.
CONFIDENCES = frozenset(m.Citation.Confidence.values)


def confirmed_value(obj, field_name, marker=""):
    """The value a planned citation is confirmed against, from the record as planned.

    A foreign key to a record planned in this batch has no id yet: the record stands in for
    it, and becomes its id when the citation is written (``rows.NewRow.resolved``).
    """
    field = obj._meta.get_field(field_name) if field_name and not marker else None
    if field and field.is_relation and getattr(obj, field.attname) is None:
        return field.get_cached_value(obj, default=None) or ""
    value = m.claim_value(obj, field_name, marker)
    return _shared(value) if len(value) <= SHARED_LENGTH else value


# A batch holds each citation's value until it is written, and short ones (dates, codes)
# repeat from row to row: one copy of each recent one is kept.
SHARED_LENGTH = 10
_shared = lru_cache(maxsize=4096)(lambda text: text)


def _source(planner, given, number):
    """The cited source, found by id, URL or title; a new draft source if none matches."""
    found = find_source(planner, given)
    if found is not None:
        return found
    text, url = str(given.get("source") or "").strip(), str(given.get("source_url") or "").strip()
    source = m.Source(title=text or url, url=url)
    planner.plan.create(source, number)
    planner.plan.publishable.append(source)
    pending = Pending(source)
    index = planner.index("source")
    index.add(pending, [source.title])
    index.add_extra("url", pending, url)
    return pending


def find_source(planner, given):
    """The source a citation names by URL or title (an id or a planned source), or None."""
    index = planner.index("source")
    text, url = str(given.get("source") or "").strip(), str(given.get("source_url") or "").strip()
    for value, found in (
        (url, url and index.candidates_by("url", url)),
        (text, text and index.candidates(text)),
    ):
        if found and len(found) == 1:
            return next(iter(found))
        if found:
            return index.resolve(value)  # raises, naming the candidates
    return None


def _citation_exists(planner, pk, citation):
    get = citation.get
    key = (get("content_type_id"), get("field_name"), get("source_id"))

    def load():
        rows = m.Citation.objects.filter(content_type_id=key[0]).values_list(
            "object_id", "field_name", "source_id", "quote", "locator"
        )
        return set(rows.iterator(5000))

    cache = planner.memo(("citations", key[0]), load)
    return (pk, *key[1:], get("quote"), get("locator")) in cache
