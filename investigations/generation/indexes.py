"""The generated tables' secondary indexes, dropped for the load and made again after it.

Writing millions of rows into a table keeps each of its indexes in step row by row, at
scattered places; building an index once the table is full is one sort. The statements
that make them again are read from the database's own catalogue, so the schema ends as it
began. Indexes that back a constraint (primary keys, unique columns) stay: the load relies
on them.
"""

from django.db import connection


def secondary_indexes(tables):
    """(name, statement that makes it) of each index on ``tables`` that backs no constraint."""
    marks = ", ".join(["%s"] * len(tables))
    if connection.vendor == "sqlite":
        # An index SQLite makes for a constraint has no statement of its own.
        sql = (
            "SELECT name, sql FROM sqlite_master"  # noqa: S608
            f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name"
        )
    else:
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes"  # noqa: S608
            f" WHERE schemaname = current_schema() AND tablename IN ({marks})"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint"
            "  WHERE conindid = (quote_ident(schemaname) || '.' || quote_ident(indexname))::regclass"
            "  AND contype IN ('p', 'u', 'x'))"
            " ORDER BY indexname"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(tables))
        return cursor.fetchall()


def drop(indexes):
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def make(indexes, bar):
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # Within a caller's transaction, the foreign keys it checks at commit are checked
        # now: PostgreSQL makes no index on a table with checks pending.
        connection.check_constraints()
    with connection.cursor() as cursor:
        for _, statement in indexes:
            cursor.execute(statement)
            bar.update(1)
