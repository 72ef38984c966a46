"""Column mapping, between reading a file and planning it: a file's own column names read as
the template's, and the portals' layout (one row per award and party) read as one row per
award.

A mapping is plain data, as a batch stores it and a JSON file gives it::

    {"kind": "contracts", "one_row_per_party": true,
     "columns": {"notice_identifier": "reference", "company_number": "identifiers:GB-COH"}}

A target is a column of the kind's template, or ``identifiers:<scheme>`` for a column of
bare identifiers of one scheme (``02128897`` becomes ``GB-COH-02128897``). A column the
mapping leaves out keeps its name: a template column is read, any other is dropped, and the
preview says so. A mapping applies to every sheet of the file.
"""

from dataclasses import dataclass, field, replace

from investigations.models import Identifier, ImportMapping

from .cells import SEPARATOR, column_name, is_blank, split_items
from .kinds import KINDS
from .reading import ImportFileError

SCHEMES = tuple(Identifier.Scheme.values)
# Columns several file columns may feed at once: their items are joined with ";".
MANY_VALUED = frozenset(column for kind in KINDS.values() for column in kind.children)
MAX_GROUP_LINES = 200
KEYS = ("name", "kind", "columns", "one_row_per_party")

# Column names of portal and register downloads, and the template column each one means:
# the first that the sheet's kind has is suggested, and preselected in the preview.
SYNONYMS = {
    "company_number": ("identifiers:GB-COH",),
    "companies_house_number": ("identifiers:GB-COH",),
    "supplier_companies_house_number": ("identifiers:GB-COH",),
    "registration_number": ("identifiers:GB-COH",),
    "charity_number": ("identifiers:GB-CHC",),
    "ods_code": ("identifiers:GB-NHS",),
    "status": ("org_status", "contract_status", "concern_status"),
    "company_status": ("org_status",),
    "company_name": ("name",),
    "organisation_name": ("buyer", "name"),
    "buyer_name": ("buyer",),
    "supplier_name": ("supplier", "lead_supplier", "name"),
    "notice_identifier": ("reference",),
    "notice_id": ("reference",),
    "award_date": ("awarded",),
    "awarded_date": ("awarded",),
    "awarded_value": ("value",),
    "value_of_contract": ("value",),
    "start_date": ("start",),
    "end_date": ("end",),
    "notice_title": ("title",),
    "contract_title": ("title",),
    "incorporation_date": ("founded",),
    "date_of_creation": ("founded",),
}


@dataclass(frozen=True)
class Mapping:
    columns: dict = field(default_factory=dict)  # the file's column → target
    kind: str = ""
    one_row_per_party: bool = False
    name: str = ""  # of the saved mapping it came from, if any

    def as_json(self):
        return {
            "name": self.name,
            "kind": self.kind,
            "columns": dict(self.columns),
            "one_row_per_party": self.one_row_per_party,
        }


def read_mapping(data):
    """A ``Mapping`` from its JSON shape (None or {} for none), or ImportFileError."""
    if not data:
        return Mapping()
    if not isinstance(data, dict) or set(data) - set(KEYS):
        raise ImportFileError(f"A mapping is an object with the keys {', '.join(KEYS)}.")
    columns, kind = data.get("columns") or {}, data.get("kind") or ""
    if not isinstance(columns, dict) or not all(
        isinstance(c, str) and isinstance(t, str) for c, t in columns.items()
    ):
        raise ImportFileError('A mapping\'s "columns" is an object of column names: {"a": "b"}.')
    if kind not in ("", *KINDS):
        raise ImportFileError(f"The mapping is for “{kind}”; choose one of {', '.join(KINDS)}.")
    one_row_per_party = data.get("one_row_per_party", False)
    if not isinstance(one_row_per_party, bool):
        raise ImportFileError('A mapping\'s "one_row_per_party" is true or false.')
    cleaned = {column_name(c): t.strip() for c, t in columns.items() if t.strip()}
    return Mapping(cleaned, kind, one_row_per_party, str(data.get("name") or ""))


def targets(kind):
    """(target, label) of every column a file's column may be mapped to, for this kind."""
    choices = [(column, column) for column in kind.columns]
    if "identifiers" in kind.children:
        choices += [(f"identifiers:{s}", f"identifiers, as {s} numbers") for s in SCHEMES]
    return choices


def suggest(kind, column):
    """The template column a file's column of this name usually means, or None."""
    return next(
        (t for t in SYNONYMS.get(column_name(column), ()) if _column_of(t) in kind.columns), None
    )


def hint(kind, column):
    """The column, and the template column it may be meant as: "status (use org_status)"."""
    target = suggest(kind, column)
    if target is None:
        return column
    scheme = target.partition(":")[2]
    if scheme:
        return f"{column} (use identifiers, as {scheme}-<value>)"
    return f"{column} (use {target})"


def rename_columns(sheet, mapping):
    """The sheet with its columns named as the mapping says; kinds are not known yet."""
    renames = {h: mapping.columns[h] for h in sheet.headers if mapping.columns.get(h, h) != h}
    if not renames:
        return sheet
    headers = [_column_of(renames.get(h, h)) for h in sheet.headers]
    twice = sorted({h for h in headers if headers.count(h) > 1} - MANY_VALUED)
    if twice:
        raise ImportFileError(
            f"Sheet “{sheet.name}”: the mapping gives {', '.join(twice)} from two columns; "
            "map only one column to each."
        )
    read_as = {h: renames.get(h, h).partition(":")[::2] for h in sheet.headers}
    for position, (number, row) in enumerate(sheet.rows):
        sheet.rows[position] = (number, _renamed(row, read_as))  # in place: a big file's rows
    return replace(sheet, headers=list(dict.fromkeys(headers)), mapped=renames)


