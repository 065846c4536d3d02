"""The model: what the knowledge is made of, before any store exists.

Owns the namespaces and prefixes, term conversion between rdflib and Oxigraph, labels, the
bundled asset folders (`resources`), reading an input file into a graph with located errors
(`files`), where each resource is defined (`sources`, file:line), the input set with its digest
and the cache folder (`inputs`), and the graph's figures (`stats`).

May import: `coopgraph.errors`. Nothing else of coopgraph.
"""
