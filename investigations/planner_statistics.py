"""The SQLite query planner's statistics, kept in step with the indexes migrations add.

SQLite chooses an index by the statistics ANALYZE gathered (``sqlite_stat1``). An index a
migration adds to an analysed database has none, and SQLite then guesses it narrows a
search better than any: at a million contracts, a new index by service and value made it
sort a hundred thousand contracts for a page of the list by date (15 ms to 480 ms).
PostgreSQL keeps its statistics by column, and its autovacuum refreshes them.
"""

from django.db import connections


def refresh_after_migrate(sender, plan=None, using="default", **kwargs):
    """post_migrate receiver: ANALYZE an analysed SQLite database again once migrations
    were applied (3 s at a million contracts). A database never analysed is left alone:
    SQLite's guesses serve small ones, and the generator of large ones analyses them."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not plan:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE")
