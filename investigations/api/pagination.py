"""Limit/offset paging of API lists, read as the HTML lists read their pages."""

from rest_framework.pagination import LimitOffsetPagination

from investigations.views.lists import PAGE_SIZE, IdsFirstPaginator

MAX_PAGE_SIZE = 100


class ListPagination(LimitOffsetPagination):
    """``?limit=`` (at most ``MAX_PAGE_SIZE``; larger asks get that many) and ``?offset=``.

    The page's ids are read first, then only its rows, in an order that ends with the
    primary key: a deep offset walks an index, and equal values cannot shuffle between
    pages (``IdsFirstPaginator``).
    """

    default_limit = PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        paginator = IdsFirstPaginator(queryset, self.limit)
        self.count = paginator.count
        if self.offset >= self.count:
            return []  # nothing to read, and an offset past any integer column never reaches SQL
        return paginator.rows(self.offset, self.offset + self.limit)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit, default=PAGE_SIZE)
                parameter["description"] = f"Results per page, at most {self.max_limit}."
        return parameters
