"""Read OCDS JSON (a release package, a record package, or JSON lines of releases, as
Contracts Finder and Find a Tender publish them) into the sheets a spreadsheet import would
give: sources, organisations, contracts with their parties, and citations. The planner then
checks them as it checks any workbook, so an OCDS import has the spreadsheet import's own
preview, atomicity, batch, undo, trust rules and dry run.

- Releases of one ocid are merged as OCDS merges them (``ocds_releases``).
- Each award is a contract whose reference is "<ocid>/<award id>": a strong key, unique
  across publishers, so a re-import finds every contract again and changes nothing.
- The notice (one per ocid) is the source; every value taken is cited to it, with the JSON
  path of the release that gave it as the locator (``releases[0].awards[1].value``).
- Dates are the notice's own calendar date, at its own offset, never shifted to UTC.

Files are streamed with ijson; only the fields imported are kept, never a whole year.
"""

import json
import re

import ijson

from investigations.models import normalise_name

from .ocds_releases import Book, Party, join_path, read_releases
from .reading import ImportFileError, KnownCitation, Sheet, check_size

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
        for release in read_releases(data):
            book.add(release)
    except (ijson.JSONError, json.JSONDecodeError) as error:
        raise ImportFileError(f"The file is not valid JSON: {error}") from None
    except ValueError as error:  # a release that is no object, or has no ocid
        raise ImportFileError(f"The file is not OCDS as this import reads it: {error}") from None
    if not book.processes:
        raise ImportFileError(
            "The file holds no OCDS releases: give a release package, a record package, or "
            "JSON lines of releases."
        )
    out = Output()
    for ocid, process in book.merged():
        out.add_process(ocid, process)
    return out.sheets()


# The process's parties each of its contracts has too, beside its buyer and the award's
# suppliers: OCDS role → contract party role. A tenderer that did not win lost the bid.
PROCESS_ROLES = {"funder": "funder", "tenderer": "challenger"}


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
        for column in ("buyer", "supplier", *PROCESS_ROLES.values()):
            row[column] = ";".join(name for name, role, _path in parties if role == column)
        self.contracts.append(row)
        for column, ocds_name in CITED_FIELDS:
            self._cite_field(reference, column, values, ocds_name, source)
        for name, role, path in parties:
            self._cite("contract_party", (reference, name, role), path, source)

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
        suppliers = {name for name, role, _path in parties if role == "supplier"}
        for party in process.parties.values():
            roles = [role for ocds_role, role in PROCESS_ROLES.items() if ocds_role in party.roles]
            name = self._organisation(party, source) if roles and party.name else None
            parties.extend((name, role, party.path) for role in roles if name not in suppliers)
        return parties

    def _organisation(self, party, source):
        """The organisation row of a party, one per organisation however often it appears."""
        keys = [text.upper() for text, _path in party.identifiers] + [normalise_name(party.name)]
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
            path = join_path(given[1], ocds_name)
            self._cite("contracts", reference, path, source, cited_field=column)

    def _cite(self, record_kind, key, locator, source, cited_field=""):
        self.citations.append(KnownCitation(record_kind, key, cited_field, source, locator))

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
    """The citations sheet's rows, let go of as the planner reads them: a year of notices
    cites some 300,000 values."""

    HEADERS = ("record_kind", "record", "cited_field", "source", "source_url", "locator")

    def __init__(self, cited):
        self.cited = cited  # reading.KnownCitation

    def __len__(self):
        return len(self.cited)

    def __iter__(self):
        for index, cited in enumerate(self.cited):
            self.cited[index] = None  # read once, by the planner: what it needs it keeps
            yield index + 1, cited


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
