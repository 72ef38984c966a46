"""A sheet of citations: each row names the record it backs, and is planned as the inline
citation columns of that record's own sheet would be.

``record_kind`` is a kind ("contracts", "organisation") or any citable model
("contract_party"); ``record`` names the record as the other sheets do (slug, name,
identifier), or "#12" for its id. A row with no name of its own is named by its natural key,
its parts separated by ";" ("NHSE-PETCT-2016; Alliance Medical; supplier" for a contract
party, "GB-COH-02128897" for an identifier), so a file can cite the rows it creates: these
are resolved once every other sheet is planned.
"""

from functools import lru_cache

from django.apps import apps

from investigations import models as m

from . import values as v
from .apply import (
    CHILD_KEYS,
    add_citation,
    check_citation_values,
    cited_field,
    confirmed_value,
    dropped_identifiers,
    find_source,
    identity,
    plan_citation,
    planned_children,
)
from .cells import SEPARATOR, split_items
from .errors import RowError
from .keys import IdentifierDropped, Pending, read_identifier
from .kinds import KINDS
from .rows import NewRow


def plan_citation_row(planner, kind, draft, existing):
    """Plan the one citation a row of a citations sheet gives; "created" or "unchanged"."""
    if not draft.citation:
        raise RowError("source", "a citation needs a source title, id or URL")
    model, ref = _record(planner, draft.row)
    if ref is None:
        return "unchanged"  # an identifier the batch could not file, as its row said
    obj = ref.stand_in() if isinstance(ref, NewRow) else _cited_object(planner, model, ref)
    _check_repeat(planner, draft, model, ref)
    before = len(planner.plan.citations)
    new = not isinstance(ref, int)
    plan_citation(planner, draft, obj, new=new, target=ref if isinstance(ref, NewRow) else None)
    if len(planner.plan.citations) == before:
        return "unchanged"
    planner.plan.citations[-1] = _with_extras(planner.plan.citations[-1], draft.values, obj)
    return "created"


def plan_known_citation(planner, number, row):
    """Plan a row whose record its reader knows (``reading.KnownCitation``): "created" or
    "unchanged", having planned what ``plan_citation_row`` would; or None, having planned
    nothing, where its record is not one this batch plans or knows, or a cell needs a closer
    look. That row is then read as the row it stands for and planned as any other, with the
    same errors. A known row is never a repeat: it cites a JSON path of its own."""
    if not row.locator or len(row.locator) > LOCATOR_LENGTH or "\x00" in row.locator:
        return None
    given = {"cited_field": row.cited_field, **row.source, "locator": row.locator}
    try:
        check_citation_values(planner, row.source)
        if row.record_kind == "identifier" and row.key in dropped_identifiers(planner):
            return "unchanged"  # its row imported without it, with a warning
        model, ref = _known_record(planner, row)
        source = find_source(planner, given)
        if ref is None or source is None:
            return None
        if isinstance(ref, NewRow):
            planned = _plan_known_child(planner, number, given, ref, source)
        else:
            planned = _plan_known_record(planner, number, given, model, ref, source)
    except ValueError:
        return None
    return None if planned is None else ("created" if planned else "unchanged")


LOCATOR_LENGTH = m.Citation._meta.get_field("locator").max_length


def _known_record(planner, row):
    """(model, ref) of the record a known citation backs, ref None where it is not planned
    in this batch (a child row) or known by the index (a record)."""
    if row.record_kind == "contracts":
        return m.Contract, _named(planner.index("contract"), row.key)
    if row.record_kind == "contract_party":
        reference, organisation, role = row.key
        contract = _named(planner.index("contract"), reference)
        party = (identity(contract), identity(_named(planner.index("organisation"), organisation)))
        return m.ContractParty, planned_children(planner, m.ContractParty).get((*party, role))
    if row.record_kind == "identifier":
        key = read_identifier(row.key)[:2]
        return m.Identifier, planned_children(planner, m.Identifier).get(key)
    return None, None


