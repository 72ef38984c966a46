"""Organisations, with their aliases, identifiers, profile sections and filings inline."""

from django import forms
from django.contrib import admin
from django.db import models

from investigations.models import (
    FinancialFiling,
    Identifier,
    Organisation,
    OrganisationAlias,
    ProfileSection,
    format_money,
)

from .base import CitableAdmin, CitableInline, PublishableAdmin, partial_date
from .merging import MergeMixin


class AliasInline(CitableInline):
    model = OrganisationAlias
    fields = ("name", "kind", "start", "end")


class IdentifierInline(CitableInline):
    model = Identifier
    fields = ("scheme", "value")


class ProfileSectionInline(CitableInline):
    model = ProfileSection
    rows_template = "admin/edit_inline/stacked.html"  # prose needs the width
    fields = (("heading", "title", "position"), "body")
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"})}
    }


class FinancialFilingInline(CitableInline):
    model = FinancialFiling
    fields = (
        "period_end",
        "period_months",
        "currency",
        "turnover",
        "operating_profit",
        "profit_before_tax",
        "net_assets",
        "employees",
    )


@admin.register(Organisation)
class OrganisationAdmin(MergeMixin, PublishableAdmin):
    list_display = (
        "name",
        "kind",
        "org_status",
        "identifiers_column",
        "country",
        "status",
        "citations_column",
        "updated_at",
    )
    list_filter = ("kind", "org_status", "country")
    search_fields = ("name", "normalised_name", "aliases__normalised_name", "identifiers__value")
    inlines = (
        AliasInline,
        IdentifierInline,
        ProfileSectionInline,
        FinancialFilingInline,
        *PublishableAdmin.inlines,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("identifiers")

    @admin.display(description="identifiers")
    def identifiers_column(self, obj):
        return ", ".join(identifier.org_id for identifier in obj.identifiers.all())


class OrganisationChildAdmin(CitableAdmin):
    """A child row's own page, where its citations are edited (see the parent's inlines)."""

    autocomplete_fields = ("organisation",)
    list_select_related = ("organisation",)


@admin.register(OrganisationAlias)
class OrganisationAliasAdmin(OrganisationChildAdmin):
    list_display = (
        "name",
        "organisation",
        "kind",
        partial_date("start"),
        partial_date("end"),
        "citations_column",
    )
    list_filter = ("kind",)
    search_fields = ("name", "organisation__name")


@admin.register(Identifier)
class IdentifierAdmin(OrganisationChildAdmin):
    list_display = ("__str__", "organisation", "scheme", "citations_column")
    list_filter = ("scheme",)
    search_fields = ("value", "organisation__name")


@admin.register(ProfileSection)
class ProfileSectionAdmin(OrganisationChildAdmin):
    list_display = ("__str__", "organisation", "position", "citations_column")
    list_filter = ("heading",)
    search_fields = ("title", "body", "organisation__name")


@admin.register(FinancialFiling)
class FinancialFilingAdmin(OrganisationChildAdmin):
    list_display = ("organisation", "period_end", "turnover_column", "citations_column")
    search_fields = ("organisation__name",)
    date_hierarchy = "period_end"

    @admin.display(description="turnover", ordering="turnover")
    def turnover_column(self, obj):
        return format_money(obj.turnover, obj.currency)
