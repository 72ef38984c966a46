"""A sheet of citations: each row names the record it backs, and is planned as the inline
citation columns of that record's own sheet would be.

``record_kind`` is a kind ("contracts", "organisation") or any citable model
("contract_party"); ``record`` names the record as the other sheets do (slug, name,
identifier, or "#12" for the id). A contract party and an identifier, which have no name,
are named by their natural keys, so rows planned in the same file can be cited:
"<contract>;<organisation>;<role>" and the org-id ("GB-COH-02128897").
"""

from functools import lru_cache

from django.apps import apps

from investigations import models as m

from .apply import confirmed_value, dropped_identifiers, plan_citation, planned_children
from .cells import SEPARATOR
from .errors import RowError
from .keys import IdentifierDropped, Pending, read_identifier
from .kinds import KINDS
from .rows import NewRow
from .values import parse_choice


def plan_citation_row(planner, kind, draft, existing):
    """Plan the one citation a row of a citations sheet gives; "created" or "unchanged"."""
    if not draft.citation:
        raise RowError("source", "a citation needs a source title, id or URL")
    model, ref = _record(planner, draft.row)
    if ref is None:
        return "unchanged"  # an identifier the batch could not file, as its row said
    obj = _cited_object(planner, model, ref)
    _check_repeat(planner, draft, model, ref)
    before = len(planner.plan.citations)
    plan_citation(planner, draft, obj, new=isinstance(ref, (Pending, NewRow)))
    if len(planner.plan.citations) == before:
        return "unchanged"
    citation = planner.plan.citations[-1]
    if isinstance(ref, NewRow):
        citation = _replaced(citation, object_id=ref)  # its id is known once it is written
    planner.plan.citations[-1] = _with_extras(citation, draft.values, obj)
    return "created"


def _cited_object(planner, model, ref):
    if isinstance(ref, Pending):
        return ref.instance
    if isinstance(ref, NewRow):
        return ref.instance()  # only read for its claims: the row itself is written later
    return _record_as_planned(planner, model, ref)


def _replaced(citation, **values):
    planned = dict(zip(citation.names, citation.values, strict=True))
    return NewRow(citation.model, {**planned, **values}, citation.number)


def _with_extras(citation, values, obj):
    """The planned citation with what only a citations sheet gives: marker and note."""
    extras = {k: values[k] for k in ("marker", "note") if values.get(k)}
    if not extras:
        return citation
    if extras.get("marker"):
        field_name = citation.values[citation.names.index("field_name")]
        extras["confirmed_value"] = confirmed_value(obj, field_name, extras["marker"])
    return _replaced(citation, **extras)


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
    if model in NATURAL_KEYS:
        return NATURAL_KEYS[model](planner, text)
    if kind is not None and kind.key:
        index = planner.index(kind.name)
        found = index.candidates(text)
        for column in kind.key:
            if not found and column in index.by_extra:
                found = index.candidates_by(column, text)
        if len(found) == 1:
            return found.pop()
        return index.resolve(text)  # raises, naming the candidates
    number = text[1:] if text.startswith("#") else ""
    if number.isdigit() and model._default_manager.filter(pk=int(number)).exists():
        return int(number)
    label = model._meta.verbose_name
    raise ValueError(f"no {label} has the id “{text}”; name a {label} by its id, as “#12”")


def _check_repeat(planner, draft, model, ref):
    given = draft.citation
    key = (model, ref if not isinstance(ref, Pending) else id(ref.instance),
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


def _contract_party(planner, text):
    """The party named "<contract>;<organisation>;<role>": planned here, or in the database."""
    contract, *organisation, role = [part.strip() for part in text.split(SEPARATOR)]
    if not organisation:
        raise ValueError(f"name a contract party as “<contract>{SEPARATOR}<organisation>"
                         f"{SEPARATOR}<role>”, or by its id as “#12”")  # fmt: skip
    contract = _resolve(planner, m.Contract, KINDS["contracts"], contract)
    organisation = _resolve(
        planner, m.Organisation, KINDS["organisations"], SEPARATOR.join(organisation)
    )
    role = parse_choice(m.ContractParty._meta.get_field("role"), role)
    found = planned_children(planner, m.ContractParty).get((contract, organisation, role))
    return found or _existing(planner, m.ContractParty, (contract, organisation, role), text)


def _identifier(planner, text):
    """The identifier named by its org-id; None for one this batch could not file."""
    try:
        scheme, value, _note = read_identifier(text)
    except IdentifierDropped:
        if text in dropped_identifiers(planner):
            return None
        raise
    found = planned_children(planner, m.Identifier).get((scheme, value))
    return found or _existing(planner, m.Identifier, (scheme, value), text)


EXISTING_KEYS = {
    m.ContractParty: ("contract_id", "organisation_id", "role"),
    m.Identifier: ("scheme", "value"),
}


def _existing(planner, model, key, text):
    """The id of the row in the database with this natural key, all of them loaded once."""
    rows = model._default_manager.values_list("pk", *EXISTING_KEYS[model])
    ids = planner.memo(
        ("natural keys", model), lambda: {tuple(k): pk for pk, *k in rows.iterator(5000)}
    )
    if tuple(key) not in ids:
        raise ValueError(f"no {model._meta.verbose_name} “{text}”")
    return ids[tuple(key)]


NATURAL_KEYS = {
    m.ContractParty: _contract_party,
    m.Identifier: _identifier,
}
