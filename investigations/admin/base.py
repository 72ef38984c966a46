"""What every curation admin shares: citations, history with diffs, and the publication gate.

Status is read-only in every form: a record is published only through the gate
(``investigations.publication``), from the Publish page or the bulk action, by an editor.
"""

import dataclasses

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from investigations import publication
from investigations.importers.registry import resource_class_for
from investigations.models import Citable, Citation, Publishable
from investigations.roles import can_publish

from .autocomplete import PrefilledAutocompleteMixin
from .citations import CitationInline
from .forms import PublishForm

PUBLISHED = Publishable.Status.PUBLISHED
# Fields only the gate writes; a form save (or a history revert) must never change them.
GATE_FIELDS = (
    "status",
    "published_at",
    "publication_override_reason",
    "publication_override_by",
    "deleted_at",
)
PUBLICATION_FIELDSET = (
    "status",
    "published_at",
    "last_reviewed",
    "deleted_at",
    "citation_coverage",
)
UNINTERESTING_CHANGES = {"updated_at", "normalised_name"}


def admin_change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


class ChangesOnlyContextHelper(HistoricalRecordContextHelper):
    """History diffs without the bookkeeping columns every save touches."""

    def context_for_delta_changes(self, delta):
        changes = [c for c in delta.changes if c.field not in UNINTERESTING_CHANGES]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))


