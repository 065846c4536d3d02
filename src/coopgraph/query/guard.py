"""What a SPARQL text may do: no call to another service, no document fetched, no local file.

Public API:
    RefusedError                      a request the endpoint will not run (HTTP 403)
    check_query(text, allow_service, base_iri, source, hint)
                                      read a query (coopgraph.query.reading) and refuse what
                                      the policy forbids; the SparqlText whose `text` to run
    check_update(text, allow_service, base_iri)
                                      the same for an update
    refuse_calls(reading, base_iri, policy)
                                      the policy on a text already read; ENDPOINT and
                                      COMMAND_LINE word its refusals for the server and the CLI
    with_using(reading, default_graphs, named_graphs)
                                      the update with the protocol's using-graph-uri /
                                      using-named-graph-uri written as USING clauses
    check_graph_iris(iris, allow_service)
                                      refuse file: IRIs given as protocol dataset parameters

The policy is applied to the tokens of coopgraph's own lexer (coopgraph.query.lexer), which
reads the text as Oxigraph reads it, and the engine then runs the text made from those same
tokens (`SparqlText.text`): there is no second parser whose reading could differ. Refused,
unless the server runs with --allow-service (or `coopgraph sparql` is given it):
- the keywords SERVICE and LOAD, wherever they stand outside strings, IRIs and comments;
- a word or a prefix name in which Oxigraph could read one of them (Oxigraph's keywords
  need no word boundary: `SERVICE:x { ... }` is a SERVICE call to `:x`);
- a `file:` IRI in a dataset clause (FROM, FROM NAMED, USING, USING NAMED, WITH), also when
  it is written as a prefixed name or relative to a `file:` BASE.
Looking at tokens rather than at the raw text means that SERVICE in a string, a comment or an
IRI is no false alarm.

What stops a call that got past these checks anyway is the query workers' confinement (see
coopgraph.query.confinement): this module is the first of two locks, not the only one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from coopgraph.errors import CoopgraphError, QueryError
from coopgraph.query.lexer import IRI, PNAME, PUNCT, WORD, Token
from coopgraph.query.reading import SparqlText, read

_CALLS = ("SERVICE", "LOAD")
_DATASET_WORDS = {"FROM": "FROM", "USING": "USING", "WITH": "WITH"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class RefusedError(CoopgraphError):
    """A request the endpoint refuses to run (SERVICE, LOAD, file: access, updates)."""


@dataclass(frozen=True)
class Policy:
    """How a refusal is worded: where the text was refused and how to allow what was."""

    where: str
    allow: str


ENDPOINT = Policy("on this endpoint", "start the server with --allow-service")
COMMAND_LINE = Policy("without --allow-service", "pass --allow-service")


def check_query(
    text: str,
    allow_service: bool = False,
    base_iri: str | None = None,
    source: str = "query",
    hint: str | None = "send it as update=... to an endpoint started with --update",
    policy: Policy = ENDPOINT,
) -> SparqlText:
    """Read `text` as a query and apply the policy; `hint` is for an update sent instead."""
    reading = read(text, source, "query", hint)
    if not allow_service:
        refuse_calls(reading, base_iri, policy)
    return reading


def check_update(text: str, allow_service: bool = False, base_iri: str | None = None) -> SparqlText:
    """Read `text` as an update and apply the policy."""
    reading = read(text, "update", "update", "send it as query=... instead")
    if not allow_service:
        refuse_calls(reading, base_iri)
    return reading


def refuse_calls(
    reading: SparqlText, base_iri: str | None = None, policy: Policy = ENDPOINT
) -> None:
    """Raise RefusedError if `reading` could call out or name a local file."""
    tokens = reading.tokens
    for index, token in enumerate(tokens):
        if token.kind == WORD and token.upper in _CALLS:
            raise _refusal(token, tokens[index + 1 : index + 3], policy)
        if token.kind in (WORD, PNAME):
            name = token.text.split(":", 1)[0] if token.kind == PNAME else token.text
            hidden = next((call for call in _CALLS if call in name.upper()), None)
            if hidden is not None:
                what = "the prefix" if token.kind == PNAME else "the word"
                raise RefusedError(
                    f"{what} {name!r} holds {hidden}, which Oxigraph may read as the keyword "
                    f"(keywords need no space after them); it is not allowed {policy.where}",
                    hint=f"rename it, or write {hidden} apart",
                )
    for clause, iri in _dataset_iris(tokens, base_iri):
        if iri.lower().startswith("file:"):
            raise RefusedError(
                f"the file: IRI <{iri}> in {clause} is not allowed {policy.where}",
                hint=f"local files are not read; {policy.allow} to allow it",
            )


def _refusal(keyword: Token, following: Sequence[Token], policy: Policy) -> RefusedError:
    target = next((t.text for t in following if t.kind != WORD or t.upper != "SILENT"), "")
    if keyword.upper == "LOAD":
        return RefusedError(
            f"LOAD {target} fetches a document, which is not allowed {policy.where}",
            hint=f"{policy.allow} to allow LOAD",
        )
    return RefusedError(
        f"SERVICE {target} calls another SPARQL service, which is not allowed {policy.where}",
        hint=f"{policy.allow} to let queries call other services",
    )


def _dataset_iris(tokens: Sequence[Token], base_iri: str | None) -> Iterator[tuple[str, str]]:
    """(clause, the IRI resolved as far as its scheme) for each dataset clause."""
    prefixes: dict[str, str] = {}
    base = base_iri or ""
    for index, token in enumerate(tokens):
        if token.kind != WORD:
            continue
        following = tokens[index + 1 : index + 3]
        word = token.upper
        if word == "BASE" and following and following[0].kind == IRI:
            base = _resolved(_iri_text(following[0]), base)
        elif word == "PREFIX" and len(following) == 2 and following[1].kind == IRI:
            prefixes[following[0].text.split(":", 1)[0]] = _resolved(_iri_text(following[1]), base)
        elif word in _DATASET_WORDS and following:
            clause = _DATASET_WORDS[word]
            target = following[0]
            if target.kind == WORD and target.upper == "NAMED" and len(following) > 1:
                clause += " NAMED"
                target = following[1]
            if target.kind == IRI:
                yield clause, _resolved(_iri_text(target), base)
            elif target.kind == PNAME:
                prefix, local = target.text.split(":", 1)
                yield clause, prefixes.get(prefix, "") + local.replace("\\", "")


def _iri_text(token: Token) -> str:
    def decode(match: re.Match[str]) -> str:
        return chr(int(match.group(1) or match.group(2), 16))

    return _UCHAR.sub(decode, token.text[1:-1])


def _resolved(iri: str, base: str) -> str:
    """`iri` against `base`, as far as the scheme goes (all the policy needs)."""
    if _SCHEME.match(iri):
        return iri
    scheme = _SCHEME.match(base)
    return (scheme.group() if scheme else "") + iri


def check_graph_iris(iris: Iterable[str], allow_service: bool = False) -> None:
    """Refuse a `file:` IRI among the protocol's dataset parameters."""
    if allow_service:
        return
    for iri in iris:
        if iri.lower().startswith("file:"):
            raise RefusedError(
                f"the file: IRI <{iri}> in a dataset parameter is not allowed on this endpoint",
                hint="this endpoint does not read local files",
            )


