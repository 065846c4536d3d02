"""Where the bundled asset folders (ontology, shapes, data, queries) are.

In a wheel they are force-included at `coopgraph/_assets/<name>` (see pyproject.toml). An
editable install does not see force-included folders, so a checkout falls back to the folders
at the repository root.
"""

from __future__ import annotations

from pathlib import Path

from coopgraph.errors import CoopgraphError, UnknownNameError

ASSET_NAMES = ("ontology", "shapes", "data", "queries")

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_WHEEL_ASSETS = _PACKAGE_DIR / "_assets"
_CHECKOUT_ROOT = _PACKAGE_DIR.parents[1]


def asset_dir(name: str) -> Path:
    """The folder holding the bundled asset `name`, installed or in a checkout."""
    if name not in ASSET_NAMES:
        raise UnknownNameError("asset folder", name, ASSET_NAMES)
    for candidate in (_WHEEL_ASSETS / name, _CHECKOUT_ROOT / name):
        if candidate.is_dir():
            return candidate
    raise CoopgraphError(
        f"the bundled {name!r} folder is missing (looked in {_WHEEL_ASSETS} and {_CHECKOUT_ROOT})",
        "reinstall coopgraph, or run it from a complete checkout",
    )


def asset_folders() -> list[Path]:
    """Every bundled asset folder: coopgraph's inputs, never a place to write an output."""
    return [asset_dir(name) for name in ASSET_NAMES]


def _sorted_files(name: str, pattern: str) -> list[Path]:
    return sorted(path for path in asset_dir(name).rglob(pattern) if path.is_file())


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, sorted."""
    return _sorted_files("ontology", "*.ttl")


def shape_files() -> list[Path]:
    """The SHACL shapes' Turtle files, sorted."""
    return _sorted_files("shapes", "*.ttl")


def data_files() -> list[Path]:
    """The instance data's Turtle files, sorted."""
    return _sorted_files("data", "*.ttl")


def query_files() -> list[Path]:
    """The stored SPARQL queries (`*.rq`, top level of queries/ only), sorted."""
    return sorted(path for path in asset_dir("queries").glob("*.rq") if path.is_file())


def display_path(path: Path) -> str:
    """A short, stable name for `path` in messages: relative to the working directory when the
    file is below it, else `<asset>/<relative>` for a bundled file, else the path as given."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd()).as_posix()
    except ValueError:
        pass
    for root in (_WHEEL_ASSETS, _CHECKOUT_ROOT):
        try:
            relative = resolved.relative_to(root)
        except ValueError:
            continue
        if relative.parts and relative.parts[0] in ASSET_NAMES:
            return relative.as_posix()
    return str(path)
