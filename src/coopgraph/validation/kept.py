"""The validation report a build keeps with its store, so that `validate` on unchanged inputs
reads it instead of validating again; and the raw results by check, which a store revised
from this one reuses for the checks an edit cannot change.

Both are JSON (never pickles: a file in the cache must not be able to run code when it is
read); a file that does not read back as what was written counts as not kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs, stores_dir
from coopgraph.validation import compiled as shacl
from coopgraph.validation.report import SEVERITIES, ValidationReport, ValidationResult

RawResults = dict[str, list[shacl.Result]]

_KEPT = "validation-{}.json"
_KEPT_CHECKS = "validation-checks-{}.json"
_DAMAGED = (OSError, ValueError, KeyError, TypeError, IndexError)


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
    digest = _shapes_digest(shape_files)
    kept = {
        "files": [str(path) for path in files],
        "conforms": report.conforms,
        "results": [_result_record(result) for result in report.results],
        "turtle": report.report_graph.serialize(format="turtle"),
        "compiled_shapes": report.compiled_shapes,
        "fallback_shapes": [list(pair) for pair in report.fallback_shapes],
    }
    _write_json(folder / _KEPT.format(digest), kept)
    if by_check is not None:
        raw = {
            text: [_raw_record(result) for result in results] for text, results in by_check.items()
        }
        _write_json(folder / _KEPT_CHECKS.format(digest), raw)


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _result_record(result: ValidationResult) -> dict[str, Any]:
    record = asdict(result)
    record["file"] = str(result.file) if result.file is not None else None
    return record


def _result_of(record: dict[str, Any]) -> ValidationResult:
    if record["severity"] not in SEVERITIES:
        raise ValueError(f"unknown severity {record['severity']!r}")
    file = record.get("file")
    line = record.get("line")
    return ValidationResult(
        severity=record["severity"],
        focus_node=str(record["focus_node"]),
        focus=str(record["focus"]),
        focus_label=_optional(record.get("focus_label")),
        path=_optional(record.get("path")),
        value=_optional(record.get("value")),
        message=str(record["message"]),
        source_shape=str(record["source_shape"]),
        file=Path(file) if file is not None else None,
        line=int(line) if line is not None else None,
    )


def _optional(value: object) -> str | None:
    return str(value) if value is not None else None


def _term(node: Node | None) -> list[str | None] | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return ["u", str(node)]
    if isinstance(node, BNode):
        return ["b", str(node)]
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return ["l", str(node), node.language, datatype]
    raise TypeError(f"cannot keep {node!r}")


def _node(cell: list[str | None] | None) -> Node | None:
    if cell is None:
        return None
    kind = cell[0]
    if kind == "u":
        return URIRef(str(cell[1]))
    if kind == "b":
        return BNode(str(cell[1]))
    if kind == "l":
        _kind, lexical, language, datatype = cell
        if language is not None:
            return Literal(str(lexical), lang=str(language))
        return Literal(str(lexical), datatype=URIRef(datatype) if datatype else None)
    raise ValueError(f"not a kept term: {kind!r}")


def _raw_record(result: shacl.Result) -> dict[str, Any]:
    return {
        "focus": _term(result.focus),
        "path": _term(result.path),
        "value": _term(result.value),
        "component": _term(result.component),
        "shape": _term(result.shape),
        "severity": _term(result.severity),
        "messages": [_term(message) for message in result.messages],
    }


def _raw_of(record: dict[str, Any]) -> shacl.Result:
    def required(key: str) -> Node:
        node = _node(record[key])
        if node is None:
            raise ValueError(f"no {key}")
        return node

    messages = tuple(_node(message) for message in record["messages"])
    if not all(isinstance(message, Literal) for message in messages):
        raise ValueError("a message that is not a literal")
    return shacl.Result(
        focus=required("focus"),
        path=_node(record["path"]),
        value=_node(record["value"]),
        component=URIRef(str(required("component"))),
        shape=required("shape"),
        severity=URIRef(str(required("severity"))),
        messages=cast(tuple[Literal, ...], messages),
    )


def kept_checks(folder: Path, shape_files: Sequence[Path]) -> RawResults | None:
    """The raw results by check kept in a store's folder, for the same shapes; or None."""
    path = folder / _KEPT_CHECKS.format(_shapes_digest(shape_files))
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(text): [_raw_of(record) for record in records] for text, records in kept.items()
        }
    except (*_DAMAGED, AttributeError):
        return None


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
        record = json.loads(kept.read_text(encoding="utf-8"))
        files = [str(path) for path in record["files"]]
        if files != [str(path) for path in (*ontology_files, *data_files)]:
            return None
        conforms = record["conforms"]
        if not isinstance(conforms, bool):
            raise ValueError("conforms is not a boolean")
        results = tuple(_result_of(result) for result in record["results"])
        graph = Graph().parse(data=str(record["turtle"]), format="turtle")
        compiled = int(record.get("compiled_shapes", 0))
        fallback = tuple(
            (str(shape), str(reason)) for shape, reason in record.get("fallback_shapes", [])
        )
    except Exception:  # a damaged file: rdflib's parser raises many types besides _DAMAGED
        return None
    return ValidationReport(conforms, results, graph, compiled, fallback)
