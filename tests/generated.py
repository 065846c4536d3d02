"""Synthetic data from benchmarks/generate.py, generated once per test session and size."""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


@cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coopgraph_benchmark_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@cache
def generated_data(size: str, seed: int = 1, suffix: str = ".ttl") -> Path:
    """A generated data file of about `size` triples (10k, ...), made once per session."""
    folder = Path(tempfile.mkdtemp(prefix="coopgraph-generated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / f"generated-{size}-{seed}{suffix}"
    module = generator()
    module.generate(module.parse_size(size), path, seed=seed)
    return path
