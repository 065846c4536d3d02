"""The main job: `coopgraph report` validates, then writes the whole report folder."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopgraph.cli import main
from coopgraph.outputs import MARKER
from coopgraph.query.catalog import load_catalog


def test_report_writes_every_stored_query_an_index_and_the_network(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for query in load_catalog():
        assert (out / f"{query.name}.csv").is_file()
        page = (out / f"{query.name}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {query.title}")
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "network.svg" in index
    assert (out / "network.png").read_bytes().startswith(b"\x89PNG")
    svg = (out / "network.svg").read_text(encoding="utf-8")
    for label in (
        "Albania",
        "Bosnia and Herzegovina",
        "Moldova",
        "Romania",
        "Serbia and Montenegro",
    ):
        assert label in svg
    pairs = (out / "shared-modality-pairs.csv").read_text(encoding="utf-8").splitlines()
    # The header and the 21 pairs of the seven States bound by the SEE convention (Serbia and
    # Montenegro only signed it; its successors ratified it).
    assert len(pairs) == 22


def test_a_second_report_replaces_the_first_whole(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert CliRunner().invoke(main, ["report", "-o", str(out)]).exit_code == 0
    # As if an earlier version had written a file that this one does not write.
    (out / "stale.md").write_text("old", encoding="utf-8")
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    marker["files"]["stale.md"] = hashlib.sha256(b"old").hexdigest()
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert not (out / "stale.md").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_a_report_never_replaces_a_folder_of_the_users(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 2
    assert "not written by coopgraph" in result.stderr and "notes.txt" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"


def test_a_file_the_user_added_to_a_report_folder_is_kept_and_named(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert CliRunner().invoke(main, ["report", "-o", str(out)]).exit_code == 0
    (out / "my-analysis.md").write_text("mine", encoding="utf-8")
    (out / "index.md").write_text("edited by hand", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 2
    assert "did not write there: my-analysis.md" in result.stderr
    assert (out / "my-analysis.md").read_text(encoding="utf-8") == "mine"
    (out / "my-analysis.md").unlink()
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 2
    assert "changed since coopgraph wrote them: index.md" in result.stderr
    assert (out / "index.md").read_text(encoding="utf-8") == "edited by hand"


def test_report_files_follow_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "report"
    previous = os.umask(0o027)
    try:
        assert CliRunner().invoke(main, ["report", "-o", str(out)]).exit_code == 0
    finally:
        os.umask(previous)
    for name in ("network.png", "network.svg", "index.md", MARKER):
        assert (out / name).stat().st_mode & 0o777 == 0o640, name
    assert out.stat().st_mode & 0o777 == 0o750


@pytest.fixture
def nonconforming_data(own_data: list[Path]) -> list[Path]:
    instruments = next(path for path in own_data if path.name == "instruments.ttl")
    instruments.write_text(
        instruments.read_text(encoding="utf-8").replace(
            'cg:signatureDate "2006-05-05"^^xsd:date', 'cg:signatureDate "5 May 2006"'
        ),
        encoding="utf-8",
    )
    return own_data


def test_no_report_from_data_that_does_not_conform(
    tmp_path: Path, nonconforming_data: list[Path]
) -> None:
    out = tmp_path / "report"
    args = ["report", "-o", str(out)]
    for path in nonconforming_data:
        args += ["--data", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "instruments.ttl" in result.stderr
    assert "no report written" in result.stderr
    assert not out.exists()


def test_report_into_a_file_path_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "-o", str(target)])
    assert result.exit_code == 2
    assert "file.txt" in result.stderr
    assert target.read_text(encoding="utf-8") == "x"
