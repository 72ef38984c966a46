"""The citations inline shown on every citable record's change page.

A citation backs the value it was confirmed against. When the record's value changes, the
inline marks the citation ("checked against 1989") and a researcher re-confirms it against
the current value by ticking "re-confirm": a normal save, so the history records it.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.db import models
from django.utils.text import Truncator

from investigations.models import Citation

from .autocomplete import PrefilledAutocompleteForm, PrefilledAutocompleteMixin

WHOLE_RECORD = ("", "The whole record")
RECONFIRMED = "Re-confirmed against the current value"


def claim_choices(model):
    """What a citation of this model can back: the record, a claim field, or a prose field."""
    names = (*model.claim_fields, *model.prose_fields)
    return [WHOLE_RECORD] + [(name, model._meta.get_field(name).verbose_name) for name in names]


def freshness(citation):
    """ "current", or what the value was when the citation was last checked."""
    if citation.pk is None or not citation.is_stale():
        return "current" if citation.pk else ""
    old = citation.confirmed_value or "no value"
    return f"checked against “{Truncator(old).chars(60)}”"


def reconfirm(citation):
    """Confirm against the record's current value; the save that follows is in the history."""
    citation.confirm()
    citation._change_reason = RECONFIRMED


class CitationForm(PrefilledAutocompleteForm):
    """Offers the claims of the cited model, and keeps a value an import wrote otherwise."""

    reconfirm = forms.BooleanField(
        label="re-confirm",
        required=False,
        help_text="The source backs the claim's current value too.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["field_name"]
        current = self.instance.field_name
        if current not in dict(field.choices):
            field.choices = [*field.choices, (current, current)]

    def save(self, commit=True):
        if self.cleaned_data.get("reconfirm"):
            reconfirm(self.instance)
        return super().save(commit)


class CitationFormSet(BaseGenericInlineFormSet):
    """Each citation already holds its record (the page's), so its freshness costs no query."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is not None:
            form.instance.record = self.instance
        return form


class CitationInline(PrefilledAutocompleteMixin, GenericTabularInline):
    model = Citation
    form = CitationForm
    formset = CitationFormSet
    extra = 1
    fields = (
        "source",
        "field_name",
        "marker",
        "quote",
        "locator",
        "confidence",
        "note",
        "checked_against",
        "reconfirm",
    )
    readonly_fields = ("checked_against",)
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

    @admin.display(description="checked against")
    def checked_against(self, citation):
        return freshness(citation)
