"""Imports of spreadsheets (and every other format read into sheets of rows), as a one-way
pipeline. Each stage imports only the stages before it, never one after; the leaves import
nothing of the package. ``tests/test_import_structure.py`` holds the package to this.

- leaves: ``errors`` (row errors), ``cells`` (blank cells, several values in one cell);
- read: ``reading`` turns a file into sheets of rows; ``ocds_releases`` reads and merges
  OCDS releases, and ``ocds`` turns them into the sheets a workbook of them would hold;
- map: ``kinds`` says which kind of record each sheet holds and which columns it may have;
  ``mapping`` reads a file's own column names as the template's, and groups the portals'
  rows (one per award and party) into one per award;
- plan: ``keys`` (finding existing records), ``matching`` (candidates by name alone, with
  scores, for the user to accept or reject), ``values`` (cells into field values), ``rows``,
  ``apply`` and ``citation_sheet`` (one row into planned writes) and ``plan`` (every row
  checked and planned in memory, nothing written);
- check: ``publishing`` holds a batch's records to the publication gate;
- write: ``fastinsert``, ``write`` (the plan into the database) and ``proposals`` (changes to
  published records kept as pending revisions);
- record: ``undo``, ``service`` (the batch: the one entry point) and ``report``;
- out: ``spreadsheets`` (templates and rejected rows) and ``resources`` (the admin's export).
"""

PIPELINE = (
    ("errors", "cells"),
    ("reading", "ocds_releases", "ocds"),
    ("kinds", "mapping"),
    ("keys", "matching", "values", "rows", "apply", "citation_sheet", "plan"),
    ("publishing",),
    ("fastinsert", "write", "proposals"),
    ("undo", "service", "report"),
    ("spreadsheets", "resources"),
)
