"""The `table` format fits the terminal; the other formats never change with its width."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Literal

from coopgraph.cli import main
from coopgraph.query.results import ResultTable, fitted_widths, render_table


def run(*args: str, columns: str | None) -> str:
    env = {"COLUMNS": columns} if columns is not None else {}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("columns", [120, 80, 60])
def test_the_table_fits_columns(columns: int) -> None:
    out = run("query", "state-profile", "-p", "state=Mali", columns=str(columns))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert lines[0].startswith("inst")  # the headers wrap like the cells
    assert "(5 rows)" in out
    if columns >= 120:  # every word still there, wrapped rather than lost (ten columns)
        assert {"Multilateral", "Côte", "d'Ivoire", "Burkina", "Faso"} <= set(out.split())


def test_piped_without_columns_the_table_is_not_cut() -> None:
    out = run("query", "state-profile", "-p", "state=Mali", columns=None)
    assert max(len(line) for line in out.splitlines()) > 120
    assert "Multilateral Cooperation Agreement to Combat Child Trafficking in West Africa" in out


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "markdown", "srj"])
def test_the_other_formats_ignore_the_width(fmt: str) -> None:
    wide = run("query", "state-profile", "-p", "state=Mali", "--format", fmt, columns="400")
    narrow = run("query", "state-profile", "-p", "state=Mali", "--format", fmt, columns="40")
    assert wide == narrow


def test_the_widest_column_gives_way_first() -> None:
    assert fitted_widths([10, 50, 20], 60) == [10, 26, 20]
    assert fitted_widths([10, 10], 100) == [10, 10]
    assert fitted_widths([30, 30, 30], 30) == [8, 9, 9]
    assert fitted_widths([30, 30, 30], 20) == [5, 5, 6]  # narrower than 8 only if need be
    assert fitted_widths([30, 30, 30], 10) == [3, 3, 3]  # at the last floor, it stops


def test_a_long_word_is_cut_and_continued() -> None:
    table = ResultTable(("a", "b"), ((Literal("x" * 30), Literal("short")),))
    text = render_table(table, width=20)
    assert max(len(line) for line in text.splitlines()) <= 20
    assert (
        "".join(line.split()[0] for line in text.splitlines()[2:-1] if line.strip()).count("x")
        == 30
    )
