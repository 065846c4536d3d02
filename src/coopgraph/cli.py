"""The `coopgraph` command: parse options, call the core, print, leave with an exit code.

Exit codes: 0 success (the data conforms), 1 the data does not conform, 2 bad input or an
error that stopped the work. Every `CoopgraphError` is turned into a message on stderr and its
`exit_code` in one place, `_Group.invoke`.

A command imports what it runs when it runs it: `coopgraph --help` imports click and nothing
of RDF, and a stored query on a built store imports nothing of the reasoning, the validation
or the server (tests/test_cli_imports.py holds it).
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coopgraph import __version__
from coopgraph.errors import CoopgraphError, InputError
from coopgraph.query.formats import RDF_FORMAT_NAMES, TABLE_FORMAT_NAMES

if TYPE_CHECKING:
    from coopgraph.build.engine import StoreEngine
    from coopgraph.model.inputs import Inputs
    from coopgraph.query.engine import QueryEngine
    from coopgraph.query.remote import Credentials

EXIT_DOES_NOT_CONFORM = 1

# Not checked by click: the core names a folder, a pipe or a link loop given as a file.
_FILES = click.Path(path_type=Path)


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


class _Command(click.Command):
    """A command that Ctrl-C stops at once. Oxigraph evaluates a query in native code, where
    Python sees no signal until it returns (a long query ignored Ctrl-C for a minute), so the
    command runs in a thread and the main thread waits, free to take the interrupt; then the
    command's thread is interrupted too (its clean-ups run), what it was writing is removed,
    and the process ends: no output is half-written."""

    def invoke(self, ctx: click.Context) -> Any:
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = click.Command.invoke(self, ctx)
            except BaseException as error:  # handed to the main thread, raised there
                if not isinstance(error, (CoopgraphError, click.exceptions.Exit)):
                    # A bug: keep where it happened, which the thread's frames are about to lose.
                    error.add_note("".join(traceback.format_exception(error)).rstrip())
                _release_frames(error)
                outcome["error"] = error
            # What cycles hold (query results among them) is dropped here, not by the main
            # thread's collector: pyoxigraph's results may only be dropped where they were made.
            gc.collect()

        worker = threading.Thread(target=run, name=f"coopgraph {self.name}", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.1)
        except KeyboardInterrupt:
            from coopgraph.outputs import discard_unfinished  # noqa: PLC0415

            _interrupt(worker)
            worker.join(0.5)  # its own clean-up runs; a thread inside native code is left
            discard_unfinished()
            click.echo("coopgraph: interrupted; no output was changed", err=True)
            sys.stderr.flush()
            sys.stdout.flush()
            os._exit(EXIT_INTERRUPTED)  # the worker may be inside native code: do not wait
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")


def _release_frames(error: BaseException) -> None:
    """Drop the frames `error` (and what caused it) went through, in this thread: pyoxigraph's
    query results may only be dropped by the thread that made them."""
    seen: set[int] = set()
    waiting: list[BaseException] = [error]
    while waiting:
        current = waiting.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current.__traceback__ = None  # a frame keeps its function, and a closure its results
        waiting += [linked for linked in (current.__cause__, current.__context__) if linked]


def _interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in `thread` at its next Python instruction, so that its
    `finally` and `except BaseException` clean-ups (temporary files, staging folders) run."""
    import ctypes  # noqa: PLC0415

    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
        )


class _Group(click.Group):
    command_class = _Command

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


