"""The published claims a source supports, for its public page.

A citation is shown only when the record it backs is visible to the public: a main record
that is published, or a child row (an alias, a contract party) whose parents are, by the
one rule of ``models.visibility``. Records are fetched with one query per model, however
many citations there are.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist

from investigations import models


def visible(model):
    """The rows of ``model`` the public may see, with the records they hang from."""
    if not issubclass(model, models.Citable):
        return model.objects.none()
    return model.objects.published().select_related(*model.public_parents)


@dataclass
class Claim:
    citation: models.Citation
    record: object
    page: object

    @property
    def what(self):
        """The claim in words: the record, one of its fields, or a passage of its prose."""
        if not self.citation.field_name:
            return "that it exists, and what it is"
        try:
            label = self.record._meta.get_field(self.citation.field_name).verbose_name
        except FieldDoesNotExist:
            label = self.citation.field_name
        if self.citation.marker:
            return f"a passage of its {label} [{self.citation.marker}]"
        return f"its {label}"


def claims_citing(source):
    return claims_of(list(models.Citation.objects.filter(source=source).order_by("pk")))


CLAIMS_PER_PAGE = 100
CITATIONS_READ = 500  # a chunk: enough for a page, unless most back hidden records


def claims_page(source, after=0):
    """The next CLAIMS_PER_PAGE claims after the citation ``after``, and whether more
    follow. A source a national dataset is can back a million claims: the page reads its
    citations a chunk at a time, from the last one shown, never all of them."""
    claims = []
    citations = models.Citation.objects.filter(source=source).order_by("pk")
    while len(claims) <= CLAIMS_PER_PAGE:
        chunk = list(citations.filter(pk__gt=after)[:CITATIONS_READ])
        claims.extend(claims_of(chunk))
        if len(chunk) < CITATIONS_READ:
            break
        after = chunk[-1].pk
    return claims[:CLAIMS_PER_PAGE], len(claims) > CLAIMS_PER_PAGE


def claims_of(citations):
    """The citations whose records the public may see, as claims, in the same order."""
    ids_by_type = defaultdict(set)
    for citation in citations:
        ids_by_type[citation.content_type_id].add(citation.object_id)
    records = {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for record in visible(model).filter(pk__in=ids) if model else ():
            records[(type_id, record.pk)] = record
    claims = []
    for citation in citations:
        record = records.get((citation.content_type_id, citation.object_id))
        if record is not None:
            claims.append(Claim(citation, record, page_of(record)))
    return claims


def page_of(record):
    """The main record whose page shows this row."""
    parents = record.public_parents
    return getattr(record, parents[0]) if parents else record
