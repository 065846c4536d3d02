"""Where `publish` writes: never over the user's files, and nothing half-written when the disk
fills up (`coopgraph.outputs.atomic_folder` under `coopgraph.publish.folder`)."""

from __future__ import annotations

import errno
import hashlib
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopgraph.build.engine import open_engine
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs
from coopgraph.outputs import MARKER
from coopgraph.publish.folder import publish
from coopgraph.query.engine import OxigraphEngine

BASE_URL = "https://example.org/coopgraph"


@pytest.fixture(scope="module")
def engine(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_full_disk_leaves_the_previous_release_whole(
    engine: OxigraphEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "release"
    publish(target, engine, base_url=BASE_URL, release_date=date(2026, 1, 1))
    before = _snapshot(target)
    real_write = Path.write_bytes
    written: list[str] = []

    def filling(self: Path, data: bytes) -> int:
        if len(written) >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        written.append(self.name)
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", filling)
    with pytest.raises(CoopgraphError, match="No space left on device") as caught:
        publish(target, engine, base_url=BASE_URL, release_date=date(2026, 2, 2))
    assert "nothing was changed" in str(caught.value)
    assert _snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["release"]


def test_publish_refuses_a_folder_of_the_users(tmp_path: Path, store_cache: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("my own site", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["publish", "-o", str(target), "--base-url", BASE_URL, "--cache-dir", str(store_cache)],
    )
    assert result.exit_code == 2
    assert "not written by coopgraph: it holds index.html" in result.stderr
    assert (target / "index.html").read_text(encoding="utf-8") == "my own site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_publish_replaces_its_own_release(tmp_path: Path, store_cache: Path) -> None:
    target = tmp_path / "release"
    command = [
        "publish",
        "-o",
        str(target),
        "--base-url",
        BASE_URL,
        "--cache-dir",
        str(store_cache),
    ]
    assert CliRunner().invoke(main, [*command, "--date", "2026-01-01"]).exit_code == 0
    result = CliRunner().invoke(main, [*command, "--date", "2026-03-03"])
    assert result.exit_code == 0, result.output
    assert "2026-03-03" in (target / "index.html").read_text(encoding="utf-8")
    assert (target / MARKER).is_file()


def test_publish_into_the_previous_release_is_refused(tmp_path: Path, store_cache: Path) -> None:
    target = tmp_path / "release"
    command = [
        "publish",
        "-o",
        str(target),
        "--base-url",
        BASE_URL,
        "--cache-dir",
        str(store_cache),
    ]
    assert CliRunner().invoke(main, command).exit_code == 0
    result = CliRunner().invoke(main, [*command, "--previous", str(target)])
    assert result.exit_code == 2
    assert "which coopgraph reads" in result.stderr
