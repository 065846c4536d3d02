"""The browser UI at `/`: the YASGUI SPARQL editor on the server's own endpoint.

YASGUI (@zazuko/yasgui) is vendored in `static/yasgui/` (see scripts/vendor_yasgui.py), so
the page loads nothing from another host. The page opens with a tab whose query declares the
project's prefixes, then one tab per stored query: its text as in queries/, with the
parameters that have a default (or that are required: their example) bound in a VALUES block
written by `engine.with_values`, and a comment saying what each parameter means and how to
change or add it.

The web framework stays in server.py: this module gives the page as text, and the folder of
static files with a safe lookup (`static_file`) for the server to mount at `static/`.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Node

from coopgraph import __version__
from coopgraph.errors import CoopgraphError
from coopgraph.model.namespaces import ALL_PREFIXES, compact, sparql_prologue
from coopgraph.query.catalog import Catalog, Parameter, StoredQuery, resolve_value
from coopgraph.query.engine import QueryEngine, with_values

STATIC_DIR = Path(__file__).resolve().parent / "static"
YASGUI_DIR = STATIC_DIR / "yasgui"

STARTER_QUERY = """\
# The project's prefixes are declared above (▸ on line 1 unfolds them). Run the query with
# the ▶ button or Ctrl+Enter; the other tabs hold the stored queries, parameters bound.
SELECT ?state ?name ?alpha3 WHERE {
  ?state a cg:State ;
         rdfs:label ?name .
  OPTIONAL { ?state cg:iso3166Alpha3 ?alpha3 }
}
ORDER BY ?name
LIMIT 50
"""

_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class QueryTab:
    """A tab of the editor: its name, a tooltip title and the query text."""

    name: str
    title: str
    query: str


def yasgui_version() -> str:
    """The vendored YASGUI's version, as recorded by scripts/vendor_yasgui.py."""
    record = json.loads((YASGUI_DIR / "VENDORED.json").read_text(encoding="utf-8"))
    return str(record["version"])


# --- Tabs ----------------------------------------------------------------------------------


def query_tabs(catalog: Catalog, engine: QueryEngine) -> list[QueryTab]:
    """One tab per stored query, its parameters bound or explained."""
    return [stored_query_tab(query, engine) for query in catalog]


def stored_query_tab(query: StoredQuery, engine: QueryEngine) -> QueryTab:
    bindings: dict[str, Node] = {}
    notes: list[str] = []
    for parameter in query.parameters:
        note, term = _parameter_note(parameter, engine)
        notes.append(note)
        if term is not None:
            bindings[parameter.name] = term
    text = query.text
    if notes:
        if bindings:
            lead = "# Parameters: those bound are in the VALUES line at the top of WHERE { };\n"
            lead += "# edit a value there to ask about another one.\n"
        else:
            lead = "# Parameters (none bound: add a VALUES line at the top of WHERE { }):\n"
        text = _after_header(text, lead + "".join(notes))
    return QueryTab(query.name, query.title, with_values(text, bindings))


def _parameter_note(parameter: Parameter, engine: QueryEngine) -> tuple[str, Node | None]:
    """A comment line about `parameter`, and the term to bind it to (None: left unbound)."""
    raw, why = None, ""
    if parameter.default is not None:
        raw, why = parameter.default, "its default"
    elif parameter.required and parameter.example is not None:
        raw, why = parameter.example, f"the example {parameter.example!r}"
    term = _resolved(parameter, raw, engine) if raw is not None else None
    head = f"#   ?{parameter.name} ({parameter.kind}): {parameter.description}"
    if term is not None:
        return f"{head}; bound to {_shown(term)}, {why}\n", term
    example = _resolved(parameter, parameter.example, engine) if parameter.example else None
    state = "required, not bound" if parameter.required else "optional, unbound"
    if example is None:
        return f"{head}; {state}\n", None
    return (
        f"{head}; {state}; to use it:\n#     VALUES ?{parameter.name} {{ {_written(example)} }}\n",
        None,
    )


