"""Query results as plain values, and their renderings as tables for people and tools.

A `ResultTable` holds rdflib terms, whichever engine produced it, so that results of the
embedded Oxigraph store and of rdflib's engine compare equal when they are the same.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from coopgraph.errors import UnknownNameError

Row = tuple[Node | None, ...]
LIST_SEPARATOR = "; "


_Cell = TypeVar("_Cell", bound=Hashable)


def converted_rows(
    cells: Iterable[Iterable[_Cell | None]], convert: Callable[[_Cell], Node]
) -> tuple[Row, ...]:
    """Rows of rdflib terms from rows of another engine's cells (None = unbound), each
    distinct cell converted once: labels, types and dates repeat from row to row, and making
    an rdflib literal parses its lexical form."""
    memo: dict[_Cell, Node] = {}
    rows: list[Row] = []
    for row in cells:
        terms: list[Node | None] = []
        for cell in row:
            if cell is None:
                terms.append(None)
                continue
            term = memo.get(cell)
            if term is None:
                term = memo[cell] = convert(cell)
            terms.append(term)
        rows.append(tuple(terms))
    return tuple(rows)


@dataclass(frozen=True)
class ResultTable:
    """The solutions of a SELECT query: column names and rows of terms (None = unbound)."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]
    list_columns: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # GROUP_CONCAT orders its items as the engine meets them; sorting the items of the
        # columns a query declares as lists makes the result the same on every engine.
        if self.list_columns:
            indexes = [i for i, name in enumerate(self.variables) if name in self.list_columns]
            sorted_rows = tuple(_sort_list_cells(row, indexes) for row in self.rows)
            object.__setattr__(self, "rows", sorted_rows)

    @classmethod
    def presorted(
        cls, variables: tuple[str, ...], rows: tuple[Row, ...], list_columns: frozenset[str]
    ) -> ResultTable:
        """A table whose list cells are already sorted (e.g. read back from a file)."""
        table = cls(variables, rows)
        object.__setattr__(table, "list_columns", list_columns)
        return table

    def __len__(self) -> int:
        return len(self.rows)

    def as_dicts(self) -> list[dict[str, Node]]:
        """Each row as a mapping from column name to term, without the unbound columns."""
        return [
            {
                name: value
                for name, value in zip(self.variables, row, strict=True)
                if value is not None
            }
            for row in self.rows
        ]

    def as_set(self) -> frozenset[Row]:
        """The rows as a set, for comparisons that must not depend on row order."""
        return frozenset(self.rows)


def _sort_list_cells(row: Row, indexes: Sequence[int]) -> Row:
    cells = list(row)
    for index in indexes:
        value = cells[index]
        if (
            isinstance(value, Literal)
            and value.datatype in (None, XSD.string)
            and not value.language
        ):
            # An empty list is "" on some engines and unbound on others: make it unbound.
            items = sorted(str(value).split(LIST_SEPARATOR)) if str(value) else []
            cells[index] = Literal(LIST_SEPARATOR.join(items)) if items else None
    return tuple(cells)


# --- Renderings -----------------------------------------------------------------------

Compactor = Callable[[URIRef], str]


def plain_text(term: Node | None, compact: Compactor | None = None) -> str:
    """A cell as a person reads it: IRIs compacted when possible, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(term) if compact else str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def render_table(
    table: ResultTable, compact: Compactor | None = None, width: int | None = None
) -> str:
    """An aligned text table with a header rule, and a row count. With `width`, the table
    fits in that many columns: the widest columns are narrowed and their cells wrapped at
    word boundaries onto more lines (a word longer than its column is cut and continued)."""
    cells = [[plain_text(value, compact) for value in row] for row in table.rows]
    widths = [len(name) for name in table.variables]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    if width is not None:
        widths = fitted_widths(widths, width)
    lines = _wrapped_row(table.variables, widths)
    lines.append(_aligned(["-" * w for w in widths], widths))
    for row in cells:
        lines += _wrapped_row(row, widths)
    lines.append(f"({len(table)} row{'s' if len(table) != 1 else ''})")
    return "\n".join(lines) + "\n"


GAP = 2  # spaces between two columns
MIN_COLUMN = 8  # a column is narrowed below this only when the table cannot fit otherwise
MIN_SQUEEZED = 3  # and never below this


def fitted_widths(widths: Sequence[int], total: int) -> list[int]:
    """Column widths that fit in `total` characters with GAP between columns: the widest
    column is narrowed, one character at a time, until the table fits; no column below
    MIN_COLUMN (or its natural width when smaller) unless the table cannot fit otherwise,
    and none below MIN_SQUEEZED."""
    fitted = list(widths)
    room = total - GAP * max(len(fitted) - 1, 0)
    for floor in (MIN_COLUMN, MIN_SQUEEZED):
        floors = [min(width, floor) for width in widths]
        while sum(fitted) > room:
            candidates = [i for i, width in enumerate(fitted) if width > floors[i]]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: (fitted[i], -i))
            fitted[widest] -= 1
    return fitted


def _wrapped_row(cells: Sequence[str], widths: Sequence[int]) -> list[str]:
    columns = [_wrap(cell, width) for cell, width in zip(cells, widths, strict=True)]
    height = max((len(lines) for lines in columns), default=1)
    return [
        _aligned([lines[i] if i < len(lines) else "" for lines in columns], widths)
        for i in range(height)
    ]


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    import textwrap  # noqa: PLC0415 - only a table wider than the terminal wraps

    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def terminal_width() -> int | None:
    """The width to fit the `table` format to: the terminal's (COLUMNS respected) when
    standard output is a terminal or COLUMNS is set; None (no limit) when it is a pipe or a
    file, for the tools that read it."""
    import os  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if os.environ.get("COLUMNS", "").strip().isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _aligned(cells: Iterable[str], widths: Sequence[int]) -> str:
    return (
        (" " * GAP)
        .join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        .rstrip()
    )


def render_markdown(table: ResultTable, compact: Compactor | None = None) -> str:
    """A GitHub-flavoured Markdown table."""

    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(table.variables) + " |",
        "|" + "|".join(" --- " for _ in table.variables) + "|",
    ]
    for row in table.rows:
        lines.append("| " + " | ".join(escape(plain_text(v, compact)) for v in row) + " |")
    return "\n".join(lines) + "\n"


def render_delimited(table: ResultTable, delimiter: str, compact: Compactor | None = None) -> str:
    """CSV or TSV with a header row; IRIs in full unless a compactor is given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(table.variables)
    for row in table.rows:
        writer.writerow([plain_text(value, compact) for value in row])
    return buffer.getvalue()


def render_json(table: ResultTable) -> str:
    """A JSON array of objects, one per row, with IRIs and literals as strings."""
    rows = [{name: plain_text(value) for name, value in row.items()} for row in table.as_dicts()]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


TABLE_FORMATS: dict[str, Callable[[ResultTable, Compactor | None], str]] = {
    "table": lambda table, compact: render_table(table, compact, terminal_width()),
    "markdown": render_markdown,
    "csv": lambda table, _compact: render_delimited(table, ","),
    "tsv": lambda table, _compact: render_delimited(table, "\t"),
    "json": lambda table, _compact: render_json(table),
}


def render(table: ResultTable, format_name: str, compact: Compactor | None = None) -> str:
    """Render `table` in one of TABLE_FORMATS."""
    renderer = TABLE_FORMATS.get(format_name)
    if renderer is None:
        raise UnknownNameError("result format", format_name, TABLE_FORMATS)
    return renderer(table, compact)
