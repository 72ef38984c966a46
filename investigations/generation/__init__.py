"""Demo data at scale: organisations, contracts and everything around them, in bulk.

``generate`` writes straight into the tables (``bulk``), kind by kind, a chunk per
transaction, with no signals and no history rows, and the search documents of the
published records with them (the signals would have written those). The tables'
secondary indexes are dropped for the load and made again after it (``indexes``); then
the planner's statistics are gathered. The proportions of each kind are in ``plan``. The
same seed on the same database gives the same records.
"""

import contextlib

from django.db import connection
from django.utils import timezone

from investigations import models, search
from investigations.caching import invalidate_public_pages

from . import indexes
from .base import CHILD_MODELS, FastRandom, GeneratorBase
from .bulk import BulkWriter, tuned
from .clear import delete_generated, generated_counts
from .concerns import Concerns
from .contracts import Contracts
from .network import Network
from .organisations import Organisations
from .plan import Plan

__all__ = ["GeneratedDataExists", "Plan", "delete_generated", "generate", "generated_counts"]
WRITTEN = (
    *models.PUBLISHABLE_MODELS,
    *CHILD_MODELS,
    models.Citation,
    models.Concern.contracts.through,
)
TABLES = (*(model._meta.db_table for model in WRITTEN), search.TABLE)


class GeneratedDataExists(Exception):
    pass


class Generator(Organisations, Network, Contracts, Concerns, GeneratorBase):
    """Each kind in an order that lets it draw on those before it."""

    def run(self):
        self.make_sources()
        self.make_organisations()
        self.make_relationships()
        self.make_filings()
        self.make_people()
        self.make_frameworks()
        self.make_sites()
        self.make_contracts()
        self.make_concerns()


def generate(organisations, contracts, seed=1, replace=False, progress=None):
    """Generate the records and derived data; return the counts of generated records.

    Refuses (``GeneratedDataExists``) if generated records are there already, unless
    ``replace``, which deletes them first. ``progress(label, total)`` gives a context of a
    bar with ``update(n)``; without one, nothing is shown.
    """
    plan = Plan(organisations, contracts)
    existing = generated_counts()
    if existing and not replace:
        found = ", ".join(f"{count:,} {name}" for name, count in existing.items())
        raise GeneratedDataExists(f"This database already holds generated data ({found}).")
    progress = progress or _silent
    if existing:
        with progress("deleting generated data", 1) as bar:
            delete_generated()
            bar.update(1)
    writer = BulkWriter(timezone.now())
    try:
        with tuned():
            _load(Generator(FastRandom(seed), plan, writer, progress), progress)
    except BaseException:
        delete_generated()
        raise
    finally:
        writer.finish()
    with progress("planner statistics", 1) as bar, connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        bar.update(1)
    # Written in bulk, without the signals that name what changed.
    invalidate_public_pages()
    return generated_counts()


def _load(generator, progress):
    """The generator's rows into tables without their secondary indexes (and on
    PostgreSQL their foreign keys), which are made again after, whatever happens."""
    dropped = indexes.dropped_for_load(TABLES)
    indexes.drop(dropped)
    try:
        generator.run()
    finally:
        with progress("indexes and keys", len(dropped)) as bar:
            indexes.make(dropped, bar)


class _Bar:
    def update(self, count):
        pass


@contextlib.contextmanager
def _silent(label, total):
    yield _Bar()
