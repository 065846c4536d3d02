"""The build: input files to a store on disk with everything the commands read.

Owns the pipeline parse -> reason -> validate -> precompute -> write (`pipeline`), its
background writer (`writer`), revising an earlier store after an edit (`revise`), what a query
reads, to know which reports an edit changes (`footprint`), opening the store for an input set
(`engine`), what opening took (`info`), the cache folder kept in working order (one build
of a store at a time, left-behind and damaged stores removed: `cache`), and the slow
reference build of rdflib and owlrl (`reference`).

May import: `coopgraph.query` and everything below it.
"""
