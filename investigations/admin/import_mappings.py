"""Saved column mappings: named, reused on upload and by ``import_batch --mapping NAME``."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from investigations.importers.mapping import read_mapping
from investigations.importers.reading import ImportFileError
from investigations.models import ImportMapping

from .pagination import LookaheadPaginationMixin


class ImportMappingForm(forms.ModelForm):
    class Meta:
        model = ImportMapping
        fields = ("name", "kind", "columns", "one_row_per_party")

    def clean(self):
        data = super().clean()
        try:
            read_mapping({k: data[k] for k in self.Meta.fields[1:] if data.get(k) is not None})
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return data


@admin.register(ImportMapping)
class ImportMappingAdmin(LookaheadPaginationMixin, SimpleHistoryAdmin):
    form = ImportMappingForm
    list_display = ("name", "kind", "one_row_per_party", "created_by", "created_at")
    list_select_related = ("created_by",)
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