# --- The protocol's update dataset ----------------------------------------------------------

_SAFE_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')


def with_using(
    reading: SparqlText, default_graphs: Sequence[str], named_graphs: Sequence[str]
) -> str:
    """The update's text with `USING <g>` / `USING NAMED <g>` before the WHERE of each
    DELETE/INSERT operation.

    The SPARQL 1.1 Protocol's using-graph-uri and using-named-graph-uri parameters set the
    dataset of every DELETE/INSERT operation; an update that names its own (USING, WITH)
    cannot also take them.
    """
    text = reading.original
    if not default_graphs and not named_graphs:
        return text
    if reading.names_dataset:
        raise QueryError(
            "update",
            "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH",
            hint="give the dataset either in the update or as protocol parameters",
        )
    for iri in (*default_graphs, *named_graphs):
        if not _SAFE_IRI.fullmatch(iri):
            raise QueryError("update", f"{iri!r} is not a valid graph IRI", hint="give an IRI")
    clause = " ".join(
        [f"USING <{iri}>" for iri in default_graphs]
        + [f"USING NAMED <{iri}>" for iri in named_graphs]
    )
    for position in reversed(_top_level_wheres(reading.tokens)):
        text = f"{text[:position]}{clause}\n{text[position:]}"
    return text


def _top_level_wheres(tokens: Sequence[Token]) -> list[int]:
    """The offsets of the WHERE keywords outside braces that do not follow DELETE (the WHERE
    of each DELETE/INSERT ... WHERE operation)."""
    positions: list[int] = []
    depth = 0
    previous = ""
    for token in tokens:
        if token.kind == PUNCT and token.text == "{":
            depth += 1
        elif token.kind == PUNCT and token.text == "}":
            depth -= 1
            if depth == 0:
                previous = "}"
        elif depth == 0 and token.kind == WORD:
            if token.upper == "WHERE" and previous != "DELETE":
                positions.append(token.start)
            previous = token.upper
    return positions
