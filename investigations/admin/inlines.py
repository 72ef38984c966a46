"""Inlines that show a bounded number of a parent's child rows, and link to the rest.

A framework can have a thousand members and a change form renders every inline row as a
form: seconds of template rendering for a page nobody reads to the end. Here an inline shows
its first ``MAX_INLINE_ROWS`` rows (and the blank rows to add more); when there are more,
it says how many and links to the child's changelist filtered by the parent, where every
row can be read, searched and edited. A saved form edits exactly the rows it showed.
"""

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property

MAX_INLINE_ROWS = 20


class BoundedFormSetMixin:
    """For an inline formset: its rows are the first few, or those its POST submitted."""

    max_shown = MAX_INLINE_ROWS

    def get_queryset(self):
        if not hasattr(self, "_shown"):
            rows = super().get_queryset()
            if self.is_bound:
                self._shown, self.has_more = rows.filter(pk__in=self._submitted_ids()), False
            else:
                first = list(rows[: self.max_shown + 1])  # one more says there are more
                self._shown, self.has_more = first[: self.max_shown], len(first) > self.max_shown
        return self._shown

    def _submitted_ids(self):
        """The ids of the rows the form was shown with, as its POST names them."""
        pk = self.model._meta.pk
        ids = []
        for i in range(min(self.initial_form_count(), self.absolute_max)):
            try:
                ids.append(pk.to_python(self.data.get(self.add_prefix(f"{i}-{pk.name}"))))
            except ValidationError:
                continue
        return [value for value in ids if value is not None]

    @cached_property
    def total_rows(self):
        """How many rows the parent has: counted (by its index) only when not all are shown."""
        shown = self.get_queryset()
        return super().get_queryset().count() if self.has_more else len(shown)

    @property
    def rows_not_shown(self):
        return self.total_rows - len(self.get_queryset()) if self.has_more else 0

    def all_rows_url(self):
        """The child's changelist, filtered to this parent's rows."""
        opts = self.model._meta
        try:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            return None
        return f"{changelist}?{self.parent_filter()}"

    def parent_filter(self):
        return f"{self.fk.name}__{self.fk.target_field.name}__exact={self.instance.pk}"
