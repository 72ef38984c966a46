"""Limit/offset paging of API lists, counted and paged as the HTML lists are."""

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from investigations.views.lists import COUNT_LIMIT, PAGE_SIZE, CountLimitedPaginator

MAX_PAGE_SIZE = 100


class ListResponse(Response):
    """Kept by the page cache as its rendered JSON alone: the data it was rendered from
    (every date and value of the page, as objects) would be unpickled on each hit."""

    def __getstate__(self):
        state = super().__getstate__()
        del state["data"]
        return state


class ListPagination(LimitOffsetPagination):
    """``?limit=`` (at most ``MAX_PAGE_SIZE``; larger asks get that many) and ``?offset=``.

    A list counts no further than ``COUNT_LIMIT`` rows and pages no deeper, as the HTML
    lists do: past it, ``count`` is ``COUNT_LIMIT`` and ``count_is_exact`` false, and a
    reader narrows the filters or downloads the lot. The page's ids are read first, then
    only its rows, in an order that ends with the primary key (``IdsFirstPaginator``).
    """

    default_limit = PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        paginator = CountLimitedPaginator(queryset, self.limit)
        self.count = min(paginator.count, paginator.limit)
        self.count_is_exact = not paginator.more_than_limit
        if self.offset >= self.count:
            return []  # nothing to read, and an offset past any integer column never reaches SQL
        return paginator.rows(self.offset, min(self.offset + self.limit, self.count))

    def get_paginated_response(self, data):
        return ListResponse(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["required"].append("count_is_exact")
        described["properties"]["count"]["description"] = (
            f"The rows the filters select, counted up to {COUNT_LIMIT:,}."
        )
        described["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": f"False when there are more than {COUNT_LIMIT:,}: the list pages "
            "only through the first of them; narrow the filters, or download the list.",
        }
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit, default=PAGE_SIZE)
                parameter["description"] = f"Results per page, at most {self.max_limit}."
            if parameter["name"] == self.offset_query_param:
                parameter["description"] = (
                    f"The first row's place in the list; the list pages no deeper than "
                    f"{COUNT_LIMIT:,} rows."
                )
        return parameters
