"""What every kind of generated record is written with: random draws, chunks, drafts,
citations and search documents."""

import bisect
import itertools
import random
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from investigations import models, search
from investigations.models.claim_values import canonical_text, passage_text

PREFIX = "generated--"  # no slug made by slugify holds "--": curated records never match
CHUNK = 20_000
THIS_YEAR = 2026
PAGES = tuple(f"p. {page}" for page in range(1, 41))  # a citation's locator without a quote
CITATION_FIELDS = ("id", "content_type", "object_id", "field_name", "marker", "source")
CITATION_FIELDS += ("quote", "locator", "confidence", "confirmed_value")
CHILD_MODELS = (
    models.OrganisationAlias,
    models.Identifier,
    models.FinancialFiling,
    models.Role,
    models.SiteRole,
    models.FrameworkMembership,
    models.ContractParty,
    models.ConcernParty,
)


class FastRandom(random.Random):
    """``random.Random`` with ``choice`` and ``randint`` made from one ``random()`` each,
    several times quicker than the originals' exact uniformity, which demo data does not
    need; and ``weighted``, a choice by ``Weights`` summed once. The generator draws some
    thirty times per contract."""

    def choice(self, items):
        return items[int(self.random() * len(items))]

    def randint(self, low, high):
        return low + int(self.random() * (high - low + 1))

    def weighted(self, weights):
        return weights.values[bisect.bisect(weights.bounds, self.random())]


class Weights:
    """Values and their relative weights, for ``FastRandom.weighted``."""

    def __init__(self, weights):
        self.values = tuple(weights)
        total = sum(weights.values())
        # Where each value but the first begins, between 0 and 1.
        self.bounds = tuple(itertools.accumulate(weight / total for weight in weights.values()))[
            :-1
        ]


def partial_date(rng, first_year, last_year):
    """A date known to the day, the month or only the year, as sources give them."""
    year = rng.randint(first_year, last_year)
    precision = rng.random()
    if precision < 0.15:
        return f"{year}"
    if precision < 0.45:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def money(rng, mu, sigma, least=1000):
    """A lognormal amount to the nearest thousand (a few large, many small), in pounds."""
    return max(least, int(round(rng.lognormvariate(mu, sigma), -3)))


class Rows:
    """Rows gathered for one chunk, written together in one transaction, with the search
    documents of the published records among them."""

    def __init__(self, writer):
        self.writer = writer
        self._rows = defaultdict(list)
        self.documents = []

    def add(self, model, fields, row):
        self._rows[(model, fields)].append(row)

    def of(self, model, fields):
        """The list that gathers ``model``'s rows, to append to directly; it lasts."""
        return self._rows[(model, fields)]

    def flush(self):
        with transaction.atomic():
            for (model, fields), rows in self._rows.items():
                if rows:
                    self.writer.write(model, fields, rows)
                    rows.clear()
            if self.documents:
                # A document left behind by a record removed without signals (``flush``
                # empties no table without a model) has the key of the new record that
                # takes its id; on SQLite the new record's document replaces it.
                columns = search.document_columns()
                self.writer.write_rows(search.TABLE, columns, self.documents, replacing=True)
                self.documents.clear()


class GeneratorBase:
    """What later kinds draw on: the sources to cite, the organisations that buy, supply
    and own; and the helpers every kind writes with."""

    def __init__(self, rng, plan, writer, progress):
        self.rng = rng
        self.plan = plan
        self.writer = writer
        self.progress = progress
        self.rows = Rows(writer)
        # Publication times as the ORM writes them (on SQLite, in UTC without an offset).
        self.now = models.Contract._meta.get_field("published_at").get_db_prep_save(
            writer.now, connection
        )
        self.types = ContentType.objects.get_for_models(*models.PUBLISHABLE_MODELS, *CHILD_MODELS)
        self.sources = {}
        self.orgs = defaultdict(list)
        self.org_names = {}
        self._citations = self.rows.of(models.Citation, CITATION_FIELDS)
        self._next_citation = writer.counter(models.Citation)
        self._type_ids = {model: content_type.pk for model, content_type in self.types.items()}

    def status(self):
        """(status, published_at): a small share of every kind is left as a draft."""
        if self.rng.random() < self.plan.draft_share:
            return ("draft", None)
        return ("published", self.now)

    def new_id(self, model):
        return next(self.writer.counter(model))

    def add(self, model, fields, row):
        self.rows.add(model, fields, row)

    def document(self, kind, record_id, title, *parts):
        """A published record's search document, as ``rebuild_index`` would make it: the
        generator cites nothing a document shows to a draft source, so nothing is withheld."""
        body = search.document_text(*parts)
        self.rows.documents.append(search.document_row(kind, record_id, title, body))

    def cite(self, model, object_id, source, *, field="", marker="", quote="", value=""):
        """One citation; a claim of a field is confirmed against the value it backs, and
        one without a quote gives a page."""
        random = self.rng.random
        locator = "" if quote else PAGES[int(random() * len(PAGES))]
        confidence = "high" if random() < 0.8 else "medium"
        value = canonical_text(value) if field else ""
        row = (next(self._next_citation), self._type_ids[model], object_id, field, marker)
        self._citations.append((*row, source, quote, locator, confidence, value))

    def cite_passage(self, model, record_id, source, field, text, marker):
        """A citation of the passage of ``text`` that carries ``[^marker]``, quoting it."""
        passage = passage_text(text, marker)
        self.cite(
            model, record_id, source, field=field, marker=marker, quote=passage, value=passage
        )

    def source(self, pool):
        """A published source of the pool: its drafts back only the claims they withhold."""
        return self.rng.choice(self.sources[pool])

    def chunks(self, label, total):
        """(start, end) of each chunk; the rows of one are written before the next."""
        with self.progress(label, total) as bar:
            for start in range(0, total, CHUNK):
                end = min(start + CHUNK, total)
                yield start, end
                self.rows.flush()
                bar.update(end - start)
