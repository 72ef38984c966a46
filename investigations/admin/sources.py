"""Sources, with the claims each supports, and every citation in one searchable list."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.db.models import Count, FileField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from investigations.models import Citation, Source

from .base import CurationAdmin, PublishableAdmin, partial_date, prefetch_cited_records
from .citations import freshness, reconfirm
from .merging import MergeMixin
from .publishing import admin_change_url

SUPPORTED_CLAIMS_SHOWN = 50


@dataclass(frozen=True)
class CurrentFile:
    """What the file widget shows of a stored file: its original name, and a link."""

    url: str
    name: str

    def __str__(self):
        return self.name


class SourceFileInput(forms.ClearableFileInput):
    """Links the current file to the view that serves it: /media/ is not served at all."""

    def format_value(self, value):
        if not self.is_initial(value):
            return None
        source = value.instance
        url = reverse("source_file", args=[source.slug])
        return CurrentFile(url, source.original_name or value.name.rsplit("/", 1)[-1])


@admin.register(Source)
class SourceAdmin(MergeMixin, PublishableAdmin):
    list_display = (
        "title",
        "kind",
        "source_type",
        "publisher",
        partial_date("published_on", "published"),
        "status",
        "cited_by_column",
    )
    list_filter = ("kind", "source_type")
    search_fields = ("title", "publisher", "author", "url")
    readonly_fields = ("file_sha256", "supported_claims")
    # The stored name is short and random; the uploaded name is kept whole, for display.
    formfield_overrides = {
        **PublishableAdmin.formfield_overrides,
        FileField: {"widget": SourceFileInput, "max_length": 255},
    }
    # A source is cited *by* records; what it supports is listed, not edited, here.
    inlines = ()

    def get_queryset(self, request):
        # Spelled out for clarity: a source's own "citations" are citations *of* it.
        supported = Citation.objects.filter(source=OuterRef("pk")).order_by().values("source")
        counted = supported.annotate(n=Count("pk")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(cited_by=Coalesce(Subquery(counted, output_field=IntegerField()), 0))
        )

    @admin.display(description="claims it supports", ordering="cited_by")
    def cited_by_column(self, obj):
        return obj.cited_by

    @admin.display(description="claims it supports")
    def supported_claims(self, obj):
        if obj is None or obj.pk is None:
            return ""
        citations = Citation.objects.filter(source=obj).prefetch_related(prefetch_cited_records())
        shown = [
            (citation, admin_change_url(citation.record) if citation.record else "")
            for citation in citations[:SUPPORTED_CLAIMS_SHOWN]
        ]
        all_url = (
            reverse("admin:investigations_citation_changelist") + f"?source__id__exact={obj.pk}"
        )
        context = {"shown": shown, "total": obj.cited_by, "all_url": all_url}
        return render_to_string("admin/investigations/supported_claims.html", context)


@admin.register(Citation)
class CitationAdmin(CurationAdmin):
    """Every citation, to find and fix them across records; most are added inline."""

    list_display = (
        "claim_column",
        "record_column",
        "source",
        "confidence",
        "locator",
        "checked_against",
    )
    list_filter = ("confidence", "content_type")
    list_select_related = ("source", "content_type")
    search_fields = ("quote", "note", "source__title", "marker", "field_name")
    search_scan_limit = 50_000  # quotes are long, and millions; a source's title is indexed
    autocomplete_fields = ("source",)
    claim_fields = ("field_name", "marker", "source", "quote", "locator", "confidence", "note")
    actions = ("reconfirm_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(prefetch_cited_records())

    def get_fields(self, request, obj=None):
        # Moving a citation to another record is a new citation, made on that record's page.
        cited = ("record_column", "checked_against") if obj else ("content_type", "object_id")
        return (*cited, *self.claim_fields)

    def get_readonly_fields(self, request, obj=None):
        return ("record_column", "checked_against")

    @admin.display(description="checked against")
    def checked_against(self, obj):
        return freshness(obj)

    @admin.action(description="Re-confirm selected citations against current values",
                  permissions=("change",))  # fmt: skip
    def reconfirm_selected(self, request, queryset):
        stale = [citation for citation in queryset if citation.is_stale()]
        for citation in stale:
            reconfirm(citation)
            citation.save()
        self.message_user(request, f"Re-confirmed {len(stale)} stale citation(s).")

    @admin.display(description="claim", ordering="field_name")
    def claim_column(self, obj):
        return f"{obj.field_name or 'record'}{f' [^{obj.marker}]' if obj.marker else ''}"

    @admin.display(description="record")
    def record_column(self, obj):
        if obj.record is None:
            return "(deleted)"
        return format_html('<a href="{}">{}</a>', admin_change_url(obj.record), obj.record)
