"""Credentials and content negotiation with a remote store, against a small loopback server
that asks for HTTP basic authentication and answers what each test tells it to.

The password must never appear in an output, an error or a repr; it is never an option of the
command line (so never in the process list); credentials written in a URL are used and taken
out of it."""

from __future__ import annotations

import base64
import json
import os
import pty
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from coopgraph.cli import main
from coopgraph.errors import CoopgraphError
from coopgraph.query.remote import (
    GRAPH_ACCEPT,
    RESULTS_ACCEPT,
    Credentials,
    EndpointAnswerError,
    EndpointAuthError,
    RemoteEngine,
    parse_answer,
    query_form,
    split_credentials,
    without_userinfo,
)
from tests.servers import LOOPBACK, free_port

USER = "curator"
PASSWORD = "s3cr:t/p@ss w0rd"  # characters that must be escaped in a URL
ASK_TRUE = (b'{"head": {}, "boolean": true}', "application/sparql-results+json")


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeStore:
    """What the server asks for and answers; what it was sent."""

    scheme: str = "Basic"
    answer: tuple[bytes, str] = ASK_TRUE
    requests: list[Seen] = field(default_factory=list)
    base: str = ""

    @property
    def expected(self) -> str:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return f"Basic {token}"

    def methods(self) -> list[str]:
        return [seen.method for seen in self.requests]


