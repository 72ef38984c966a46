"""Backups are consistent while the site writes, and restore to the same data.

The backup is taken by `manage.py backup` of a database of its own (on the engine the tests
run on: a SQLite file, or a new PostgreSQL database), while another process writes to it
in transactions of two rows each; it is restored by `manage.py restore` into a new one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from investigations import backups

ROOT = Path(__file__).resolve().parent.parent
WRITER = """
import sys, time
from pathlib import Path
from django.db import transaction
from investigations.models import Organisation
stop = Path(sys.argv[1])
number = 0
while not stop.exists():
    with transaction.atomic():  # two rows, or none: a consistent backup has pairs only
        Organisation.objects.create(name=f"Pair {number} a")
        Organisation.objects.create(name=f"Pair {number} b")
    number += 1
    print(number, flush=True)
    time.sleep(0.02)
"""
PAIR_TABLES = ("investigations.Organisation", "investigations.HistoricalOrganisation")


def on_postgresql():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


class Site:
    """One installation: its own VAR_DIR (SQLite file, media) and, on PostgreSQL, database."""

    def __init__(self, folder, database_url=None):
        self.folder = folder
        self.env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        self.env["VAR_DIR"] = str(folder)
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def manage(self, *arguments):
        command = [sys.executable, "manage.py", *arguments]
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def summary(self):
        return json.loads(self.manage("database_summary"))

    def start_writer(self, stop_file):
        script = f"import django; django.setup()\n{WRITER}"
        command = [sys.executable, "-c", script, str(stop_file)]
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "investigations.settings"}
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


@pytest.fixture
def two_sites(tmp_path):
    """A site to back up and an empty one to restore into, on the test run's engine."""
    if not on_postgresql():
        yield Site(tmp_path / "source"), Site(tmp_path / "restored")
        return
    server = dj_database_url.parse(os.environ["DATABASE_URL"])
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    names = [f"{server['NAME']}_backup_source", f"{server['NAME']}_backup_restored"]
    admin = f"{base}/postgres"
    with psycopg.connect(admin, autocommit=True) as scratch:
        for name in names:
            scratch.execute(f'DROP DATABASE IF EXISTS "{name}"')
            scratch.execute(f'CREATE DATABASE "{name}"')
    yield tuple(Site(tmp_path / name, f"{base}/{name}") for name in names)
    with psycopg.connect(admin, autocommit=True) as scratch:
        for name in names:
            scratch.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pairs_written(writer, at_least):
    for line in writer.stdout:
        if int(line) >= at_least:
            return int(line)
    pytest.fail("the writer stopped")


def changed_by_the_writer(before, after):
    return {table: after["counts"][table] - before["counts"][table] for table in PAIR_TABLES}


def test_a_backup_taken_during_writes_restores_to_the_same_published_data(two_sites, tmp_path):
    source, restored = two_sites
    source.manage("migrate", "--no-input")
    source.manage("load_demo_data")
    media = source.folder / "media" / "sources" / "report.pdf"
    media.parent.mkdir(parents=True)
    media.write_bytes(b"%PDF-1.7 a report")
    before = source.summary()
    assert before["counts"]["investigations.Source"] > 0  # there is published data to compare

    writer = source.start_writer(tmp_path / "stop")
    pairs_written(writer, at_least=3)
    source.manage("backup", "--output", str(tmp_path / "backup"))
    pairs_written(writer, at_least=pairs_written(writer, 1) + 3)  # writes carried on
    (tmp_path / "stop").touch()
    writer.wait(timeout=30)
    after = source.summary()

    restored.manage("restore", str(tmp_path / "backup"))
    copy = restored.summary()
    assert copy["published_sha256"] == before["published_sha256"] == after["published_sha256"]
    # The page cache's tag versions change with every write too: bookkeeping, not data.
    untouched = set(before["counts"]) - set(PAIR_TABLES) - {"investigations.PageCacheTag"}
    assert {t: copy["counts"][t] for t in untouched} == {t: after["counts"][t] for t in untouched}
    in_copy, in_source = changed_by_the_writer(before, copy), changed_by_the_writer(before, after)
    for table in PAIR_TABLES:
        assert in_copy[table] % 2 == 0, "a transaction was cut in half"
        assert 6 <= in_copy[table] < in_source[table], "the backup was not taken mid-writes"
    assert (restored.folder / "media" / "sources" / "report.pdf").read_bytes() == media.read_bytes()


@pytest.mark.django_db
def test_it_refuses_to_restore_over_a_database_that_has_tables(tmp_path):
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path))


@pytest.mark.django_db
def test_it_refuses_to_back_up_into_a_folder_that_exists(tmp_path):
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", "--output", str(tmp_path))


def test_the_postgresql_tools_get_the_connection_options_as_libpq_variables(monkeypatch):
    database = {
        "NAME": "investigations",
        "HOST": "db.internal",
        "PORT": 5433,
        "USER": "curator",
        "PASSWORD": "secret",
        "OPTIONS": {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/ca.pem"},
    }
    monkeypatch.setattr(backups.connection, "settings_dict", database)
    calls = []
    monkeypatch.setattr(
        backups.subprocess,
        "run",
        lambda command, env, **kwargs: (
            calls.append((command, env)) or SimpleNamespace(returncode=0)
        ),
    )
    backups.run_postgresql_tool("pg_dump", "--format=custom")
    [(command, env)] = calls
    assert command == ["pg_dump", "--format=custom", "--dbname=investigations"]
    wanted = {"PGHOST": "db.internal", "PGPORT": "5433", "PGUSER": "curator",
              "PGPASSWORD": "secret", "PGSSLMODE": "verify-full", "PGSSLROOTCERT": "/etc/ssl/ca.pem"}  # fmt: skip
    assert {name: env.get(name) for name in wanted} == wanted
