"""A list filter whose choices are read from an index, not by DISTINCT over every row."""

from django.contrib import admin
from django.db import connection


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """The values of a column of records not deleted, as a loose index scan: one seek of an
    index that starts with the column (and holds only such records) per value. Django's
    DISTINCT reads every row, a second or more at a million contracts on PostgreSQL."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = distinct_values(model._meta.db_table, field.column)


def distinct_values(table, column):
    live = "deleted_at IS NULL"
    sql = (
        f"WITH RECURSIVE seen(value) AS ("
        f" SELECT MIN({column}) FROM {table} WHERE {live}"
        f" UNION ALL SELECT (SELECT MIN({column}) FROM {table}"
        f"  WHERE {live} AND {column} > seen.value) FROM seen WHERE seen.value IS NOT NULL"
        f") SELECT value FROM seen WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall()]
