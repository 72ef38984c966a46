"""Validate every row and plan the writes, without writing anything.

The plan is the whole import in memory: new instances, changed instances with their
changed fields, and child rows and citations as plain values (``rows.NewRow``). Only when every row has been checked does
``write.write_plan`` touch the database, so an atomic import that fails writes nothing.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField
from django.utils import timezone

from investigations import models as m

from . import values as v
from .apply import (
    apply_draft,
    check_citation_values,
    checked_source_cells,
    dropped_identifiers,
)
from .cells import is_blank, split_items
from .citation_sheet import plan_citation_row, plan_known_citation
from .errors import RowError, error_entry
from .keys import (
    IdentifierDropped,
    NameIndex,
    OrganisationIndex,
    Pending,
    parse_identifier,
    read_identifier,
)
from .kinds import CITATION_COLUMNS, KINDS, ChildSpec
from .mapping import groups_parties, hint, suggest
from .matching import MatchRefused, NameMatcher
from .reading import KnownCitation
from .rows import NewRow

# Key columns that name one record for sure; a name or title may be shared by two.
STRONG_KEYS = ("slug", "reference", "url", "identifiers")
OWN_KEYS = ("slug", "reference", "url")  # a new one of these makes the row a record of its own
MAX_ROW_WARNINGS = 500


@dataclass
class Plan:
    created: dict = field(default_factory=lambda: defaultdict(list))
    updated: dict = field(default_factory=lambda: defaultdict(dict))  # model → {obj: fields}
    rows: dict = field(default_factory=dict)  # id(instance) → row number; NewRows carry theirs
    citations: list = field(default_factory=list)  # NewRow of Citation
    publishable: list = field(default_factory=list)  # records the gate may publish

    def create(self, obj, number):
        if isinstance(obj, NewRow):
            self.created[obj.model].append(obj)
        else:
            self.created[type(obj)].append(obj)
            self.rows[id(obj)] = number

    def snapshot(self):
        created = {k: len(v) for k, v in self.created.items()}
        return created, len(self.citations), len(self.publishable)

    def restore(self, snapshot, obj):
        """Forget what a rejected row had planned."""
        created, citations, publishable = snapshot
        for model, objs in self.created.items():
            del objs[created.get(model, 0) :]
        del self.citations[citations:]
        del self.publishable[publishable:]
        self.updated.get(type(obj), {}).pop(obj, None)

    def update(self, obj, fields, number):
        self.updated[type(obj)].setdefault(obj, set()).update(fields)
        self.rows[id(obj)] = number


@dataclass
class SheetResult:
    name: str
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    rejected_rows: list = field(default_factory=list)  # (number, row, message)
    dropped: list = field(default_factory=list)  # columns not imported, with a suggestion
    unmapped: list = field(default_factory=list)  # [column, suggested target or ""]
    mapped: dict = field(default_factory=dict)  # the file's column → the target it was read as
    grouped: list = field(default_factory=list)  # how rows were grouped, one line a group
    candidates: list = field(default_factory=list)  # matches by name alone (matching.NameMatch)
    more_warnings: int = 0  # row warnings past MAX_ROW_WARNINGS, counted only

    def warn(self, text):
        """A row's warning; past a few hundred only counted, so a big file's batch stays small."""
        if len(self.warnings) < MAX_ROW_WARNINGS:
            self.warnings.append(text)
        else:
            self.more_warnings += 1

    def _more(self):
        return [f"… and {self.more_warnings} more warnings"] if self.more_warnings else []

    def summary(self):
        return {
            "kind": self.kind,
            "dropped": self.dropped,
            "unmapped": self.unmapped,
            "mapped": self.mapped,
            "grouped": self.grouped,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.unchanged,
            "rejected": self.rejected,
            "warnings": self.warnings + self._more(),
            "candidates": [c.as_dict() for c in self.candidates[:MAX_ROW_WARNINGS]],
        }


class Planner:
    """Plans sheets in dependency order, sharing key indexes across the whole batch."""

    def __init__(
        self, zero_is_unknown=False, strict_identifiers=False, match_by_name=False, decisions=None
    ):
        self.plan = Plan()
        self.matcher = NameMatcher(match_by_name, decisions)
        # An old name kept on a rename is dated: it was a former name by the day of import.
        today = m.PartialDate(timezone.localdate().isoformat())
        self.former_name = ChildSpec(
            m.OrganisationAlias, "organisation", "alias", {"kind": "former", "end": today}
        )
        self._indexes = {}
        self._memos = {}
        self.zero_is_unknown, self.strict_identifiers = zero_is_unknown, strict_identifiers
        self._zeros = Counter()  # money columns whose 0 was read as unknown, in this sheet

    def memo(self, key, load):
        """What ``load()`` returns, made once per batch: the indexes of existing rows and
        what the row planners remember from row to row."""
        if key not in self._memos:
            self._memos[key] = load()
        return self._memos[key]

    def forget_lookups(self):
        """Drop the indexes and memos once every sheet is planned: the write reads only the
        plan, and at a year of OCDS awards they hold some 45 MB it can use instead."""
        self._indexes.clear()
        self._memos.clear()

    def index(self, name):
        name = CANONICAL.get(name, name)
        if name not in self._indexes:
            self._indexes[name] = _build_index(name)
        return self._indexes[name]

    def plan_sheet(self, sheet, kind, progress=None):
        result = SheetResult(
            sheet.name, kind.name, warnings=list(sheet.warnings), mapped=sheet.mapped,
            grouped=sheet.grouped,
        )  # fmt: skip
        self._check_columns(sheet, kind, result)
        if result.errors:
            return result
        drafts = []
        # A row planned on its own (a citation) has no record to look up in bulk nor
        # duplicate to find: each is planned as it is read, and none is held.
        seen = None if kind.name in ROW_PLANS else {}
        for count, (number, row) in enumerate(sheet.rows, start=1):
            if isinstance(row, KnownCitation):
                row = self._known_citation(number, row, result)
                if row is None:
                    _report_progress(progress, count)
                    continue
            grouping = [RowError(*e) for e in sheet.row_errors.get(number, ())]
            draft = Draft(number, row, errors=grouping, sheet=sheet.name)
            draft = self._draft(kind, draft, seen, result)
            if draft and seen is None:
                self._apply(kind, draft, {}, result)
                _report_progress(progress, count)
            elif draft:
                drafts.append(draft)
        sheet.rows = []  # the drafts hold what is still needed; free the rest early
        seen = None  # duplicates are found in the first pass only
        existing = self._load_existing(kind, drafts)
        for count in range(1, len(drafts) + 1):
            draft, drafts[count - 1] = drafts[count - 1], None
            self._apply(kind, draft, existing, result)
            _report_progress(progress, count)
        self._report_zeros(result)
        return result

    def _known_citation(self, number, row, result):
        """None once a known citation is planned; else the row it stands for, to plan."""
        action = plan_known_citation(self, number, row)
        if action is None:
            return row.as_row()
        setattr(result, action, getattr(result, action) + 1)
        return None

    def _report_zeros(self, result):
        for column, count in sorted(self._zeros.items()):
            result.warnings.append(
                f"{column}: {count} value(s) of 0 read as unknown (no value given), as asked"
            )
        self._zeros.clear()

    def _check_columns(self, sheet, kind, result):
        missing = [c for c in kind.required if c not in sheet.headers]
        if missing:
            result.errors.append(
                error_entry(sheet.name, None, ", ".join(missing), "required column missing")
            )
        unknown = [h for h in sheet.headers if h not in kind.columns]
        if unknown:
            result.unmapped = [[column, suggest(kind, column) or ""] for column in unknown]
            result.dropped = [hint(kind, column) for column in unknown]
            result.warnings.append(
                f"Columns ignored (not importable), whose values will be dropped: "
                f"{', '.join(result.dropped)}"
            )

    # First pass: parse cells, resolve references and the key; no query per row.
    def _draft(self, kind, draft, seen, result):
        try:
            self._parse(kind, draft)
            draft.target = self._find(kind, draft)
            self._keep_name(kind, draft)
            self._check_duplicate(kind, draft, seen)
        except MatchRefused as error:
            draft.match = error.match
            draft.errors.append(error)
        except RowError as error:
            draft.errors.append(error)
        if draft.match and draft.match.candidates:
            result.candidates.append(draft.match)
        if draft.errors:
            self._reject(result, draft)
            return None
        return draft

    def _parse(self, kind, draft):
        model = kind.model
        for column in (kind.name_field, *kind.fields, "reference"):
            if column in draft.row and _has_field(model, column):
                draft.values[column] = self._cell(model, column, draft)
        for column, index in kind.refs.items():
            if not is_blank(draft.row.get(column)):
                draft.refs[column] = self._resolve(index, column, draft.row[column])
        self._money_currency(model, draft)
        for column in kind.required:
            if draft.values.get(column) is None and column not in draft.refs:
                draft.errors.append(RowError(column, "a value is required"))
        draft.children = self._children(kind, draft)
        if model is not m.Source:
            draft.citation = self._citation(draft.row)
        else:
            self._remember_source_cells(draft)

    def _remember_source_cells(self, draft):
        """A source's title and address read here are checked as a citation's would be."""
        checked = checked_source_cells(self)
        for column, cited in (("title", "source"), ("url", "source_url")):
            if draft.values.get(column) is not None:
                checked[cited].add(draft.row[column])

    def _cell(self, model, column, draft):
        try:
            value = v.parse_value(model._meta.get_field(column), draft.row[column])
        except ValueError as error:
            draft.errors.append(RowError(column, str(error)))
            return None
        if self.zero_is_unknown and value == 0 and _is_money(model, column):
            self._zeros[column] += 1
            return None
        return value

    def _money_currency(self, model, draft):
        """ "£350m" sets the currency too, unless the currency column says otherwise."""
        for column, raw in draft.row.items():
            if draft.values.get(column) is None or not _is_money(model, column):
                continue
            symbol_currency = v.parse_money(raw, negative=True)[1]
            given = draft.values.get("currency")
            if symbol_currency and given and given != symbol_currency:
                draft.errors.append(RowError(column, f"{raw!r} is not in {given}"))
            elif symbol_currency:
                draft.values["currency"] = symbol_currency

    def _resolve(self, index, column, text):
        try:
            return self.index(index).resolve(text)
        except ValueError as error:
            raise RowError(column, str(error)) from None

    def _children(self, kind, draft):
        children, named = [], {}
        for column, spec in kind.children.items():
            for item in split_items(draft.row.get(column)):
                try:
                    value = self._child_value(spec, item, draft, column)
                except IdentifierDropped as problem:
                    dropped_identifiers(self).add(item)  # citations of it are moot
                    if not self.strict_identifiers:
                        draft.warnings.append(f"{column}: {problem}; the row imports without it")
                        continue
                    draft.errors.append(RowError(column, str(problem)))
                    continue
                except ValueError as error:
                    draft.errors.append(RowError(column, str(error)))
                    continue
                if _is_repeat(draft, column, spec, value, item, named):
                    continue
                children.append((spec, value))
        return children

    def _child_value(self, spec, item, draft, column):
        if spec.kind == "organisation":
            return self.index("organisation").resolve(item)
        if spec.kind == "identifier":
            scheme, value, note = read_identifier(item)
            if note:
                draft.warnings.append(f"{column}: {note}")
            return scheme, v.parse_value(m.Identifier._meta.get_field("value"), value)
        return v.parse_value(spec.model._meta.get_field("name"), item)

    def _citation(self, row):
        given = {c: row.get(c) for c in CITATION_COLUMNS if not is_blank(row.get(c))}
        if not given:
            return None
        if not (given.get("source") or given.get("source_url")):
            raise RowError("source", "a citation needs a source title, id or URL")
        if not (given.get("quote") or given.get("locator")):
            raise RowError("quote", "a citation needs a quote or a locator")
        check_citation_values(self, given)
        return given

    def _find(self, kind, draft):
        """The existing (or earlier planned) record this row is about, or None.

        Strong keys (slug, reference, URL, identifiers) come first. A name or title alone
        never reaches a record that has a strong key of its own the row did not give: two
        awards with one title stay two contracts. A match by name alone, or a near miss, is
        a candidate the matcher decides on (``matching``).
        """
        if kind.key_fields:
            return self.tuple_index(kind).get(self.tuple_key(kind, draft))
        given = []
        for column in kind.key:
            text = draft.row.get(column)
            if is_blank(text):
                continue
            found = self._candidates(kind, column, text, given)
            if found and column not in STRONG_KEYS:
                return self._by_name(kind, draft, column, text, found)
            if found:
                return found.pop()
            if column != "identifiers" or _valid_identifiers(text):
                given.append(column)  # a dropped identifier is no key the row gives
        return self._near_miss(kind, draft, given)

    def _by_name(self, kind, draft, column, text, found):
        index = self.index(kind.name)
        args = (index, draft.sheet, draft.number, column, text, found)
        draft.match = self.matcher.exact(*args, draft.row.get("identifiers") or "")
        if draft.match.candidates and draft.match.chosen is not None:
            label = index.describe(draft.match.chosen)
            how = (
                "as chosen in the preview" if draft.match.decided else "as matching by name allows"
            )
            draft.warnings.append(
                f"{column}: “{text}” matched by {column} alone, to {label}, {how}"
            )
        return draft.match.chosen

    def _near_miss(self, kind, draft, given):
        """A near miss is a candidate too; it is the row's target only once accepted.

        Not looked for when the row gave a new slug, reference or URL: an award with its own
        reference is its own contract, whatever its title. A new identifier is no such
        sign: the record may be in the database without one yet.
        """
        column = kind.name_field
        text = draft.row.get(column)
        if column not in kind.key or is_blank(text) or set(given) & set(OWN_KEYS):
            return None
        index = self.index(kind.name)
        keep = lambda ref: not any(index.has_key(c, ref) for c in given)  # noqa: E731
        args = (index, draft.sheet, draft.number, column, text, keep)
        match = draft.match = self.matcher.near_miss(*args, draft.row.get("identifiers") or "")
        if match is not None and match.chosen is not None:
            label = index.describe(match.chosen)
            draft.warnings.append(
                f"{column}: “{text}” matched to {label}, as chosen in the preview"
            )
        elif match is not None and not match.decided:
            best = match.candidates[0]
            draft.warnings.append(
                f"{column}: “{text}” resembles {best['label']} (score {best['score']}); it is "
                "imported as a new record unless the match is accepted in the preview"
            )
        return match and match.chosen

    def _candidates(self, kind, column, text, given):
        index = self.index(kind.name)
        if column == "identifiers":
            found = self._by_identifiers(text)
        else:
            found = index.candidates_by(column, text)
        if column not in STRONG_KEYS:
            return {ref for ref in found if not any(index.has_key(c, ref) for c in given)}
        if len(found) > 1:
            names = "; ".join(sorted(index.describe(r) for r in found))
            raise RowError(column, f"“{text}” matches several records: {names}")
        return found

    def _keep_name(self, kind, draft):
        """A record matched by name keeps its name; an organisation keeps the row's spelling
        as an alias. One matched by a strong key under a new name is renamed, and keeps its
        old name as a former name, dated to this import."""
        if kind.model is not m.Organisation or draft.target is None:
            if draft.match and draft.match.candidates and draft.target is not None:
                draft.values.pop(kind.name_field, None)
            return
        name = draft.values.pop("name", None)
        index = self.index("organisation")
        if name is None or draft.target in index.candidates_by("name", name):
            return
        label = index.describe(draft.target)
        if (draft.match and draft.match.candidates) or isinstance(draft.target, Pending):
            draft.children.append((kind.children["aliases"], name))
            draft.warnings.append(
                f"name: “{name}” is kept as an alias of {label}, whose name stays"
            )
            return
        draft.values["name"] = name
        draft.children.append((self.former_name, index.labels[draft.target]))
        index.add(draft.target, [name])
        draft.warnings.append(
            f"name: {label} is renamed “{name}”; its old name is kept as a former name"
        )

    def _by_identifiers(self, text):
        index = self.index("organisation")
        identifiers = _valid_identifiers(text)
        return {index.by_identifier[i] for i in identifiers if i in index.by_identifier}

    def tuple_key(self, kind, draft):
        """The natural key of a row of a kind keyed by a combination of fields."""
        key = []
        for name in kind.key_fields:
            value = draft.refs.get(name, draft.values.get(name))
            if value is None:
                value = kind.model._meta.get_field(name).get_default()
            key.append(value)
        return tuple(key)

    def tuple_index(self, kind):
        """{natural key: id or Pending} of a kind keyed by a combination of fields."""

        def load():
            names = [kind.model._meta.get_field(f).attname for f in kind.key_fields]
            rows = kind.model._default_manager.values_list("pk", *names)
            return {tuple(r[1:]): r[0] for r in rows.iterator(5000)}

        return self.memo(("tuple index", kind.name), load)

    def _check_duplicate(self, kind, draft, seen):
        if seen is None:
            return
        key = draft.target if draft.target is not None else _fresh_key(kind, draft)
        if key in seen:
            message = f"duplicate of row {seen[key]}"
            if any(spec.kind == "organisation" for spec in kind.children.values()):
                # Portals publish one row per award and supplier; this template wants one.
                message += "; give one row per record, its parties in one cell separated by ;"
            if groups_parties(kind):
                message += (
                    ", or choose “one row per award and party” (--one-row-per-party) to read "
                    "rows sharing a reference as one contract"
                )
            raise RowError(kind.key[-1] if kind.key else "", message)
        seen[key] = draft.number

    def _load_existing(self, kind, drafts):
        ids = [d.target for d in drafts if isinstance(d.target, int)]
        return kind.model._default_manager.in_bulk(ids) if ids else {}

    # Second pass: turn each valid draft into planned creates and updates.
    def _apply(self, kind, draft, existing, result):
        snapshot = self.plan.snapshot()
        try:
            action = ROW_PLANS.get(kind.name, apply_draft)(self, kind, draft, existing)
        except ValueError as error:
            if not isinstance(error, RowError):
                error = RowError("source", str(error))
            self.plan.restore(snapshot, existing.get(draft.target))
            draft.errors.append(error)
            self._reject(result, draft)
            return
        setattr(result, action, getattr(result, action) + 1)
        for warning in draft.warnings:
            result.warn(f"Row {draft.number}, {warning}")
        draft.row = draft.values = None

    def _reject(self, result, draft):
        result.rejected += 1
        messages = []
        for error in draft.errors:
            result.errors.append(
                error_entry(result.name, draft.number, error.column, error.message)
            )
            messages.append(f"{error.column}: {error.message}")
        result.rejected_rows.append((draft.number, draft.row, "; ".join(messages)))


@dataclass
class Draft:
    number: int
    row: dict
    values: dict = field(default_factory=dict)
    refs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    citation: dict | None = None
    target: object = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sheet: str = ""
    match: object = None  # matching.NameMatch of a row that names a record by name alone


# How a row of each kind is planned, where not as a record of its own (``apply_draft``).
ROW_PLANS = {"citations": plan_citation_row}


def _report_progress(progress, count):
    if progress and count % 5000 == 0:
        progress(count)


def _fresh_key(kind, draft):
    if kind.key_fields:
        return ("new", *[str(x) for x in draft.refs.values()], *map(str, draft.values.values()))
    for column in kind.key:
        text = draft.row.get(column)
        if not is_blank(text):
            return ("new", column, m.normalise_name(str(text)))
    return ("new", draft.number)


def _is_repeat(draft, column, spec, value, item, named):
    """A child named twice in one row (a portal lists a supplier twice, or two spellings
    resolve to one organisation) is planned once: a second row would break uniqueness."""
    key = (id(spec), _child_key_of(spec, value))
    if key not in named:
        named[key] = item
        return False
    first = named[key]
    if first == item:
        said = f"the {spec.kind} “{item}” is named twice"
    else:
        said = f"“{first}” and “{item}” name one {spec.kind}"
    draft.warnings.append(f"{column}: {said}; it is listed once")
    return True


def _valid_identifiers(text):
    """The (scheme, value) pairs of a cell that would be filed; dropped ones left out."""
    return [i for i in map(parse_identifier, split_items(text)) if i is not None]


def _child_key_of(spec, value):
    if spec.kind == "alias":
        return m.normalise_name(value)
    return value


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def _is_money(model, column):
    return _has_field(model, column) and isinstance(model._meta.get_field(column), DecimalField)


INDEX_MODELS = {
    "source": (m.Source, "title", ("url",)),
    "person": (m.Person, "name", ()),
    "framework": (m.Framework, "name", ()),
    "site": (m.Site, "name", ()),
    "contract": (m.Contract, "title", ("reference",)),
    "concern": (m.Concern, "title", ()),
}
CANONICAL = {
    "sources": "source",
    "organisations": "organisation",
    "people": "person",
    "frameworks": "framework",
    "sites": "site",
    "contracts": "contract",
    "concerns": "concern",
}


def _build_index(name):
    if name == "organisation":
        return OrganisationIndex()
    model, name_field, extra = INDEX_MODELS[name]
    return NameIndex(model, name_field, extra)


def content_type_id(model):
    return ContentType.objects.get_for_model(model).pk


__all__ = ["KINDS", "Pending", "Plan", "Planner", "SheetResult"]
