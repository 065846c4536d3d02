"""The server: the graph on HTTP, for browsers and for SPARQL clients.

Owns the Starlette application and its routes (`app`), the worker processes that run every
query (`workers`) and what they run (`operations`), content negotiation (`conneg`), the editor
page (`ui`), the explorer's pages for people (`explorer`, the report folder's pages served live;
its search, `explorer_search`), linked-data descriptions of resources (`linked_data`), and the
pages' `templates/` and `static/` files.

May import: `coopgraph.report`, `coopgraph.publish` and everything below them.
"""
