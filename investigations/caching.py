"""Whole-page caching of the public site, made stale by what each page shows, not by every change.

Anonymous GET requests are served from the cache. A page is cached only if its view says
which GET parameters it reads (``cache_keyed_on``). The view then sees only those, and the
key holds only those, so a parameter nobody reads (``?utm=1``, ``?x=2``...) can neither make a
new entry nor show up in a cached page. The key holds the host too, checked against
ALLOWED_HOSTS before the cache is read.

**Tags.** A page is stored with the tags of what it was made from:
- ``r:<model label>:<pk>``, a record: every curated instance initialised while rendering;
- ``l:<table>``, a table's set of rows: any write to a row of it bumps this tag;
- ``m:<table>``, every record of a table at once: bumped by bulk writes too large to name
  each record (``BULK_RECORDS``).
What a page depends on is collected while it renders (a context variable set by the
middleware). Lists, search, the home page, feeds, sitemaps and the network are made from
sets of rows that any write may change: they depend on ``l:`` of every table their queries
read, seen by an execute wrapper, so no view has to list them and none can forget one. A
record's page (``shows_one_record``) depends on the records it loaded and on ``m:`` of each
table it read. Its queries are anchored on records it loads (a profile's contracts are the
parties of *this* organisation; the ownership chain grows from its loaded owners), and a
row that joins such a query bumps its anchor (below), so no other row of those tables can
change it. Code on a record's page that shows rows without loading them, or rows not tied
to a record it loads, declares them (``depends_on_records``, ``depends_on_lists``).

**Writes.** A save or delete (signals) bumps the record, ``l:`` of its table, the records its
foreign keys and generic foreign key point at (a new contract party shows on its contract's
and its organisation's pages, which loaded those records), and, when its publication
changes, the far ends of the rows that link to it: publishing a draft contract stales its
parties' organisations' profiles, which could not load it while it was a draft. Writes in
bulk (imports, their undoing, the search index) call ``records_changed`` or
``lists_changed``; what cannot say what it changed (a restore) calls
``invalidate_public_pages``, which starts a new generation of keys.

**Versions and the race.** Tag versions live in a table (``PageCacheTag``) beside a counter
row. A bump, inside the writer's transaction, adds one to the counter and sets each tag's
version to it; the counter row stays locked until the writer commits or rolls back (a
rolled-back write, such as a proposal, takes its bump with it). A miss reads the counter
(C) before rendering; the page is stored with C and is fresh while none of its tags is
newer than C. A writer that had not committed when C was read holds the counter lock, so
its version is above C: whatever it changed is seen as newer, though the page may have been
rendered from its rows before or after its commit. A writer that had committed has a
version at most C, and its rows were visible to the render. A bump made after its writer's
commit (autocommit, or bulk writes bumped when the batch commits) is later than any C read
before that commit, so the same holds. A page whose tags are already newer than C when it
is rendered is served but not stored. The price: on PostgreSQL, curated writes queue on the
counter row from their first bump to their commit; SQLite serialises writers anyway.
A hit costs one indexed query, whatever the number of tags. Versions are at least the clock
in microseconds at their bump, so the rows of tags older than any cached page can be told
apart and are deleted (``prune_tags``).
"""

import contextvars
import functools
import hashlib
import re
import time
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from investigations import revisions
from investigations.models import PageCacheTag
from investigations.models.visibility import has_public_status, has_status

GENERATION_KEY = "public-pages:version"
UNCACHED_PREFIXES = ("/admin/", "/static/")
SEARCH_TABLE = "investigations_search"  # written in raw SQL by ``search``
BULK_RECORDS = 2000  # more records of one table than this are bumped as the whole table
RECORD_TAGS_PER_TABLE = 200  # a page loading more rows of a table depends on the table
CHUNK = 500
TABLE_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)

_render = contextvars.ContextVar("page_render", default=None)


# Tags


def record_tag(model, pk):
    return f"r:{model._meta.label_lower}:{pk}"


def list_tag(table):
    return f"l:{table}"


def bulk_tag(table):
    return f"m:{table}"


@functools.cache
def curated_models():
    return frozenset(apps.get_app_config("investigations").curated_models())


@functools.cache
def linking_models():
    """Curated models and the tables behind their many-to-many fields."""
    throughs = {field.remote_field.through for model in curated_models() for field in _m2m(model)}
    return frozenset(curated_models() | throughs)


@functools.cache
def cached_tables():
    """The tables whose rows pages show, as their queries name them."""
    return frozenset({model._meta.db_table for model in linking_models()} | {SEARCH_TABLE})


