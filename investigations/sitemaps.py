"""sitemap.xml: the lists and every published record's page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Concern, Contract, Framework, Organisation, Person, Site, Source
from .views.lookup import public_url


class RecordSitemap(Sitemap):
    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published().order_by("pk")

    def location(self, item):
        return public_url(item)

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return [
            "home",
            "organisation_list",
            "contract_list",
            "concern_list",
            "person_list",
            "source_list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap(),
    **{
        model._meta.model_name: RecordSitemap(model)
        for model in (Organisation, Contract, Concern, Person, Site, Framework, Source)
    },
}
