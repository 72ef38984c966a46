"""Sources, and every citation across the database in one searchable list."""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from investigations.models import Citation, Source

from .autocomplete import PrefilledAutocompleteMixin
from .base import PublishableAdmin, admin_change_url, partial_date


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    list_display = (
        "title",
        "kind",
        "source_type",
        "publisher",
        partial_date("published_on", "published"),
        "status",
        "cited_by_column",
    )
    list_filter = ("kind", "source_type", "publisher")
    search_fields = ("title", "publisher", "author", "url")
    readonly_fields = ("file_sha256",)

    def get_queryset(self, request):
        # Spelled out: on Source, the lookup "citations" means citations *of* the source.
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


@admin.register(Citation)
class CitationAdmin(PrefilledAutocompleteMixin, SimpleHistoryAdmin):
    """Every citation, to find and fix them across records; most are added inline."""

    list_display = ("claim_column", "record_column", "source", "confidence", "locator")
    list_filter = ("confidence", "content_type")
    list_select_related = ("source", "content_type")
    search_fields = ("quote", "note", "source__title", "marker", "field_name")
    autocomplete_fields = ("source",)
    fields = (
        "content_type",
        "object_id",
        "field_name",
        "marker",
        "source",
        "quote",
        "locator",
        "confidence",
        "note",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    @admin.display(description="claim", ordering="field_name")
    def claim_column(self, obj):
        return f"{obj.field_name or 'record'}{f' [^{obj.marker}]' if obj.marker else ''}"

    @admin.display(description="record")
    def record_column(self, obj):
        if obj.record is None:
            return "(deleted)"
        return format_html('<a href="{}">{}</a>', admin_change_url(obj.record), obj.record)
