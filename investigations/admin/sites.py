"""Sites, and which organisations own, run or equip them."""

from django.contrib import admin

from investigations.models import Site, SiteRole

from .base import CitableAdmin, CitableInline, PublishableAdmin, partial_date


class SiteRoleInline(CitableInline):
    model = SiteRole
    fields = ("organisation", "kind", "start", "end")
    autocomplete_fields = ("organisation",)


@admin.register(Site)
class SiteAdmin(PublishableAdmin):
    list_display = (
        "name",
        "kind",
        "locality",
        "region",
        partial_date("opened"),
        "status",
        "citations_column",
    )
    list_filter = ("kind", "region")
    search_fields = ("name", "locality", "region", "address")
    inlines = (SiteRoleInline, *PublishableAdmin.inlines)


@admin.register(SiteRole)
class SiteRoleAdmin(CitableAdmin):
    list_display = (
        "site",
        "kind",
        "organisation",
        partial_date("start"),
        partial_date("end"),
        "citations_column",
    )
    list_filter = ("kind",)
    list_select_related = ("site", "organisation")
    search_fields = ("site__name", "organisation__name")
    autocomplete_fields = ("site", "organisation")
