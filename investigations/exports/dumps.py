"""Bulk dumps: every published record of each kind, with its citations, as gzipped JSON lines.

``DUMPS`` lists them, each a file name and a function that yields JSON-able dicts; a dump of
another format is one more entry. A run writes every file and then the manifest (counts and
SHA-256s) into a hidden folder beside the dated one, and only then moves it into place and
points ``LATEST`` at it: a failed run leaves the last good dump as it was, and no manifest
ever names a file that is not whole.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from investigations.models import PUBLISHABLE_MODELS
from investigations.prose import markers_in
from investigations.standards import ftm, ocds

from .records import chunks, exported_fields, parent_link

MANIFEST = "manifest.json"
LATEST = "LATEST"
DATED_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")


def citations(chunk, record):
    """The record's fresh citations to published sources, claim by claim."""
    claims = [("", "")] + [(name, "") for name in record.claim_fields]
    for name in record.prose_fields:
        claims += [
            (name, marker)
            for marker in markers_in(chunk.value(record, record._meta.get_field(name)))
        ]
    return [
        {
            "field": field_name,
            "marker": marker,
            "source": citation.source.slug,
            "source_title": citation.source.title,
            "source_url": citation.source.url,
            "quote": citation.quote,
            "locator": citation.locator,
            "confidence": citation.confidence,
        }
        for field_name, marker in claims
        for citation in chunk.footnotes.citations(record, field_name, marker)
    ]


def stored_value(chunk, record, field):
    """Links by the linked record's slug (its id if it has none), choices by their code."""
    if field.many_to_one:
        linked = getattr(record, field.name)
        return None if linked is None else getattr(linked, "slug", linked.pk)
    return chunk.value(record, field)


def document(chunk, record, parent=None):
    fields = exported_fields(type(record), parent)
    found = {field.name: stored_value(chunk, record, field) for field in fields}
    if hasattr(record, "get_absolute_url"):
        found["page_url"] = record.get_absolute_url()
    for name in type(record).claim_children:
        link = parent_link(type(record), name)
        found[name] = [document(chunk, child, link) for child in chunk.children(record, name)]
    found["citations"] = citations(chunk, record)
    return found


def published_documents(model):
    for chunk in chunks(model.objects.published()):
        for record in chunk:
            yield document(chunk, record)


def ocds_releases():
    """Every published contract's OCDS release, a line each: what ``ocdskit package-releases``
    wraps into a release package."""
    return ocds.releases()


DUMPS = (
    *(
        (f"{model._meta.verbose_name_plural}.jsonl.gz", partial(published_documents, model))
        for model in PUBLISHABLE_MODELS
    ),
    ("followthemoney.jsonl.gz", ftm.published_entities),
    ("ocds-releases.jsonl.gz", ocds_releases),
)


def write_file(path, documents):
    """One JSON document a line, gzipped (with no time in the header, so an unchanged
    database gives an unchanged file). Returns the manifest's entry for it."""
    count = 0
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as stream:
        for found in documents:
            line = json.dumps(found, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"
            stream.write(line.encode())
            count += 1
    return {
        "name": path.name,
        "records": count,
        "bytes": path.stat().st_size,
        "sha256": sha256(path),
    }


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stored:
        for block in iter(lambda: stored.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_dumps(output=None, dumps=DUMPS):
    """Write every dump and its manifest to ``output`` (by default a folder of today's date
    under DUMPS_ROOT, which LATEST then points at). Returns the folder and the manifest."""
    now = timezone.now()
    target = Path(output) if output else Path(settings.DUMPS_ROOT) / now.date().isoformat()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        files = [write_file(staging / name, make()) for name, make in dumps]
        manifest = {"created_at": now.isoformat(timespec="seconds"), "files": files}
        manifest.update(licence=settings.DATA_LICENCE, licence_url=settings.DATA_LICENCE_URL)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        staging.chmod(0o755)  # mkdtemp makes it private; the dump is public
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not output:
        point_latest(target)
    return target, manifest


def replace_folder(new, target):
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        target.rename(old / target.name)
        new.rename(target)
        shutil.rmtree(old)
    else:
        new.rename(target)


def point_latest(target):
    pointer = target.parent / LATEST
    temporary = pointer.with_name(f".{LATEST}.tmp")
    temporary.write_text(target.name + "\n")
    os.replace(temporary, pointer)


def latest_dump():
    """The date and manifest of the dump LATEST points at; None before the first."""
    try:
        date = (Path(settings.DUMPS_ROOT) / LATEST).read_text().strip()
    except FileNotFoundError:
        return None
    manifest = read_manifest(date)
    return None if manifest is None else (date, manifest)


def read_manifest(date):
    """A dated dump's manifest; None for anything that is not one."""
    if not DATED_FOLDER.fullmatch(date):
        return None
    try:
        return json.loads((Path(settings.DUMPS_ROOT) / date / MANIFEST).read_text())
    except (FileNotFoundError, NotADirectoryError):
        return None


def dump_path(date, name):
    """The path of a file a dated dump's manifest names (or of the manifest); else None."""
    manifest = read_manifest(date)
    if manifest is None:
        return None
    if name != MANIFEST and name not in {entry["name"] for entry in manifest["files"]}:
        return None
    return Path(settings.DUMPS_ROOT) / date / name