def _handler(store: FakeStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            store.requests.append(Seen(self.command, self.path, dict(self.headers), body))
            if self.headers.get("Authorization") != store.expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", f'{store.scheme} realm="coopgraph-test"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content, media_type = store.answer
            self.send_response(201 if self.command == "PUT" else 200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_HEAD = _serve

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeStore]:
    store = FakeStore()
    server = ThreadingHTTPServer((LOOPBACK, 0), _handler(store))
    store.base = f"http://{LOOPBACK}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run(*args: str, password: str | None = PASSWORD) -> tuple[int, str, str]:
    env = {"COOPGRAPH_PASSWORD": password} if password is not None else {}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _url_with_credentials(base: str, path: str) -> str:
    return base.replace("://", f"://{quote(USER)}:{quote(PASSWORD, safe='')}@") + path


def _assert_never_shown(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert quote(PASSWORD, safe="") not in text
        assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in text


# --- push ----------------------------------------------------------------------------------------


def test_push_with_a_user_sends_the_graph_once_with_basic_credentials(
    fake: FakeStore, store_cache: Path
) -> None:
    code, out, err = run(
        "push", "--store", fake.base + "/store", "--user", USER, "--no-inferred",
        "--cache-dir", str(store_cache),
    )  # fmt: skip
    assert code == 0, err
    puts = [seen for seen in fake.requests if seen.method == "PUT"]
    assert len(puts) == 1, fake.methods()  # the challenge is met before the upload
    assert puts[0].headers["Authorization"] == fake.expected
    assert puts[0].body.count(b"\n") == int(out.split()[1])
    _assert_never_shown(out, err)


def test_push_with_a_wrong_password_sends_nothing_and_shows_nothing(
    fake: FakeStore, store_cache: Path
) -> None:
    wrong = PASSWORD + "x"
    code, out, err = run(
        "push", "--store", fake.base + "/store", "--user", USER, "--cache-dir", str(store_cache),
        password=wrong,
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert f"refused the password of user '{USER}' (401)" in err
    assert "PUT" not in fake.methods()
    assert wrong not in err
    _assert_never_shown(out, err)


def test_push_without_a_user_to_a_store_that_wants_one(fake: FakeStore, store_cache: Path) -> None:
    code, _, err = run(
        "push", "--store", fake.base + "/store", "--cache-dir", str(store_cache), password=None
    )
    assert code == 2
    assert "needs a user and a password (it answered 401)" in err
    assert "--user NAME" in err and "COOPGRAPH_PASSWORD" in err
    assert "PUT" not in fake.methods()


def test_credentials_in_the_url_are_used_and_taken_out(fake: FakeStore, store_cache: Path) -> None:
    code, out, err = run(
        "push", "--store", _url_with_credentials(fake.base, "/store"), "--no-inferred",
        "--cache-dir", str(store_cache), password=None,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip().endswith(f"of {fake.base}/store")
    assert [seen.path for seen in fake.requests if seen.method == "PUT"] == ["/store?default"]
    _assert_never_shown(out, err)


def test_a_user_in_the_url_and_with_user_is_one_too_many(fake: FakeStore) -> None:
    code, out, err = run(
        "push", "--store", _url_with_credentials(fake.base, "/store"), "--user", USER
    )
    assert code == 2
    assert "has a user written in it, and a user was given too" in err
    assert fake.requests == []
    _assert_never_shown(out, err)


def test_a_user_without_a_password_anywhere(fake: FakeStore) -> None:
    code, _, err = run("push", "--store", fake.base + "/store", "--user", USER, password=None)
    assert code == 2
    assert f"--user {USER} needs a password, and $COOPGRAPH_PASSWORD is not set" in err
    assert fake.requests == []


def test_an_unknown_host_in_a_url_with_credentials_is_one_line_without_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown(*_args: object, **_kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    url = _url_with_credentials("http://store.example", "/sparql")
    code, out, err = run("sparql", "-q", "ASK {}", "--endpoint", url, password=None)
    assert code == 2
    assert err.strip() == (
        "coopgraph: error: cannot reach the SPARQL endpoint http://store.example/sparql: "
        "Name or service not known — check the address and that the server is running and "
        "reachable"
    )
    _assert_never_shown(out, err)


def test_the_password_is_never_an_option() -> None:
    for command in ("push", "query", "sparql", "report"):
        code, out, _ = run(command, "--help")
        assert code == 0
        assert "--user NAME" in out and "COOPGRAPH_PASSWORD" in out
        assert "--password" not in out
    code, _, err = run("push", "--store", "http://h/store", "--password", PASSWORD)
    assert code == 2
    assert "No such option '--password'" in err


def test_user_needs_an_endpoint() -> None:
    code, _, err = run("query", "timeline", "--user", USER)
    assert code == 2
    assert "--user is for a store of your own: give --endpoint URL with it" in err


# --- queries -------------------------------------------------------------------------------------


def test_a_query_with_a_user_answers_the_challenge(fake: FakeStore) -> None:
    code, out, err = run("sparql", "-q", "ASK {}", "--endpoint", fake.base + "/q", "--user", USER)
    assert (code, out) == (0, "true\n"), err
    posts = [seen for seen in fake.requests if seen.method == "POST"]
    assert [seen.headers.get("Authorization") for seen in posts] == [None, fake.expected]
    _assert_never_shown(out, err)


def test_the_password_is_asked_for_at_a_terminal_and_not_echoed(
    fake: FakeStore, tmp_path: Path
) -> None:
    controller, terminal = pty.openpty()
    command = [sys.executable, "-c", "from coopgraph.cli import main; main()"]
    command += ["sparql", "-q", "ASK {}", "--endpoint", fake.base + "/q", "--user", USER]
    env = {k: v for k, v in os.environ.items() if k != "COOPGRAPH_PASSWORD"}
    process = subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**env, "HOME": str(tmp_path)},
        start_new_session=True,
    )
    os.close(terminal)
    seen = b""
    try:
        seen += _read_until(controller, b"password of", 60)
        os.write(controller, PASSWORD.encode() + b"\n")
        seen += _read_until(controller, b"true", 60)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    assert b"true" in seen
    assert PASSWORD.encode() not in seen
    assert any(s.headers.get("Authorization") == fake.expected for s in fake.requests)


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    got = b""
    deadline = time.monotonic() + seconds
    while wanted not in got and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    assert wanted in got, got
    return got


# --- What is asked for, and what comes back ------------------------------------------------------


def test_construct_asks_for_rdf_and_select_for_results(fake: FakeStore) -> None:
    fake.answer = (b"<urn:a> <urn:b> <urn:c> .\n", "application/n-triples")
    engine = RemoteEngine(fake.base + "/q", credentials=Credentials(USER, PASSWORD))
    outcome = engine.run("# a comment\nPREFIX : <urn:>\nCONSTRUCT WHERE { ?s ?p ?o }")
    assert outcome.graph is not None and len(outcome.graph) == 1
    fake.answer = (b'{"head": {"vars": []}, "results": {"bindings": []}}', "application/json")
    engine.run("BASE <urn:x#> SELECT * WHERE { ?s ?p ?o }")
    accepts = [seen.headers["Accept"] for seen in fake.requests if "Authorization" in seen.headers]
    assert accepts == [GRAPH_ACCEPT, RESULTS_ACCEPT]
    assert GRAPH_ACCEPT.startswith("application/n-triples, text/turtle;q=0.9, ")
    assert "application/rdf+xml;q=0.8" in GRAPH_ACCEPT and "ld+json;q=0.7" in GRAPH_ACCEPT
    assert "n-triples" not in RESULTS_ACCEPT and "turtle" not in RESULTS_ACCEPT


@pytest.mark.parametrize(
    ("query", "media_type", "body", "message"),
    [
        (
            "CONSTRUCT WHERE { ?s ?p ?o }",
            "application/sparql-results+json",
            b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}',
            "answered a CONSTRUCT query in application/sparql-results+json, not as an RDF graph",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o }",
            "text/turtle",
            b"<urn:a> <urn:b> <urn:c> .",
            "answered a SELECT query in text/turtle, not as SPARQL results",
        ),
        (
            "DESCRIBE <urn:a>",
            "text/html",
            b"<html>sign in</html>",
            "answered in text/html, not in a SPARQL results or RDF format",
        ),
        (
            "CONSTRUCT WHERE { ?s ?p ?o }",
            "text/turtle",
            b"<urn:a> <urn:b> .",
            "sent a text/turtle answer that cannot be read",
        ),
    ],
)
def test_a_wrong_answer_is_one_line_naming_it(
    fake: FakeStore, query: str, media_type: str, body: bytes, message: str
) -> None:
    fake.answer = (body, media_type)
    url = _url_with_credentials(fake.base, "/q")
    code, out, err = run("sparql", "-q", query, "--endpoint", url, password=None)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    _assert_never_shown(out, err)


def test_trig_and_json_ld_answers_are_read() -> None:
    trig = parse_answer(
        b"<urn:g> { <urn:a> <urn:b> <urn:c> . }", "application/trig", form="DESCRIBE"
    )
    assert trig.graph is not None and len(trig.graph) == 1
    document = {"@id": "urn:a", "urn:b": {"@id": "urn:c"}}
    jsonld = parse_answer(json.dumps(document).encode(), "application/ld+json", form="CONSTRUCT")
    assert jsonld.graph is not None and len(jsonld.graph) == 1


def test_a_json_ld_answer_with_a_remote_context_is_refused_not_fetched(fake: FakeStore) -> None:
    document = {"@context": fake.base + "/context.jsonld", "@id": "urn:a", "name": "x"}
    with pytest.raises(EndpointAnswerError, match="refers to a document elsewhere"):
        parse_answer(json.dumps(document).encode(), "application/ld+json", fake.base, "CONSTRUCT")
    assert fake.requests == []


def test_a_scheme_other_than_basic_or_digest(fake: FakeStore) -> None:
    fake.scheme = "Bearer"
    engine = RemoteEngine(fake.base + "/q", credentials=Credentials(USER, PASSWORD))
    with pytest.raises(EndpointAuthError, match="other than basic or digest"):
        engine.run("ASK {}")


# --- Without a server ----------------------------------------------------------------------------


def test_credentials_never_show_their_password() -> None:
    credentials = Credentials(USER, PASSWORD)
    assert PASSWORD not in repr(credentials) and PASSWORD not in str(credentials)
    engine = RemoteEngine(_url_with_credentials("http://h:7878", "/query"))
    assert engine.credentials == credentials
    assert engine.url == "http://h:7878/query"
    _assert_never_shown(repr(engine), repr(engine.credentials))


def test_urls_lose_their_credentials() -> None:
    assert without_userinfo("http://u:p@h:1/x?y=1") == "http://u:p@h:1/x?y=1".replace("u:p@", "")
    assert without_userinfo("ftp://u:p@[::1/x") == "ftp://[::1/x"
    assert split_credentials("http://h/x", "the endpoint") == ("http://h/x", None)
    with pytest.raises(CoopgraphError, match="names the user 'u' but no password"):
        split_credentials("http://u@h/x", "the endpoint")
    with pytest.raises(CoopgraphError, match=r"'http://h:port/x' is not a valid URL") as caught:
        split_credentials("http://u:secret@h:port/x", "the endpoint")
    assert "secret" not in str(caught.value)
    with pytest.raises(CoopgraphError, match="is not an http") as caught:
        RemoteEngine("ftp://u:secret@h/x")
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("prefix cg: <https://w3id.org/coopgraph/def/>\nconstruct { ?s a cg:X } {}", "CONSTRUCT"),
        ("# DESCRIBE in a comment\nPREFIX : <urn:#x>\nBASE <urn:b>\nDESCRIBE :a", "DESCRIBE"),
        ("PREFIX x.y-z: <urn:x>\n  ASK {}", "ASK"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", None),
        ("", None),
    ],
)
def test_the_query_form_is_read_after_the_prologue(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_an_unreachable_store_with_a_user_names_it_without_the_password() -> None:
    url = f"http://{LOOPBACK}:{free_port()}/store"
    code, out, err = run("push", "--store", url, "--user", USER, "--no-inferred")
    assert code == 2
    assert f"cannot reach the graph store {url}?default" in err
    _assert_never_shown(out, err)
