"""The explorer's search: every name an entity goes by, matched as a person types it.

The index is `coopgraph.report.listings.Graph.search_index()` (labels, alternative labels,
former names, ISO codes, modality names, each with its key normalised by
`coopgraph.query.catalog.normalise_name`, the CLI parameter resolver's normalisation). The
ranking is the one of the report pages' script (`report/static/site.js`), so the server's
`/search.json` and the offline search box answer alike: an exact name, then the start of a
name, the start of a word, inside a word, a word within the typing slips allowed for its
length (optimal string alignment distance), then a word that sounds the same (Soundex), so
"Ivory" finds Côte d'Ivoire and "Macedonia" North Macedonia.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coopgraph.query.catalog import normalise_name

_SOUNDEX = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@dataclass(frozen=True)
class Hit:
    """One entity that matches, with the name it matched by."""

    label: str
    kind: str
    page: str  # relative to the server's root: "id/state/CIV.html"
    matched: str
    how: str  # "name", "alternative name", "former name", "ISO code", ...
    score: float


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of `a` and `b`, or `limit + 1` once it exceeds it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i]
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            swapped = i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
            if before is not None and swapped:
                value = min(value, before[j - 2] + 1)
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        before, previous = previous, current
    return previous[len(b)]


def soundex(word: str) -> str:
    """American Soundex of a word."""
    letters = re.sub(r"[^a-z]", "", word)
    if not letters:
        return ""
    code, last = letters[0].upper(), _SOUNDEX.get(letters[0], "")
    for letter in letters[1:]:
        if len(code) == 4:
            break
        digit = _SOUNDEX.get(letter, "")
        if digit and digit != last:
            code += digit
        if letter not in "hw":
            last = digit
    return (code + "000")[:4]


def _allowed_typos(length: int) -> int:
    return 2 if length >= 8 else 1 if length >= 4 else 0


def score(query: str, name: str) -> float:
    """How well the normalised `query` matches the normalised `name` (0: not at all)."""
    if name == query:
        return 100
    if name.startswith(query):
        return 80
    if " " + query in name:
        return 70
    if len(query) >= 3 and query in name:
        return 55
    words = name.split(" ")
    total = 0.0
    query_words = query.split(" ")
    for typed in query_words:
        if not typed:
            continue
        best = 0
        limit = _allowed_typos(len(typed))
        for word in words:
            if word.startswith(typed):
                best = max(best, 40)
                continue
            if limit and (
                distance(typed, word, limit) <= limit
                or distance(typed, word[: len(typed)], limit) <= limit
            ):
                best = max(best, 30)
                continue
            if len(typed) >= 4 and len(word) >= 4 and soundex(typed) == soundex(word):
                best = max(best, 20)
        if not best:
            return 0
        total += best
    return total / len(query_words)


def search(index: Sequence[Mapping[str, object]], text: str, limit: int = 12) -> list[Hit]:
    """The entities of `index` that `text` names, best first."""
    query = normalise_name(text)
    if not query:
        return []
    found: list[Hit] = []
    for entry in index:
        best, matched = 0.0, None
        names = entry["names"]
        assert isinstance(names, list)
        for name, how, key in names:
            value = score(query, key) - (0 if how == "name" else 1)
            if value > best:
                best, matched = value, (name, how)
        if best > 0 and matched is not None:
            found.append(
                Hit(
                    str(entry["label"]),
                    str(entry["kind"]),
                    str(entry["page"]),
                    matched[0],
                    matched[1],
                    best,
                )
            )
    found.sort(key=lambda hit: (-hit.score, hit.label.casefold()))
    return found[:limit]
