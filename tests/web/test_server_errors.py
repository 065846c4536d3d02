"""One JSON error shape for every error the server answers (as Datasette's
tests/test_error_shape.py pins its own): same keys, status in the body equal to the HTTP
status, `application/json`, whatever the route and whatever went wrong."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest
from starlette.testclient import TestClient

from coopgraph.web.app import ServeConfig, create_app, http_problem
from coopgraph.web.workers import OverloadedError, QueryTimeoutError

ERROR_KEYS = {"status", "type", "message", "hint", "line", "column"}


class HttpResponse(Protocol):
    """What the checks need of a response (httpx's or httpx2's, as the TestClient uses)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...

    def json(self, **kwargs: Any) -> Any: ...


def assert_error_shape(
    response: HttpResponse, status: int, kind: str | None = None
) -> dict[str, Any]:
    """Check `response` is the one error shape with `status` (and `kind`); its error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert error["status"] == status
    assert isinstance(error["type"], str) and error["type"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["hint"] is None or isinstance(error["hint"], str)
    assert error["line"] is None or isinstance(error["line"], int)
    assert error["column"] is None or isinstance(error["column"], int)
    if kind is not None:
        assert error["type"] == kind
    assert isinstance(error, dict)
    return error


@pytest.fixture(scope="module")
def client(store_cache: Path) -> Iterator[TestClient]:
    config = ServeConfig(
        max_concurrent=2, timeout=5, max_rows=50, max_request_bytes=2000, cache_dir=store_cache
    )
    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


BIG = "x" * 3000

CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("GET", "/sparql?query=SELECT%20*%20%7B", {}, 400, "bad-query"),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, 400, "bad-request"),
    ("GET", "/sparql?query=SELECT%20*%20%7B?s%20?p%20?o%7D", {}, 400, "too-many-rows"),
    ("GET", "/sparql?update=CLEAR%20ALL", {}, 403, "forbidden"),
    (
        "POST",
        "/sparql",
        {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
        403,
        "forbidden",
    ),
    (
        "GET",
        "/sparql?query=SELECT%20*%20%7B%20SERVICE%20%3Chttp://example.org/sparql%3E%20%7B?s%20?p%20?o%7D%7D",
        {},
        403,
        "forbidden",
    ),
    ("GET", "/no/such/page", {}, 404, "not-found"),
    ("GET", "/queries/no-such-report", {}, 404, "not-found"),
    ("GET", "/id/state/ATLANTIS", {}, 404, "not-found"),
    ("GET", "/store?graph=http://example.org/nothing", {}, 404, "not-found"),
    ("PUT", "/sparql?query=ASK%7B%7D", {}, 405, "method-not-allowed"),
    ("GET", "/sparql?query=ASK%7B%7D", {"headers": {"Accept": "image/png"}}, 406, "not-acceptable"),
    ("GET", "/id/state/MLI", {"headers": {"Accept": "image/png"}}, 406, "not-acceptable"),
    (
        "POST",
        "/sparql",
        {
            "content": "query=" + BIG,
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
        413,
        "request-too-large",
    ),
    (
        "POST",
        "/sparql",
        {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}},
        415,
        "unsupported-media-type",
    ),
    ("PUT", "/store?default", {"content": "<a> <b> <c> ."}, 403, "forbidden"),
    ("GET", "/queries/state-profile.csv?state=Atlantis", {}, 400, "bad-request"),
    ("GET", "/queries/state-profile.json?nonsense=1", {}, 400, "bad-request"),
]


@pytest.mark.parametrize(
    ("method", "path", "options", "status", "kind"),
    CASES,
    ids=[f"{status}-{kind}-{method}-{path[:40]}" for method, path, _, status, kind in CASES],
)
def test_every_error_has_the_one_shape(
    client: TestClient, method: str, path: str, options: dict[str, Any], status: int, kind: str
) -> None:
    response = client.request(method, path, **options)
    assert_error_shape(response, status, kind)


def test_a_syntax_error_gives_its_line_and_column(client: TestClient) -> None:
    query = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(\n}"
    error = assert_error_shape(client.get("/sparql", params={"query": query}), 400, "bad-query")
    # At the } that comes before the FILTER's ( is closed, and the message names the (.
    assert (error["line"], error["column"]) == (4, 1)
    assert "line 3, column 9" in error["message"]


def test_the_method_not_allowed_error_says_what_is_allowed(client: TestClient) -> None:
    response = client.delete("/sparql")
    assert_error_shape(response, 405)
    assert "GET" in response.headers["allow"]


def test_the_statuses_of_the_limits() -> None:
    """The limits answered by a running server (see test_server_limits.py) map here."""
    assert http_problem(QueryTimeoutError("x")) == (504, "timeout")
    assert http_problem(OverloadedError("x")) == (503, "overloaded")
    assert http_problem(ValueError("a bug")) == (500, "internal")
