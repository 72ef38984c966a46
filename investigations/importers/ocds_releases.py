"""The releases of an OCDS file (a release package, a record package, or JSON lines), read
as a stream (ijson), and the releases of each ocid merged as OCDS merges them: later releases
(by ``date``) win, field by field; awards and parties are merged by their ids.

Only the fields the import takes are kept, each with its JSON path in the file.
"""

import io
import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal

import ijson

# Contracts Finder's ocids carry the notice's id, and its notice page is at this address.
NOTICE_PAGES = {"ocds-b5fd17-": "https://www.contractsfinder.service.gov.uk/Notice/{}"}
NOTICE_DOCUMENTS = ("tenderNotice", "awardNotice", "contractNotice")
_NOT_BLANK = re.compile(rb"\S")


# Reading: every release in the file, with the path it has there.
def read_releases(data):
    lines = _json_lines(data)
    if lines is not None:
        yield from lines
        return
    publisher = _package_publisher(data)
    found = False
    for number, release in enumerate(_items(data, "releases.item")):
        found = True
        yield Release.of(release, f"releases[{number}]", publisher)
    if found:
        return
    for number, record in enumerate(_items(data, "records.item")):
        found = True
        yield from _record_releases(record, f"records[{number}]", publisher)
    if not found:
        release = json.loads(data, parse_float=Decimal)
        if isinstance(release, dict) and release.get("ocid"):
            yield Release.of(release, "", publisher)


def _items(data, prefix):
    return ijson.items(io.BytesIO(data), prefix)


def _package_publisher(data):
    publisher = next(_items(data, "publisher"), None)
    return str(publisher.get("name") or "") if isinstance(publisher, dict) else ""


def _json_lines(data):
    """The releases of a JSON-lines file (a release or a package on each line), else None."""
    end = data.find(b"\n")
    if end < 0 or not _NOT_BLANK.search(data, end):  # searched in place: a year is large
        return None
    try:
        json.loads(data[:end])
    except ValueError:
        return None
    return _lines(data)


def _lines(data):
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        value = json.loads(line, parse_float=Decimal)
        path = f"line {number}: "
        if not isinstance(value, dict):
            raise ValueError(f"line {number} is not an object")
        if "releases" in value:
            publisher = str((value.get("publisher") or {}).get("name") or "")
            for index, release in enumerate(value["releases"]):
                yield Release.of(release, f"{path}releases[{index}]", publisher)
        else:
            yield Release.of(value, path.rstrip(": ") + ":", "")


def _record_releases(record, path, publisher):
    """A record's compiled release if it has one, else its embedded releases."""
    if isinstance(record.get("compiledRelease"), dict):
        yield Release.of(record["compiledRelease"], f"{path}.compiledRelease", publisher)
        return
    for index, release in enumerate(record.get("releases") or []):
        if isinstance(release, dict) and release.get("ocid"):  # linked releases are skipped
            yield Release.of(release, f"{path}.releases[{index}]", publisher)


def join_path(path, child):
    if not path:
        return child
    return f"{path} {child}" if path.endswith(":") else f"{path}.{child}"


@dataclass(slots=True)
class Release:
    """What the import takes of one release: the fields it imports, each with its path."""

    ocid: str
    date: str
    path: str
    publisher: str
    title: str = ""
    notice_url: str = ""
    buyer: str = ""  # the buyer's party id, or its name where the release gives no id
    parties: dict = field(default_factory=dict)  # party id → Party
    awards: list = field(default_factory=list)  # Award

    @classmethod
    def of(cls, release, path, publisher):
        if not isinstance(release, dict):
            raise ValueError(f"{path or 'the file'} is not a release")
        tender = release.get("tender") or {}
        self = cls(
            str(release.get("ocid") or ""),
            str(release.get("date") or ""),
            path,
            publisher,
            str(tender.get("title") or ""),
            _notice_url(release),
        )
        for index, party in enumerate(release.get("parties") or []):
            self._add_party(party, join_path(path, f"parties[{index}]"))
        self._add_buyer(release.get("buyer"), join_path(path, "buyer"))
        if not self.buyer:  # a release may name its buyer only by the party's role
            self.buyer = next((k for k, p in self.parties.items() if "buyer" in p.roles), "")
        for index, award in enumerate(release.get("awards") or []):
            self.awards.append(Award.of(award, join_path(path, f"awards[{index}]")))
        return self

    def _add_party(self, party, path):
        if isinstance(party, dict) and (party.get("id") or party.get("name")):
            key = str(party.get("id") or party.get("name"))
            self.parties[key] = Party.of(party, path)

    def _add_buyer(self, buyer, path):
        if not isinstance(buyer, dict):
            return
        self.buyer = str(buyer.get("id") or buyer.get("name") or "")
        if self.buyer and self.buyer not in self.parties and buyer.get("name"):
            self.parties[self.buyer] = Party(str(buyer["name"]), path)


