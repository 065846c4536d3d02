"""What opening a store took: whether it was built, revised or read as it was, and the time
each step took."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildInfo:
    """What opening a store took: whether it was (re)built, and how long each step took."""

    rebuilt: bool
    location: Path
    asserted_triples: int
    entailed_triples: int
    seconds: Mapping[str, float]
    # A store revised after an edit: the store it was revised from; else, when there was an
    # earlier store that could not be revised, why not.
    revised_from: str | None = None
    not_revised: str | None = None
