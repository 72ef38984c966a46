"""Changelist search that matches related records' fields in subqueries, not joins.

Django's admin search joins every relation it searches (a contract's parties' names) into
the changelist's query, and removes the duplicate rows that to-many joins make with
DISTINCT over the whole table. Here a field across a relation is matched in a subquery
that the database runs once, from the related table's side (``organisation_id IN (SELECT
id FROM organisation WHERE name LIKE ...)``, or ``id IN (SELECT contract_id FROM party
...)``); the changelist's own query keeps one row per record, and can use the foreign
keys' indexes.
"""

from django.db.models import ForeignObjectRel, Q
from django.utils.text import smart_split, unescape_string_literal

PREFIXES = ("^", "=", "@")  # Django's search-field prefixes, which this leaves to Django


class SubquerySearchMixin:
    """For a ModelAdmin whose search_fields are plain field paths (no ^, =, @)."""

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        if not search_term or any(str(field).startswith(PREFIXES) for field in fields):
            return super().get_search_results(request, queryset, search_term)
        for term in smart_split(search_term):
            if term.startswith(('"', "'")) and term[0] == term[-1]:
                term = unescape_string_literal(term)
            queryset = queryset.filter(self._matching(fields, term))
        return queryset, False

    def _matching(self, fields, term):
        """Whether any of the fields contains the term (each term must match one)."""
        matches = Q()
        for field in fields:
            matches |= self._field_contains(str(field), term)
        return matches

    def _field_contains(self, path, term):
        name, _, rest = path.partition("__")
        field = self.opts.get_field(name)
        if not rest or not field.is_relation:
            return Q(**{f"{path}__icontains": term})
        related = field.related_model._base_manager.filter(**{f"{rest}__icontains": term})
        if field.many_to_one or (field.one_to_one and field.concrete):
            return Q(**{f"{name}__in": related.values(field.target_field.name)})
        if isinstance(field, ForeignObjectRel) and not field.many_to_many:
            return Q(pk__in=related.values(field.field.name))  # the reverse of a foreign key
        matching = self.model._base_manager.filter(**{f"{path}__icontains": term})
        return Q(pk__in=matching.values("pk"))
