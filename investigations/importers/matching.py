"""Matches by name alone: candidates with scores, for the user to accept or reject.

A row reaches an existing record for sure only through a strong key (slug, reference, URL,
identifier). A name or title alone names a *candidate*: the same normalised name scores
100; a near miss ("Aliance Medical" for "Alliance Medical Ltd") scores what rapidfuzz's
``token_sort_ratio`` gives it, and a candidate that shares an identifier value with the row
(under any scheme, or one the row could not file) gains ``IDENTIFIER_BOOST``.

What happens to a candidate:
- the user's decision for the row, made in the preview, wins: a record's id updates that
  record, ``NEW`` makes a new record;
- otherwise one exact candidate is taken only with ``match_by_name`` (the admin's default,
  ``--match-by-name`` on the command line), and refused with a row error without it;
- a near miss is never taken without the user's acceptance: its row makes a new record.

Near misses are looked for in blocks, not over every name: a name is filed under the first
two letters of its first and of its second word, so a typo in either word still meets it.
"""

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .cells import split_items
from .errors import RowError
from .keys import ORG_ID, Pending

NEW = "new"
NEAR_MISS_CUTOFF = 85
IDENTIFIER_BOOST = 15
MAX_CANDIDATES = 3


@dataclass
class NameMatch:
    """One row's candidates, as the preview lists them; ``chosen`` is an id, NEW or None."""

    row: int
    column: str
    text: str
    candidates: list = field(default_factory=list)  # {"id", "label", "score", "shared"}
    chosen: object = None
    decided: bool = False
    refused: bool = False  # an exact match the row may not take without a decision

    def as_dict(self):
        chosen = "" if self.refused else NEW if self.chosen is None else self.chosen
        return {
            "row": self.row,
            "column": self.column,
            "text": self.text,
            "candidates": self.candidates,
            "chosen": str(chosen),
            "decided": self.decided,
        }


