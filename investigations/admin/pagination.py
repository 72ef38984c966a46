"""A paginator for changelists of a million rows: it counts only a few pages ahead.

Django's admin counts every row a changelist matches, on every page, to number its pages,
and then reads the page with an OFFSET over rows it sorts in full. Here one query reads the
ids of the rows from the page's start to a few pages past it: their number is the count as
far as the page links go (every linked page exists), and the page's own rows are then read
by id, without the filters and search the ids already met (a search's subquery would be
run again). Where counting stopped short, the templates say "more than" that many.
"""

import itertools

from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.functional import cached_property

PAGES_AHEAD = 5


class LookaheadPaginator(Paginator):
    def __init__(self, object_list, per_page, *, number=1, rows=None, **kwargs):
        """``rows``: where the page's rows are read from by id (by default, object_list)."""
        super().__init__(object_list, per_page, **kwargs)
        self.number = number
        self.limit = PAGES_AHEAD * per_page
        self.rows = object_list if rows is None else rows

    @cached_property
    def _ids_from_page_start(self):
        start = (self.number - 1) * self.per_page
        return start, list(
            self.object_list.values_list("pk", flat=True)[start : start + self.limit + 1]
        )

    @cached_property
    def count(self):
        # Past the last page there are no ids: the count is then the page's start, and
        # validate_number refuses the page, as Django's own count would have it.
        start, ids = self._ids_from_page_start
        return start + len(ids)

    @property
    def stopped_counting(self):
        return len(self._ids_from_page_start[1]) > self.limit

    @property
    def counted_up_to(self):
        """When counting stopped short: there are more rows than this."""
        return self.count - 1

    def page(self, number):
        number = self.validate_number(number)
        if number != self.number:
            return super().page(number)
        return Page(self.rows_by_id(self._ids_from_page_start[1][: self.per_page]), number, self)

    def rows_by_id(self, ids):
        return self.rows.filter(pk__in=ids).order_by(*self.object_list.query.order_by)

    def all_rows(self):
        """Every row, when this counted them all (from the first page); else None."""
        if self.number != 1 or self.stopped_counting:
            return None
        return self.rows_by_id(self._ids_from_page_start[1])

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        """No page numbers past those counted, which are not the last ones."""
        pages = super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
        if not self.stopped_counting:
            return pages
        near = list(
            itertools.takewhile(
                lambda page: page == self.ELLIPSIS or page <= number + on_each_side, pages
            )
        )
        return near if near[-1] == self.ELLIPSIS else [*near, self.ELLIPSIS]


class LookaheadChangeList(ChangeList):
    """Reads a result of one page (or "show all") by id too: Django would run the
    changelist's query, and its search, a second time for it."""

    def get_results(self, request):
        super().get_results(request)
        one_page = (self.show_all and self.can_show_all) or not self.multi_page
        rows = self.paginator.all_rows() if one_page else None
        if rows is not None:
            self.result_list = rows


class LookaheadPaginationMixin:
    """For a ModelAdmin: changelists and autocompletes count a few pages ahead, not all."""

    show_full_result_count = False
    paginator = LookaheadPaginator

    def get_changelist(self, request, **kwargs):
        return LookaheadChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, **kwargs):
        # The autocomplete view pages with ?page=, the changelist with ?p=.
        name = "page" if request.path == reverse("admin:autocomplete") else PAGE_VAR
        number = request.GET.get(name, "1")
        number = int(number) if number.isdigit() and int(number) > 0 else 1
        rows = self.get_queryset(request)
        if self.list_select_related:
            related = () if self.list_select_related is True else self.list_select_related
            rows = rows.select_related(*related)
        return self.paginator(
            queryset, per_page, orphans=orphans, number=number, rows=rows, **kwargs
        )
