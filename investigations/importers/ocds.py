"""Read OCDS JSON (a release package, a record package, or JSON lines of releases, as
Contracts Finder and Find a Tender publish them) into the sheets a spreadsheet import would
give: sources, organisations, contracts with their parties, and citations. The planner then
checks them as it checks any workbook, so an OCDS import has the spreadsheet import's own
preview, atomicity, batch, undo, trust rules and dry run.

- Releases of one ocid are merged as OCDS merges them: later releases (by ``date``) win,
  field by field; awards and parties are merged by their ids.
- Each award is a contract whose reference is "<ocid>/<award id>": a strong key, unique
  across publishers, so a re-import finds every contract again and changes nothing.
- The notice (one per ocid) is the source; every value taken is cited to it, with the JSON
  path of the release that gave it as the locator (``releases[0].awards[1].value``).
- Dates are the notice's own calendar date, at its own offset, never shifted to UTC.

Files are streamed with ijson; only the fields imported are kept, never a whole year.
"""

import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

import ijson

from .reading import ImportFileError, Sheet, check_size

# Contracts Finder's ocids carry the notice's id, and its notice page is at this address.
NOTICE_PAGES = {"ocds-b5fd17-": "https://www.contractsfinder.service.gov.uk/Notice/{}"}
NOTICE_DOCUMENTS = ("tenderNotice", "awardNotice", "contractNotice")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
CITED_FIELDS = (
    ("reference", "id"),
    ("value", "value"),
    ("awarded", "date"),
    ("start", "contractPeriod.startDate"),
    ("end", "contractPeriod.endDate"),
)


def is_ocds(data):
    """Whether the file is JSON (OCDS, or refused as such), judged by its first byte."""
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"{", b"[")


def read_ocds(data):
    """The sheets of an OCDS file: sources, organisations, contracts, citations."""
    check_size(len(data))
    data = data.removeprefix(b"\xef\xbb\xbf")
    book = Book()
    try:
        for release in _releases(data):
            book.add(release)
    except (ijson.JSONError, ValueError) as error:
        raise ImportFileError(f"The file is not valid JSON: {error}") from None
    if not book.processes:
        raise ImportFileError(
            "The file holds no OCDS releases: give a release package, a record package, or "
            "JSON lines of releases."
        )
    return book.sheets()


# Reading: every release in the file, with the path it has there.
def _releases(data):
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
    first, _, rest = data.partition(b"\n")
    if not rest.strip():
        return None
    try:
        json.loads(first)
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


def _join(path, child):
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
            self._add_party(party, _join(path, f"parties[{index}]"))
        self._add_buyer(release.get("buyer"), _join(path, "buyer"))
        if not self.buyer:  # a release may name its buyer only by the party's role
            self.buyer = next((k for k, p in self.parties.items() if "buyer" in p.roles), "")
        for index, award in enumerate(release.get("awards") or []):
            self.awards.append(Award.of(award, _join(path, f"awards[{index}]")))
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
        roles = tuple(party.get("roles") or ())
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
            suppliers.append((key, name, _join(path, f"suppliers[{index}]")))
        return cls(str(award.get("id") or ""), path, values, suppliers)


def _dig(data, dotted):
    for name in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


# Merging: the releases of each ocid, later ones winning.
class Book:
    """Every contracting process of the file, and from them the sheets."""

    def __init__(self):
        self.processes = {}  # ocid → [Release], in file order

    def add(self, release):
        if not release.ocid:
            raise ValueError(f"{release.path or 'a release'} has no ocid")
        self.processes.setdefault(release.ocid, []).append(release)

    def sheets(self):
        out = Output()
        for ocid in list(self.processes):
            releases = self.processes.pop(ocid)  # what the sheets need, they now hold
            out.add_process(ocid, Process(sorted(releases, key=lambda r: r.date)))
        return out.sheets()


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