def _plan_known_child(planner, number, given, child, source):
    """A child row planned in this batch, cited as a whole: its claims need no stand-in."""
    if given["cited_field"]:
        return None
    return add_citation(planner, given, number, child.model, child, "", "", source, None)


def _plan_known_record(planner, number, given, model, ref, source):
    obj = _cited_object(planner, model, ref)
    field_name = cited_field(model, given)
    confirmed = confirmed_value(obj, field_name)
    record, existing = (obj, None) if obj.pk is None else (obj.pk, obj.pk)
    return add_citation(
        planner, given, number, model, record, field_name, confirmed, source, existing
    )


def _cited_object(planner, model, ref):
    """The record a citation backs, to read its claims from: planned here, or in the
    database (with the values this batch gives it)."""
    if isinstance(ref, Pending):
        return ref.instance
    return _record_as_planned(planner, model, ref)


def _with_extras(citation, values, obj):
    """The planned citation with what only a citations sheet gives: marker and note."""
    extras = {k: values[k] for k in ("marker", "note") if values.get(k)}
    if not extras:
        return citation
    planned = dict(zip(citation.names, citation.values, strict=True))
    if extras.get("marker"):
        extras["confirmed_value"] = confirmed_value(obj, planned["field_name"], extras["marker"])
    return NewRow(citation.model, {**planned, **extras}, citation.number)


def _record_as_planned(planner, model, pk):
    """The cited record with the values this batch gives it, each loaded once.

    Its citation is confirmed against those values (``apply.confirmed_value``).
    """
    records = planner.memo(
        ("cited records", model),
        lambda: {obj.pk: obj for obj in planner.plan.updated.get(model, {})},
    )
    if pk not in records:
        records[pk] = model._default_manager.filter(pk=pk).first()
    if records[pk] is None:
        raise RowError("record", "the record was deleted meanwhile")
    return records[pk]


def record_kind_of(model):
    """The ``record_kind`` an export writes: the kind's name, else the model's name."""
    kind = next((k for k in KINDS.values() if k.model is model), None)
    return kind.name if kind else model._meta.model_name


def record_label(obj):
    """The ``record`` an export writes: the slug where there is one, else "#id"."""
    return getattr(obj, "slug", "") or f"#{obj.pk}"


def _record(planner, row):
    text, wanted = str(row.get("record") or "").strip(), row.get("record_kind")
    if not text:
        raise RowError("record", "a value is required")
    model, kind = _model_named(wanted)
    if model is None:
        raise RowError("record_kind", f"“{wanted or ''}” is not a kind of citable record")
    try:
        return model, _resolve(planner, model, kind, text)
    except ValueError as error:
        raise RowError("record", str(error)) from None


@lru_cache(maxsize=64)
def _model_named(text):
    wanted = str(text or "").strip().lower().replace(" ", "_").replace("-", "_")
    for kind in KINDS.values():
        names = (kind.name, kind.name.rstrip("s"), *kind.aliases, _model_name(kind.model))
        if wanted and wanted in names and _citable(kind.model):
            return kind.model, kind
    for model in apps.get_app_config("investigations").get_models():
        if wanted and wanted in (model._meta.model_name, _model_name(model)) and _citable(model):
            return model, None
    return None, None


def _resolve(planner, model, kind, text):
    if kind is not None and kind.key:
        return _named(planner.index(kind.name), text)
    number = text[1:] if text.startswith("#") else ""
    if number.isdigit() and model._default_manager.filter(pk=int(number)).exists():
        return int(number)
    if model is m.Identifier and text in dropped_identifiers(planner):
        return None  # its row imported without it, with a warning: its citation is moot
    parts = NATURAL_KEYS.get(model) or (kind and kind.key_fields)
    label = model._meta.verbose_name
    if number or not parts:
        raise ValueError(f"no {label} has the id “{text}”; name a {label} by its id, as “#12”")
    found = _by_natural_key(planner, model, kind, parts, text)
    if found is None:
        raise ValueError(
            f"no {label} is “{text}”, in this file or the database; name one by "
            f"{'; '.join(parts)}, or by its id, as “#12”"
        )
    return found


