"""The README's first lines and its "Where things are" section are true of the tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "src" / "coopgraph"


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


WHERE = _section("Where things are")
ROWS = [
    (match.group(1), match.group(2))
    for match in re.finditer(r"^\| `([^`]+)` \| (.+) \|$", WHERE, re.MULTILINE)
]


def test_the_section_has_a_row_per_folder() -> None:
    assert len(ROWS) >= 10


@pytest.mark.parametrize(("folder", "text"), ROWS, ids=[folder for folder, _ in ROWS])
def test_every_folder_it_names_exists_with_what_it_says(folder: str, text: str) -> None:
    place = ROOT / folder
    assert place.is_dir(), f"README names {folder}, which is not a folder"
    if not folder.startswith("src/"):
        return
    for name in re.findall(r"`([^`]+)`", text):
        if re.fullmatch(r"[a-z_]+", name):
            assert (place / f"{name}.py").is_file() or (place / name).is_dir(), (folder, name)
        elif re.fullmatch(r"[a-z_]+\.py", name):
            assert (place / name).is_file(), (folder, name)
        elif re.fullmatch(r"[a-z_]+/", name):
            assert (place / name).is_dir(), (folder, name)


def test_every_folder_of_the_package_is_named() -> None:
    named = {folder.rstrip("/") for folder, _ in ROWS}
    for package in sorted(PACKAGE.iterdir()):
        if (package / "__init__.py").is_file():
            assert f"src/coopgraph/{package.name}" in named, f"README omits {package}"


def test_every_path_it_gives_for_adding_things_exists() -> None:
    paths = re.findall(r"`((?:src|tests|queries|shapes|data|scripts|ontology)/[^`\s]*)`", WHERE)
    assert paths
    for path in paths:
        assert (ROOT / path).exists(), f"README names {path}, which does not exist"


def test_the_first_lines_are_the_two_commands() -> None:
    commands = README.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(commands) == 2
    setup, tests = commands
    # The first command installs what the commands need, no test or lint tool.
    assert "pip install -e ." in setup and "[test]" not in setup and "[dev]" not in setup
    assert "coopgraph report" in setup
    assert "[test]" in tests and "pytest" in tests