def _m2m(model):
    return model._meta.local_many_to_many


@functools.cache
def forward_links(model):
    """Foreign keys to curated records as (attname, target model); generic ones as
    (content type attname, object id attname)."""
    links = [
        (field.attname, field.related_model)
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model in curated_models()
    ]
    generic = [
        (model._meta.get_field(field.ct_field).attname, field.fk_field)
        for field in model._meta.private_fields
        if isinstance(field, GenericForeignKey)
    ]
    return tuple(links), tuple(generic)


def _link_tags(values, links, generic):
    """Record tags of what one row's link values (in ``links`` then ``generic`` order) name."""
    tags = set()
    for value, (_, target) in zip(values, links, strict=False):
        if value is not None:
            tags.add(record_tag(target, value))
    for index, _ in enumerate(generic):
        content_type_id, object_id = values[len(links) + 2 * index : len(links) + 2 * index + 2]
        if content_type_id is not None and object_id is not None:
            target = ContentType.objects.get_for_id(content_type_id).model_class()
            if target is not None:  # None: a content type whose model is gone
                tags.add(record_tag(target, object_id))
    return tags


def _link_columns(links, generic):
    return [attname for attname, _ in links] + [
        name for content_type, object_id in generic for name in (content_type, object_id)
    ]


def tags_of_row(instance):
    model = type(instance)
    links, generic = forward_links(model)
    values = [getattr(instance, name) for name in _link_columns(links, generic)]
    return {
        record_tag(model, instance.pk),
        list_tag(model._meta.db_table),
        *_link_tags(values, links, generic),
    }


@functools.cache
def links_into(model):
    """(linking model, lookup of rows pointing at ``model``, their other links) for every
    row that can tie a record of ``model`` to another record."""
    found = []
    for linking in linking_models():
        links, generic = forward_links(linking)
        for attname, target in links:
            if target is model:
                others = tuple(link for link in links if link[0] != attname)
                found.append((linking, (attname,), others, generic))
        for content_type, object_id in generic:
            others = tuple(g for g in generic if g[1] != object_id)
            found.append((linking, (content_type, object_id), links, others))
    return tuple(item for item in found if item[2] or item[3])


def far_ends(model, pks):
    """The records tied to these by a row that links them (a party, a citation, a member)."""
    tags = set()
    content_type_id = ContentType.objects.get_for_model(model).pk
    for linking, lookup, links, generic in links_into(model):
        columns = _link_columns(links, generic)
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            if len(lookup) == 1:
                rows = linking._default_manager.filter(**{f"{lookup[0]}__in": chunk})
            else:
                condition = {lookup[0]: content_type_id, f"{lookup[1]}__in": chunk}
                rows = linking._default_manager.filter(**condition)
            for values in rows.values_list(*columns).iterator(CHUNK):
                tags |= _link_tags(values, links, generic)
    return tags


# What a page depends on, collected while it renders


class Render:
    """What one page read while rendering: records loaded, tables queried, tags declared."""

    def __init__(self, shows_one_record):
        self.shows_one_record = shows_one_record
        self.records = defaultdict(set)
        self.tables = set()
        self.tags = set()

    def note_query(self, execute, sql, params, many, context):
        self.tables.update(TABLE_READ.findall(sql))
        return execute(sql, params, many, context)

    def page_tags(self):
        tables = self.tables & cached_tables()
        tags = set(self.tags)
        if not self.shows_one_record:
            return tags | {list_tag(table) for table in tables}
        for model, pks in self.records.items():
            if len(pks) > RECORD_TAGS_PER_TABLE:
                tags.add(list_tag(model._meta.db_table))
            else:
                tags |= {record_tag(model, pk) for pk in pks}
        return tags | {bulk_tag(table) for table in tables}


def depends_on(*tags):
    """Declare tags the page being rendered depends on, beyond those seen automatically."""
    render = _render.get()
    if render is not None:
        render.tags.update(tags)


def depends_on_records(model, pks):
    depends_on(*(record_tag(model, pk) for pk in pks), bulk_tag(model._meta.db_table))


def depends_on_lists(*models):
    depends_on(*(list_tag(model._meta.db_table) for model in models))


