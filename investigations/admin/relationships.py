"""Typed, dated relationships between organisations."""

from django.contrib import admin

from investigations.models import Relationship, format_money

from .base import PublishableAdmin, partial_date


@admin.register(Relationship)
class RelationshipAdmin(PublishableAdmin):
    list_display = (
        "subject",
        "kind",
        "object",
        "share_column",
        "value_column",
        partial_date("start"),
        partial_date("end"),
        "status",
        "citations_column",
    )
    list_filter = ("kind",)
    list_select_related = ("subject", "object")
    search_fields = ("subject__name", "object__name", "description")
    autocomplete_fields = ("subject", "object")

    @admin.display(description="share")
    def share_column(self, obj):
        if obj.share_min is None and obj.share_max is None:
            return ""
        if obj.share_min == obj.share_max or obj.share_max is None:
            return f"{obj.share_min}%"
        return f"{obj.share_min or 0}–{obj.share_max}%"

    @admin.display(description="price or value", ordering="value")
    def value_column(self, obj):
        return format_money(obj.value, obj.currency)
