"""The database and locale settings a new user gets without configuring anything."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from investigations.planner_statistics import refresh_after_migrate
from tests.factories import make_contract


def test_it_runs_sqlite_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(tmp_path):
    script = (
        "import django, os;"
        "os.environ['DJANGO_SETTINGS_MODULE']='investigations.settings';"
        "django.setup();"
        "from django.db import connection as c;"
        "cur=c.cursor();"
        "cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0]);"
        "cur.execute('PRAGMA busy_timeout'); print(cur.fetchone()[0]);"
        "print(c.transaction_mode)"
    )
    # The child process has no DATABASE_URL, so it gets the embedded default whatever
    # database this test run uses.
    env = {"VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["wal", "20000", "IMMEDIATE"]


def test_it_keeps_a_sqlite_connection_open_from_one_request_to_the_next(tmp_path):
    """Opening one costs more than serving a cached page: its PRAGMAs, and on closing the
    last connection SQLite checkpoints the WAL."""
    script = (
        "import django, os;"
        "os.environ['DJANGO_SETTINGS_MODULE']='investigations.settings';"
        "django.setup();"
        "from django.core.signals import request_finished, request_started;"
        "from django.db import connection as c;"
        "opened=[];"
        "[(request_started.send(None), c.ensure_connection(), opened.append(c.connection),"
        " request_finished.send(None)) for _ in range(2)];"
        "print(opened[0] is opened[1])"
    )
    env = {"VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["True"]


def test_it_reads_uk_dates_day_first():
    assert settings.DATE_INPUT_FORMATS[0] == "%d/%m/%Y"
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    env = {"DEBUG": "0", "VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import investigations.settings"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_switches_database_with_database_url(tmp_path):
    script = (
        "import investigations.settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    )
    env = {
        "DATABASE_URL": "postgres://someone@db.example:5432/investigations",
        "VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["django.db.backends.postgresql", "investigations"]


def test_it_turns_off_postgresqls_jit_compiler_and_keeps_other_connection_options(tmp_path):
    script = "import investigations.settings as s; print(s.DATABASES['default']['OPTIONS'])"
    env = {
        "DATABASE_URL": "postgres://someone@db.example:5432/investigations?sslmode=require",
        "VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert output == "{'sslmode': 'require', 'options': '-c jit=off'}"


def test_migrations_applied_to_an_analysed_sqlite_database_analyse_it_again(db):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps statistics by column; autovacuum refreshes them")
    make_contract()

    def contract_statistics():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'investigations_contract'"
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'investigations_contract'")
    refresh_after_migrate(sender=None, plan=[], using="default")
    assert contract_statistics() == 0
    refresh_after_migrate(sender=None, plan=[("a migration", False)], using="default")
    assert contract_statistics() > 0