def map_sheet(sheet, kind, mapping):
    """The renamed sheet checked against its kind, and grouped if the mapping asks."""
    offered = dict(targets(kind))
    for column, target in sheet.mapped.items():
        if target not in offered:
            raise ImportFileError(
                f"Sheet “{sheet.name}”: the mapping reads column “{column}” as “{target}”, "
                f"which is not a column of {kind.name}."
            )
    if not mapping.one_row_per_party:
        return sheet
    if not groups_parties(kind):
        sheet.warnings.append(
            f"“One row per award and party” is for contracts, not {kind.name}: "
            "each row was read as a record of its own"
        )
        return sheet
    return group_rows(sheet, kind)


def group_rows(sheet, kind):
    """Rows sharing a reference as one row, as portals publish one row per award and party:
    its parties together; its other cells the same on every row, or a row error naming the
    rows and the column. The group keeps the number of its first row."""
    groups = {}
    for number, row in sheet.rows:
        reference = row.get("reference")
        key = str(reference).strip().casefold() if not is_blank(reference) else number
        groups.setdefault(key, []).append((number, row))
    rows, lines, more, errors = [], [], 0, {}
    for members in groups.values():
        row = _merged(members, kind, errors)
        rows.append((members[0][0], row))
        if len(members) > 1 and len(lines) < MAX_GROUP_LINES:
            lines.append(_described(members, row, kind))
        elif len(members) > 1:
            more += 1
    label = kind.model._meta.verbose_name_plural
    grouped = [f"{len(sheet.rows)} rows read as {len(rows)} {label}, one per reference", *lines]
    if more:
        grouped.append(f"… and {more} more groups")
    return replace(sheet, rows=rows, grouped=grouped, row_errors=errors)


def _merged(members, kind, errors):
    """One row of a group. Most cells repeat the first row's (a portal repeats the award on
    every row), so only a cell that differs from it costs more than a comparison."""
    merged, clashes = dict(members[0][1]), {}
    for _number, row in members[1:]:
        for column, value in row.items():
            known = merged.get(column)
            if value == known or is_blank(value):
                continue
            if column in kind.children:
                merged[column] = _joined(known, value, unique=True)
            elif is_blank(known):
                merged[column] = value
            elif str(value).strip() != str(known).strip():
                clashes[column] = None
    for column in clashes:
        errors.setdefault(members[0][0], []).append((column, _disagreement(members, column)))
    return merged


def _disagreement(members, column):
    given = {}  # value → the rows giving it
    for number, row in members:
        if not is_blank(row.get(column)):
            given.setdefault(str(row[column]).strip(), []).append(number)
    said = "; ".join(f"“{value}” ({_rows(numbers)})" for value, numbers in given.items())
    return f"{_rows([n for n, _ in members])} are one award but disagree: {said}"


def _described(members, row, kind):
    """ "rows 2–4 → one contract (CF-1): 1 buyer, 3 suppliers"."""
    counts = []
    for column in _party_columns(kind):
        count = len(split_items(row.get(column)))
        if count:
            counts.append(f"{count} {column.replace('_', ' ')}{'s' if count > 1 else ''}")
    what = f"one {kind.model._meta.verbose_name} ({row.get('reference')})"
    return f"{_rows([n for n, _ in members])} → {what}: {', '.join(counts) or 'no parties'}"


def _rows(numbers):
    """ "row 2", "rows 2–4" for a run, "rows 2, 5, 9" otherwise."""
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"rows {numbers[0]}–{numbers[-1]}"
    return f"rows {', '.join(map(str, numbers))}"


def groups_parties(kind):
    """Whether "one row per award and party" applies: a kind keyed by reference, with parties."""
    return "reference" in kind.key and bool(_party_columns(kind))


def _party_columns(kind):
    return [c for c, spec in kind.children.items() if spec.kind == "organisation"]


def _renamed(row, read_as):
    """A row under its template column names; ``read_as`` is {header: (column, scheme)}."""
    renamed = {}
    for header, value in row.items():
        column, scheme = read_as.get(header, (header, ""))
        if scheme:
            value = SEPARATOR.join(_with_scheme(scheme, item) for item in split_items(value))
        if column in renamed and not is_blank(value):
            value = _joined(renamed[column], value)
        elif column in renamed:
            continue
        renamed[column] = value
    return renamed


def _with_scheme(scheme, item):
    return item if item.upper().startswith(f"{scheme}-") else f"{scheme}-{item}"


def _joined(first, second, unique=False):
    """Two cells of several values as one; with ``unique``, an item given again is left out
    (a portal repeats the buyer on every row of an award)."""
    items = split_items(first)
    more = split_items(second)
    items += [i for i in more if i not in items] if unique else more
    return SEPARATOR.join(items)


def _column_of(target):
    return target.partition(":")[0]


# The mappings the project ships, made (if missing) after every migrate, as the editorial
# groups are. Contracts Finder's CSV download, as its headers read once imported ("Notice
# Identifier" is notice_identifier). Its supplier number has no column in a contracts sheet,
# and its notice status (Open, Closed, Withdrawn) is no contract status: both stay unmapped.
SHIPPED_MAPPINGS = {
    "Contracts Finder": {
        "kind": "contracts",
        "columns": {
            "notice_identifier": "reference",
            "organisation_name": "buyer",
            "awarded_date": "awarded",
            "awarded_value": "value",
            "supplier_name": "supplier",
        },
        "one_row_per_party": True,
    },
}


def ensure_shipped_mappings(**kwargs):
    """post_migrate receiver: the shipped mappings, each made once and then the users'."""
    for name, fields in SHIPPED_MAPPINGS.items():
        ImportMapping.objects.get_or_create(name=name, defaults=fields)