def _resolved(parameter: Parameter, raw: str | None, engine: QueryEngine) -> Node | None:
    if raw is None:
        return None
    try:
        return resolve_value(parameter, raw, engine)
    except CoopgraphError:
        return None  # the tab still opens, the parameter explained but unbound


def _shown(term: Node) -> str:
    return compact(term) if isinstance(term, URIRef) else term.n3()


def _written(term: Node) -> str:
    return f"<{term}>" if isinstance(term, URIRef) else term.n3()


def _after_header(text: str, comment: str) -> str:
    """`text` with `comment` inserted after its leading `#+` metadata lines."""
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and lines[index].startswith("#+"):
        index += 1
    return "".join(lines[:index]) + comment + "".join(lines[index:])


# --- The page --------------------------------------------------------------------------------


def ui_config(catalog: Catalog, engine: QueryEngine, endpoint: str = "sparql") -> dict[str, object]:
    """What the page's script needs: the endpoint (relative to the page), the starter query
    with the prefixes, the tabs, and a digest so that stored tabs are renewed when they change."""
    tabs = [
        {"name": tab.name, "title": tab.title, "query": tab.query}
        for tab in query_tabs(catalog, engine)
    ]
    starter = sparql_prologue() + STARTER_QUERY
    digest = hashlib.sha256(
        json.dumps([endpoint, starter, tabs, __version__], sort_keys=True).encode("utf-8")
    ).hexdigest()[:16]
    return {
        "endpoint": endpoint,
        "starterQuery": starter,
        "prefixes": {prefix: str(namespace) for prefix, namespace in ALL_PREFIXES.items()},
        "tabs": tabs,
        "digest": digest,
    }


def ui_page(
    catalog: Catalog,
    engine: QueryEngine,
    *,
    endpoint: str = "sparql",
    static: str = "static/",
    reports: str = "queries",
) -> str:
    """The HTML of the editor page. URLs are relative to the page (served at `/`), so the
    site also works under a path prefix behind a proxy. Build it once per server: it runs
    the parameter look-ups of every stored query."""
    config = ui_config(catalog, engine, endpoint)
    data = json.dumps(config, ensure_ascii=False, sort_keys=True)
    # Inside <script>, "</" could end the element: JSON allows "<" written as \\u003c.
    data = data.replace("<", "\\u003c")
    a = html.escape
    version = a(yasgui_version())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coopgraph — SPARQL editor</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{a(static)}yasgui/yasgui.min.css">
<link rel="stylesheet" href="{a(static)}coopgraph-ui.css">
</head>
<body>
<header class="cg-bar">
  <span class="cg-name"><a href="./">coopgraph</a></span>
  <nav>
    <a href="./">Search</a>
    <a href="id/state/">States</a>
    <a href="id/instrument/">Instruments</a>
    <a href="{a(reports)}">Reports</a>
    <a href="network">Network</a>
    <a href="map">Map</a>
    <a href="def/">Ontology</a>
  </nav>
  <span class="cg-what">SPARQL editor: the {len(catalog)} stored queries are the tabs</span>
</header>
<main id="yasgui"></main>
<noscript><p class="cg-noscript">The editor needs JavaScript. The reports work without it:
<a href="{a(reports)}">{a(reports)}</a>.</p></noscript>
<footer class="cg-foot">coopgraph {a(__version__)} · editor:
<a href="{a(static)}yasgui/THIRD-PARTY-LICENSES.txt">YASGUI {version} (MIT) and its
licences</a></footer>
<script type="application/json" id="coopgraph-config">{data}</script>
<script src="{a(static)}yasgui/yasgui.min.js"></script>
<script src="{a(static)}coopgraph-ui.js"></script>
</body>
</html>
"""


def static_file(relative: str) -> tuple[Path, str] | None:
    """The file at `relative` under STATIC_DIR and its media type, or None when there is no
    such file (or the path would leave the folder)."""
    if not relative or "\\" in relative or "\0" in relative:
        return None
    path = (STATIC_DIR / relative).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        return None
    media_type = _MEDIA_TYPES.get(path.suffix) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    return path, media_type