_CACHE_OPTION = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the embedded store is kept (default: $COOPGRAPH_CACHE_DIR or ~/.cache/coopgraph).",
)


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
@_CACHE_OPTION
@click.pass_context
def validate_command(
    ctx: click.Context,
    files: Sequence[Path],
    output_format: str,
    with_bundled_data: bool,
    shapes: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Check FILES (default: the bundled data) against the SHACL shapes.

    FILES are read with the bundled ontology. Exit 0 when there is no violation (warnings
    and info do not count), 1 when there is one, 2 when a file cannot be read or a shape is
    malformed (named with its file and line). An ill-typed literal (e.g. "20x5"^^xsd:gYear) is
    a violation whether or not a shape names its property. A shape the compiled checks cannot
    run goes to pySHACL, and the report says which. When the store for these files has been
    built, the report its build made is read instead of validating again.
    """
    from coopgraph.report import formatting  # noqa: PLC0415
    from coopgraph.validation.validator import validate  # noqa: PLC0415

    report = validate(
        list(files) or None,
        list(shapes) or None,
        include_bundled_data=with_bundled_data,
        cache_dir=cache_dir,
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
    from coopgraph.model import resources  # noqa: PLC0415
    from coopgraph.model.files import bundled_graph, load_graph  # noqa: PLC0415
    from coopgraph.model.stats import graph_stats  # noqa: PLC0415
    from coopgraph.report import formatting  # noqa: PLC0415

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

_ENDPOINT_OPTION = click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Run on this SPARQL 1.1 endpoint instead of the embedded store (load it first with "
    "`coopgraph push`); a graph to query may be named in the URL: ?default-graph-uri=IRI.",
)


PASSWORD_VARIABLE = "COOPGRAPH_PASSWORD"

_USER_OPTION = click.option(
    "--user",
    metavar="NAME",
    default=None,
    help=f"Authenticate to the store as NAME (HTTP basic or digest); the password is read from "
    f"${PASSWORD_VARIABLE}, else asked for at the terminal, never given on the command line.",
)


def _credentials(user: str | None, option: str) -> Credentials | None:
    """The user's Credentials (None without --user): the password from the environment, else
    from a hidden prompt on a terminal; never from the command line, never echoed."""
    if user is None:
        return None
    from coopgraph.query.remote import Credentials  # noqa: PLC0415

    if not user.strip():
        raise CoopgraphError("--user is empty", hint="give the user name, e.g. --user dba")
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password:
        if not sys.stdin.isatty():
            raise CoopgraphError(
                f"--user {user} needs a password, and ${PASSWORD_VARIABLE} is not set "
                "(and there is no terminal to ask it at)",
                hint=f"set {PASSWORD_VARIABLE} in the environment of the command",
            )
        password = click.prompt(f"password of {user} for {option}", hide_input=True, err=True)
    return Credentials(user, password)


def _query_engine(
    endpoint: str | None, data_files: Sequence[Path], cache_dir: Path | None, user: str | None
) -> QueryEngine:
    """The remote endpoint when one is given, else the embedded store."""
    if endpoint is None:
        if user is not None:
            raise CoopgraphError(
                "--user is for a store of your own: give --endpoint URL with it",
                hint="the embedded store needs no user",
            )
        return _engine(data_files, cache_dir)
    from coopgraph.query.remote import RemoteEngine  # noqa: PLC0415

    if data_files:
        raise CoopgraphError(
            "--endpoint and --data cannot be used together: the endpoint has its own data",
            hint="load the files into the endpoint with `coopgraph push --data ...` first",
        )
    return RemoteEngine(endpoint, credentials=_credentials(user, "--endpoint"))


def _inputs(data_files: Sequence[Path]) -> Inputs:
    from coopgraph.model.inputs import Inputs  # noqa: PLC0415

    return Inputs.with_data(list(data_files)) if data_files else Inputs.bundled()


def _show_progress() -> bool:
    return sys.stderr.isatty()


def _engine(data_files: Sequence[Path], cache_dir: Path | None) -> StoreEngine:
    """Open the store, showing the build steps on a terminal when it has to be (re)built."""
    from coopgraph.build.engine import open_engine  # noqa: PLC0415

    def warn(message: str) -> None:
        click.echo(f"coopgraph: warning: {message}", err=True)

    if not _show_progress():
        return open_engine(_inputs(data_files), cache_dir, warn=warn)
    bars = StepBars("building the store")
    try:
        return open_engine(_inputs(data_files), cache_dir, progress=bars, warn=warn)
    finally:
        bars.done()


class StepBars:
    """A bar per step on stderr (`coopgraph.progress.Progress`): the step's label, its
    units done out of its total when known, and the seconds it has taken; a finished step
    keeps its line with its time."""

    WIDTH = 24

    def __init__(self, title: str) -> None:
        self.title = title
        self.label: str | None = None
        self.total: int | None = None
        self.count = 0
        self.started = 0.0

    def step(self, label: str, total: int | None = None) -> None:
        self._finish_line()
        self.label, self.total, self.count = label, total, 0
        self.started = time.perf_counter()
        self._draw()

    def advance(self, amount: int = 1) -> None:
        self.count += amount
        self._draw()

    def done(self) -> None:
        self._finish_line()
        self.label = None

    def _finish_line(self) -> None:
        if self.label is not None:
            if self.total is not None:
                self.count = self.total
            self._draw()
            click.echo("", err=True)

    def _draw(self) -> None:
        if self.label is None:
            return
        elapsed = time.perf_counter() - self.started
        if self.total:
            filled = min(self.WIDTH, self.WIDTH * self.count // self.total)
            meter = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {self.count}/{self.total}"
        else:
            meter = f"[{'.' * min(self.WIDTH, self.count)}{' ' * max(0, self.WIDTH - self.count)}]"
        line = f"{self.title}: {self.label:<28} {meter}  {elapsed:6.1f} s"
        click.echo(f"\r{line}\x1b[K", err=True, nl=False)


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


_OUTPUT_FILE_OPTION = click.option(
    "-o",
    "--output",
    # Not checked by click: a folder, or an input given as the output, is named by the core.
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file (written whole, replacing it) instead of standard output.",
)


def _output_file_checked(output: Path | None, inputs: Sequence[Path]) -> None:
    """Refuse, before any work, an output file that is a folder or one of the inputs."""
    if output is None:
        return
    from coopgraph.model import resources  # noqa: PLC0415
    from coopgraph.outputs import check_output_file  # noqa: PLC0415

    check_output_file(output, [*inputs, *resources.asset_folders()])


def _emit(text: str | bytes, output: Path | None) -> None:
    if output is not None:
        from coopgraph.outputs import write_atomically  # noqa: PLC0415

        write_atomically(output, text)
    elif isinstance(text, bytes):
        click.echo(text.decode("utf-8"), nl=False)
    else:
        click.echo(text, nl=False)


@main.command("queries")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def queries_command(output_format: str) -> None:
    """List the stored queries: names, titles and parameters with examples."""
    from coopgraph.query.catalog import load_catalog  # noqa: PLC0415
    from coopgraph.report import formatting  # noqa: PLC0415

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
@_OUTPUT_FILE_OPTION
@_DATA_OPTION
@_CACHE_OPTION
@_ENDPOINT_OPTION
@_USER_OPTION
def query_command(
    name: str,
    params: Sequence[str],
    output_format: str,
    output: Path | None,
    data_files: Sequence[Path],
    cache_dir: Path | None,
    endpoint: str | None,
    user: str | None,
) -> None:
    """Run the stored query NAME (see `coopgraph queries`)."""
    from coopgraph.model.namespaces import compact  # noqa: PLC0415
    from coopgraph.query.catalog import load_stored_query, run_stored_query  # noqa: PLC0415
    from coopgraph.query.export import serialize_table  # noqa: PLC0415

    _output_file_checked(output, data_files)
    stored = load_stored_query(name)
    arguments = _parse_parameters(params)
    engine = _query_engine(endpoint, data_files, cache_dir, user)
    table = run_stored_query(stored, arguments, engine)
    _emit(serialize_table(table, output_format, compact), output)


@main.command("sparql")
@click.argument("file", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("-q", "--query", "query_text", default=None, help="The query text.")
@click.option(
    "--format",
    "output_format",
    default=None,
    help="SELECT: table, markdown, csv, tsv, json, srj, srx, src, srt (default table); "
    "CONSTRUCT/DESCRIBE: "
    + ", ".join(RDF_FORMAT_NAMES)
    + " (default turtle); ASK: text, json, srj, srx.",
)
@_OUTPUT_FILE_OPTION
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let the query call other SPARQL services (SERVICE) from this machine.",
)
@_DATA_OPTION
@_CACHE_OPTION
@_ENDPOINT_OPTION
@_USER_OPTION
def sparql_command(
    file: Path | None,
    query_text: str | None,
    output_format: str | None,
    output: Path | None,
    allow_service: bool,
    data_files: Sequence[Path],
    cache_dir: Path | None,
    endpoint: str | None,
    user: str | None,
) -> None:
    """Run any SPARQL query from FILE, from - (standard input) or from -q TEXT.

    The project's prefixes (cg:, state:, inst:, modality:, skos:, ...) are predeclared.
    A query that calls another service (SERVICE) runs only with --allow-service; updates
    are not run (the store is rebuilt from the data files).
    """
    from coopgraph.model.namespaces import compact, sparql_prologue  # noqa: PLC0415
    from coopgraph.query.export import serialize_boolean, serialize_graph, serialize_table  # noqa: PLC0415
    from coopgraph.query.guard import COMMAND_LINE, check_query  # noqa: PLC0415

    _output_file_checked(output, [*data_files, *([file] if file is not None else [])])
    source, text = _query_source(file, query_text)
    check_query(
        sparql_prologue() + text,
        # A remote endpoint applies its own policy to SERVICE; this machine makes no call.
        allow_service=allow_service or endpoint is not None,
        source=source,
        hint="`coopgraph sparql` runs queries; to change the graph, edit its data files "
        "(or send the update to a `coopgraph serve --update` endpoint)",
        policy=COMMAND_LINE,
    )
    engine = _query_engine(endpoint, data_files, cache_dir, user)
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
        # utf-8-sig: a byte-order mark that an editor put first is not part of the query.
        return str(file), file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            file,
            f"the query is not UTF-8 text (byte {error.start} is {error.object[error.start]:#04x})",
            hint="save it as UTF-8",
        ) from error
    except IsADirectoryError:
        raise InputError(file, "is a folder, not a query file", hint="name a .rq file") from None
    except FileNotFoundError:
        if _QUERY_TEXT.search(str(file)):
            raise CoopgraphError(
                "FILE names a query file; this looks like the text of a query, and no such file "
                "exists",
                hint="give the text with -q: coopgraph sparql -q 'SELECT ...'",
            ) from None
        raise InputError(file, "no such query file", hint="check the path") from None
    except OSError as error:
        raise InputError(file, f"cannot read the query ({error.strerror or error})") from error


_QUERY_TEXT = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)\b.*[{<]", re.I | re.S)


@main.command("export")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(RDF_FORMAT_NAMES),
    default="turtle",
    show_default=True,
)
@click.option(
    "--inferred",
    is_flag=True,
    help="Include the OWL 2 RL entailments (in their own named graph for trig and nquads).",
)
@_OUTPUT_FILE_OPTION
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
    from coopgraph.query.export import graph_dataset, serialize_dataset  # noqa: PLC0415

    _output_file_checked(output, data_files)
    engine = _engine(data_files, cache_dir)
    dataset = graph_dataset(engine.quads(), include_entailments=inferred)
    _emit(serialize_dataset(dataset, output_format), output)


@main.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("coopgraph-report"),
    show_default=True,
    help="The folder to write: a new or empty one, or a report folder coopgraph wrote "
    "(replaced as a whole when the report is complete; refused if it holds other files).",
)
@_DATA_OPTION
@_CACHE_OPTION
@_ENDPOINT_OPTION
@_USER_OPTION
@click.pass_context
def report_command(
    ctx: click.Context,
    output: Path,
    data_files: Sequence[Path],
    cache_dir: Path | None,
    endpoint: str | None,
    user: str | None,
) -> None:
    """Validate, then write every stored report (Markdown, CSV with a byte-order mark, XLSX),
    an index, the cooperation network picture and the same as pages into one folder: open
    OUTPUT/index.html in a browser (it works offline).

    With --endpoint the reports are run there, on the data it holds, which is not validated.
    """
    from coopgraph.query.catalog import load_catalog  # noqa: PLC0415
    from coopgraph.report import formatting  # noqa: PLC0415
    from coopgraph.report.folder import report_steps, write_report  # noqa: PLC0415
    from coopgraph.validation.validator import validate  # noqa: PLC0415

    protected = _output_folder_checked(output, "report", data_files, cache_dir)
    # The build validates: opening the store first means validating once, not twice.
    engine = _query_engine(endpoint, data_files, cache_dir, user)
    if endpoint is None:
        validation = validate(list(data_files) or None, cache_dir=cache_dir)
        click.echo(formatting.summary_line(validation), err=True)
        if not validation.conforms:
            click.echo(formatting.report_text(validation), err=True)
            click.echo("coopgraph: no report written: fix the violations first", err=True)
            ctx.exit(EXIT_DOES_NOT_CONFORM)
    catalog = load_catalog()
    with _steps(report_steps(catalog), "writing reports") as step:
        summary = write_report(output, engine, catalog, step, protected=protected)
    click.echo(
        f"wrote {len(summary.entries)} reports, the network picture, index.md and "
        f"{summary.pages} pages to {output}: open {output / 'index.html'} in a browser"
    )


def _output_folder_checked(
    output: Path, what: str, inputs: Sequence[Path], cache_dir: Path | None
) -> list[Path]:
    """Refuse an output folder that is not coopgraph's to write (before any slow work), and
    the paths it must keep clear of: the input files and the cache."""
    from coopgraph.model import resources  # noqa: PLC0415
    from coopgraph.model.inputs import default_cache_dir  # noqa: PLC0415
    from coopgraph.outputs import check_output_folder  # noqa: PLC0415

    protected = [*inputs, cache_dir if cache_dir is not None else default_cache_dir()]
    check_output_folder(output, what, [*protected, *resources.asset_folders()])
    return protected


@main.command("push")
@click.option(
    "--store",
    "store",
    metavar="URL",
    required=True,
    help="The Graph Store HTTP Protocol address (Oxigraph: http://HOST:7878/store, "
    "Fuseki: http://HOST:3030/DATASET/data).",
)
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    default=None,
    help="The named graph to replace (default: the store's default graph).",
)
@click.option(
    "--inferred/--no-inferred",
    default=True,
    show_default=True,
    help="Include the OWL 2 RL entailments; the stored reports need them.",
)
@_USER_OPTION
@_DATA_OPTION
@_CACHE_OPTION
def push_command(
    store: str,
    graph_iri: str | None,
    inferred: bool,
    user: str | None,
    data_files: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Upload the graph (ontology, data and, by default, the entailments) to a triple store,
    replacing the graph there, through the W3C Graph Store HTTP Protocol (PUT, N-Triples).

    Then run the reports there with `coopgraph query --endpoint URL` or `report --endpoint`.
    """
    from coopgraph.query.export import graph_dataset, merged_graph  # noqa: PLC0415
    from coopgraph.query.remote import graph_store_url, push_graph, split_credentials  # noqa: PLC0415

    # The address, the graph name and the password are checked before the store is opened.
    graph_store_url(split_credentials(store, "the graph store")[0], graph_iri)
    credentials = _credentials(user, "--store")
    engine = _engine(data_files, cache_dir)
    graph = merged_graph(graph_dataset(engine.quads(), include_entailments=inferred))
    summary = push_graph(store, graph, graph_iri, credentials=credentials)
    click.echo(f"sent {summary.triples} triples to {summary.target} of {summary.store}")


@main.command("publish")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("coopgraph-release"),
    show_default=True,
    help="The release folder to write: a new or empty one, or a release folder coopgraph "
    "wrote (replaced as a whole when complete; refused if it holds other files).",
)
@click.option(
    "--base-url",
    metavar="URL",
    default=None,
    help="Where the folder will be served (http or https); the download addresses and the "
    "SPARQL endpoint (URL/sparql) are under it. Default: "
    "https://w3id.org/coopgraph/release/VERSION.",
)
@click.option(
    "--date",
    "release_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="The release date recorded in the descriptions (default: today).",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    default=None,
    help="The folder of the previous release, to record what changed since (changes.md).",
)
@click.option(
    "--publisher",
    metavar="NAME",
    default=None,
    help="Who publishes the release (dcterms:publisher). Default: `publisher` of coopgraph.toml "
    "or of pyproject.toml's [tool.coopgraph] in the current folder, else 'coopgraph developers'.",
)
@click.option(
    "--contact",
    metavar="EMAIL",
    default=None,
    help="The e-mail address to contact about the release (dcat:contactPoint). Default: "
    "`contact` of the same settings.",
)
@_DATA_OPTION
@_CACHE_OPTION
@click.pass_context
def publish_command(
    ctx: click.Context,
    output: Path,
    base_url: str | None,
    release_date: datetime | None,
    previous: Path | None,
    publisher: str | None,
    contact: str | None,
    data_files: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Validate, then write a release folder for linked-data portals: the graph in six RDF
    formats with sizes and checksums, the ontology and its documentation page, a DCAT-AP 3
    catalogue, a VoID description, the JSON-LD context, the changes since --previous and an
    index page."""
    from coopgraph.publish.changes import read_previous  # noqa: PLC0415
    from coopgraph.publish.folder import publish, publish_steps  # noqa: PLC0415
    from coopgraph.publish.publisher import checked_publisher, publisher_settings  # noqa: PLC0415
    from coopgraph.publish.release import (  # noqa: PLC0415
        DEFAULT_BASE_URL,
        checked_base_url,
    )
    from coopgraph.report import formatting  # noqa: PLC0415
    from coopgraph.validation.validator import validate  # noqa: PLC0415

    # Bad options are refused before the slower validation.
    protected = _output_folder_checked(
        output, "release", [*data_files, *([previous] if previous is not None else [])], cache_dir
    )
    if base_url is not None:
        checked_base_url(base_url)
    else:
        default = DEFAULT_BASE_URL.format(version=__version__)
        click.echo(
            f"coopgraph: warning: no --base-url: the download addresses will point at {default}, "
            "which may not exist; give --base-url with the address the folder will be served from",
            err=True,
        )
    publisher, contact = checked_publisher(publisher, contact, "--publisher/--contact")
    set_name, set_contact, _origin = publisher_settings(Path.cwd())
    publisher = publisher if publisher is not None else set_name
    contact = contact if contact is not None else set_contact
    before = read_previous(previous) if previous is not None else None
    # The build validates: opening the store first means validating once, not twice.
    engine = _engine(data_files, cache_dir)
    validation = validate(list(data_files) or None, cache_dir=cache_dir)
    click.echo(formatting.summary_line(validation), err=True)
    if not validation.conforms:
        click.echo(formatting.report_text(validation), err=True)
        click.echo("coopgraph: nothing published: fix the violations first", err=True)
        ctx.exit(EXIT_DOES_NOT_CONFORM)
    with _steps(publish_steps(), "publishing") as step:
        summary = publish(
            output,
            engine,
            base_url=base_url,
            release_date=release_date.date() if release_date is not None else None,
            previous=before,
            step=step,
            publisher=publisher,
            contact=contact,
            protected=protected,
        )
    release = summary.release
    click.echo(
        f"published coopgraph {release.version} of {release.date.isoformat()}: "
        f"{summary.figures.triples} triples, {len(summary.files)} files in {output}"
    )


_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _size(text: str, option: str) -> int | None:
    """A size such as 512M or 2G in bytes (None for 0: no cap)."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _SIZE_UNITS else ""
    number = value[: len(value) - len(unit)]
    try:
        amount = float(number)
    except ValueError:
        raise CoopgraphError(
            f"{option} {text!r} is not a size", hint="give e.g. 512M or 2G (0: no cap)"
        ) from None
    if amount < 0:
        raise CoopgraphError(f"{option} {text!r} is negative", hint="give e.g. 512M or 2G")
    size = int(amount * _SIZE_UNITS[unit])
    if 0 < size < 256 << 20:
        raise CoopgraphError(
            f"{option} {text} is too small for a query worker to start",
            hint="give at least 256M (a worker needs about 400 MB of address space at rest)",
        )
    return size or None


@main.command("serve", cls=click.Command)  # uvicorn takes Ctrl-C itself, in the main thread
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--update",
    is_flag=True,
    help="Allow SPARQL Update and Graph Store Protocol writes, with the token (on a private "
    "copy of the store, discarded at exit, unless --store-dir).",
)
@click.option(
    "--store-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Keep the served store in this folder, so that updates outlive the server (it is "
    "opened again next time). A new or empty folder, or one an earlier --store-dir made.",
)
@click.option(
    "--token",
    envvar="COOPGRAPH_TOKEN",
    default=None,
    help="The token every write must carry (Authorization: Bearer TOKEN); default: "
    "$COOPGRAPH_TOKEN, else one made at start and printed.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name this server answers to in the Host header (repeatable; loopback names "
    "and --host always).",
)
@click.option(
    "--allowed-origin",
    "allowed_origins",
    multiple=True,
    metavar="ORIGIN",
    help="A web origin (https://site.example) whose pages may write (with the token; repeatable).",
)
@click.option(
    "--max-update-triples",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=0),
    help="The most triples one update may insert or delete; a larger one is refused (or undone).",
)
@click.option(
    "--update-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds after which an update is stopped and undone.",
)
@click.option(
    "--max-memory",
    default="2G",
    show_default=True,
    metavar="SIZE",
    help="The address space each query worker may use (e.g. 512M, 2G; 0 for no cap); a query that "
    "needs more is answered 503.",
)
@click.option(
    "--max-per-client",
    default=16,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many requests one client address may have running or waiting; more are answered 429.",
)
@click.option(
    "--timeout",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds after which a query is stopped (its worker process is ended).",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="The most rows (or triples) a result may have; a larger one is refused.",
)
@click.option(
    "--max-request-bytes",
    default=1_048_576,
    show_default=True,
    type=click.IntRange(min=1),
    help="The largest request body read.",
)
@click.option(
    "--max-concurrent",
    default=4,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many queries run at once (one worker process each).",
)
@click.option(
    "--max-queue",
    default=64,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many requests may wait for a worker; more are answered 503.",
)
@click.option(
    "--queue-wait",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a request may wait for a free worker before it is answered 503.",
)
@click.option(
    "--cors",
    "cors",
    multiple=True,
    metavar="ORIGIN",
    help="Allow cross-origin requests from ORIGIN (repeatable; * for any). Off by default.",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Allow SERVICE to other endpoints, LOAD and file: IRIs (never on a public server).",
)
@_DATA_OPTION
@_CACHE_OPTION
def serve_command(
    host: str,
    port: int,
    update: bool,
    store_dir: Path | None,
    token: str | None,
    allowed_hosts: Sequence[str],
    allowed_origins: Sequence[str],
    max_update_triples: int,
    update_timeout: float,
    max_memory: str,
    max_per_client: int,
    timeout: float,
    max_rows: int,
    max_request_bytes: int,
    max_concurrent: int,
    max_queue: int,
    queue_wait: float,
    cors: Sequence[str],
    allow_service: bool,
    data_files: Sequence[Path],
    cache_dir: Path | None,
) -> None:
    """Serve the graph on HTTP: a SPARQL 1.1 endpoint at /sparql, the report pages at
    /queries, the network at /network and a page for every resource (/def/..., /id/...).

    Read-only unless --update (which also enables the Graph Store Protocol at /store).
    """
    # The web stack is imported only by this command.
    from coopgraph.web.app import ServeConfig, serve  # noqa: PLC0415

    printed_token = None
    if update and not token:
        import secrets  # noqa: PLC0415

        token = printed_token = secrets.token_urlsafe(24)
    config = ServeConfig(
        host=host,
        port=port,
        update=update,
        timeout=timeout,
        max_rows=max_rows,
        max_request_bytes=max_request_bytes,
        max_concurrent=max_concurrent,
        max_queue=max_queue,
        queue_wait=queue_wait,
        cors=tuple(cors),
        allow_service=allow_service,
        data=tuple(data_files),
        cache_dir=cache_dir,
        token=token,
        allowed_hosts=tuple(allowed_hosts),
        allowed_origins=tuple(allowed_origins),
        max_update_triples=max_update_triples,
        update_timeout=update_timeout,
        max_memory=_size(max_memory, "--max-memory"),
        max_per_client=max_per_client,
        store_dir=store_dir,
    )

    def ready(config: ServeConfig) -> None:
        if not update:
            return
        if printed_token:
            click.echo(f"coopgraph serve: writes need the header  Authorization: Bearer {token}")
        else:
            click.echo("coopgraph serve: writes need the token given (--token / COOPGRAPH_TOKEN)")
        if store_dir is None:
            click.echo(
                "coopgraph serve: updates go to a private copy of the store and are DISCARDED "
                "at exit (give --store-dir DIR to keep them)"
            )
        else:
            click.echo(f"coopgraph serve: updates are kept in {store_dir}")

    def warn(message: str) -> None:
        click.echo(f"coopgraph: warning: {message}", err=True)

    interrupted = False
    try:
        serve(config, ready, warn)
    except KeyboardInterrupt:  # uvicorn stops gracefully, then passes Ctrl-C on
        interrupted = True
    if update and store_dir is None:
        click.echo("coopgraph serve: the updates made while serving were discarded")
    if interrupted:
        sys.exit(130)
