"""The citations inline shown on every citable record's change page."""

from django import forms
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models

from investigations.models import Citation

from .autocomplete import PrefilledAutocompleteForm, PrefilledAutocompleteMixin

WHOLE_RECORD = ("", "The whole record")


def claim_choices(model):
    """What a citation of this model can back: the record, a claim field, or a prose field."""
    names = (*model.claim_fields, *model.prose_fields)
    return [WHOLE_RECORD] + [(name, model._meta.get_field(name).verbose_name) for name in names]


class CitationForm(PrefilledAutocompleteForm):
    """Offers the claims of the cited model, and keeps a value an import wrote otherwise."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["field_name"]
        current = self.instance.field_name
        if current not in dict(field.choices):
            field.choices = [*field.choices, (current, current)]


class CitationInline(PrefilledAutocompleteMixin, GenericTabularInline):
    model = Citation
    form = CitationForm
    extra = 1
    fields = ("source", "field_name", "marker", "quote", "locator", "confidence", "note")
    autocomplete_fields = ("source",)
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}
    }
    verbose_name = "citation"
    verbose_name_plural = "citations (sources for this record and its fields)"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "field_name":
            return forms.ChoiceField(
                label="Claim", choices=claim_choices(self.parent_model), required=False
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
