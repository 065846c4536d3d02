"""The input set a store is built from, its digest, and the cache folder that holds the stores.

The cache folder's name for a store is a hash of every input file's content, of the store
layout and of coopgraph's version: a second run with the same inputs opens that store, an
edited file gives a new name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coopgraph import __version__
from coopgraph.errors import InputError
from coopgraph.model import resources
from coopgraph.model.files import check_input

# Bump when the way a store is built changes, so that old caches are not reused.
STORE_LAYOUT = "4"  # 4: tables and kept validation in JSON, not pickles


@dataclass(frozen=True)
class Part:
    """One input file as a store knows it."""

    name: str  # the resolved path
    role: str  # "ontology" or "data"
    digest: str  # of its bytes


@dataclass(frozen=True)
class Inputs:
    """The files a store is built from."""

    ontology: tuple[Path, ...]
    data: tuple[Path, ...]

    @classmethod
    def bundled(cls) -> Inputs:
        return cls(tuple(resources.ontology_files()), tuple(resources.data_files()))

    @classmethod
    def with_data(cls, data: Sequence[Path]) -> Inputs:
        """The bundled ontology with the given data files."""
        return cls(tuple(resources.ontology_files()), tuple(data))

    def parts(self) -> list[Part]:
        """Each input file with its role and a hash of its content."""
        return [
            Part(str(path.resolve()), role, digest)
            for role, paths in (("ontology", self.ontology), ("data", self.data))
            for path in paths
            # The file is read (and checked) before its path is resolved: a symbolic link
            # loop is then a located InputError, not resolve()'s RuntimeError.
            for digest in (_digest(path),)
        ]

    def digest(self, parts: Sequence[Part] | None = None) -> str:
        """A hash of the content of every input (`parts`, when they are at hand), of the
        store layout and of coopgraph's version."""
        hasher = hashlib.sha256(f"{STORE_LAYOUT}\0{__version__}\0".encode())
        for part in parts if parts is not None else self.parts():
            hasher.update(f"{part.role}\0{Path(part.name).name}\0{part.digest}\0".encode())
        return hasher.hexdigest()[:32]


def _digest(path: Path) -> str:
    """The SHA-256 of the input file at `path`, read in blocks (a large file is not held)."""
    check_input(path)
    hasher = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                hasher.update(block)
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror})") from error
    return hasher.hexdigest()


def default_cache_dir() -> Path:
    """$COOPGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/coopgraph, else ~/.cache/coopgraph."""
    explicit = os.environ.get("COOPGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coopgraph"


def stores_dir(cache_dir: Path | None = None) -> Path:
    """The folder of the built stores in `cache_dir` (default: `default_cache_dir()`)."""
    return (cache_dir or default_cache_dir()) / "stores"
