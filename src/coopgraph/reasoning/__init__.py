"""Reasoning: the OWL 2 RL entailments of the ontology and the data.

Owns the ontology's axioms compiled to set-at-a-time rules (`rules`), the closure kept with a
store and revised by delete-and-rederive after an edit (`closure`), and owlrl as the reference
the compiled rules are held to (`reference`).

May import: `coopgraph.model`, `coopgraph.errors`. Not validation, which stands beside it.
"""
