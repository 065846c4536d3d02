"""Queries: asking the graph, wherever it is.

Owns the engine protocol and the embedded engines (`engine`), the stored queries and their
parameters (`catalog`), result tables and their renderings (`results`), CSV for spreadsheets
and XLSX (`spreadsheet`), the rows a build keeps
for the stored reports (`tables`), the format names (`formats`) and serialisations (`export`),
remote SPARQL endpoints and pushing the graph to a store (`remote`), a SPARQL text's tokens as
Oxigraph reads them (`lexer`) and the text read once, with the text the engine runs and its
messages (`reading`), what a request may do (`guard`), and taking away a process's ability to
open network sockets (`confinement`).

May import: `coopgraph.model`, `coopgraph.reasoning`, `coopgraph.validation`, and the modules
at the package root below them (`errors`, `outputs`, `progress`).
"""
