"""coopgraph: a knowledge graph of cooperation agreements against trafficking in persons."""

# The one place the version is written: pyproject.toml reads it from here (hatch's dynamic
# version), and reading it needs no package metadata at start-up.
__version__ = "0.1.0"

__all__ = ["__version__"]
