"""The validation report a build keeps with its store, so that `validate` on unchanged inputs
reads it instead of validating again; and the raw results by check, which a store revised
from this one reuses for the checks an edit cannot change."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs, stores_dir
from coopgraph.validation import compiled as shacl
from coopgraph.validation.report import ValidationReport

RawResults = dict[str, list[shacl.Result]]

_KEPT = "validation-{}.pickle"
_KEPT_CHECKS = "validation-checks-{}.pickle"


def _shapes_digest(shape_files: Sequence[Path]) -> str:
    hasher = hashlib.sha256()
    for path in shape_files:
        hasher.update(path.name.encode() + b"\0")
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(b"unreadable")
    return hasher.hexdigest()[:32]


def keep_report(
    folder: Path,
    shape_files: Sequence[Path],
    files: Sequence[Path],
    report: ValidationReport,
    by_check: RawResults | None = None,
) -> None:
    """File `report` (of `files` against `shape_files`) in a store's folder, where `validate`
    finds it again for as long as that store exists; and the raw results by check, which a
    store revised from this one reuses for the checks an edit cannot change."""
    data = pickle.dumps(
        (
            [str(path) for path in files],
            report.conforms,
            report.results,
            report.report_graph.serialize(format="turtle"),
            report.compiled_shapes,
            report.fallback_shapes,
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    digest = _shapes_digest(shape_files)
    (folder / _KEPT.format(digest)).write_bytes(data)
    if by_check is not None:
        raw = pickle.dumps(by_check, protocol=pickle.HIGHEST_PROTOCOL)
        (folder / _KEPT_CHECKS.format(digest)).write_bytes(raw)


def kept_checks(folder: Path, shape_files: Sequence[Path]) -> RawResults | None:
    """The raw results by check kept in a store's folder, for the same shapes; or None."""
    try:
        # Written by keep_report, in the store's own folder in the user's cache.
        kept = pickle.loads(
            (folder / _KEPT_CHECKS.format(_shapes_digest(shape_files))).read_bytes()
        )
    except (OSError, pickle.UnpicklingError, ValueError, EOFError, AttributeError):
        return None
    return kept if isinstance(kept, dict) else None


def store_folder(
    ontology_files: Sequence[Path], data_files: Sequence[Path], cache_dir: Path | None
) -> Path | None:
    """Where the store for these files is (or would be) kept; None for an unreadable file."""

    try:
        digest = Inputs(tuple(ontology_files), tuple(data_files)).digest()
    except CoopgraphError:
        return None  # an unreadable file: the usual path says which
    return stores_dir(cache_dir) / digest


def kept_report(
    ontology_files: Sequence[Path],
    data_files: Sequence[Path],
    shape_files: Sequence[Path],
    cache_dir: Path | None = None,
) -> ValidationReport | None:
    """The report a build of the store for these files filed, if there is one."""
    folder = store_folder(ontology_files, data_files, cache_dir)
    if folder is None:
        return None
    kept = folder / _KEPT.format(_shapes_digest(shape_files))
    try:
        files, conforms, results, turtle, compiled, fallback = pickle.loads(kept.read_bytes())
    except (OSError, pickle.UnpicklingError, ValueError, EOFError):
        return None
    if files != [str(path) for path in (*ontology_files, *data_files)]:
        return None
    graph = Graph().parse(data=turtle, format="turtle")
    return ValidationReport(conforms, results, graph, compiled, fallback)
