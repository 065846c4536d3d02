"""The tally of the W3C SHACL Core suite, filled by `test_w3c_shacl_core` and printed at the end
of the run by this folder's conftest."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Tally:
    total: int = 0
    coopgraph: int = 0
    pyshacl: int = 0
    compiled: int = 0
    """Cases passed with every shape compiled."""
    fell_back: int = 0
    """Cases passed with at least one shape run on pySHACL."""
    shapes_compiled: int = 0
    shapes_fell_back: int = 0
    failures: list[str] = field(default_factory=list)

    def line(self, of: int) -> str:
        return (
            f"W3C SHACL Core: coopgraph {self.coopgraph}/{of}, pySHACL {self.pyshacl}/{of}; "
            f"compiled {self.compiled}, fell back {self.fell_back} "
            f"(shapes: {self.shapes_compiled} compiled, {self.shapes_fell_back} on pySHACL)"
        )


TALLY = Tally()
