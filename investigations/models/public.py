"""The kinds of record the public reads, in the order the site shows them.

One list for the navigation, the home page's counts, search, the feed and the sitemap.
Each kind's pages are named by its model: ``<model>_detail`` (the model's
``get_absolute_url``) and, for kinds with a list, ``<model>_list``.
"""

from dataclasses import dataclass

from django.utils.text import capfirst

from .base import Featurable
from .concerns import Concern
from .contracts import Contract, Framework
from .organisations import Organisation
from .people import Person
from .sites import Site
from .sources import Source


@dataclass(frozen=True)
class PublicKind:
    model: type
    listed: bool = False  # has a list page, linked from the navigation and the home page

    @property
    def key(self):
        return self.model._meta.model_name

    @property
    def plural(self):
        return self.model._meta.verbose_name_plural

    @property
    def label(self):
        return capfirst(self.plural)

    @property
    def list_route(self):
        return f"{self.key}_list" if self.listed else ""


PUBLIC_KINDS = (
    PublicKind(Organisation, listed=True),
    PublicKind(Contract, listed=True),
    PublicKind(Concern, listed=True),
    PublicKind(Person, listed=True),
    PublicKind(Site, listed=True),
    PublicKind(Framework, listed=True),
    PublicKind(Source, listed=True),
)
LISTED_KINDS = tuple(kind for kind in PUBLIC_KINDS if kind.listed)


def featured_records():
    """The published records editors chose to lead the home page with, in their order."""
    records = [
        record
        for kind in PUBLIC_KINDS
        if issubclass(kind.model, Featurable)
        for record in kind.model.objects.published().filter(feature_rank__isnull=False)
    ]
    return sorted(records, key=lambda record: (record.feature_rank, str(record)))
