"""People and the roles they hold at organisations."""

from django.contrib import admin

from investigations.models import Person, Role

from .base import CitableAdmin, CitableInline, PublishableAdmin, partial_date
from .merging import MergeMixin


class RoleInline(CitableInline):
    model = Role
    fields = ("organisation", "kind", "title", "start", "end")
    autocomplete_fields = ("organisation",)


@admin.register(Person)
class PersonAdmin(MergeMixin, PublishableAdmin):
    list_display = ("name", "description", "status", "citations_column", "updated_at")
    search_fields = ("name", "description")
    inlines = (RoleInline, *PublishableAdmin.inlines)


@admin.register(Role)
class RoleAdmin(CitableAdmin):
    list_display = (
        "person",
        "kind",
        "title",
        "organisation",
        partial_date("start"),
        partial_date("end"),
        "citations_column",
    )
    list_filter = ("kind",)
    list_select_related = ("person", "organisation")
    search_fields = ("person__name", "organisation__name", "title")
    autocomplete_fields = ("person", "organisation")
