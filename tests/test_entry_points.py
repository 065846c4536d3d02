"""Every console script named in pyproject.toml must import."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
SCRIPTS: dict[str, str] = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"]


@pytest.mark.parametrize(("name", "target"), sorted(SCRIPTS.items()))
def test_entry_point_imports(name: str, target: str) -> None:
    module_name, _, attribute = target.partition(":")
    target_object = importlib.import_module(module_name)
    for part in attribute.split("."):
        target_object = getattr(target_object, part)
    assert callable(target_object), f"{name} = {target} is not callable"
