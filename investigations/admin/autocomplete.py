"""Autocomplete widgets that render their selected option without a query per row.

Django's ``AutocompleteSelect`` looks up the selected object in the database each time it
renders, so a formset of 30 rows runs 30 queries per autocomplete column. Here the form
hands the widget the related object it already holds (the admin loads it with
``select_related``), and the widget only queries when it was not given one.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect


class PrefilledAutocompleteSelect(AutocompleteSelect):
    selected_objects = None  # {str(pk): object}, filled by PrefilledAutocompleteForm

    def optgroups(self, name, value, attr=None):
        known = self.selected_objects or {}
        empty = self.choices.field.empty_values
        selected = [str(v) for v in value if str(v) not in empty]
        if not selected or any(pk not in known for pk in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in selected:
            label = self.choices.field.label_from_instance(known[pk])
            options.append(self.create_option(name, pk, label, True, len(options)))
        return [(None, options, 0)]


class PrefilledAutocompleteForm(forms.ModelForm):
    """Gives each autocomplete widget the related object its instance has already loaded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrap the "+" wrapper
            if isinstance(widget, PrefilledAutocompleteSelect):
                widget.selected_objects = self._loaded_related(name)

    def _loaded_related(self, name):
        model_field = self.instance._meta.get_field(name)
        if not model_field.is_cached(self.instance):
            return None
        related = model_field.get_cached_value(self.instance)
        return {str(related.pk): related} if related is not None else None


class PrefilledAutocompleteMixin:
    """For ModelAdmin and inlines: use the prefilled widget and load what it shows."""

    form = PrefilledAutocompleteForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                PrefilledAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        related = [name for name in self.get_autocomplete_fields(request) if _is_fk(self, name)]
        return queryset.select_related(*related) if related else queryset


def _is_fk(admin, name):
    return admin.model._meta.get_field(name).many_to_one
