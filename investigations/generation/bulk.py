"""Rows written straight into tables: no model instances, no signals, no history.

Ids are given here rather than read back, so that a child row can name its parent in the
same chunk. Columns a caller does not give take the field's default, prepared once per
table. PostgreSQL reads the rows by COPY, SQLite by executemany; both in the caller's
transaction. While ``tuned()`` lasts, the connection trades durability for speed: a load
that is cut short is deleted anyway.
"""

import contextlib
import itertools

from django.core.management.color import no_style
from django.db import connection

# This connection's settings while loading. SQLite: no waiting for the disk at each commit,
# a cache (the default is 2 MB) that holds the tables and indexes being written, and the
# sorts that build indexes in memory. PostgreSQL: no waiting for the WAL at each commit,
# the memory to build each index in one pass and to check each foreign key in one join.
LOAD_SETTINGS = {
    "sqlite": {"synchronous": "OFF", "cache_size": "-1000000", "temp_store": "MEMORY"},
    "postgresql": {"synchronous_commit": "off", "maintenance_work_mem": "1GB", "work_mem": "256MB"},
}
# Not to be changed inside a transaction; within a caller's, there is one commit anyway.
BETWEEN_TRANSACTIONS = {"synchronous", "temp_store"}


class BulkWriter:
    def __init__(self, now):
        self.now = now
        self._next_ids = {}
        self._constants = {}
        self._counters = {}
        self.written = set()

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
        self.write_rows(model._meta.db_table, columns, (row + constants for row in rows))
        self.written.add(model)

    def write_rows(self, table, columns, rows, replacing=False):
        """Insert ``rows``, tuples of values for every one of ``columns``, into ``table``;
        ``replacing``: on SQLite, a row with the key of one already there replaces it."""
        table = connection.ops.quote_name(table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                verb = "INSERT OR REPLACE" if replacing else "INSERT"
                cursor.executemany(f"{verb} INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608

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


@contextlib.contextmanager
def tuned():
    """``LOAD_SETTINGS`` on this connection while the context lasts, then as they were."""
    settings = LOAD_SETTINGS[connection.vendor]
    if connection.in_atomic_block:
        settings = {
            name: value for name, value in settings.items() if name not in BETWEEN_TRANSACTIONS
        }
    with connection.cursor() as cursor:
        before = {name: _setting(cursor, name) for name in settings}
        for name, value in settings.items():
            _set(cursor, name, value)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                _set(cursor, name, value)


def _setting(cursor, name):
    if connection.vendor == "sqlite":
        cursor.execute(f"PRAGMA {name}")
    else:
        cursor.execute("SELECT current_setting(%s)", [name])
    return cursor.fetchone()[0]


def _set(cursor, name, value):
    if connection.vendor == "sqlite":
        cursor.execute(f"PRAGMA {name} = {value}")
    else:
        cursor.execute("SELECT set_config(%s, %s, false)", [name, str(value)])


def _first_free_id(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
