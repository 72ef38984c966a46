"""Readers, an import and an editor at once: the public site under a bounded load while a
spreadsheet import runs and an editor saves a record every second. Prints read latency,
failures and "database is locked" errors; exits 1 if any request failed or any lock error
was seen.

    .venv/bin/python benchmarks/load_benchmark.py                      # SQLite, generated data
    .venv/bin/python benchmarks/load_benchmark.py --database-from million/db.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load_bench \\
        .venv/bin/python benchmarks/load_benchmark.py --template million

- the server: gunicorn, as `make serve` runs it (its config file and the task worker too),
  with production-like settings (benchmarks/settings.py) and the page cache on;
- the readers: a fixed number of threads on 127.0.0.1, each requesting one page after
  another from a mix of public pages drawn from real records;
- the import: --rows contract rows through the real engine (run_import) in a process of its
  own, the file of benchmarks/import_benchmark.py;
- the editor: signed in to the admin, saves a published organisation's change form (with
  its CSRF token) every second.

Readers run for --seconds, and on until the import has finished. Every run starts from a
fresh copy of the data: SQLite's file is copied into VAR_DIR; on PostgreSQL the database
DATABASE_URL names is made again from a template (--template, or one this script fills
once with generated data).
"""

import argparse
import http.client
import http.cookies
import json
import os
import random
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "load"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
# The readers all come from 127.0.0.1: the API's per-address throttle would refuse them
# as one greedy client, where in production they are many.
os.environ.setdefault("API_RATE_LIMIT", "1000000/minute")

PORT = 8766
READ_TIMEOUT_SECONDS = 30  # gunicorn's own worker timeout
SLOW_SAVE_SECONDS = 5
LOCKED = re.compile(rb"database is locked|database table is locked", re.IGNORECASE)
SAMPLE = 200  # records of each kind the readers draw from
BASELINE = "trivial view (baseline)"


def var_dir():
    return Path(os.environ["VAR_DIR"])


def database_url():
    return os.environ.get("DATABASE_URL", "")


def on_postgres():
    return database_url().startswith(("postgres://", "postgresql://"))


# --- The data: a fresh copy for every run --------------------------------------------


def prepare_database(options):
    var_dir().mkdir(parents=True, exist_ok=True)
    # The page cache is a directory of files: pages of an earlier run's data must not answer.
    shutil.rmtree(var_dir() / "cache", ignore_errors=True)
    if on_postgres():
        template = options.template or _generated_postgres_template(options)
        _recreate_postgres(template)
    else:
        source = (
            Path(options.database_from) if options.database_from else _generated_sqlite(options)
        )
        _copy_sqlite(source, var_dir() / "db.sqlite3")
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _setup_django():
    import django

    django.setup()  # does nothing the second time


def _generated_sqlite(options):
    """A SQLite file filled once by benchmarks.generate, kept for later runs."""
    path = var_dir() / "generated" / f"{options.contracts}.sqlite3"
    if not path.exists():
        # Filled under another name, so that a generation cut short is not taken for one.
        filling = path.with_suffix(".filling")
        filling.parent.mkdir(parents=True, exist_ok=True)
        filling.unlink(missing_ok=True)
        _generate_into(
            {"DATABASE_URL": f"sqlite:///{filling}", "VAR_DIR": str(path.parent)}, options
        )
        filling.rename(path)
    return path


def _generated_postgres_template(options):
    """A PostgreSQL database filled once by benchmarks.generate, kept as the template."""
    name = f"{_postgres_name()}_generated_{options.contracts}"
    with _postgres_admin() as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        # Filled under another name, so that a generation cut short is not taken for one.
        admin.execute(f'DROP DATABASE IF EXISTS "{name}_filling"')
        admin.execute(f'CREATE DATABASE "{name}_filling"')
    url = database_url().rsplit("/", 1)[0] + f"/{name}_filling"
    _generate_into({"DATABASE_URL": url}, options)
    with _postgres_admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}_filling" RENAME TO "{name}"')
    return name


