"""The generated tables' secondary indexes (and on PostgreSQL their foreign keys), dropped
for the load and made again after it.

Writing millions of rows into a table keeps each of its indexes in step row by row, at
scattered places; building an index once the table is full is one sort. PostgreSQL checks
each foreign key of each row with a query of its own; adding the key back checks them all
in one. The statements that make them again are read from the database's own catalogue,
so the schema ends as it began. Indexes that back a constraint (primary keys, unique
columns) stay: the load relies on them. SQLite's foreign keys are part of their tables and
stay too.
"""

from django.db import connection


def dropped_for_load(tables):
    """(name, table, statement that makes it again) of each index and foreign key to drop."""
    marks = ", ".join(["%s"] * len(tables))
    if connection.vendor == "sqlite":
        # An index SQLite makes for a constraint has no statement of its own.
        sql = (
            "SELECT name, tbl_name, sql FROM sqlite_master"  # noqa: S608
            f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name"
        )
        params = list(tables)
    else:
        sql = (
            "SELECT indexname, tablename, indexdef FROM pg_indexes"  # noqa: S608
            f" WHERE schemaname = current_schema() AND tablename IN ({marks})"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint"
            "  WHERE conindid = (quote_ident(schemaname) || '.' || quote_ident(indexname))::regclass"
            "  AND contype IN ('p', 'u', 'x'))"
            " UNION ALL"
            " SELECT conname, relname, format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s',"
            "  relname, conname, pg_get_constraintdef(pg_constraint.oid))"
            " FROM pg_constraint JOIN pg_class ON pg_class.oid = conrelid"
            " WHERE contype = 'f' AND relnamespace = current_schema()::regnamespace"
            f" AND relname IN ({marks})"
            " ORDER BY 1"
        )
        params = [*tables, *tables]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def drop(dropped):
    _check_pending()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, table, statement in dropped:
            if statement.startswith("ALTER TABLE"):
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            else:
                cursor.execute(f"DROP INDEX {quote(name)}")


def make(dropped, bar):
    _check_pending()
    # Indexes first, so that checking a foreign key can read them.
    with connection.cursor() as cursor:
        for _, _, statement in sorted(dropped, key=lambda item: item[2].startswith("ALTER")):
            cursor.execute(statement)
            bar.update(1)


def _check_pending():
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # Within a caller's transaction, the foreign keys it checks at commit are checked
        # now: PostgreSQL alters no table with checks pending.
        connection.check_constraints()
