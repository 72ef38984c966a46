"""Whole-page caching of the public site, invalidated whenever curated data changes.

Anonymous GET requests are served from the cache. The cache key carries a content version
that every save or delete of a curated record bumps (history rows and import bookkeeping
do not), so publishing, unpublishing or editing anything makes every cached page stale at
once: simple, and always correct. Imports write in bulk without signals, so a batch bumps
the version once, when it commits or is undone.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from investigations import revisions

VERSION_KEY = "public-pages:version"
UNCACHED_PREFIXES = ("/admin/", "/media/", "/static/")


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def invalidate_public_pages(**kwargs):
    if revisions.proposing():
        return  # the write is rolled back: the live rows, and so the pages, stay as they are
    _bump()
    # Again on commit: a page rendered from the old rows between the first bump and the
    # commit would otherwise be cached under the new version.
    transaction.on_commit(_bump)


def _bump():
    cache.set(VERSION_KEY, time.time_ns(), None)


def batch_changed(sender, instance, **kwargs):
    """post_save receiver of ImportBatch."""
    if instance.state in (instance.State.COMMITTED, instance.State.UNDONE):
        invalidate_public_pages()


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable(request):
            return self.get_response(request)
        key = f"public-page:{content_version()}:{request.get_full_path()}"
        response = cache.get(key)
        if response is None:
            response = self.get_response(request)
            if self._storable(response):
                cache.set(key, response, settings.PUBLIC_PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _storable(response):
        """A whole, cookie-free page its view did not mark private or never-cache."""
        directives = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in directives
            and "no-store" not in directives
        )

    @staticmethod
    def _cacheable(request):
        """Only what every anonymous reader sees alike: no session, no admin, no uploads."""
        return (
            settings.PUBLIC_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(UNCACHED_PREFIXES)
        )
