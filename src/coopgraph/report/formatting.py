"""Plain-text renderings of reports and statistics for a terminal (never printed here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coopgraph.model.stats import GraphStats
    from coopgraph.query.catalog import Catalog, StoredQuery
    from coopgraph.validation.report import ValidationReport, ValidationResult


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def result_line(result: ValidationResult) -> str:
    """`file:line  Severity  focus "Label"  path  message`."""
    where = result.display_file or "(unknown file)"
    if result.line is not None:
        where += f":{result.line}"
    focus = result.focus + (f' "{result.focus_label}"' if result.focus_label else "")
    message = result.message
    if result.value is not None:
        message += f" (value: {result.value})"
    return "  ".join([where, result.severity, focus, result.path or "-", message])


def summary_line(report: ValidationReport) -> str:
    counts = report.counts
    verdict = "conforms" if report.conforms else "does not conform"
    return (
        f"{_plural(counts['Violation'], 'violation')}, "
        f"{_plural(counts['Warning'], 'warning')}, "
        f"{_plural(counts['Info'], 'info', 'info')} "
        f"in {_plural(report.resource_count, 'resource')} — {verdict}"
    )


def report_text(report: ValidationReport) -> str:
    """One line per result, then which shapes ran on pySHACL (if any), then the summary."""
    lines = [result_line(r) for r in report.results]
    if report.fallback_shapes:
        total = report.compiled_shapes + len(report.fallback_shapes)
        shapes = "; ".join(f"{shape} ({why})" for shape, why in report.fallback_shapes)
        lines.append(
            f"{len(report.fallback_shapes)} of {_plural(total, 'shape')} ran on pySHACL: {shapes}"
        )
    return "\n".join([*lines, summary_line(report)])


def stats_text(stats: GraphStats) -> str:
    lines = [f"instruments    {stats.instruments}"]
    lines += [f"  {name}  {count}" for name, count in stats.instruments_by_type.items()]
    lines += [
        f"States         {stats.states}",
        f"organisations  {stats.organisations}",
        f"modalities     {stats.modalities}",
        f"triples        {stats.triples}",
    ]
    return "\n".join(lines)


def query_as_dict(query: StoredQuery) -> dict[str, object]:
    """A stored query's metadata as plain data."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            {
                "name": p.name,
                "type": p.kind,
                "description": p.description,
                "example": p.example,
                "default": p.default,
                "required": p.required,
            }
            for p in query.parameters
        ],
    }


def catalog_text(catalog: Catalog) -> str:
    """The catalog for a person: each query's name and title, then its parameters."""
    lines: list[str] = []
    width = max((len(query.name) for query in catalog), default=0)
    for query in catalog:
        lines.append(f"{query.name.ljust(width)}  {query.title}")
        for p in query.parameters:
            needs = (
                "required" if p.required else (f"default {p.default}" if p.default else "optional")
            )
            example = f"; e.g. -p {p.name}={p.example!r}" if p.example else ""
            lines.append(
                f"{'':{width}}    -p {p.name}=<{p.kind}>  {p.description} ({needs}{example})"
            )
    lines.append("")
    lines.append(
        f"{len(catalog)} stored queries. Run one with: coopgraph query NAME [-p name=value]"
    )
    return "\n".join(lines) + "\n"
