"""The query-text cases of the HTTP corpus (`http/query-texts.toml`), run through Starlette's
TestClient with the real query workers, with the same rules as the command-line corpus: the
expected status and JSON error shape, no traceback in an answer, no call to the canary.

Interim: the server engineer's runner of every `http/*.toml` (test_http_corpus.py) supersedes
this one, which reads only the query-text file and the keys it describes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from coopgraph.web.app import ServeConfig, create_app

from .canary import Canary

CASES_FILE = Path(__file__).parent / "http" / "query-texts.toml"
CASES: list[dict[str, Any]] = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]
KEYS = {"name", "server", "method", "path", "params", "form", "body", "headers"}
KEYS |= {"status", "type", "message", "contains"}


def _expand(value: Any, places: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        text = re.sub(
            r"\{nested:(\d+)\}",
            lambda m: "{ " * int(m.group(1)) + "?s ?p ?o " + "} " * int(m.group(1)),
            value,
        )
        for key, place in places.items():
            text = text.replace("{" + key + "}", place)
        return text
    if isinstance(value, dict):
        return {key: _expand(item, places) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, places) for item in value]
    return value


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as listener:
        yield listener
    print(f"\nbad inputs (HTTP query texts): {len(CASES)} cases, {listener.calls} canary calls")
    assert listener.calls == 0, "a case reached the canary: something called out"


@pytest.fixture(scope="module")
def servers(store_cache: Path) -> Iterator[dict[tuple[tuple[str, Any], ...], TestClient]]:
    clients: dict[tuple[tuple[str, Any], ...], TestClient] = {}
    try:
        for case in CASES:
            options = tuple(sorted(case.get("server", {}).items()))
            if options not in clients:
                config = ServeConfig(max_concurrent=1, timeout=20, cache_dir=store_cache)
                config = ServeConfig(**{**config.__dict__, **dict(options)})
                clients[options] = TestClient(create_app(config))
                clients[options].__enter__()
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)


def test_the_cases_use_only_the_keys_described() -> None:
    for case in CASES:
        assert set(case) <= KEYS, (case["name"], set(case) - KEYS)
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(
    case: dict[str, Any],
    canary: Canary,
    servers: dict[tuple[tuple[str, Any], ...], TestClient],
) -> None:
    places = {"canary": canary.url}
    client = servers[tuple(sorted(case.get("server", {}).items()))]
    options: dict[str, Any] = {}
    if "params" in case:
        options["params"] = _expand(case["params"], places)
    if "form" in case:
        options["data"] = _expand(case["form"], places)
    if "body" in case:
        options["content"] = _expand(case["body"], places).encode("utf-8")
    if "headers" in case:
        options["headers"] = case["headers"]
    response = client.request(case["method"], case["path"], **options)
    assert "Traceback" not in response.text
    assert response.status_code == case["status"], response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == case["status"]
        assert set(error) == {"status", "type", "message", "hint", "line", "column"}
        if "type" in case:
            assert error["type"] == case["type"], error
        said = f"{error['message']} {error['hint']}"
        for fragment in _expand(case.get("message", []), places):
            assert fragment in said, error
    for fragment in case.get("contains", []):
        assert fragment in response.text, response.text[:500]
