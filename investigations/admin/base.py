"""What every curation admin shares: citations, history with diffs, and the publication gate.

Status is read-only in every form: a record is published only through the gate
(``investigations.publication``), from the Publish page or the bulk action, by an editor.
"""

import dataclasses

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
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
from django.template.loader import render_to_string
from django.urls import reverse
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from investigations import publication
from investigations.importers.resources import resource_class_for
from investigations.models import Citable, Citation, Featurable, PartialDateField
from investigations.publication import GATE_FIELDS
from investigations.revisions import CHILD_PARENT_FIELDS

from .autocomplete import PrefilledAutocompleteMixin
from .citations import CitationInline
from .inlines import BoundedFormSetMixin
from .pagination import LookaheadPaginationMixin
from .publishing import DeletedFilter, PublicationGateMixin, admin_change_url
from .revisions import PendingRevisionFilter, ProposesRevisions
from .searching import SubquerySearchMixin

HOME_PAGE_FIELDSET = ("feature_rank", "standfirst")
PUBLICATION_FIELDSET = (
    "status",
    "published_at",
    "last_reviewed",
    "deleted_at",
    "citation_coverage",
)
MISSING_LISTED = 50  # uncited claims named on a change form; the Publish page lists all
UNINTERESTING_CHANGES = {"updated_at", "normalised_name"}
# "June 2022" needs a short box, which also keeps the tabular inlines within the page.
NARROW_PARTIAL_DATES = {PartialDateField: {"widget": forms.TextInput(attrs={"size": 16})}}


class RecordOnlyAdmin(LookaheadPaginationMixin, admin.ModelAdmin):
    """The admin of a record the site keeps of what was done (a batch, a merge): it is
    read and acted on through its own views, never added, edited or deleted as a form."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangesOnlyContextHelper(HistoricalRecordContextHelper):
    """History diffs without the bookkeeping columns every save touches."""

    def context_for_delta_changes(self, delta):
        changes = [c for c in delta.changes if c.field not in UNINTERESTING_CHANGES]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))


class ParentKnownFormSet(BoundedFormSetMixin, BaseInlineFormSet):
    """Shows the first rows only (``inlines``), and hands each row its parent object, so a
    row label naming the parent needs no query."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        return form


class CitableInline(PrefilledAutocompleteMixin, admin.TabularInline):
    """A child row that makes claims; its own citations are on its change page."""

    formset = ParentKnownFormSet
    template = "admin/investigations/bounded_inline.html"
    rows_template = "admin/edit_inline/tabular.html"
    extra = 0
    show_change_link = True
    formfield_overrides = NARROW_PARTIAL_DATES


class CurationAdmin(
    ProposesRevisions,
    PrefilledAutocompleteMixin,
    LookaheadPaginationMixin,
    SubquerySearchMixin,
    ExportMixin,
    SimpleHistoryAdmin,
):
    """Any curated model: history with diffs and revert, and spreadsheet export (imports
    are batches, through ``investigations.importers``).

    A change to a published record, or to one of its rows or citations, becomes (part of)
    its pending revision (``ProposesRevisions``).
    """

    change_form_template = "admin/investigations/curation_change_form.html"
    history_list_display = ("batch",)
    formfield_overrides = NARROW_PARTIAL_DATES

    def get_resource_classes(self, request):
        # The importers own the resource definitions, which export uses too.
        return [resource_class_for(self.model)]

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesOnlyContextHelper(self.model, historical_record)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return queryset.select_related("import_batch")

    def batch(self, historical_record):
        """The import batch a version came from; its column heads the history table."""
        return historical_record.import_batch or ""


class CitableAdmin(CurationAdmin):
    """A record that carries citations: they are edited inline and counted in the list."""

    inlines = (CitationInline,)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self.model in CHILD_PARENT_FIELDS:
            return (PendingRevisionFilter, *filters)
        return filters

    def get_readonly_fields(self, request, obj=None):
        return ("citation_coverage", *super().get_readonly_fields(request, obj))

    @admin.display(description="citation coverage")
    def citation_coverage(self, obj):
        if obj is None or obj.pk is None:
            return "Save the record, then cite its claims."
        prefetch_claim_children(obj)
        missing = publication.missing_claims(obj)
        listed = [(claim, admin_change_url(claim.record)) for claim in missing[:MISSING_LISTED]]
        context = {"record": obj, "missing": missing, "listed": listed}
        context["not_listed"] = len(missing) - len(listed)
        return render_to_string("admin/investigations/citation_coverage.html", context)

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


class PublishableAdmin(PublicationGateMixin, CitableAdmin):
    """A record the public sees once published: the gate, soft deletion and restore."""

    change_form_template = "admin/investigations/publishable_change_form.html"
    actions = ("publish_selected", "unpublish_selected", "restore_selected")

    def get_readonly_fields(self, request, obj=None):
        return (*GATE_FIELDS, *super().get_readonly_fields(request, obj))

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return (DeletedFilter, "status", PendingRevisionFilter, *filters)

    def get_search_results(self, request, queryset, search_term):
        # A deleted record can still be opened and restored, but no longer linked to.
        if request.path == reverse("admin:autocomplete"):
            queryset = queryset.filter(deleted_at__isnull=True)
        return super().get_search_results(request, queryset, search_term)

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            return super().get_fieldsets(request, obj)
        hidden = {*GATE_FIELDS, *PUBLICATION_FIELDSET, *HOME_PAGE_FIELDSET, "slug"}
        fields = [f for f in self.get_fields(request, obj) if f not in hidden]
        if "slug" in self.get_fields(request, obj):
            fields.append("slug")  # made from the name when blank; rarely edited
        fieldsets = [(None, {"fields": fields})]
        if issubclass(self.model, Featurable):
            fieldsets.append(("Home page", {"fields": HOME_PAGE_FIELDSET}))
        return [*fieldsets, ("Publication", {"fields": PUBLICATION_FIELDSET})]

    def save_model(self, request, obj, form, change):
        if change:
            _keep_gate_fields(obj)
        super().save_model(request, obj, form, change)


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
