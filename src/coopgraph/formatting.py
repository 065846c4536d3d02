"""Plain-text renderings of reports and statistics for a terminal (never printed here)."""

from __future__ import annotations

from coopgraph.stats import GraphStats
from coopgraph.validation import ValidationReport, ValidationResult


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
    """One line per result, then the summary."""
    return "\n".join([*(result_line(r) for r in report.results), summary_line(report)])


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