class ParentKnownFormSet(BaseInlineFormSet):
    """Hands each row its parent object, so a row label naming the parent needs no query."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        return form


class CitableInline(PrefilledAutocompleteMixin, admin.TabularInline):
    """A child row that makes claims; its own citations are on its change page."""

    formset = ParentKnownFormSet
    extra = 0
    show_change_link = True


class CurationAdmin(PrefilledAutocompleteMixin, SimpleHistoryAdmin, ImportExportModelAdmin):
    """Any curated model: history with diffs and revert, spreadsheet import and export."""

    def get_resource_classes(self, request):
        # Import and export both ask this; the importers own the resource definitions.
        return [resource_class_for(self.model)]

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesOnlyContextHelper(self.model, historical_record)


class CitableAdmin(CurationAdmin):
    """A record that carries citations: they are edited inline and counted in the list."""

    inlines = (CitationInline,)

    def get_readonly_fields(self, request, obj=None):
        return ("citation_coverage", *super().get_readonly_fields(request, obj))

    @admin.display(description="citation coverage")
    def citation_coverage(self, obj):
        if obj is None or obj.pk is None:
            return "Save the record, then cite its claims."
        prefetch_claim_children(obj)
        missing = [
            (claim, admin_change_url(claim.record)) for claim in publication.missing_claims(obj)
        ]
        return render_to_string(
            "admin/investigations/citation_coverage.html", {"record": obj, "missing": missing}
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=citation_count(self.model))

    @admin.display(description="citations", ordering="citation_count")
    def citations_column(self, obj):
        return obj.citation_count


def citation_count(model):
    """A subquery, not a join, so it neither multiplies rows nor needs a GROUP BY."""
    citations = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    counted = citations.order_by().values("object_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class DeletedFilter(admin.SimpleListFilter):
    """Soft-deleted records stay out of the way unless asked for."""

    title = "deletion"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return (("yes", "Deleted"), ("all", "All, deleted or not"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Not deleted",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class PublishableAdmin(CitableAdmin):
    """A record the public sees once published: the gate, soft deletion and restore."""

    change_form_template = "admin/investigations/publishable_change_form.html"
    actions = ("publish_selected", "unpublish_selected", "restore_selected")

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        return (*GATE_FIELDS, *super().get_readonly_fields(request, obj))

    def get_list_filter(self, request):
        return (DeletedFilter, "status", *super().get_list_filter(request))

    def get_search_results(self, request, queryset, search_term):
        # A deleted record can still be opened and restored, but no longer linked to.
        if request.path == reverse("admin:autocomplete"):
            queryset = queryset.filter(deleted_at__isnull=True)
        return super().get_search_results(request, queryset, search_term)

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            return super().get_fieldsets(request, obj)
        hidden = {*GATE_FIELDS, *PUBLICATION_FIELDSET, "slug"}
        fields = [f for f in self.get_fields(request, obj) if f not in hidden]
        if "slug" in self.get_fields(request, obj):
            fields.append("slug")  # made from the name when blank; rarely edited
        return [(None, {"fields": fields}), ("Publication", {"fields": PUBLICATION_FIELDSET})]

    def save_model(self, request, obj, form, change):
        if change:
            _keep_gate_fields(obj)
        super().save_model(request, obj, form, change)

    # Publishing, one record at a time.

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/publish/", view(self.publish_view), name=f"{prefix}_publish"),
            path(
                "<path:object_id>/unpublish/",
                view(self.unpublish_view),
                name=f"{prefix}_unpublish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        record = self._record_for_gate(request, object_id)
        missing = publication.missing_claims(record)
        data = request.POST if request.method == "POST" else None  # an empty POST is a POST
        form = PublishForm(data, reason_required=bool(missing))
        if form.is_valid():
            publication.publish(record, request.user, form.cleaned_data["reason"])
            self.message_user(request, f"Published “{record}”.", messages.SUCCESS)
            return redirect(admin_change_url(record))
        context = {"title": f"Publish “{record}”", "missing": missing, "form": form}
        return self._gate_page(request, record, "publish", context)

    def unpublish_view(self, request, object_id):
        record = self._record_for_gate(request, object_id)
        if request.method == "POST":
            publication.unpublish(record, request.user)
            self.message_user(request, f"Unpublished “{record}”.", messages.SUCCESS)
            return redirect(admin_change_url(record))
        return self._gate_page(request, record, "unpublish", {"title": f"Unpublish “{record}”"})

    def _record_for_gate(self, request, object_id):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(f"No {self.model._meta.verbose_name} with ID {object_id}.")
        return record

    def _gate_page(self, request, record, action, context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": record,
            "record": record,
            "action": action,
            **context,
        }
        return TemplateResponse(request, "admin/investigations/publish.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": self.has_publish_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Publishing in bulk.

    @admin.action(description="Publish selected", permissions=("publish",))
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        for record in queryset:
            try:
                publication.publish(record, request.user)
                published += 1
            except publication.PublicationRefused:
                refused.append(f"“{record}”")
        self.message_user(request, f"Published {published}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                "Not published, because some claims are uncited: "
                f"{', '.join(refused)}. Cite them, or publish each from its page with a reason.",
                messages.WARNING,
            )

    @admin.action(description="Unpublish selected", permissions=("publish",))
    def unpublish_selected(self, request, queryset):
        for record in queryset:
            publication.unpublish(record, request.user)
        self.message_user(request, f"Unpublished {len(queryset)}.", messages.SUCCESS)

    @admin.action(description="Restore selected deleted records", permissions=("publish",))
    def restore_selected(self, request, queryset):
        deleted = queryset.filter(deleted_at__isnull=False)
        for record in deleted:
            publication.restore(record, request.user)
        self.message_user(request, f"Restored {len(deleted)}.", messages.SUCCESS)

    # Deletion: published records are hidden (soft-deleted) by editors; drafts really go.

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == PUBLISHED and not self.has_publish_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        published = [obj for obj in objs if obj.status == PUBLISHED]
        drafts = [obj for obj in objs if obj.status != PUBLISHED]
        deleted, counts, perms_needed, protected = super().get_deleted_objects(drafts, request)
        if published and not self.has_publish_permission(request):
            perms_needed.add(f"published {self.model._meta.verbose_name_plural}")
        hidden = [f"{obj} (published: hidden, an editor can restore it)" for obj in published]
        return hidden + deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        if obj.status == PUBLISHED:
            self._soft_delete(request, [obj])
        else:
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._soft_delete(request, queryset.filter(status=PUBLISHED))
        super().delete_queryset(request, queryset.exclude(status=PUBLISHED))

    def _soft_delete(self, request, records):
        names = []
        for record in records:
            publication.soft_delete(record, request.user)
            names.append(f"“{record}”")
        if names:
            message = f"Hidden from the public, and listed under “Deleted”: {', '.join(names)}."
            self.message_user(request, message, messages.INFO)


def with_labels(model):
    """All rows of a model, loaded with the related rows their names (``__str__``) use."""
    related = [field.name for field in model._meta.fields if field.many_to_one]
    return model._default_manager.select_related(*related)


def prefetch_claim_children(record):
    """Load the child rows the gate reads, with what their labels name, in one query each."""
    lookups = [
        Prefetch(name, with_labels(record._meta.get_field(name).related_model))
        for name in record.claim_children
    ]
    prefetch_related_objects([record], *lookups)


def prefetch_cited_records():
    """Prefetch a citation's record, whatever model it is, ready to be named."""
    citable = apps.get_app_config("investigations").get_models()
    querysets = [with_labels(model) for model in citable if issubclass(model, Citable)]
    return GenericPrefetch("record", querysets)


def _keep_gate_fields(obj):
    """Keep the stored publication state, whatever the form or a reverted version holds."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).values(*GATE_FIELDS).first()
    for name, value in (stored or {}).items():
        setattr(obj, obj._meta.get_field(name).attname, value)


def partial_date(name, description=None):
    """A list column showing a partial date as known ("June 2022"), sorted by date."""

    @admin.display(description=description or name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        return value.display if value else ""

    return column