def _generate_into(env, options):
    """In a child process, so that this one's settings keep naming the benchmark's copy."""
    print(f"generating {options.organisations:,} organisations, {options.contracts:,} contracts")
    command = [
        sys.executable,
        __file__,
        "--child",
        "generate",
        "--contracts",
        str(options.contracts),
    ]
    command += ["--organisations", str(options.organisations)]
    subprocess.run(command, env={**os.environ, **env}, check=True)


def generate_child(options):
    _setup_django()
    from django.core.management import call_command

    from benchmarks.generate import generate

    call_command("migrate", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    generate(organisations=options.organisations, contracts=options.contracts)


def _copy_sqlite(source, target):
    """SQLite's backup API: a consistent copy even of a database in WAL mode."""
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    original = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        copy.close()
        original.close()
    print(f"copied {source} in {time.perf_counter() - started:.0f} s")


def _postgres_name():
    return database_url().rsplit("/", 1)[1].split("?")[0]


def _postgres_admin():
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url())
    params = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"]}
    if config["PASSWORD"]:
        params["password"] = config["PASSWORD"]
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


def _recreate_postgres(template):
    started = time.perf_counter()
    with _postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_postgres_name()}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{_postgres_name()}" TEMPLATE "{template}"')
    print(f"copied PostgreSQL database {template} in {time.perf_counter() - started:.0f} s")


def seed_import_targets():
    """The organisations and sources the import's rows name (import_benchmark's)."""
    from benchmarks.import_benchmark import _seed

    _seed()


