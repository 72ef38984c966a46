"""Search documents found by their record without reading the whole index.

SQLite: FTS5 indexes only the text, so the documents are copied into a table whose rowid
is each one's key (search.document_key: record id * 16 + a code for its kind), and a
record's document is deleted by rowid. PostgreSQL: an index on (kind, record_id).
"""

from django.db import migrations

KIND_CODES = {
    "organisation": 1,
    "contract": 2,
    "concern": 3,
    "person": 4,
    "site": 5,
    "framework": 6,
    "source": 7,
}
KEY = "record_id * 16 + CASE kind {} END".format(
    " ".join(f"WHEN '{kind}' THEN {code}" for kind, code in KIND_CODES.items())
)

SQLITE = [
    "CREATE VIRTUAL TABLE investigations_search_keyed USING fts5("
    "kind UNINDEXED, record_id UNINDEXED, title, body, tokenize = 'unicode61')",
    # A record indexed twice keeps its latest document.
    "INSERT INTO investigations_search_keyed (rowid, kind, record_id, title, body)"
    f" SELECT {KEY}, kind, record_id, title, body FROM investigations_search"
    " WHERE rowid IN (SELECT max(rowid) FROM investigations_search GROUP BY kind, record_id)",
    "DROP TABLE investigations_search",
    "ALTER TABLE investigations_search_keyed RENAME TO investigations_search",
]
POSTGRESQL = [
    "CREATE INDEX investigations_search_record ON investigations_search (kind, record_id)"
]
POSTGRESQL_REVERSE = ["DROP INDEX investigations_search_record"]


def keyed(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE if vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement)


def unkeyed(apps, schema_editor):
    # On SQLite, keyed rowids serve the old code as well as any.
    if schema_editor.connection.vendor != "sqlite":
        for statement in POSTGRESQL_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("investigations", "0019_contract_service_by_value")]

    operations = [migrations.RunPython(keyed, unkeyed)]
