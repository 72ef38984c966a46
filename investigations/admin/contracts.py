"""Frameworks with their members, and contracts with their many parties."""

from django.contrib import admin
from django.db.models import Prefetch

from investigations.models import (
    Contract,
    ContractParty,
    Framework,
    FrameworkMembership,
    format_money,
)

from .base import CitableAdmin, CitableInline, PublishableAdmin, partial_date
from .listfilters import IndexedValuesFilter


class MembershipInline(CitableInline):
    model = FrameworkMembership
    fields = ("organisation", "lot", "start")
    autocomplete_fields = ("organisation",)


@admin.register(Framework)
class FrameworkAdmin(PublishableAdmin):
    list_display = (
        "name",
        "buyer",
        "value_column",
        "supplier_count",
        partial_date("start"),
        partial_date("end"),
        "status",
        "citations_column",
    )
    list_filter = ("service_category",)
    list_select_related = ("buyer",)
    search_fields = ("name", "reference")
    autocomplete_fields = ("buyer",)
    inlines = (MembershipInline, *PublishableAdmin.inlines)

    @admin.display(description="total value", ordering="value")
    def value_column(self, obj):
        return format_money(obj.value, obj.currency)


class PartyInline(CitableInline):
    model = ContractParty
    fields = ("organisation", "role", "note")
    autocomplete_fields = ("organisation",)


@admin.register(Contract)
class ContractAdmin(PublishableAdmin):
    list_display = (
        "title",
        "value_column",
        partial_date("awarded"),
        "buyers_column",
        "suppliers_column",
        "contract_status",
        "status",
        "citations_column",
    )
    list_filter = (
        "contract_status",
        "service_category",
        "procurement_route",
        ("region", IndexedValuesFilter),
    )
    list_select_related = ("framework", "site")
    search_fields = ("title", "reference", "parties__organisation__name")
    autocomplete_fields = ("framework", "site")
    inlines = (PartyInline, *PublishableAdmin.inlines)

    def get_queryset(self, request):
        parties = ContractParty.objects.select_related("organisation")
        return super().get_queryset(request).prefetch_related(Prefetch("parties", parties))

    @admin.display(description="value", ordering="value")
    def value_column(self, obj):
        return obj.value_display

    @admin.display(description="buyers")
    def buyers_column(self, obj):
        return _names(obj, ContractParty.BUYER_ROLES)

    @admin.display(description="suppliers")
    def suppliers_column(self, obj):
        return _names(obj, ContractParty.SUPPLIER_ROLES)


def _names(contract, roles):
    return ", ".join(str(p.organisation) for p in contract.parties.all() if p.role in roles)


@admin.register(ContractParty)
class ContractPartyAdmin(CitableAdmin):
    list_display = ("organisation", "role", "contract", "citations_column")
    list_filter = ("role",)
    list_select_related = ("organisation", "contract")
    search_fields = ("organisation__name", "contract__title")
    # Newest first, from the primary key: the model's order sorts millions of rows by
    # their contracts' dates.
    ordering = ("-pk",)
    autocomplete_fields = ("contract", "organisation")


@admin.register(FrameworkMembership)
class FrameworkMembershipAdmin(CitableAdmin):
    list_display = ("organisation", "framework", "lot", partial_date("start"), "citations_column")
    list_select_related = ("organisation", "framework")
    search_fields = ("organisation__name", "framework__name")
    autocomplete_fields = ("framework", "organisation")
