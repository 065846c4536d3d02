"""coopgraph: a knowledge graph of cooperation agreements against trafficking in persons."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coopgraph")
except PackageNotFoundError:  # a bare checkout on sys.path, never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
