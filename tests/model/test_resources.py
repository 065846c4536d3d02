from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.errors import UnknownNameError
from coopgraph.model import resources

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", resources.ASSET_NAMES)
def test_a_checkout_finds_the_folders_at_the_repository_root(name: str) -> None:
    assert resources.asset_dir(name) == REPO_ROOT / name


def test_an_unknown_folder_name_gets_a_suggestion() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'shapes'"):
        resources.asset_dir("shape")


def test_file_lists_are_sorted_and_filtered_by_suffix(fixture_assets: Path) -> None:
    assert resources.ontology_files() == [fixture_assets / "ontology" / "core.ttl"]
    assert resources.shape_files() == [fixture_assets / "shapes" / "core.ttl"]
    assert resources.data_files() == [fixture_assets / "data" / "core.ttl"]
    assert resources.query_files() == []


def test_display_path_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resources.display_path(tmp_path / "sub" / "x.ttl") == "sub/x.ttl"


def test_display_path_names_a_bundled_file_by_its_asset_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resources.display_path(REPO_ROOT / "data" / "states.ttl") == "data/states.ttl"
