"""Validation: the data against the SHACL shapes.

Owns the shapes compiled to SPARQL (`compiled`), the located report people read (`report`),
pySHACL as the reference and the fallback for what is not compiled (`reference`), the report a
build keeps with its store (`kept`), and `validate()`, which ties them (`validator`).

May import: `coopgraph.model`, `coopgraph.errors`. Not reasoning, which stands beside it.
"""
