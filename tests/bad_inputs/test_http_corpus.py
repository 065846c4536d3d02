"""The HTTP cases of the bad-inputs corpus: every `http/*.toml`, run through Starlette's
TestClient with the real query workers, with the rules of the command-line corpus: the
expected status and, for an error, the JSON error shape with its type and message fragments;
no traceback in any answer; no call to the canary. The tally is printed at the end.

Keys of a `[[case]]`, besides `name` (unique in the corpus):
    server = { update = true, ... }    ServeConfig fields (default: a read-only server); lists
                                       become tuples. Every server has the token TOKEN and
                                       answers as http://127.0.0.1:8000
    method, path                       the request line (path may hold its own ?query)
    params = { query = "..." }         URL query parameters (a list for repeated ones)
    form = { update = "..." }          an application/x-www-form-urlencoded body
    body = "..."                       a body given as text (UTF-8), or
    body_hex = "c3 28"                 a body given as bytes, or
    body_repeat = { text = "x", times = 2000000 }   a long body
    headers = { ... }                  request headers (Host, Origin, Content-Type...)
    token = false                      send no Authorization header (default: the server's
                                       token, unless `headers` names Authorization)
    status = 403, type = "forbidden"   the status, and the JSON error shape's `type`
    message = ["..."]                  fragments of the error's message and hint
    contains = ["..."]                 fragments of a successful response's body
Placeholders in strings: {canary} (the canary's URL), {token} (the server's token),
{nested:N} (N nested group patterns), {repeat:N:TEXT} (TEXT N times).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from coopgraph.web.app import ServeConfig, create_app

from .canary import Canary

CASES_FOLDER = Path(__file__).parent / "http"
CASES: list[dict[str, Any]] = [
    {**case, "file": path.name}
    for path in sorted(CASES_FOLDER.glob("*.toml"))
    for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]
]
KEYS = {"name", "server", "method", "path", "params", "form", "body", "body_hex", "body_repeat"}
KEYS |= {"headers", "token", "status", "type", "message", "contains", "file"}
TOKEN = "the-corpus-token-0123456789"
BASE_URL = "http://127.0.0.1:8000"
TALLY: Counter[str] = Counter()


def _expand(value: Any, places: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        text = re.sub(
            r"\{nested:(\d+)\}",
            lambda m: "{ " * int(m.group(1)) + "?s ?p ?o " + "} " * int(m.group(1)),
            value,
        )
        text = re.sub(r"\{repeat:(\d+):([^}]*)\}", lambda m: m.group(2) * int(m.group(1)), text)
        for key, place in places.items():
            text = text.replace("{" + key + "}", place)
        return text
    if isinstance(value, dict):
        return {key: _expand(item, places) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, places) for item in value]
    return value


def _options_key(case: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    options = case.get("server", {})
    return tuple(
        sorted(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in options.items()
        )
    )


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as listener:
        yield listener
    files = Counter(case["file"] for case in CASES)
    print(
        f"\nbad inputs (HTTP): {len(CASES)} cases in {len(files)} files "
        f"({', '.join(f'{name}: {count}' for name, count in sorted(files.items()))}); "
        f"{TALLY['passed']} held, {TALLY['tracebacks']} tracebacks, "
        f"{listener.calls} canary calls"
    )
    assert listener.calls == 0, "a case reached the canary: something called out"


@pytest.fixture(scope="module")
def servers(store_cache: Path) -> Iterator[dict[tuple[tuple[str, Any], ...], TestClient]]:
    clients: dict[tuple[tuple[str, Any], ...], TestClient] = {}
    try:
        for case in CASES:
            options = _options_key(case)
            if options not in clients:
                config = ServeConfig(
                    max_concurrent=1, timeout=20, cache_dir=store_cache, token=TOKEN
                )
                config = ServeConfig(**{**config.__dict__, **dict(options)})
                clients[options] = TestClient(create_app(config), base_url=BASE_URL)
                clients[options].__enter__()
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)


def test_the_cases_use_only_the_keys_described() -> None:
    for case in CASES:
        assert set(case) <= KEYS, (case["name"], set(case) - KEYS)
    assert len({case["name"] for case in CASES}) == len(CASES)


def _request(case: Mapping[str, Any], places: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if "params" in case:
        options["params"] = _expand(case["params"], places)
    if "form" in case:
        options["data"] = _expand(case["form"], places)
    if "body" in case:
        options["content"] = _expand(case["body"], places).encode("utf-8")
    if "body_hex" in case:
        options["content"] = bytes.fromhex(case["body_hex"])
    if "body_repeat" in case:
        repeat = case["body_repeat"]
        options["content"] = (repeat["text"] * repeat["times"]).encode("utf-8")
    headers = dict(_expand(case.get("headers", {}), places))
    named = {name.lower() for name in headers}
    if case.get("token", True) and "authorization" not in named:
        headers["Authorization"] = f"Bearer {TOKEN}"
    options["headers"] = headers
    return options


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(
    case: dict[str, Any],
    canary: Canary,
    servers: dict[tuple[tuple[str, Any], ...], TestClient],
) -> None:
    places = {"canary": canary.url, "token": TOKEN}
    client = servers[_options_key(case)]
    path = _expand(case["path"], places)
    response = client.request(case["method"], path, **_request(case, places))
    if "Traceback" in response.text:
        TALLY["tracebacks"] += 1
    assert "Traceback" not in response.text
    assert response.status_code == case["status"], response.text[:500]
    if response.status_code >= 400 and case["method"] != "HEAD":
        assert response.headers["content-type"].startswith("application/json"), response.text
        error = response.json()["error"]
        assert error["status"] == case["status"]
        assert set(error) == {"status", "type", "message", "hint", "line", "column"}
        if "type" in case:
            assert error["type"] == case["type"], error
        said = f"{error['message']} {error['hint']}"
        for fragment in _expand(case.get("message", []), places):
            assert fragment in said, error
    for fragment in _expand(case.get("contains", []), places):
        assert fragment in response.text, response.text[:500]
    TALLY["passed"] += 1
