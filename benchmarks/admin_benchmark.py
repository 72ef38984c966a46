"""Time the admin under gunicorn, as an editor and as a researcher: for every registered
model its changelist (page 1, a deep page, searches, a filter), the change forms of several
records, the add form and the autocomplete requests. Print p50/p99 in ms and as ratios to a
trivial view timed in the same run, with a verdict against 300 ms; then list the COUNTs that
count 100,000 rows or more, and the slowest queries, found by running the same requests
in-process.

    .venv/bin/python benchmarks/admin_benchmark.py             # SQLite, built at 100,000 contracts
    .venv/bin/python benchmarks/admin_benchmark.py --database-from million/db.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/admin_bench \\
        .venv/bin/python benchmarks/admin_benchmark.py --template million

SQLite lives in benchmarks/out/admin/ (VAR_DIR); --database-from copies a database there
(the source is only read) and migrates it. On PostgreSQL, --template drops DATABASE_URL's
database and makes it again as a copy of the one named (which must have no connections).
Without data, the benchmark generates it.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "admin"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from benchmarks.page_benchmark import free_port  # noqa: E402
from investigations.models import Citation, Contract, ContractParty  # noqa: E402
from investigations.roles import EDITORS, RESEARCHERS, ensure_editorial_groups  # noqa: E402

GOAL_MS = 300
BIG = 100_000  # a COUNT that counts this many rows has no selective WHERE
SLOW_QUERY_MS = 100
SEARCH_TERMS = ("diagnostics", "alliance medical")
AUTOCOMPLETE_TERMS = ("", "health")
USERS = (("bench-editor", EDITORS), ("bench-researcher", RESEARCHERS))
COUNT_QUERY = re.compile(r'^\s*SELECT COUNT\(\*\)(?: AS "__count")? FROM (\S+)', re.IGNORECASE)


# The database and its users.


def copy_template(template):
    """Make DATABASE_URL's database again, as a copy of the template database."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or name == template:
        raise SystemExit("--template needs DATABASE_URL naming another PostgreSQL database")
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def build(database_from, contracts, rebuild):
    if database_from and connection.vendor == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        if rebuild or not target.exists():
            connection.close()
            for suffix in ("", "-wal"):
                source = Path(f"{database_from}{suffix}")
                if source.exists():
                    shutil.copyfile(source, f"{target}{suffix}")
    call_command("migrate", verbosity=0)
    if not database_from and (rebuild or Contract.objects.count() < contracts):
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_demo_data", verbosity=0)
        generate(organisations=max(contracts // 10, 100), contracts=contracts)


def make_users(password):
    """An editor and a researcher, in the groups the site gives them (investigations.roles)."""
    ensure_editorial_groups()
    users = {}
    for username, group in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        users[username] = User.objects.get(pk=user.pk)  # fresh, without cached permissions
    return users


# What to request.


def admin_pages(users, only=None):
    """{(model, kind): {username: [path, ...]}} for every model registered in the admin,
    or for those named in ``only`` (model names, as "Contract")."""
    pages = {}
    for model, model_admin in admin.site._registry.items():
        if only and model.__name__.lower() not in only:
            continue
        for username, user in users.items():
            request = _request(user, "/")
            if not model_admin.has_view_permission(request):
                continue
            for kind, paths in _model_pages(model, model_admin, user):
                pages.setdefault((model._meta.label, kind), {})[username] = paths
    for (label, field_name), paths in _autocomplete_pages().items():
        if only and label.rsplit(".", 1)[1].lower() not in only:
            continue
        for username in users:
            pages.setdefault((label, f"autocomplete {field_name}"), {})[username] = paths
    return pages


def _model_pages(model, model_admin, user):
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    rows = model._default_manager.order_by("pk").values_list("pk", flat=True)
    total = rows.count()
    yield "list, page 1", [base]
    if total > 2 * model_admin.list_per_page:
        yield "list, deep page", [f"{base}?p={total // model_admin.list_per_page // 2}"]
    if model_admin.get_search_fields(_request(user, base)):
        yield "list, search", [f"{base}?{urlencode({'q': term})}" for term in SEARCH_TERMS]
    filtered = _filter_query(model_admin, user, base)
    if filtered:
        yield "list, filtered", [f"{base}{filtered}"]
    records = _sample_records(model, rows, total)
    if records:
        yield "change form", [f"{base}{quote(str(pk))}/change/" for pk in records]
    if model_admin.has_add_permission(_request(user, base)):
        yield "add form", [f"{base}add/"]


def _filter_query(model_admin, user, base):
    """The first option of the changelist's last filter: the model's own, not the shared ones."""
    changelist = model_admin.get_changelist_instance(_request(user, base))
    for spec in reversed(changelist.filter_specs):
        for choice in spec.choices(changelist):
            if not choice["selected"] and choice["query_string"] != "?":
                return choice["query_string"]
    return None


def _sample_records(model, rows, total):
    """The first, middle and last record, and the biggest of the kinds that have big ones."""
    if not total:
        return []
    picked = [rows.first(), rows[total // 2], rows.last()]
    if model is Contract:
        picked.append(_most(ContractParty.objects, "contract"))
    elif model._meta.model_name == "organisation":
        picked.append(_most(ContractParty.objects, "organisation"))
    elif model._meta.model_name == "source":
        picked.append(_most(Citation.objects, "source"))
    return list(dict.fromkeys(pk for pk in picked if pk is not None))


def _most(rows, field):
    """The key with the most rows: the organisation in most contracts, and so on."""
    grouped = rows.values(field).annotate(n=Count("pk")).order_by("-n")
    return grouped.values_list(field, flat=True).first()


def _autocomplete_pages():
    """One autocomplete field per model searched, as the change forms ask for them."""
    fields = {}
    for model, model_admin in admin.site._registry.items():
        owners = [(model, model_admin)] + [(i.model, i) for i in model_admin.inlines]
        for owner, owner_admin in owners:
            for name in owner_admin.autocomplete_fields:
                remote = owner._meta.get_field(name).related_model
                fields.setdefault(remote._meta.label, (owner, name))
    pages = {}
    for label, (owner, name) in fields.items():
        query = {"app_label": owner._meta.app_label, "model_name": owner._meta.model_name}
        query["field_name"] = name
        pages[(label, name)] = [
            f"/admin/autocomplete/?{urlencode({**query, 'term': term})}"
            for term in AUTOCOMPLETE_TERMS
        ]
    return pages


def _request(user, path):
    request = RequestFactory(headers={"host": "127.0.0.1"}).get(path)
    request.user = user
    return request


# Serving and timing.


def serve(port):
    """A gunicorn of our own on the given port, so that two runs at once do not collide."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "benchmarks.wsgi",
        f"--bind=127.0.0.1:{port}",
        "--workers=2",
        "--timeout=300",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            fetch(_connection(port), "/bench/ok/", "")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _connection(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=300)


def fetch(connection, path, cookie):
    connection.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")


def log_in(port, username, password):
    """Log in through the admin's own form, as a person would; return the cookie header."""
    connection = _connection(port)
    connection.request("GET", "/admin/login/", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    page = response.read().decode()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    headers = {
        "Host": "127.0.0.1",
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
    }
    connection.request("POST", "/admin/login/?next=/admin/", urlencode(form), headers)
    response = connection.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"{username} could not log in ({response.status})")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def time_pages(port, pages, cookies, rounds):
    """Every path of every kind, for each user, round after round, with the trivial view
    between kinds, so that the shared machine's noise falls on the baseline and pages alike."""
    connection = _connection(port)
    timings = {key: [] for key in pages}
    baseline = []
    for round_number in range(rounds + 1):  # the first round warms up and is not counted
        for key, by_user in pages.items():
            started = time.perf_counter()
            fetch(connection, "/bench/ok/", "")
            if round_number:
                baseline.append(time.perf_counter() - started)
            for username, paths in by_user.items():
                for path in paths:
                    started = time.perf_counter()
                    fetch(connection, path, cookies[username])
                    if round_number:
                        timings[key].append(time.perf_counter() - started)
    return timings, baseline


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report_timings(timings, baseline):
    base = statistics.median(baseline)
    print(f"  trivial view (baseline): p50 {base * 1000:.2f} ms over {len(baseline)} requests")
    print(f"  {'model':<36} {'page':<28} {'n':>3} {'p50':>9} {'p99':>9} {'p50x':>6} {'p99x':>6}")
    misses = []
    for (label, kind), times in timings.items():
        p50, p99 = statistics.median(times), percentile(times, 0.99)
        print(
            f"  {label:<36} {kind:<28} {len(times):>3} {p50 * 1000:6.0f} ms {p99 * 1000:6.0f} ms "
            f"{p50 / base:5.0f}x {p99 / base:5.0f}x"
        )
        if p99 * 1000 > GOAL_MS:
            misses.append(f"{label} {kind} (p99 {p99 * 1000:.0f} ms)")
    if misses:
        print(f"  verdict: {len(misses)} of {len(timings)} page kinds miss {GOAL_MS} ms at p99:")
        for miss in misses:
            print(f"    {miss}")
    else:
        print(f"  verdict: every page kind is under {GOAL_MS} ms at p99")


# Counting what the pages count.


class QueryLog:
    """Keeps each query's SQL, parameters and time (CaptureQueriesContext keeps no params)."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


def audit_queries(pages, users):
    client = Client(headers={"host": "127.0.0.1"})
    client.force_login(users["bench-editor"])
    full_counts, slow = [], []
    for by_user in pages.values():
        for path in by_user.get("bench-editor", []):
            log = QueryLog()
            with connection.execute_wrapper(log):
                client.get(path)
            full_counts += [(path, *count) for count in _full_counts(log.queries)]
            slow += [
                (seconds, path, sql)
                for sql, _, seconds in log.queries
                if seconds * 1000 > SLOW_QUERY_MS
            ]
    print(f"  COUNTs that count {BIG:,} rows or more (no selective WHERE): {len(full_counts)}")
    for path, table, counted in full_counts:
        print(f"    {path}: {table} counted {counted:,} rows")
    print(f"  queries over {SLOW_QUERY_MS} ms: {len(slow)}")
    for seconds, path, sql in sorted(slow, reverse=True)[:15]:
        print(f"    {seconds * 1000:6.0f} ms {path}: {sql[:160]}")


def _full_counts(queries):
    for sql, params, _ in queries:
        match = COUNT_QUERY.match(sql)
        if not match:
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (counted,) = cursor.fetchone()
        if counted >= BIG:
            yield match.group(1).strip('"'), counted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-from", help="an SQLite database to copy and use")
    parser.add_argument("--template", help="PostgreSQL: a database to copy and use")
    parser.add_argument("--contracts", type=int, default=100_000, help="when generating")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of every page")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", help="model names, comma-separated: time only these")
    options = parser.parse_args()
    only = {name.strip().lower() for name in options.only.split(",")} if options.only else None
    if options.template:
        copy_template(options.template)
    build(options.database_from or options.template, options.contracts, options.rebuild)
    password = secrets.token_urlsafe(16)
    users = make_users(password)
    pages = admin_pages(users, only)
    print(
        f"{connection.vendor}: {Contract.objects.count():,} contracts; "
        f"{sum(len(p) for by_user in pages.values() for p in by_user.values())} admin requests "
        f"per round as {' and '.join(users)}, {options.rounds} rounds, gunicorn (2 workers)"
    )
    port = free_port()
    server = serve(port)
    try:
        cookies = {username: log_in(port, username, password) for username in users}
        report_timings(*time_pages(port, pages, cookies, options.rounds))
    finally:
        server.terminate()
        server.wait()
    audit_queries(pages, users)


if __name__ == "__main__":
    main()
