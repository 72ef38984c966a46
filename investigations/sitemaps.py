"""sitemap.xml: the lists and every published record's page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import LISTED_KINDS, PUBLIC_KINDS


class RecordSitemap(Sitemap):
    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return ["home", *(kind.list_route for kind in LISTED_KINDS)]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap(),
    **{kind.key: RecordSitemap(kind.model) for kind in PUBLIC_KINDS},
}