def instance_loaded(sender, instance, **kwargs):
    """post_init receiver: note the record for the page rendering, and whether it was public.

    Only records read from the database (they have a primary key): a new one's save is a
    creation, and an import plans a hundred thousand of them, whose dicts one more key
    would make half as large again.
    """
    if instance.pk is None:
        return
    if has_status(sender) and {"status", "deleted_at"} <= instance.__dict__.keys():
        instance._public_when_loaded = has_public_status(instance)
    render = _render.get()
    if render is not None:
        render.records[sender].add(instance.pk)


# What a write bumps


def record_saved(sender, instance, created=False, **kwargs):
    """post_save receiver."""
    tags = tags_of_row(instance)
    if _publication_changed(sender, instance, created):
        tags |= far_ends(sender, [instance.pk])
    bump(tags)
    if has_status(sender):
        instance._public_when_loaded = has_public_status(instance)


def _publication_changed(model, instance, created):
    if not has_status(model):
        return False
    was_public = False if created else getattr(instance, "_public_when_loaded", None)
    return was_public != has_public_status(instance)


def record_deleted(sender, instance, **kwargs):
    """post_delete receiver: the pages that showed it loaded it."""
    bump(tags_of_row(instance))


def links_changed(sender, instance, action, model, pk_set, **kwargs):
    """m2m_changed receiver: rows added to or removed from a many-to-many table."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        links, _ = forward_links(sender)
        near = next(attname for attname, target in links if target is type(instance))
        far = next(attname for attname, target in links if attname != near)
        rows = sender._default_manager.filter(**{near: instance.pk})
        pk_set = set(rows.values_list(far, flat=True))
    tags = {record_tag(type(instance), instance.pk), list_tag(sender._meta.db_table)}
    bump(tags | {record_tag(model, pk) for pk in pk_set or ()})


def records_changed(model, pks):
    """Bump what a bulk write of these records (no signals) may have changed."""
    pks = sorted(set(pks))
    if len(pks) > BULK_RECORDS:
        table_changed(model)
        return
    tags = {list_tag(model._meta.db_table), *(record_tag(model, pk) for pk in pks)}
    links, generic = forward_links(model)
    columns = _link_columns(links, generic)
    for start in range(0, len(pks) if columns else 0, CHUNK):
        rows = model._default_manager.filter(pk__in=pks[start : start + CHUNK])
        for values in rows.values_list(*columns):
            tags |= _link_tags(values, links, generic)
    if has_status(model):
        tags |= far_ends(model, pks)
    bump(tags)


def table_changed(model):
    """Bump every page that read this table: for writes too large to name each record."""
    table = model._meta.db_table
    bump({list_tag(table), bulk_tag(table)})


def lists_changed(*tables):
    bump({list_tag(table) for table in tables})


def batch_changed(sender, instance, **kwargs):
    """post_save receiver of ImportBatch: a batch writes in bulk, without signals, so what
    it wrote is bumped when it commits or is undone. Its items name every record; they are
    read only for the tables it wrote few rows of (a year of OCDS writes half a million)."""
    if instance.state not in (instance.State.COMMITTED, instance.State.UNDONE):
        return
    counts = instance.items.order_by().values_list("content_type_id").annotate(Count("pk"))
    for content_type_id, count in counts:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if count > BULK_RECORDS:
            table_changed(model)
        else:
            items = instance.items.filter(content_type_id=content_type_id)
            records_changed(model, items.values_list("object_id", flat=True))


# The counter's next value is one more than its last, or the clock in microseconds if that is
# later. A missing counter (a new or flushed database) starts from the clock, above any value
# it had before, so that a page cached before a flush cannot look fresh after it; and every
# version is at least the time of its bump, so old tags can be told by their versions.
COUNTER_SQL = (
    "INSERT INTO investigations_pagecachetag (tag, version) VALUES (%s, %s)"
    " ON CONFLICT (tag) DO UPDATE SET version ="
    " {greatest}(investigations_pagecachetag.version + 1, excluded.version)"
    " RETURNING version"
)
# A writer's transaction commits within this long of its bump (the import commits every
# 2,000 rows, an admin save within a request): the margin of the pruning below.
COMMIT_MARGIN_SECONDS = 3600
PRUNE_EVERY_SECONDS = 60
_next_prune = 0.0


def bump(tags):
    """Give these tags a version newer than every page rendered before this write commits."""
    if not tags or revisions.proposing():
        return  # a proposal is rolled back: the live rows, and so the pages, stay as they are
    greatest = "MAX" if connection.vendor == "sqlite" else "GREATEST"
    # Part of the writer's transaction, not a savepoint in it: if the bump fails, so does
    # the write, rather than committing with pages that still show the rows it replaced.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(
                COUNTER_SQL.format(greatest=greatest), [PageCacheTag.COUNTER, _microseconds()]
            )
            (version,) = cursor.fetchone()
        PageCacheTag.objects.bulk_create(
            [PageCacheTag(tag=tag, version=version) for tag in sorted(tags)],
            update_conflicts=True,
            unique_fields=["tag"],
            update_fields=["version"],
            batch_size=CHUNK,
        )
        _prune_when_due()


def _microseconds():
    return time.time_ns() // 1000


def _prune_when_due():
    global _next_prune
    if time.monotonic() >= _next_prune:
        _next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        prune_tags()


def prune_tags():
    """Forget the tags no cached page can be older than: else every record ever written
    keeps a row, the deleted ones too.

    A page older than a change was stored before the change committed (after it, the check
    before storing sees the change), so it expires at most PUBLIC_PAGE_CACHE_SECONDS after
    that commit; the commit is at most COMMIT_MARGIN_SECONDS after the bump, whose time the
    version is at least. A missing tag reads as never changed, which is then true of every
    page still cached.
    """
    kept_seconds = settings.PUBLIC_PAGE_CACHE_SECONDS + COMMIT_MARGIN_SECONDS
    before = _microseconds() - kept_seconds * 1_000_000
    old = PageCacheTag.objects.filter(version__lt=before).exclude(tag=PageCacheTag.COUNTER)
    old.delete()


def current_version():
    row = PageCacheTag.objects.filter(tag=PageCacheTag.COUNTER).values_list("version").first()
    return row[0] if row else 0


def changed_since(tags, version):
    """True if any of the tags was bumped after ``version``. In SQL, not through the ORM:
    this is most of a cached page's cost, and a profile may carry hundreds of tags."""
    if not tags:
        return False
    placeholders = ", ".join(["%s"] * len(tags))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(version) FROM investigations_pagecachetag WHERE tag IN ({placeholders})",
            tags,
        )
        (newest,) = cursor.fetchone()
    return (newest or 0) > version


