"""An Atom feed of the records most recently published or updated."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import PUBLIC_KINDS

FEED_LENGTH = 30


def recently_updated(limit=FEED_LENGTH):
    """The latest published records across kinds: one query per kind, merged by date."""
    records = []
    for kind in PUBLIC_KINDS:
        records.extend(kind.model.objects.published().order_by("-updated_at")[:limit])
    return sorted(records, key=lambda record: record.updated_at, reverse=True)[:limit]


class RecentlyUpdatedFeed(Feed):
    feed_type = Atom1Feed
    title = "Private companies in public services: recently updated"
    link = reverse_lazy("home")
    subtitle = "Records published or updated in the investigative database."

    def items(self):
        return recently_updated()

    def item_title(self, item):
        return f"{item._meta.verbose_name.capitalize()}: {item}"

    def item_description(self, item):
        return f"{item._meta.verbose_name.capitalize()} updated {item.updated_at:%d %B %Y}."

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.published_at or item.created_at
