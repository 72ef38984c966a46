"""Spreadsheets the importer hands out: blank templates with an example row, and the
rejected rows of a batch with an error column. Every cell goes through ``safe_cell``."""

import tablib

from investigations.spreadsheet_cells import safe_cell

from .kinds import KINDS

EXAMPLES = {
    "sources": {"title": "NHS England award notice", "kind": "official_report",
                "publisher": "NHS England", "published_on": "Nov 2016"},
    "organisations": {"name": "Alliance Medical Ltd", "kind": "company", "country": "GB",
                      "identifiers": "GB-COH-02128897", "aliases": "Alliance Medical",
                      "founded": "1989"},
    "people": {"name": "Pat Example", "description": "Non-executive director"},
    "roles": {"person": "Pat Example", "organisation": "Alliance Medical", "kind": "director",
              "start": "2016"},
    "frameworks": {"name": "Diagnostic imaging framework", "value": "£10bn",
                   "supplier_count": "67", "start": "2021"},
    "sites": {"name": "Taunton community diagnostic centre", "kind": "cdc",
              "locality": "Taunton"},
    "contracts": {"title": "National PET-CT services", "reference": "NHSE-PETCT-2016",
                  "value": "£350m", "awarded": "Nov 2016", "buyer": "NHS England",
                  "lead_supplier": "Alliance Medical", "procurement_route": "competitive_dialogue"},
    "relationships": {"subject": "Life Healthcare", "kind": "acquired",
                      "object": "Alliance Medical", "start": "2016"},
    "financial_filings": {"organisation": "Alliance Medical", "period_end": "31/03/2022",
                          "turnover": "£169.6m"},
    "concerns": {"title": "Enforcement actions", "kind": "enforcement",
                 "organisations": "Life Healthcare", "action_count": "12",
                 "summary": "Twelve enforcement actions."},
    "framework_memberships": {"framework": "Diagnostic imaging framework",
                              "organisation": "Alliance Medical", "lot": "Lot 2: PET-CT",
                              "start": "2021"},
    "site_roles": {"site": "Taunton community diagnostic centre",
                   "organisation": "Alliance Medical", "kind": "operator", "start": "2022"},
    "citations": {"record_kind": "contracts", "record": "National PET-CT services",
                  "cited_field": "value"},
}  # fmt: skip
CITATION_EXAMPLE = {"source": "NHS England award notice", "quote": "valued at £350 million"}


def template_dataset(kind_name):
    kind = KINDS[kind_name]
    columns = (*kind.required, *kind.columns)
    hidden = ("slug",) if kind_name == "citations" else ("slug", "cited_field")
    headers = list(dict.fromkeys(c for c in columns if c not in hidden))
    example = {**EXAMPLES.get(kind_name, {}), **CITATION_EXAMPLE}
    if kind_name == "sources":
        example = EXAMPLES["sources"]
    dataset = tablib.Dataset(headers=headers, title=kind_name)
    dataset.append([example.get(h, "") for h in headers])
    return dataset


def template_book():
    return tablib.Databook([template_dataset(name) for name in KINDS])


def rejected_dataset(result):
    """Rejected rows as the user sent them, plus sheet, row number and the reason.

    Headers come from the user's file too, so they are neutralised like the cells.
    """
    headers = []
    for sheet in result.sheets:
        for _number, row, _message in sheet.rejected_rows:
            headers.extend(h for h in row if h not in headers)
    columns = ["sheet", "row", "error", *(safe_cell(h) for h in headers)]
    dataset = tablib.Dataset(headers=columns, title="rejected")
    for sheet, number, row, message in result.rejected_rows:
        cells = [sheet, number, message, *(_text(row.get(h)) for h in headers)]
        dataset.append([safe_cell(c) for c in cells])
    return dataset


def _text(value):
    return "" if value is None else value
