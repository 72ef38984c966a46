"""A full-text search index: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

The index holds only published records and is rebuilt by investigations/search.py when
curated data has changed, so it needs no triggers and no model.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE investigations_search USING fts5("
    "kind UNINDEXED, record_id UNINDEXED, title, body, tokenize = 'unicode61')",
    "CREATE TABLE investigations_search_state (id integer PRIMARY KEY, version varchar(40))",
]

POSTGRESQL = [
    "CREATE TABLE investigations_search ("
    " id bigserial PRIMARY KEY, kind varchar(20) NOT NULL, record_id bigint NOT NULL,"
    " title text NOT NULL, body text NOT NULL,"
    " document tsvector GENERATED ALWAYS AS ("
    "  setweight(to_tsvector('english', title), 'A') ||"
    "  setweight(to_tsvector('english', body), 'B')) STORED)",
    "CREATE INDEX investigations_search_document ON investigations_search USING gin (document)",
    "CREATE TABLE investigations_search_state (id integer PRIMARY KEY, version varchar(40))",
]

DROP = ["DROP TABLE investigations_search_state", "DROP TABLE investigations_search"]


def create(apps, schema_editor):
    statements = SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("investigations", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
