"""Backups of the database and the uploaded files, and restoring them.

A backup is a folder: the database, and ``media.tar.gz`` of MEDIA_ROOT.

- SQLite: the online backup API copies the database in one step, within one read
  transaction, so the copy is a consistent snapshot even while the site serves and an
  import writes (WAL lets the writers carry on meanwhile). Restoring uses the same API
  the other way, so the database's -wal and -shm files cannot be left out of step.
- PostgreSQL: ``pg_dump`` in its custom format, which is also one snapshot, and
  ``pg_restore`` into an empty database.

``summary()`` counts the rows of every table and hashes every published record, so a
restored database can be compared with the one it came from.
"""

import hashlib
import os
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient as PostgreSQLClient

from .caching import invalidate_public_pages

SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.dump"
MEDIA_ARCHIVE = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def default_folder():
    return Path(settings.VAR_DIR) / "backups" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def back_up(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=False)
    if connection.vendor == "sqlite":
        back_up_sqlite(folder / SQLITE_FILE)
    elif connection.vendor == "postgresql":
        run_postgresql_tool("pg_dump", "--format=custom", f"--file={folder / POSTGRESQL_FILE}")
    else:
        raise BackupError(f"No backup for {connection.vendor} databases.")
    archive_media(folder / MEDIA_ARCHIVE)
    return folder


def restore(folder, replace=False):
    folder = Path(folder)
    if not replace and database_has_tables():
        raise BackupError("The database is not empty. Restore into a new one, or use --replace.")
    if connection.vendor == "sqlite":
        restore_sqlite(folder / SQLITE_FILE)
    elif connection.vendor == "postgresql":
        clean = ["--clean", "--if-exists"] if replace else []
        dump = str(folder / POSTGRESQL_FILE)
        run_postgresql_tool("pg_restore", *clean, "--no-owner", "--exit-on-error", dump)
    else:
        raise BackupError(f"No restore for {connection.vendor} databases.")
    extract_media(folder / MEDIA_ARCHIVE)
    invalidate_public_pages()


def back_up_sqlite(target):
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # every page in one step: one snapshot
    finally:
        copy.close()


def restore_sqlite(source):
    if not source.exists():
        raise BackupError(f"{source} is not there: is this a backup of a SQLite database?")
    connection.ensure_connection()
    backup = sqlite3.connect(source)
    try:
        backup.backup(connection.connection)
    finally:
        backup.close()
    connection.close()  # the next query reopens it, in WAL mode again


def run_postgresql_tool(tool, *arguments):
    """pg_dump or pg_restore, on the database Django is using, with its credentials."""
    database = connection.settings_dict
    # Django's own dbshell settings: the password and OPTIONS (service, passfile, sslmode
    # and its certificates) as libpq's variables.
    env = {**os.environ, **(PostgreSQLClient.settings_to_cmd_args_env(database, [])[1] or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if database.get(key):
            env[variable] = str(database[key])
    command = [tool, *arguments, *([f"--dbname={database['NAME']}"] if database["NAME"] else [])]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def database_has_tables():
    return bool(connection.introspection.table_names())


def archive_media(target):
    with tarfile.open(target, "w:gz") as archive:
        if Path(settings.MEDIA_ROOT).is_dir():
            archive.add(settings.MEDIA_ROOT, arcname=".")


def extract_media(source):
    if not source.exists():
        raise BackupError(f"{source} is not there: is this a backup folder?")
    with tarfile.open(source) as archive:
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        archive.extractall(settings.MEDIA_ROOT, filter="data")


def summary():
    """Rows in each table, and one SHA-256 over every published record's values."""
    counts = {model._meta.label: model._base_manager.count() for model in apps.get_models()}
    digest = hashlib.sha256()
    for model in sorted(published_models(), key=lambda model: model._meta.label):
        digest.update(model._meta.label.encode())
        for row in model._default_manager.published().order_by("pk").values_list():
            digest.update(repr(row).encode())
    return {"counts": counts, "published_sha256": digest.hexdigest()}


def published_models():
    return [model for model in apps.get_models() if hasattr(model._default_manager, "published")]
