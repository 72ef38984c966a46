"""Demo data built from the two seed documents, loaded so that loading again changes nothing.

The data lives in ``fixtures/demo/<kind>.json`` and names records by natural key: a slug for
a top-level record, and for a child row its parent plus what tells it apart from its
siblings (an identifier's scheme and value, a contract party's organisation and role).
Loading upserts by those keys and saves a row only when one of its values differs, so a
second load writes nothing: no history rows, no new ``updated_at``, no stale page cache.

Citations are given per record as ``{"source": slug, "claims": [...], "quote": ...}``; each
claim is ``record`` (the record as a whole), a field name, or ``field#marker`` for a
``[^marker]`` in a prose field. One entry makes one Citation per claim it lists.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import FileField

from . import models
from .prose import markers_in
from .publication import missing_claims

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
CHANGE_REASON = "Demo data loaded from fixtures/demo"


class DemoDataError(Exception):
    pass


@dataclass(frozen=True)
class Spec:
    """How one kind of record is keyed, and which child rows it carries."""

    model: type
    key: tuple[str, ...] = ("slug",)
    children: dict = field(default_factory=dict)


SPECS = {
    "sources": Spec(models.Source),
    "organisations": Spec(
        models.Organisation,
        children={
            "aliases": Spec(models.OrganisationAlias, ("name",)),
            "identifiers": Spec(models.Identifier, ("scheme", "value")),
            "sections": Spec(models.ProfileSection, ("heading",)),
            "filings": Spec(models.FinancialFiling, ("period_end", "period_months")),
        },
    ),
    "people": Spec(models.Person, children={"roles": Spec(models.Role, ("organisation", "kind"))}),
    "relationships": Spec(models.Relationship, ("subject", "kind", "object")),
    "sites": Spec(models.Site, children={"roles": Spec(models.SiteRole, ("organisation", "kind"))}),
    "frameworks": Spec(
        models.Framework,
        children={"memberships": Spec(models.FrameworkMembership, ("organisation",))},
    ),
    "contracts": Spec(
        models.Contract, children={"parties": Spec(models.ContractParty, ("organisation", "role"))}
    ),
    "concerns": Spec(
        models.Concern, children={"parties": Spec(models.ConcernParty, ("organisation",))}
    ),
}


def load_demo_data(directory=FIXTURE_DIR):
    """Load every kind in order, as one transaction; return counts of rows written."""
    with transaction.atomic():
        loader = Loader(Path(directory))
        for kind, spec in SPECS.items():
            for data in loader.read(kind):
                loader.load(spec, data)
        loader.check_published()
    return loader.written


class Loader:
    def __init__(self, directory):
        self.directory = directory
        meta = json.loads((directory / "meta.json").read_text())
        # A fixed review date, not today's: a date that moved would make every load a change.
        self.reviewed = datetime.date.fromisoformat(meta["last_reviewed"])
        self.written = Counter()
        self.published = []
        self._refs = {}
        self._cited = set()

    def read(self, kind):
        return json.loads((self.directory / f"{kind}.json").read_text())

    def load(self, spec, data, parent=None, parent_is_new=False):
        data = dict(data)
        citations = data.pop("citations", [])
        children = {name: data.pop(name, []) for name in spec.children}
        related = {name: data.pop(name) for name in _many_to_many(spec.model) if name in data}
        status = data.pop("status", "published") if _publishable(spec.model) else None
        record, created = self._upsert(spec, data, parent, status, parent_is_new)
        for name, rows in children.items():
            for row in rows:
                self.load(spec.children[name], row, record, created)
        for name, slugs in related.items():
            getattr(record, name).set([self.ref(_target(spec.model, name), s) for s in slugs])
        self._cite(record, citations, created)
        if status == models.Publishable.Status.PUBLISHED:
            self.published.append(record)
        return record

    def _upsert(self, spec, data, parent, status, parent_is_new):
        values = {**_defaults(spec.model), **self._values(spec.model, data)}
        lookup = {k: values.pop(k) for k in _attnames(spec.model, spec.key)}
        if parent is not None:
            parent_key = _parent_field(parent, spec.model).attname
            values.pop(parent_key, None)
            lookup[parent_key] = parent.pk
        if status == models.Publishable.Status.PUBLISHED:
            values["last_reviewed"] = self.reviewed
        return self.save(spec.model, lookup, values, status, parent_is_new)

    def save(self, model, lookup, values, status=None, surely_new=False):
        """Create, or update only the values that differ; untouched rows are not saved.

        ``surely_new`` skips the look-up for rows of a record created moments ago, which
        cannot have any yet: it halves the queries of a first load.
        """
        record = None if surely_new else model._default_manager.filter(**lookup).first()
        created = record is None
        if created:
            record = model(**lookup)
        changed = [name for name, value in values.items() if getattr(record, name) != value]
        for name in changed:
            setattr(record, name, values[name])
        changed += _apply_status(record, status)
        if created or changed:
            record._change_reason = CHANGE_REASON
            record.save()
            self.written[
                (model._meta.verbose_name_plural, "created" if created else "updated")
            ] += 1
        return record, created

    def _values(self, model, data):
        values = {}
        for name, raw in data.items():
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                values[model_field.attname] = raw and self.ref(model_field.related_model, raw).pk
            else:
                values[model_field.attname] = model_field.to_python(raw)
        return values

    def ref(self, model, slug):
        """A record named by slug elsewhere in the data; its slug must exist by now."""
        if (model, slug) not in self._refs:
            record = model._default_manager.filter(slug=slug).first()
            if record is None:
                raise DemoDataError(f"No {model._meta.verbose_name} with slug {slug!r}")
            self._refs[model, slug] = record
        return self._refs[model, slug]

    def _cite(self, record, entries, record_is_new):
        content_type = ContentType.objects.get_for_model(record)
        for entry in entries:
            source = self.ref(models.Source, entry["source"])
            details = {name: entry.get(name, "") for name in ("quote", "locator", "note")}
            details["confidence"] = entry.get("confidence", "high")
            for claim in entry["claims"]:
                field_name, marker = _claim(record, claim)
                self._once((record._meta.label, record.pk, field_name, marker, source.pk))
                lookup = {
                    "content_type_id": content_type.pk,
                    "object_id": record.pk,
                    "field_name": field_name,
                    "marker": marker,
                    "source_id": source.pk,
                }
                # The data states its citations for its values: confirmed against them.
                confirmed = models.claim_value(record, field_name, marker)
                details = {**details, "confirmed_value": confirmed}
                self.save(models.Citation, lookup, details, surely_new=record_is_new)

    def _once(self, key):
        """Two entries for one claim and source would overwrite each other on every load."""
        if key in self._cited:
            raise DemoDataError(f"Citation given twice: {key}")
        self._cited.add(key)

    def check_published(self):
        """Refuse the whole load if any record it publishes has an uncited claim."""
        missing = [str(claim) for record in self.published for claim in missing_claims(record)]
        if missing:
            raise DemoDataError("Uncited claims in demo data:\n" + "\n".join(missing))


def _apply_status(record, status):
    if not status or record.status == status:
        return []
    if status == models.Publishable.Status.PUBLISHED:
        record.mark_published()
    else:
        record.mark_draft()
    return ["status"]


def _claim(record, claim):
    """``record``, ``field`` or ``field#marker`` as (field_name, marker), checked against the
    record so that a typo in the data fails loudly rather than citing nothing."""
    field_name, _, marker = claim.partition("#")
    field_name = "" if field_name == "record" else field_name
    allowed = ("", *record.claim_fields, *record.prose_fields)
    if field_name not in allowed:
        raise DemoDataError(f"{record!r}: {field_name!r} is not a claim of this record")
    if marker and marker not in markers_in(getattr(record, field_name)):
        raise DemoDataError(f"{record!r}: no [^{marker}] in its {field_name}")
    return field_name, marker


# Workflow and curator-only fields, which the data files never set and loading never resets.
NOT_DATA = {"slug", "status", "last_reviewed", "publication_override_reason"}


def _defaults(model):
    """Every data field at its default, so that a value deleted from a file is reset too."""
    return {
        f.attname: f.get_default()
        for f in model._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and f.name not in NOT_DATA
        and not isinstance(f, FileField)
    }


def _publishable(model):
    return issubclass(model, models.Publishable)


def _many_to_many(model):
    return [f.name for f in model._meta.many_to_many]


def _target(model, name):
    return model._meta.get_field(name).related_model


def _attnames(model, names):
    return [model._meta.get_field(name).attname for name in names]


def _parent_field(parent, child_model):
    """The foreign key from a child row to its parent (Organisation.aliases → organisation)."""
    for model_field in child_model._meta.get_fields():
        if model_field.many_to_one and isinstance(parent, model_field.related_model):
            return model_field
    raise DemoDataError(f"{child_model.__name__} has no key to {type(parent).__name__}")