class Output:
    """The rows of each sheet, organisations named once across the whole file."""

    def __init__(self):
        self.sources, self.contracts, self.citations = [], [], []
        self.organisations = {}  # org-id or normalised name → organisation row
        self.warnings = []

    def add_process(self, ocid, process):
        if not process.awards:
            return
        source = self._source(ocid, process)
        buyer = process.parties.get(process.buyer)
        for award in process.awards.values():
            self._contract(ocid, process, award, buyer, source)

    def _source(self, ocid, process):
        latest = process.latest
        title = f"{process.title or ocid}: OCDS notice {ocid}"
        row = {
            "title": title,
            "url": process.notice_url,
            "publisher": latest.publisher,
            "published_on": _calendar_date(latest.date),
            "kind": "dataset",
            "source_type": "official_register",
        }
        self.sources.append(row)
        return {"source": title, "source_url": process.notice_url}

    def _contract(self, ocid, process, award, buyer, source):
        reference = f"{ocid}/{award.id}"
        values = award.values
        row = {
            "title": _value(values, "title") or process.title or reference,
            "reference": reference,
            "value": _value(values, "value.amount"),
            "currency": _value(values, "value.currency"),
            "awarded": _calendar_date(_value(values, "date")),
            "start": _calendar_date(_value(values, "contractPeriod.startDate")),
            "end": _calendar_date(_value(values, "contractPeriod.endDate")),
            **source,
            "locator": award.path,
        }
        parties = self._parties(reference, process, award, buyer, source)
        row["buyer"] = ";".join(name for name, role, _path in parties if role == "buyer")
        row["supplier"] = ";".join(name for name, role, _path in parties if role == "supplier")
        self.contracts.append(row)
        for column, ocds_name in CITED_FIELDS:
            self._cite_field(reference, column, values, ocds_name, source)
        for name, role, path in parties:
            self._cite("contract_party", f"{reference};{name};{role}", path, source)

    def _parties(self, reference, process, award, buyer, source):
        """(organisation's name in the sheet, role, path) of the award's buyer and suppliers."""
        parties = []
        if buyer is not None and buyer.name:
            parties.append((self._organisation(buyer, source), "buyer", buyer.path))
        for key, name, path in award.suppliers:
            party = process.parties.get(key)
            if party is None or not party.name:
                party = Party(name, path) if name else None
            if party is None:
                self.warnings.append(
                    f"{path}: a supplier without a name; the award {reference} imports with "
                    "its named parties"
                )
                continue
            parties.append((self._organisation(party, source), "supplier", path))
        return parties

    def _organisation(self, party, source):
        """The organisation row of a party, one per organisation however often it appears."""
        keys = [text.upper() for text, _path in party.identifiers] + [_name_key(party.name)]
        row = next((self.organisations[k] for k in keys if k in self.organisations), None)
        if row is None:
            row = {"name": party.name, "identifiers": "", **source, "locator": party.path}
            self.organisations[keys[-1]] = row
        for text, path in party.identifiers:
            if text.upper() not in self.organisations:
                self.organisations[text.upper()] = row
                row["identifiers"] = ";".join(filter(None, (row["identifiers"], text)))
                self._cite("identifier", text, path, source)
        return row["name"]

    def _cite_field(self, reference, column, values, ocds_name, source):
        given = values.get("value.amount" if ocds_name == "value" else ocds_name)
        if given is not None:
            path = _join(given[1], ocds_name)
            self._cite("contracts", reference, path, source, cited_field=column)

    def _cite(self, record_kind, record, locator, source, cited_field=""):
        self.citations.append((record_kind, record, cited_field, source, locator))

    def sheets(self):
        organisations = list({id(r): r for r in self.organisations.values()}.values())
        sheets = [
            _sheet("sources", self.sources),
            _sheet("organisations", organisations),
            _sheet("contracts", self.contracts),
            Sheet("citations", list(CitationRows.HEADERS), CitationRows(self.citations)),
        ]
        sheets[2].warnings.extend(self.warnings)
        return [sheet for sheet in sheets if sheet.rows]


class CitationRows:
    """The citations sheet's rows, each made as the planner reads it: a year of notices
    cites some 300,000 values, and a dict apiece held at once would cost more than the rest
    of the import."""

    HEADERS = ("record_kind", "record", "cited_field", "source", "source_url", "locator")

    def __init__(self, cited):
        self.cited = cited  # (record kind, record, cited field, source columns, locator)

    def __len__(self):
        return len(self.cited)

    def __iter__(self):
        for index, cited in enumerate(self.cited):
            self.cited[index] = None  # read once, by the planner: what it needs it keeps
            kind, record, cited_field, source, locator = cited
            row = {"record_kind": kind, "record": record, "cited_field": cited_field}
            yield index + 1, {**row, **source, "locator": locator}


def _sheet(name, rows):
    headers = list(dict.fromkeys(header for row in rows[:1] for header in row))
    return Sheet(name, headers, list(enumerate(rows, start=1)))


def _value(values, name):
    given = values.get(name)
    return given[0] if given else None


def _calendar_date(text):
    """The date an OCDS datetime names at its own offset: 2019-04-01T00:00:00+01:00 is
    1 April, though it is 31 March in UTC."""
    match = _DATE.match(str(text or ""))
    return match[1] if match else None


def _name_key(name):
    return " ".join(name.lower().split())
