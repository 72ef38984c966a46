"""Serve the public pages under gunicorn with many published records; print each page's
median time as a ratio to a trivial view measured in the same run.

    .venv/bin/python benchmarks/page_benchmark.py            # SQLite, 10,000 orgs, 100,000 contracts
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/page_benchmark.py

The database is built once and reused (SQLite: benchmarks/out/pages/; PostgreSQL: the
database named in DATABASE_URL, which is flushed and filled). Pass --rebuild to start again.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "pages"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from investigations.caching import invalidate_public_pages  # noqa: E402
from investigations.models import Contract, Identifier  # noqa: E402
from investigations.search import rebuild_index  # noqa: E402

PORT = 8765
TARGET_RATIO = 5


def build(organisations, contracts, rebuild):
    call_command("migrate", verbosity=0)
    if rebuild or Contract.objects.count() < contracts:
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_demo_data", verbosity=0)
        generate(organisations=organisations, contracts=contracts)
        # The generator writes in bulk, without the signals that keep the index in step.
        started = time.perf_counter()
        documents = rebuild_index()
        print(
            f"search index rebuilt: {documents:,} documents in {time.perf_counter() - started:.0f} s"
        )
    cache.clear()


def pages():
    profile = Identifier.objects.get(scheme="GB-COH", value="02128897").organisation
    deep_page = Contract.objects.published().count() // 25 // 2
    return {
        "trivial view (baseline)": "/bench/ok/",
        "Alliance Medical profile": profile.get_absolute_url(),
        "contracts list, page 1": "/contracts/",
        f"contracts list, page {deep_page}": f"/contracts/?page={deep_page}",
        "search 'diagnostics'": "/search/?q=diagnostics",
    }


def serve():
    env = dict(os.environ)
    # As `make serve` does: DEBUG is off, so pages link the hashed, compressed static files.
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "benchmarks.wsgi",
        f"--bind=127.0.0.1:{PORT}",
        "--workers=2",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            fetch(http.client.HTTPConnection("127.0.0.1", PORT, timeout=5), "/bench/ok/")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def fetch(connection, path):
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return body


def cold_seconds(path):
    """One request right after the page cache was made stale, as after an editor's change."""
    invalidate_public_pages()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    started = time.perf_counter()
    fetch(connection, path)
    return time.perf_counter() - started


def median_seconds(paths, requests):
    """Median time of each path, requested in turn round after round, so that the noise of
    a shared machine falls on the baseline and the pages alike."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    for path in paths:
        for _ in range(3):
            fetch(connection, path)
    timings = {path: [] for path in paths}
    for _ in range(requests):
        for path in paths:
            started = time.perf_counter()
            fetch(connection, path)
            timings[path].append(time.perf_counter() - started)
    return {path: statistics.median(times) for path, times in timings.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()
    build(options.organisations, options.contracts, options.rebuild)
    server = serve()
    try:
        report(pages(), options.requests)
    finally:
        server.terminate()
        server.wait()


def report(urls, requests):
    vendor = django.db.connection.vendor
    print(
        f"{vendor}: {Contract.objects.published().count():,} published contracts, "
        f"median of {requests} requests per page, under gunicorn (2 workers)"
    )
    print(f"  {'page':<32} {'median':>10} {'ratio':>7}   {'cold (uncached)':>15} {'ratio':>7}")
    cold = {path: cold_seconds(path) for path in urls.values()}
    medians = median_seconds(list(urls.values()), requests)
    baseline = medians[urls["trivial view (baseline)"]]
    worst = 0
    for label, path in urls.items():
        ratio = medians[path] / baseline
        worst = max(worst, ratio)
        print(
            f"  {label:<32} {medians[path] * 1000:7.2f} ms {ratio:6.1f}x   "
            f"{cold[path] * 1000:12.1f} ms {cold[path] / baseline:6.0f}x"
        )
    verdict = "meets" if worst <= TARGET_RATIO else "misses"
    print(f"  worst median ratio {worst:.1f}x: {verdict} the target of {TARGET_RATIO}x")


if __name__ == "__main__":
    main()
