"""The report folder: every stored report and the cooperation network, for people.

Owns `coopgraph report`'s folder (`folder`), the network read from the graph and drawn
(`network`) with its deterministic layout (`layout`), the plain-text renderings of reports,
statistics and validation for a terminal (`formatting`), and the pages for people that do not
write SPARQL: the queries they are built from (`page_queries`), the page of each State,
instrument, modality and organisation (`pages`), the browse lists, search index and figures
(`listings`), the stored reports made for reading (`report_pages`), the Vega-Lite pictures and
the network's data (`charts`), links and dates as pages show them (`terms`), and the static site
that writes them all (`site`, with `templates/` and `static/`). The server renders the same
models with the same templates.

May import: `coopgraph.build` and everything below it. Not `coopgraph.publish`, which stands
beside it.
"""