# Everything at once: a new generation of keys


def content_version():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate_public_pages(**kwargs):
    """Make every cached page stale: for writes that cannot say what they changed."""
    if revisions.proposing():
        return
    _bump_generation()
    # Again on commit: a page rendered from the old rows between the first bump and the
    # commit would otherwise be cached under the new generation.
    transaction.on_commit(_bump_generation)


def _bump_generation():
    cache.set(GENERATION_KEY, time.time_ns(), None)


# The views and the middleware


def cache_keyed_on(*parameters):
    """Let the page cache keep a view's pages, keyed on the GET parameters it reads."""

    def mark(view):
        @functools.wraps(view)
        def cacheable_view(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        cacheable_view.cache_parameters = frozenset(parameters)
        return cacheable_view

    return mark


def shows_one_record(view):
    """Mark a view as a record's page: it depends on the records it loads, not on every
    row of the tables it reads."""
    view.shows_one_record = True
    return view


def view_at(path):
    """The view at this path if it may be cached, else None."""
    try:
        view = resolve(path).func
    except Resolver404:
        return None
    return view if hasattr(view, "cache_parameters") else None


def only_parameters(query, names):
    """A query string of just these parameters, in one order whatever order they came in."""
    return urlencode(
        [(name, value) for name in sorted(names & query.keys()) for value in query.getlist(name)]
    )


def page_key(request):
    """The host (validated: DisallowedHost is a 400), the path and the parameters read."""
    page = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"public-page:{content_version()}:{hashlib.sha256(page.encode()).hexdigest()}"


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = view_at(request.path_info) if self._cacheable(request) else None
        if view is None:
            return self.get_response(request)
        request.META["QUERY_STRING"] = only_parameters(request.GET, view.cache_parameters)
        request.GET = QueryDict(request.META["QUERY_STRING"])
        key = page_key(request)
        stored = cache.get(key)
        if stored is not None:
            response, tags, version = stored
            if not changed_since(tags, version):
                return response
        return self._render(request, key, getattr(view, "shows_one_record", False))

    def _render(self, request, key, one_record):
        render = Render(one_record)
        version = current_version()
        token = _render.set(render)
        try:
            with connection.execute_wrapper(render.note_query):
                response = self.get_response(request)
        finally:
            _render.reset(token)
        if self._storable(response):
            tags = tuple(sorted(render.page_tags()))
            if not changed_since(tags, version):
                cache.set(key, (response, tags, version), settings.PUBLIC_PAGE_CACHE_SECONDS)
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
