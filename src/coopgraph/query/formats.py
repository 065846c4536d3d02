"""The names of the output formats, known without importing any RDF library, so that the
command line can offer them as choices at once (`coopgraph.query.export` writes them)."""

from __future__ import annotations

# The RDF serialisations of a graph or dataset (`coopgraph.query.export.RDF_FORMATS`).
RDF_FORMAT_NAMES = ("turtle", "nt", "jsonld", "xml", "trig", "nquads")

# The renderings of a result table of our own (`coopgraph.query.results.TABLE_FORMATS`).
OWN_TABLE_FORMATS = ("table", "markdown", "csv", "tsv", "json")

# The W3C SPARQL 1.1 result formats, by our name -> rdflib's result serialiser name.
SPARQL_RESULT_FORMATS = {"srj": "json", "srx": "xml", "src": "csv", "srt": "tsv"}
TABLE_FORMAT_NAMES = OWN_TABLE_FORMATS + tuple(SPARQL_RESULT_FORMATS)