class NameMatcher:
    """Decides the rows of a batch that name a record by name or title alone."""

    def __init__(self, match_by_name=False, decisions=None):
        self.match_by_name = match_by_name
        self.decisions = {str(k): str(v) for k, v in (decisions or {}).items()}
        self._blocks = {}  # id(index) → BlockIndex
        self._identifier_owners = {}

    def exact(self, index, sheet, row, column, text, found, identifiers=""):
        """The target of a row whose name matches ``found`` (a set of refs) exactly."""
        if any(isinstance(ref, Pending) for ref in found):
            return _only_pending(index, column, text, found)
        match = NameMatch(row, column, str(text))
        shared = self._sharing(index, identifiers)
        match.candidates = [_candidate(index, ref, 100, ref in shared) for ref in sorted(found)]
        decision = self.decisions.get(f"{sheet}:{row}")
        if decision is not None:
            return self._decided(match, decision)
        if len(found) > 1:
            names = "; ".join(index.describe(r) for r in sorted(found))
            raise MatchRefused(match, column, f"“{text}” matches several records: {names}")
        if not self.match_by_name:
            raise MatchRefused(
                match,
                column,
                f"“{text}” matches {index.describe(next(iter(found)))} by {column} alone; "
                "accept the match in the preview, or import with --match-by-name",
            )
        match.chosen = next(iter(found))
        return match

    def near_miss(self, index, sheet, row, column, text, keep, identifiers=""):
        """The NameMatch of a row whose name matches nothing exactly, or None.

        ``keep(ref)`` says whether a record may be matched at all (one with a strong key of
        its own the row did not give may not).
        """
        query = index.normalise(text)
        shared = self._sharing(index, identifiers)
        scores = {ref: s for ref, s in self._blocked(index).near(query) if keep(ref)}
        for ref in shared:
            if keep(ref) and ref not in scores:
                scores[ref] = fuzz.token_sort_ratio(query, index.normalise(index.labels[ref]))
        if not scores:
            return None
        match = NameMatch(row, column, str(text))
        ranked = sorted(
            (
                (min(100, round(s) + IDENTIFIER_BOOST * (ref in shared)), ref)
                for ref, s in scores.items()
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        match.candidates = [
            _candidate(index, ref, score, ref in shared) for score, ref in ranked[:MAX_CANDIDATES]
        ]
        decision = self.decisions.get(f"{sheet}:{row}")
        return self._decided(match, decision) if decision is not None else match

    def _decided(self, match, decision):
        match.decided = True
        if decision == NEW:
            return match
        offered = {str(c["id"]): c["id"] for c in match.candidates}
        if decision not in offered:
            raise MatchRefused(
                match,
                match.column,
                f"the record chosen for “{match.text}” is no longer a candidate",
            )
        match.chosen = offered[decision]
        return match

    def _blocked(self, index):
        if id(index) not in self._blocks:
            self._blocks[id(index)] = BlockIndex(index)
        return self._blocks[id(index)]

    def _sharing(self, index, identifiers):
        """Existing records holding one of the row's identifier values, under any scheme."""
        wanted = {_bare_value(item) for item in split_items(identifiers)} - {""}
        if not wanted or not hasattr(index, "by_identifier"):
            return set()
        if id(index) not in self._identifier_owners:
            owners = {}
            for (_scheme, value), ref in index.by_identifier.items():
                if isinstance(ref, int):
                    owners.setdefault(_bare_value(value), set()).add(ref)
            self._identifier_owners[id(index)] = owners
        owners = self._identifier_owners[id(index)]
        return {ref for value in wanted for ref in owners.get(value, ())}


class MatchRefused(RowError):
    """A row error that still carries the row's candidates, so the preview can offer them."""

    def __init__(self, match, column, message):
        super().__init__(column, message)
        match.refused = True
        self.match = match


class BlockIndex:
    """The existing records' normalised names (and aliases), filed under blocking keys.

    A name scores the better of ``fuzz.ratio`` on it as written (a typo that joins or
    splits words) and on its words sorted ("Medical Alliance"), sorted once per name here
    rather than for every comparison.
    """

    def __init__(self, index):
        self.refs, self.blocks = {}, {}  # blocking key → ([name], [name's words sorted])
        for name, found in index.by_name.items():
            refs = [r for r in (found if isinstance(found, set) else {found}) if isinstance(r, int)]
            if not refs:
                continue
            self.refs[name], words = refs, sorted_words(name)
            for key in blocking_keys(name):
                names, sorted_names = self.blocks.setdefault(key, ([], []))
                names.append(name)
                sorted_names.append(words)

    def near(self, query):
        """(ref, score) of the names in the query's blocks that score at least the cutoff.

        A name in both of the query's blocks is scored twice, to the same score: cheaper
        than making the union of the two blocks for every query."""
        best, words = {}, sorted_words(query)
        for key in blocking_keys(query):
            names, sorted_names = self.blocks.get(key, ((), ()))
            for text, choices in ((query, names), (words, sorted_names)):
                hits = process.extract(
                    text, choices, scorer=fuzz.ratio, score_cutoff=NEAR_MISS_CUTOFF, limit=None
                )
                for _, score, position in hits:
                    for ref in self.refs[names[position]]:
                        best[ref] = max(score, best.get(ref, 0))
        return best.items()


def sorted_words(name):
    return " ".join(sorted(name.split()))


def blocking_keys(name):
    words = name.split()
    return [f"{position}:{word[:2]}" for position, word in enumerate(words[:2])]


def _bare_value(text):
    """An identifier's value without its scheme, case or leading zeros, for comparison."""
    text = str(text).strip().replace(" ", "")
    match = ORG_ID.match(text)
    return (match[3] if match else text).upper().lstrip("0")


def _candidate(index, ref, score, shared):
    return {"id": ref, "label": index.describe(ref), "score": score, "shared": shared}


def _only_pending(index, column, text, found):
    """A name planned earlier in this very file is the file's own record, not a candidate."""
    if len(found) > 1:
        names = "; ".join(sorted(index.describe(r) for r in found))
        raise RowError(column, f"“{text}” matches several records: {names}")
    match = NameMatch(0, column, str(text), chosen=next(iter(found)))
    match.decided = True
    return match