def make_editor():
    from django.contrib.auth.models import Group, User

    from investigations.roles import EDITORS

    password = secrets.token_urlsafe(16)
    editor = User.objects.create_user("load-editor", password=password, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    return editor.username, password


# --- What the readers read --------------------------------------------------------------


def sample_published(model, count=SAMPLE):
    """Published records spread over the table, by random ids: no ORDER BY random()."""
    from django.db.models import Max, Min

    bounds = model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    rng = random.Random(1)
    ids = {rng.randint(bounds["low"], bounds["high"]) for _ in range(count * 5)}
    found = list(model.objects.published().filter(pk__in=ids)[:count])
    return found or list(model.objects.published()[:count])


def reader_paths():
    """{kind: [paths]}: the mix the readers draw from, every path a real public page."""
    from django.urls import reverse

    from investigations import models as m

    orgs = sample_published(m.Organisation)
    contracts = sample_published(m.Contract)
    detail_kinds = {
        "organisation profile": orgs,
        "contract": contracts,
        "concern": sample_published(m.Concern),
        "source": sample_published(m.Source),
        "person": sample_published(m.Person),
        "site": sample_published(m.Site),
        "framework": sample_published(m.Framework),
    }
    paths = {kind: [r.get_absolute_url() for r in rows] for kind, rows in detail_kinds.items()}
    deep = max(1, m.Contract.objects.published().count() // 25 // 2)
    services = [value for value, _ in m.ServiceCategory.choices]
    org_kinds = [value for value, _ in m.Organisation.Kind.choices]
    paths["contracts list"] = ["/contracts/", f"/contracts/?page={deep}"] + [
        f"/contracts/?{urlencode({'service_category': s, 'sort': sort})}"
        for s in services
        for sort in ("-value", "awarded")
    ]
    paths["organisations list"] = ["/organisations/", "/organisations/?page=20"] + [
        f"/organisations/?{urlencode({'kind': k})}" for k in org_kinds
    ]
    paths["other lists"] = ["/concerns/", "/sources/", "/people/", "/sites/", "/frameworks/"]
    words = {word for org in orgs for word in org.name.split() if word.isalpha() and len(word) > 3}
    paths["search"] = [f"/search/?{urlencode({'q': word})}" for word in sorted(words)]
    paths["network"] = [f"/network/?around=organisation:{org.slug}" for org in orgs[:50]]
    api = reverse("api:contract-list")
    paths["API list"] = [api, f"{api}?offset=1000", f"{api}?service_category=mri"]
    # Asked for under the same load, so that the pages' figures read as ratios to what
    # Django and the queue cost with no database work at all.
    paths[BASELINE] = ["/bench/ok/"]
    return {kind: found for kind, found in paths.items() if found}


# --- The server, as `make serve` runs it ------------------------------------------------


def serve(log):
    """gunicorn with the workers `make serve` gives it (WEB_CONCURRENCY, by default two a
    core and one more), and the task worker beside it."""
    env = dict(os.environ)
    env.setdefault("WEB_CONCURRENCY", str(2 * os.cpu_count() + 1))
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "benchmarks.wsgi", f"--bind=127.0.0.1:{PORT}"]
    command += ["--access-logfile=-", "--error-logfile=-"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    for _ in range(300):
        try:
            status, _, _ = request("GET", "/bench/ok/")
            if status == 200:
                return [server, worker]
        except OSError:
            time.sleep(0.1)
    stop([server, worker])
    raise SystemExit("gunicorn did not start")


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()


def request(method, path, body=None, headers=None, timeout=READ_TIMEOUT_SECONDS):
    """One request on a connection of its own: gunicorn's sync workers close every one."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        connection.request(
            method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


# --- The readers -------------------------------------------------------------------------


@dataclass
class Reads:
    latencies: dict = field(default_factory=dict)  # kind: [seconds]
    failures: list = field(default_factory=list)  # (kind, path, what)
    locked: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind, path, seconds, status=None, body=b"", error=None):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error is not None or not 200 <= status < 400:
                self.failures.append((kind, path, error or status))
            self.locked += len(LOCKED.findall(body))


def read_until(stopping, paths, reads, seed):
    rng = random.Random(seed)
    kinds = list(paths)
    while not stopping.is_set():
        kind = rng.choice(kinds)
        path = rng.choice(paths[kind])
        started = time.perf_counter()
        try:
            status, _, body = request("GET", path)
        except OSError as error:  # a timeout, a refused or reset connection
            reads.record(kind, path, time.perf_counter() - started, error=repr(error))
            continue
        reads.record(kind, path, time.perf_counter() - started, status, body)


# --- The editor --------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's one change form."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select, self._textarea, self._selected = None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._selected = name, []
        elif tag == "option" and self._select and "selected" in attrs:
            self._selected.append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.fields += [(self._select, value) for value in self._selected]
            self._select = None
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


class Editor(threading.Thread):
    """Signs in, then saves a published organisation's change form every second."""

    def __init__(self, username, password, organisation_ids, stopping):
        super().__init__(daemon=True)
        self.username, self.password = username, password
        self.organisation_ids, self.stopping = organisation_ids, stopping
        self.cookies = {}
        self.form_loads, self.saves, self.failures, self.locked = [], [], [], 0

    def run(self):
        self.sign_in()
        tick = time.monotonic()
        number = 0
        while not self.stopping.is_set():
            organisation_id = self.organisation_ids[number % len(self.organisation_ids)]
            self.save(organisation_id, number)
            number += 1
            tick += 1
            self.stopping.wait(max(0, tick - time.monotonic()))

    def sign_in(self):
        login = "/admin/login/?next=/admin/"
        _, _, body = self.send("GET", login)
        fields = {"csrfmiddlewaretoken": self.csrf_token(body), "next": "/admin/"}
        fields |= {"username": self.username, "password": self.password}
        status, _, _ = self.send("POST", login, fields)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"the editor could not sign in ({status})")

    def save(self, organisation_id, number):
        path = f"/admin/investigations/organisation/{organisation_id}/change/"
        try:
            started = time.perf_counter()
            _, _, page = self.send("GET", path)
            self.form_loads.append(time.perf_counter() - started)
            parser = FormFields("organisation_form")
            parser.feed(page.decode())
            fields = [(k, v) for k, v in parser.fields if k != "summary"]
            fields += [
                ("summary", f"Edited by the load benchmark, save {number}."),
                ("_save", "Save"),
            ]
            save_started = time.perf_counter()
            status, headers, body = self.send("POST", path, fields)
        except OSError as error:
            self.failures.append((path, repr(error)))
            return
        self.saves.append(time.perf_counter() - save_started)
        self.locked += len(LOCKED.findall(page)) + len(LOCKED.findall(body))
        if status != 302:
            errors = re.findall(rb'<ul class="errorlist[^"]*">(.*?)</ul>', body)[:3]
            self.failures.append((path, f"{status} {b' '.join(errors)[:300]!r}"))

    def send(self, method, path, fields=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        status, response_headers, content = request(method, path, body, headers, timeout=60)
        for cookie in response_headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(cookie).items():
                self.cookies[name] = morsel.value
        return status, response_headers, content

    @staticmethod
    def csrf_token(page):
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


# --- The import ---------------------------------------------------------------------------


def import_child(options):
    _setup_django()
    from benchmarks.import_benchmark import csv_bytes
    from investigations.importers.service import run_import

    data = csv_bytes(options.rows)
    started = time.perf_counter()
    result = run_import(data, "load.csv", kind="contracts")
    seconds = time.perf_counter() - started
    figures = {"rows": result.batch.rows_created, "seconds": seconds, "written": result.written}
    figures["errors"] = [str(error) for error in result.errors[:3]] + [result.file_error]
    print(json.dumps(figures))


def start_import(options, log):
    command = [sys.executable, __file__, "--child", "import", "--rows", str(options.rows)]
    # Into a file, not a pipe: a pipe nobody reads until the end would stop a child that
    # logs more than it holds.
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)


# --- The run --------------------------------------------------------------------------------


def run(options):
    prepare_database(options)
    from django.db import connection

    from investigations.models import Contract, Organisation

    seed_import_targets()
    username, password = make_editor()
    paths = reader_paths()
    editable = [org.pk for org in sample_published(Organisation, 20)]
    vendor, contracts = connection.vendor, Contract.objects.published().count()
    connection.close()
    server_log = var_dir() / "server.log"
    import_log = var_dir() / "import.log"
    with open(server_log, "wb") as log, open(import_log, "wb") as import_output:
        processes = serve(log)
        try:
            figures = load(options, paths, username, password, editable, import_output)
        finally:
            stop(processes)
    figures["locked_in_logs"] = {
        "server": len(LOCKED.findall(server_log.read_bytes())),
        "import": len(LOCKED.findall(import_log.read_bytes())),
    }
    return report(options, vendor, contracts, figures, server_log)


def load(options, paths, username, password, editable, import_log):
    stopping = threading.Event()
    reads = Reads()
    readers = [
        threading.Thread(target=read_until, args=(stopping, paths, reads, seed), daemon=True)
        for seed in range(options.readers)
    ]
    editor = Editor(username, password, editable, stopping)
    started = time.perf_counter()
    importer = start_import(options, import_log)
    for thread in (*readers, editor):
        thread.start()
    deadline = started + options.seconds
    while time.perf_counter() < deadline or importer.poll() is None:
        if time.perf_counter() > started + options.max_seconds:
            importer.kill()
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    stopping.set()
    for thread in (*readers, editor):
        thread.join()
    imported = None
    if importer.returncode == 0:
        import_log.flush()
        imported = json.loads(Path(import_log.name).read_text().strip().splitlines()[-1])
    return {"reads": reads, "editor": editor, "import": imported, "seconds": elapsed}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(options, vendor, contracts, figures, server_log):
    reads, editor, imported = figures["reads"], figures["editor"], figures["import"]
    every = [seconds for latencies in reads.latencies.values() for seconds in latencies]
    print(
        f"{vendor}: {contracts:,} published contracts; {options.readers} readers for "
        f"{figures['seconds']:.0f} s beside a {options.rows:,}-row import and an editor "
        "saving every second; gunicorn as `make serve` runs it"
    )
    baseline = percentile(reads.latencies[BASELINE], 0.5)
    print(f"  {'page kind':<24} {'reads':>6} {'p50':>9} {'p99':>9} {'max':>9}  p50/p99 to baseline")
    for kind, latencies in sorted(reads.latencies.items()):
        print(_latency_line(kind, latencies, baseline))
    print(_latency_line("all reads", every, baseline))
    print(f"  reads per second: {len(every) / figures['seconds']:.1f}")
    print(f"  failed reads: {len(reads.failures)}")
    for kind, path, what in reads.failures[:10]:
        print(f"    {kind}: {path} -> {what}")
    saves = editor.saves
    if saves:
        slow = sum(seconds > SLOW_SAVE_SECONDS for seconds in saves)
        print(
            f"  editor saves: {len(saves)} of {int(figures['seconds'])} seconds, p50 {statistics.median(saves) * 1000:.0f} ms, "
            f"max {max(saves) * 1000:.0f} ms, over {SLOW_SAVE_SECONDS} s: {slow}"
        )
    if editor.form_loads:
        # A record with a pending revision is shown staged in a transaction: on SQLite
        # the change form holds the write lock while it renders.
        loads = editor.form_loads
        print(
            f"  editor change form loads: p50 {statistics.median(loads) * 1000:.0f} ms, "
            f"max {max(loads) * 1000:.0f} ms"
        )
    print(f"  failed saves: {len(editor.failures)}")
    for path, what in editor.failures[:10]:
        print(f"    {path} -> {what}")
    if imported:
        print(
            f"  import: {imported['rows']:,} rows created in {imported['seconds']:.1f} s "
            f"({imported['rows'] / imported['seconds']:,.0f} rows/s)"
        )
    else:
        print(
            f"  import: did not finish; {contracts_written():,} of its contracts written "
            f"when it was stopped (--max-seconds) or failed (see {var_dir()}/import.log)"
        )
    in_logs = figures["locked_in_logs"]
    locked = reads.locked + editor.locked + sum(in_logs.values())
    print(
        f"  'database is locked': {locked} (readers {reads.locked}, editor {editor.locked}, "
        f"server log {in_logs['server']}, import log {in_logs['import']})"
    )
    tracebacks = server_log.read_bytes().count(b"Traceback")
    print(f"  tracebacks in the server's log: {tracebacks}")
    failed = reads.failures or editor.failures or locked or not imported or not saves
    failed = failed or (imported and imported["rows"] != options.rows)
    return 1 if failed else 0


def contracts_written():
    """The contracts the last import batch wrote, chunk by chunk, before it ended."""
    from investigations.models import ImportBatch, ImportBatchItem

    batch = ImportBatch.objects.order_by("pk").last()
    items = ImportBatchItem.objects.filter(batch=batch, content_type__model="contract")
    return items.count()


def _latency_line(kind, latencies, baseline):
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    return (
        f"  {kind:<24} {len(latencies):>6,} {p50 * 1000:>6.0f} ms {p99 * 1000:>6.0f} ms "
        f"{max(latencies) * 1000:>6.0f} ms  {p50 / baseline:5.1f}x {p99 / baseline:6.1f}x"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="least time under load")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop the import then")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the import")
    parser.add_argument("--database-from", help="SQLite file to copy (never written)")
    parser.add_argument("--template", help="PostgreSQL database to copy (never written)")
    parser.add_argument("--organisations", type=int, default=10_000, help="when generating")
    parser.add_argument("--contracts", type=int, default=100_000, help="when generating")
    parser.add_argument("--child", choices=("import", "generate"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "import":
        return import_child(options)
    if options.child == "generate":
        return generate_child(options)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
