"""The report folder: every stored report and the cooperation network, for people.

Owns `coopgraph report`'s folder (`folder`), the network read from the graph and drawn
(`network`) with its deterministic layout (`layout`), and the plain-text renderings of reports,
statistics and validation for a terminal (`formatting`).

May import: `coopgraph.build` and everything below it. Not `coopgraph.publish`, which stands
beside it.
"""
