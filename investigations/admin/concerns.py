"""Concerns and the organisations they are about."""

from django.contrib import admin

from investigations.models import Concern, ConcernParty, format_money

from .base import CitableAdmin, CitableInline, PublishableAdmin, partial_date


class ConcernPartyInline(CitableInline):
    model = ConcernParty
    fields = ("organisation", "named_as", "parent_at_time")
    autocomplete_fields = ("organisation", "parent_at_time")


@admin.register(Concern)
class ConcernAdmin(PublishableAdmin):
    list_display = (
        "title",
        "kind",
        "concern_status",
        "regulator",
        partial_date("occurred", "date"),
        "penalty_column",
        "status",
        "citations_column",
    )
    list_filter = ("kind", "concern_status")
    list_select_related = ("regulator",)
    search_fields = ("title", "summary", "parties__organisation__name")
    autocomplete_fields = ("regulator", "contracts", "people")
    inlines = (ConcernPartyInline, *PublishableAdmin.inlines)

    @admin.display(description="penalty", ordering="penalty")
    def penalty_column(self, obj):
        return format_money(obj.penalty, obj.currency)


@admin.register(ConcernParty)
class ConcernPartyAdmin(CitableAdmin):
    list_display = ("organisation", "concern", "named_as", "parent_at_time", "citations_column")
    list_select_related = ("organisation", "concern", "parent_at_time")
    search_fields = ("organisation__name", "named_as", "concern__title")
    autocomplete_fields = ("concern", "organisation", "parent_at_time")
