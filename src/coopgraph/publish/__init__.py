"""The release: a folder that linked-data portals take as it is.

Owns `coopgraph publish`'s folder (`folder`), the release metadata (`release`), the
deterministic dumps (`dumps`), the DCAT-AP catalogue (`dcat`), the VoID description (`void`),
the ontology's documentation page (`ontodoc`), what changed since the previous release
(`changes`), the coverage in space and time (`coverage`) and who publishes it and whom to
contact (`publisher`, from the options or a coopgraph.toml / pyproject.toml setting).

May import: `coopgraph.build` and everything below it. Not `coopgraph.report`, which stands
beside it.
"""
