"""The `coopgraph` command: parse options, call the core, print, leave with an exit code.

Exit codes: 0 success (the data conforms), 1 the data does not conform, 2 bad input or an
error that stopped the work. Every `CoopgraphError` is turned into a message on stderr and its
`exit_code` in one place, `_Group.invoke`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from coopgraph import __version__, formatting, resources
from coopgraph.errors import CoopgraphError
from coopgraph.stats import graph_stats
from coopgraph.store import bundled_graph, load_graph
from coopgraph.validation import validate

EXIT_DOES_NOT_CONFORM = 1

_FILES = click.Path(path_type=Path, dir_okay=False)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoopgraphError as error:
            click.echo(f"coopgraph: error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="coopgraph")
def main() -> None:
    """A knowledge graph of cooperation agreements against trafficking in persons."""


@main.command("validate")
@click.argument("files", nargs=-1, type=_FILES)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text: one line per result; json: the report as JSON; turtle: the SHACL report graph.",
)
@click.option(
    "--with-bundled-data",
    is_flag=True,
    help="Validate FILES together with the bundled data, so they may refer to its resources.",
)
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=_FILES,
    help="A SHACL shapes file to use instead of the bundled shapes (repeatable).",
)
@click.pass_context
def validate_command(
    ctx: click.Context,
    files: Sequence[Path],
    output_format: str,
    with_bundled_data: bool,
    shapes: Sequence[Path],
) -> None:
    """Check FILES (default: the bundled data) against the SHACL shapes.

    FILES are read with the bundled ontology. Exit 0 when there is no violation (warnings
    and info do not count), 1 when there is one, 2 when a file cannot be read.
    """
    report = validate(
        list(files) or None, list(shapes) or None, include_bundled_data=with_bundled_data
    )
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    elif output_format == "turtle":
        click.echo(report.report_graph.serialize(format="turtle"))
    else:
        click.echo(formatting.report_text(report))
    if not report.conforms:
        ctx.exit(EXIT_DOES_NOT_CONFORM)


@main.command("stats")
@click.argument("files", nargs=-1, type=_FILES)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def stats_command(files: Sequence[Path], output_format: str) -> None:
    """Count instruments by type, States, organisations, modalities and triples.

    Counts the bundled ontology and data, or the bundled ontology and FILES.
    """
    graph = load_graph([*resources.ontology_files(), *files]) if files else bundled_graph()
    stats = graph_stats(graph)
    if output_format == "json":
        click.echo(json.dumps(stats.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(formatting.stats_text(stats))
