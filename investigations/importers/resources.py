"""django-import-export resources: used by every ModelAdmin's export, with the same
columns as the batch importer so an export re-imports unchanged.

Where django-import-export serves (formats through tablib, the admin's export form,
permissions) we use it. Its per-row import is not offered: it made no batch, skipped the
models' validation and queried per cell, so every import goes through ``importers.service``.
"""

from django.contrib.contenttypes.models import ContentType
from import_export import fields, resources, widgets

from investigations import models as m
from investigations.publication import GATE_FIELDS
from investigations.spreadsheet_cells import safe_cell

from .citation_sheet import record_kind_of, record_label
from .kinds import KINDS

# The gate's fields, and what the system derives or stamps: no spreadsheet may set them.
NOT_IMPORTED = (
    *GATE_FIELDS, "created_at", "updated_at", "normalised_name", "file", "file_sha256",
)  # fmt: skip
SEPARATOR = "; "


class SafeResource(resources.ModelResource):
    """Neutralises formula-like cells and leaves out deleted records."""

    prefetch = ()

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        if hasattr(queryset.model, "deleted_at"):
            queryset = queryset.filter(deleted_at__isnull=True)
        return queryset.prefetch_related(*self.prefetch)


def resource_class_for(model):
    if model is m.Citation:
        return CitationResource
    kind = next((k for k in KINDS.values() if k.model is model), None)
    if kind is None:
        return _plain_resource(model)
    return _kind_resource(kind)


def _plain_resource(model):
    names = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in NOT_IMPORTED and not f.primary_key
    ]
    meta = {"fields": ("id", *names), "export_order": ("id", *names)}
    return resources.modelresource_factory(model, SafeResource, meta_options=meta)


def _kind_resource(kind):
    """Columns in the importer's own vocabulary: references as slugs, children as lists."""
    declared, columns = {}, []
    for column in _export_columns(kind):
        columns.append(column)
        declared[column] = _field(kind, column)
    key = ("slug",) if kind.key else tuple(kind.key_fields)
    meta = {
        "model": kind.model,
        "fields": tuple(columns),
        "export_order": tuple(columns),
        "import_id_fields": key,
        "skip_unchanged": True,
    }
    attrs = {**declared, "Meta": type("Meta", (), meta), "prefetch": _prefetch(kind)}
    return type(f"{kind.model.__name__}Resource", (SafeResource,), attrs)


def _export_columns(kind):
    plain = [c for c in (*kind.key, *kind.fields) if c != "identifiers" and _is_field(kind, c)]
    key_refs = [c for c in kind.key_fields if c in kind.refs]
    return list(dict.fromkeys([*key_refs, *plain, *kind.refs, *kind.children]))


def _field(kind, column):
    model = kind.model
    if column in kind.children:
        spec = kind.children[column]
        return fields.Field(
            column_name=column, readonly=True, dehydrate_method=_children_of(kind, column, spec)
        )
    if column in kind.refs:
        related = model._meta.get_field(column).related_model
        return fields.Field(
            attribute=column, column_name=column, widget=widgets.ForeignKeyWidget(related, "slug")
        )
    return fields.Field(attribute=column, column_name=column, widget=_widget(model, column))


def _widget(model, column):
    field = model._meta.get_field(column)
    if isinstance(field, (m.PartialDateField,)):
        return widgets.CharWidget(allow_blank=True)
    return resources.ModelResource.widget_from_django_field(field)(
        **resources.ModelResource.widget_kwargs_for_field(column, field)
    )


def _children_of(kind, column, spec):
    related = spec.model._meta.get_field(spec.parent_field).remote_field.related_name

    def dehydrate(instance):
        children = getattr(instance, related).all()
        if spec.kind == "alias":
            return SEPARATOR.join(c.name for c in children)
        if spec.kind == "identifier":
            return SEPARATOR.join(c.org_id for c in children)
        wanted = spec.extra.get("role")
        picked = [c for c in children if wanted is None or c.role == wanted]
        return SEPARATOR.join(c.organisation.slug for c in picked)

    return dehydrate


def _prefetch(kind):
    lookups = []
    for spec in kind.children.values():
        related = spec.model._meta.get_field(spec.parent_field).remote_field.related_name
        lookups.append(f"{related}__organisation" if spec.kind == "organisation" else related)
    return tuple(dict.fromkeys(lookups))


def _is_field(kind, name):
    try:
        kind.model._meta.get_field(name)
    except Exception:
        return False
    return True


def _model_of(citation):
    return ContentType.objects.get_for_id(citation.content_type_id).model_class()


def _readonly(column, dehydrate):
    return fields.Field(column_name=column, readonly=True, dehydrate_method=dehydrate)


class CitationResource(SafeResource):
    """Citations as the citations sheet reads them: the record by kind and slug (or "#id"),
    the source by slug."""

    prefetch = ("record", "source")
    record_kind = _readonly("record_kind", lambda c: record_kind_of(_model_of(c)))
    record = _readonly("record", lambda c: record_label(c.record) if c.record else "")
    cited_field = _readonly("cited_field", lambda c: c.field_name)
    source = _readonly("source", lambda c: c.source.slug)

    class Meta:
        model = m.Citation
        fields = ("record_kind", "record", "cited_field", "marker", "source", "quote",
                  "locator", "confidence", "note")  # fmt: skip
        export_order = fields
