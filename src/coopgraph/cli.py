"""The `coopgraph` command: parse options, call the core, print, leave with an exit code.

Exit codes: 0 success (the data conforms), 1 the data does not conform, 2 bad input or an
error that stopped the work. Every `CoopgraphError` is turned into a message on stderr and its
`exit_code` in one place, `_Group.invoke`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from coopgraph import __version__, formatting, resources
from coopgraph.catalog import load_catalog, run_stored_query
from coopgraph.engine import Inputs, OxigraphEngine, open_engine
from coopgraph.errors import CoopgraphError, InputError
from coopgraph.export import (
    RDF_FORMATS,
    TABLE_FORMAT_NAMES,
    graph_dataset,
    serialize_boolean,
    serialize_dataset,
    serialize_graph,
    serialize_table,
    write_atomically,
)
from coopgraph.namespaces import compact, sparql_prologue
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


# --- Queries, exports and reports on the embedded store -------------------------------------

_DATA_OPTION = click.option(
    "--data",
    "data_files",
    multiple=True,
    type=_FILES,
    help="Use these data files (with the bundled ontology) instead of the bundled data.",
)
_CACHE_OPTION = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the embedded store is kept (default: $COOPGRAPH_CACHE_DIR or ~/.cache/coopgraph).",
)


def _inputs(data_files: Sequence[Path]) -> Inputs:
    return Inputs.with_data(list(data_files)) if data_files else Inputs.bundled()


def _show_progress() -> bool:
    return sys.stderr.isatty()


def _engine(data_files: Sequence[Path], cache_dir: Path | None) -> OxigraphEngine:
    """Open the store, showing the build steps on a terminal when it has to be (re)built."""
    if not _show_progress():
        return open_engine(_inputs(data_files), cache_dir)
    with click.progressbar(length=3, label="building the store", file=sys.stderr) as bar:

        def step(label: str) -> None:
            bar.label = label
            bar.update(1)

        return open_engine(_inputs(data_files), cache_dir, progress=step)


@contextmanager
def _steps(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal; silent when stderr is piped or redirected."""
    if not _show_progress():
        yield lambda _label: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:

        def step(name: str) -> None:
            bar.label = f"{label}: {name}"
            bar.update(1)

        yield step


def _parse_parameters(pairs: Sequence[str]) -> dict[str, str]:
    arguments: dict[str, str] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name.strip():
            raise CoopgraphError(
                f"parameter {pair!r} is not of the form name=value",
                hint="write e.g. -p state=Mali",
            )
        arguments[name.strip()] = value
    return arguments


def _emit(text: str | bytes, output: Path | None) -> None:
    if output is not None:
        write_atomically(output, text)
    elif isinstance(text, bytes):
        click.echo(text.decode("utf-8"), nl=False)
    else:
        click.echo(text, nl=False)


@main.command("queries")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def queries_command(output_format: str) -> None:
    """List the stored queries: names, titles and parameters with examples."""
    catalog = load_catalog()
    if output_format == "json":
        click.echo(json.dumps([formatting.query_as_dict(q) for q in catalog], indent=2))
    else:
        click.echo(formatting.catalog_text(catalog), nl=False)


@main.command("query")
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value: a label, code or IRI as a person would type it (repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(TABLE_FORMAT_NAMES),
    default="table",
    show_default=True,
    help="table, markdown, csv, tsv, json, or a W3C SPARQL results format (srj, srx, src, srt).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@_DATA_OPTION
@_CACHE_OPTION
def query_command(
    name: str,
    params: Sequence[str],
    output_format: str,
    output: Path | None,
    data_files: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Run the stored query NAME (see `coopgraph queries`)."""
    stored = load_catalog().get(name)
    arguments = _parse_parameters(params)
    engine = _engine(data_files, cache_dir)
    table = run_stored_query(stored, arguments, engine)
    _emit(serialize_table(table, output_format, compact), output)


@main.command("sparql")
@click.argument(
    "file", required=False, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True)
)
@click.option("-q", "--query", "query_text", default=None, help="The query text.")
@click.option(
    "--format",
    "output_format",
    default=None,
    help="SELECT: table, markdown, csv, tsv, json, srj, srx, src, srt (default table); "
    "CONSTRUCT/DESCRIBE: "
    + ", ".join(RDF_FORMATS)
    + " (default turtle); ASK: text, json, srj, srx.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@_DATA_OPTION
@_CACHE_OPTION
def sparql_command(
    file: Path | None,
    query_text: str | None,
    output_format: str | None,
    output: Path | None,
    data_files: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Run any SPARQL query from FILE, from - (standard input) or from -q TEXT.

    The project's prefixes (cg:, state:, inst:, modality:, skos:, ...) are predeclared.
    """
    source, text = _query_source(file, query_text)
    engine = _engine(data_files, cache_dir)
    outcome = engine.run(sparql_prologue() + text, source=source)
    if outcome.table is not None:
        _emit(serialize_table(outcome.table, output_format or "table", compact), output)
    elif outcome.boolean is not None:
        _emit(serialize_boolean(outcome.boolean, output_format or "text"), output)
    elif outcome.graph is not None:
        _emit(serialize_graph(outcome.graph, output_format or "turtle"), output)


def _query_source(file: Path | None, query_text: str | None) -> tuple[str, str]:
    if (file is None) == (query_text is None):
        raise CoopgraphError(
            "give the query either as FILE (or - for standard input) or with -q TEXT, not both",
            hint="e.g. coopgraph sparql -q 'SELECT * WHERE { ?s a cg:State }'",
        )
    if query_text is not None:
        return "-q", query_text
    assert file is not None
    if str(file) == "-":
        return "<stdin>", sys.stdin.read()
    try:
        return str(file), file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(file, f"cannot read the query ({error})") from error


@main.command("export")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(RDF_FORMATS)),
    default="turtle",
    show_default=True,
)
@click.option(
    "--inferred",
    is_flag=True,
    help="Include the OWL 2 RL entailments (in their own named graph for trig and nquads).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@_DATA_OPTION
@_CACHE_OPTION
def export_command(
    output_format: str,
    inferred: bool,
    output: Path | None,
    data_files: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Export the whole graph: ontology, data and, with --inferred, the entailments."""
    engine = _engine(data_files, cache_dir)
    dataset = graph_dataset(engine.quads(), include_entailments=inferred)
    _emit(serialize_dataset(dataset, output_format), output)


@main.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("coopgraph-report"),
    show_default=True,
    help="The folder to write (replaced as a whole when the report is complete).",
)
@_DATA_OPTION
@_CACHE_OPTION
@click.pass_context
def report_command(
    ctx: click.Context, output: Path, data_files: Sequence[Path], cache_dir: Path | None
) -> None:
    """Validate, then write every stored report (Markdown and CSV), an index and the
    cooperation network picture into one folder."""
    validation = validate(list(data_files) or None)
    click.echo(formatting.summary_line(validation), err=True)
    if not validation.conforms:
        click.echo(formatting.report_text(validation), err=True)
        click.echo("coopgraph: no report written: fix the violations first", err=True)
        ctx.exit(EXIT_DOES_NOT_CONFORM)
    # Drawing the network needs matplotlib, slow to import: only this command pays for it.
    from coopgraph.report import report_steps, write_report  # noqa: PLC0415

    engine = _engine(data_files, cache_dir)
    catalog = load_catalog()
    with _steps(report_steps(catalog), "writing reports") as step:
        summary = write_report(output, engine, catalog, step)
    click.echo(
        f"wrote {len(summary.entries)} reports, the network picture and index.md to {output}"
    )