# The parts of the natural key that names a child row, in the order a "record" cell gives
# them: each an index to resolve the part in, or None for a value of the row's own.
NATURAL_KEYS = {
    m.ContractParty: {"contract": "contract", "organisation": "organisation", "role": None},
    m.ConcernParty: {"concern": "concern", "organisation": "organisation"},
    m.OrganisationAlias: {"organisation": "organisation", "name": None},
    m.Identifier: {"identifier": None},
}


def _by_natural_key(planner, model, kind, parts, text):
    """The id of the row ``text`` names, or what is planned for it; None if nothing is."""
    if model is m.Identifier:
        try:
            key = read_identifier(text)[:2]
        except IdentifierDropped as problem:
            raise ValueError(str(problem)) from None
        planned = planned_children(planner, model).get(key)
        return planned or _existing(model, scheme=key[0], value=key[1])
    given = split_items(text)
    label = model._meta.verbose_name
    if len(given) > len(parts) and "organisation" in parts:
        # An organisation's name may hold the separator: the surplus parts are its name.
        at, surplus = list(parts).index("organisation"), len(given) - len(parts)
        given[at : at + surplus + 1] = [SEPARATOR.join(given[at : at + surplus + 1])]
    if len(given) > len(parts):
        raise ValueError(f"“{text}” has {len(given)} parts; a {label} has {len(parts)}")
    given += [None] * (len(parts) - len(given))
    if kind is not None:  # a kind of its own, keyed by a combination of fields
        key = tuple(
            _part(planner, model, name, kind.refs.get(name), part)
            for name, part in zip(parts, given, strict=True)
        )
        return planner.tuple_index(kind).get(key)
    values = [
        _part(planner, model, name, index, part)
        for (name, index), part in zip(parts.items(), given, strict=True)
    ]
    if model is m.OrganisationAlias:
        values[-1] = m.normalise_name(values[-1] or "")
    planned = planned_children(planner, model).get(tuple(map(identity, values)))
    if planned is not None or any(isinstance(value, Pending) for value in values):
        return planned
    return _existing(model, **dict(zip(CHILD_KEYS[model], values, strict=True)))


def _part(planner, model, name, index, text):
    """One part of a natural key: a record resolved in its index, or a value parsed."""
    if index and text is None:
        raise ValueError(f"the {name} is missing")
    if index:
        return _named(planner.index(index), text)
    field = model._meta.get_field(name)
    value = v.parse_value(field, text)
    return field.get_default() if value is None else value


def _named(index, text):
    """The one record ``text`` names by id, slug or name, else by a key such as a reference."""
    found = index.candidates(text)
    for column in index.by_extra:
        if not found:
            found = index.candidates_by(column, text)
    if len(found) == 1:
        return found.pop()
    return index.resolve(text)  # raises, naming the candidates


def _existing(model, **key):
    return model._default_manager.filter(**key).values_list("pk", flat=True).first()


def _check_repeat(planner, draft, model, ref):
    given = draft.citation
    key = (model, identity(ref) if not isinstance(ref, NewRow) else id(ref),
           *(str(given.get(c) or "").strip() for c in ("cited_field", "source", "source_url",
                                                       "quote", "locator")))  # fmt: skip
    seen = planner.memo(("citation rows",), dict)
    if key in seen:
        raise RowError("record", f"duplicate of row {seen[key]}")
    seen[key] = draft.number


def _model_name(model):
    return str(model._meta.verbose_name).replace(" ", "_")


def _citable(model):
    return issubclass(model, m.Citable)
