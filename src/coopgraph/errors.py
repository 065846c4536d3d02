"""The errors coopgraph raises: each names what went wrong, where, and what to do about it.

Every error is a `CoopgraphError`, so a front end (the CLI, a server) converts them in one
place: print `str(error)` and leave with `error.exit_code`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar


class CoopgraphError(Exception):
    """Base of every error the user can act on: `message` says what happened, `hint` what to do."""

    exit_code: ClassVar[int] = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} — {self.hint}"
        return self.message


def _position(source: str, line: int | None, column: int | None) -> str:
    """`source:line:column`, leaving out what is unknown."""
    parts = [source]
    if line is not None:
        parts.append(str(line))
        if column is not None:
            parts.append(str(column))
    return ":".join(parts)


class InputError(CoopgraphError):
    """A file cannot be read or parsed; `line` and `column` are 1-based when known."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(f"{_position(str(path), line, column)}: {problem}", hint)


class QueryError(CoopgraphError):
    """A SPARQL query is malformed or cannot run; `source` is its file or name."""

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = "fix the SPARQL at that position",
    ) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(f"{_position(source, line, column)}: {problem}", hint)


class UnknownNameError(CoopgraphError):
    """A name (of a query, format, asset folder, ...) that is not one of the known ones."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        self.suggestions = difflib.get_close_matches(name, self.known, n=3)
        super().__init__(f"unknown {kind} {name!r}", self._hint())

    def _hint(self) -> str:
        if self.suggestions:
            return "did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        if self.known:
            return "use one of: " + ", ".join(self.known)
        return f"no {self.kind} is available"


class ValidationCouldNotRun(CoopgraphError):
    """SHACL validation could not produce a report (no shapes, a broken shape, a failure)."""


class ShapeError(ValidationCouldNotRun):
    """A SHACL shape that SHACL does not allow; `path` and `line` locate it when known."""

    def __init__(
        self,
        shape: str,
        problem: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        hint: str | None = "fix the shape",
    ) -> None:
        self.shape = shape
        self.problem = problem
        self.path = path
        self.line = line
        where = f"{_position(str(path), line, None)}: " if path is not None else ""
        super().__init__(f"{where}shape {shape}: {problem}", hint)
