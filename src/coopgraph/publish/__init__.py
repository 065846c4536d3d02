"""The release: a folder that linked-data portals take as it is.

Owns `coopgraph publish`'s folder (`folder`), the release metadata (`release`), the
deterministic dumps (`dumps`), the DCAT-AP catalogue (`dcat`), the VoID description (`void`),
the ontology's documentation page (`ontodoc`), what changed since the previous release
(`changes`) and the coverage in space and time (`coverage`).

May import: `coopgraph.build` and everything below it. Not `coopgraph.report`, which stands
beside it.
"""
