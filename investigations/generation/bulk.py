"""Rows written straight into tables: no model instances, no signals, no history.

Ids are given here rather than read back, so that a child row can name its parent in the
same chunk. Columns a caller does not give take the field's default, prepared once per
table. PostgreSQL reads the rows by COPY, SQLite by executemany; both in the caller's
transaction.
"""

import itertools

from django.core.management.color import no_style
from django.db import connection


class BulkWriter:
    def __init__(self, now):
        self.now = now
        self._next_ids = {}
        self._constants = {}
        self._counters = {}
        self.written = set()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # A cache that holds the indexes being written (the default is 2 MB), for
                # this connection only.
                cursor.execute("PRAGMA cache_size = -1000000")

    def ids(self, model, count):
        """``count`` new primary keys for ``model``'s table, after every id already there."""
        start = self._next_ids.get(model) or _first_free_id(model)
        self._next_ids[model] = start + count
        return range(start, start + count)

    def counter(self, model):
        """New primary keys one at a time, for a table whose rows are made one by one."""
        if model not in self._counters:
            self._counters[model] = itertools.count(_first_free_id(model))
        return self._counters[model]

    def write(self, model, fields, rows):
        """Insert ``rows``: tuples of values for ``fields`` (names, ``id`` first), ready for
        the database."""
        columns, constants = self._columns(model, tuple(fields))
        rows = (tuple(row) + constants for row in rows)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        self.written.add(model)

    def _columns(self, model, fields):
        key = (model, fields)
        if key not in self._constants:
            given = [model._meta.get_field(name) for name in fields]
            rest = [field for field in model._meta.concrete_fields if field not in given]
            values = tuple(
                field.get_db_prep_save(self._default(field), connection) for field in rest
            )
            self._constants[key] = ([field.column for field in given + rest], values)
        return self._constants[key]

    def _default(self, field):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        return field.get_default()

    def finish(self):
        """Move PostgreSQL's id sequences past the ids given here."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _first_free_id(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