def _notice_url(release):
    for document in _documents(release):
        if document.get("documentType") in NOTICE_DOCUMENTS and document.get("url"):
            return str(document["url"])
    ocid = str(release.get("ocid") or "")
    for prefix, page in NOTICE_PAGES.items():
        if ocid.startswith(prefix):
            return page.format(ocid.removeprefix(prefix))
    return ""


def _documents(release):
    documents = list((release.get("tender") or {}).get("documents") or [])
    for award in release.get("awards") or []:
        documents.extend(award.get("documents") or [])
    return [d for d in documents if isinstance(d, dict)]


@dataclass(slots=True)
class Party:
    name: str
    path: str
    identifiers: list = field(default_factory=list)  # (org-id text, path)
    roles: tuple = ()

    @classmethod
    def of(cls, party, path):
        # Interned: a year of releases names a few roles 100,000 times.
        roles = tuple(sys.intern(str(role)) for role in party.get("roles") or ())
        self = cls(str(party.get("name") or "").strip(), path, roles=roles)
        self._add_identifier(party.get("identifier"), f"{path}.identifier")
        for index, other in enumerate(party.get("additionalIdentifiers") or []):
            self._add_identifier(other, f"{path}.additionalIdentifiers[{index}]")
        return self

    def _add_identifier(self, identifier, path):
        if not isinstance(identifier, dict):
            return
        scheme, value = (str(identifier.get(k) or "").strip() for k in ("scheme", "id"))
        if scheme and value:
            self.identifiers.append((f"{scheme}-{value}", path))


@dataclass(slots=True)
class Award:
    id: str
    path: str
    values: dict  # OCDS field ("value.amount") → (value, path of the award that gave it)
    suppliers: list  # (party id or name, name given in the award, path)

    @classmethod
    def of(cls, award, path):
        award = award if isinstance(award, dict) else {}
        values = {}
        for name in ("title", "date", "value.amount", "value.currency",
                     "contractPeriod.startDate", "contractPeriod.endDate"):  # fmt: skip
            value = _dig(award, name)
            if value not in (None, ""):
                values[name] = (value, path)
        if "id" in award:
            values["id"] = (award["id"], path)
        suppliers = []
        for index, supplier in enumerate(award.get("suppliers") or []):
            supplier = supplier if isinstance(supplier, dict) else {}
            key = str(supplier.get("id") or supplier.get("name") or "")
            name = str(supplier.get("name") or "").strip()
            suppliers.append((key, name, join_path(path, f"suppliers[{index}]")))
        return cls(str(award.get("id") or ""), path, values, suppliers)


def _dig(data, dotted):
    for name in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


# Merging: the releases of each ocid, later ones winning.
class Book:
    """Every contracting process of the file: its releases as read."""

    def __init__(self):
        self.processes = {}  # ocid → [Release], in file order

    def add(self, release):
        if not release.ocid:
            raise ValueError(f"{release.path or 'a release'} has no ocid")
        self.processes.setdefault(release.ocid, []).append(release)

    def merged(self):
        """(ocid, Process) of each ocid in file order, each let go of once given."""
        for ocid in list(self.processes):
            releases = self.processes.pop(ocid)
            yield ocid, Process(sorted(releases, key=lambda r: r.date))


class Process:
    """One ocid's releases merged: parties and awards by id, later values winning."""

    def __init__(self, releases):
        self.latest = releases[-1]
        self.title = next((r.title for r in reversed(releases) if r.title), "")
        self.notice_url = next((r.notice_url for r in reversed(releases) if r.notice_url), "")
        self.buyer = next((r.buyer for r in reversed(releases) if r.buyer), "")
        self.parties = {}
        for release in releases:
            for key, party in release.parties.items():
                self.parties[key] = _merged_party(self.parties.get(key), party)
        self.awards = {}
        for release in releases:
            for award in release.awards:
                self.awards[award.id] = _merged_award(self.awards.get(award.id), award)


def _merged_party(earlier, later):
    if earlier is None:
        return later
    return Party(
        later.name or earlier.name,
        later.path if later.name else earlier.path,
        later.identifiers or earlier.identifiers,
        later.roles or earlier.roles,
    )


def _merged_award(earlier, later):
    if earlier is None:
        return later
    suppliers = {key: (key, name, path) for key, name, path in earlier.suppliers}
    suppliers.update({key: (key, name, path) for key, name, path in later.suppliers})
    return Award(later.id, later.path, {**earlier.values, **later.values}, list(suppliers.values()))
