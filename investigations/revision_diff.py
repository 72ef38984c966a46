"""What a pending revision changes, field by field and row by row, for an editor to review.

Both versions are snapshots (``revisions.snapshot``), so the comparison needs no query but
the names of the records their foreign keys point at: one query per model they point at,
however many rows there are.
"""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .models import format_money
from .revisions import CHILD_PARENT_FIELDS, VOLATILE_FIELDS

HIDDEN_FIELDS = {*VOLATILE_FIELDS, "slug", "confirmed_value"}
LABEL_FIELDS = ("name", "title", "heading", "organisation", "person", "scheme", "value", "role")
LABEL_FIELDS += ("kind", "period_end", "framework", "site", "lot")


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def inline(self):
        """The new text with deleted words struck through and inserted words marked."""
        return inline_diff(self.old, self.new)


def inline_diff(old, new):
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", "".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", "".join(new_words[b1:b2])))
        if op == "equal":
            parts.append(escape("".join(new_words[b1:b2])))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@dataclass
class RowChange:
    group: str
    action: str  # "added", "removed" or "changed"
    label: str
    changes: list = field(default_factory=list)


@dataclass
class Diff:
    fields: list
    rows: list

    def __bool__(self):
        return bool(self.fields or self.rows)


def revision_diff(live, proposed):
    names = _Names([live, proposed])
    record = _model(proposed["record"])
    fields = _field_changes(record, live["record"], proposed["record"], names)
    rows = []
    for name, proposed_rows in proposed["children"].items():
        group = record._meta.get_field(name).related_model._meta.verbose_name_plural
        rows += _row_changes(group, live["children"].get(name, []), proposed_rows, names)
    rows += _row_changes("citations", live["citations"], proposed["citations"], names)
    return Diff(fields, rows)


def _model(entry):
    return apps.get_model(entry["model"])


def _field_changes(model, old, new, names):
    changes = []
    for name, value in new["fields"].items():
        before = old["fields"].get(name)
        if name in HIDDEN_FIELDS or before == value:
            continue
        label = str(model._meta.get_field(name).verbose_name)
        shown_before = names.show(model, name, before, old["fields"].get("currency"))
        shown = names.show(model, name, value, new["fields"].get("currency"))
        changes.append(FieldChange(label, shown_before, shown))
    return changes


def _row_changes(group, old_rows, new_rows, names):
    old = {entry["pk"]: entry for entry in old_rows}
    new = {entry["pk"]: entry for entry in new_rows}
    changes = []
    for pk, entry in new.items():
        if pk not in old:
            changes.append(RowChange(group, "added", names.label(entry)))
        else:
            fields = _field_changes(_model(entry), old[pk], entry, names)
            if fields:
                changes.append(RowChange(group, "changed", names.label(entry), fields))
    changes += [
        RowChange(group, "removed", names.label(e)) for pk, e in old.items() if pk not in new
    ]
    return changes


class _Names:
    """Names of every record the snapshots' foreign keys point at, one query per model."""

    def __init__(self, snapshots):
        wanted = defaultdict(set)
        self._entries = {}
        for data in snapshots:
            for entry in _entries(data):
                self._entries[(entry["model"], entry["pk"])] = entry
                for model, pk in _references(entry):
                    wanted[model].add(pk)
        self._found = {model: model._default_manager.in_bulk(pks) for model, pks in wanted.items()}

    def show(self, model, name, value, currency=None):
        if value in (None, "", []):
            return "—"
        field = model._meta.get_field(name)
        if getattr(field, "is_money", False):
            return format_money(Decimal(value), currency or "GBP")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.many_to_one or field.many_to_many:
            ids = value if isinstance(value, list) else [value]
            found = self._found.get(field.related_model, {})
            return ", ".join(str(found.get(pk, f"#{pk}")) for pk in ids)
        return str(value)

    def label(self, entry):
        model, fields = _model(entry), entry["fields"]
        if entry["model"] == "investigations.citation":
            return self._citation_label(fields)
        parent = CHILD_PARENT_FIELDS.get(model)
        named = [n for n in LABEL_FIELDS if fields.get(n) and n != parent]
        shown = [self.show(model, n, fields[n]) for n in named]
        return " · ".join(shown[:2]) or f"{model._meta.verbose_name} #{entry['pk']}"

    def _citation_label(self, fields):
        model = ContentType.objects.get_for_id(fields["content_type"]).model_class()
        cited = self._entries.get((model._meta.label_lower, fields["object_id"]))
        record = (
            self.label(cited) if cited else f"{model._meta.verbose_name} #{fields['object_id']}"
        )
        claim = fields["field_name"] or "the record"
        if fields.get("marker"):
            claim += f" [^{fields['marker']}]"
        source = self.show(apps.get_model("investigations.citation"), "source", fields["source"])
        return f"{record}: {claim} ← {source}"


def _entries(data):
    yield data["record"]
    for rows in data["children"].values():
        yield from rows
    yield from data["citations"]


def _references(entry):
    model = _model(entry)
    for name, value in entry["fields"].items():
        if name in HIDDEN_FIELDS or value in (None, "", []):
            continue
        field = model._meta.get_field(name)
        if (field.many_to_one or field.many_to_many) and field.related_model is not ContentType:
            for pk in value if isinstance(value, list) else [value]:
                yield field.related_model, pk
