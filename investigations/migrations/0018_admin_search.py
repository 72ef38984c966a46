"""The admin's searches use indexes: trigram indexes of the names and titles it searches; and
the contracts list, and within a region, reads its order from partial indexes.

Django's admin search is ``field LIKE '%term%'``, which no b-tree index serves: a scan of a
million contracts per search. A trigram index does serve it: on PostgreSQL, pg_trgm's GIN
index over ``UPPER(field)``, the expression Django's ``icontains`` compares; on SQLite an FTS5
table with the trigram tokenizer over the same columns, kept in step by triggers
(``investigations.admin.searching`` reads it). The index holds every row, drafts and
deleted ones too, since the admin searches those.

A later migration that rebuilds one of these tables on SQLite (as Django does to alter a
column) drops its triggers with it: tests/test_admin_search.py fails then.
"""

from django.db import migrations, models

# The table, and the columns of it the admin searches.
INDEXED = {
    "investigations_contract": ("title", "reference"),
    "investigations_organisation": ("name",),
    "investigations_source": ("title",),
}


def _sqlite_statements(table, columns):
    text = f"{table}_text"
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    remove = f"INSERT INTO {text}({text}, rowid, {names}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {text}(rowid, {names}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {text} USING fts5({names}, content='{table}',"
        f" content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {text}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {text}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {text}_update AFTER UPDATE OF {names} ON {table}"
        f" BEGIN {remove} {add} END",
        f"INSERT INTO {text}({text}) VALUES ('rebuild')",
    ]


def _postgresql_statements(table, columns):
    return [
        f"CREATE INDEX {table}_{column}_trigram ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        for column in columns
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    statements = _sqlite_statements if vendor == "sqlite" else _postgresql_statements
    for table, columns in INDEXED.items():
        for statement in statements(table, columns):
            schema_editor.execute(statement)
        if vendor == "postgresql":
            # The planner's statistics of an expression index come with the next ANALYZE.
            schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    for table, columns in INDEXED.items():
        if schema_editor.connection.vendor == "sqlite":
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER {table}_text_{suffix}")
            schema_editor.execute(f"DROP TABLE {table}_text")
        else:
            for column in columns:
                schema_editor.execute(f"DROP INDEX {table}_{column}_trigram")


class Migration(migrations.Migration):
    dependencies = [("investigations", "0017_pages_call_offs")]

    operations = [
        migrations.RemoveIndex(model_name="contract", name="investigati_deleted_4db062_idx"),
        migrations.RemoveIndex(model_name="contract", name="investigati_region_152a2f_idx"),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["-awarded", "title", "-id"],
                name="contract_admin_list",
            ),
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["region", "-awarded", "title", "-id"],
                name="contract_admin_region",
            ),
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)),
                fields=["deleted_at"],
                name="contract_deleted",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
