"""A SPARQL text read once, before the engine sees it: what it is, and the text to run.

Public API:
    SparqlText          a text read: its tokens, its operation ("query" or "update") and form
                        (SELECT, ..., or the first update keyword), whether it names its
                        dataset (FROM / FROM NAMED; USING / WITH), `text` (what the engine
                        runs), `syntax_error(message)` (Oxigraph's message, made short and
                        placed in the text as the user wrote it)
    read(text, source, operation="query", other_operation_hint=None) -> SparqlText
                        read `text`, or raise the QueryError a person can act on: nested too
                        deep, an unknown prefix, an update where a query is expected (and the
                        other way round), an escape Oxigraph would not read, an empty text

The text the engine runs is the user's text with two kinds of change, neither of which
changes its meaning for Oxigraph but each of which makes Oxigraph's reading of `<` the one
this reader made, wherever the reader stands in the grammar: a `<` read as less-than is
followed by a space (so it cannot begin an IRI, which holds no space), and `'` and `#` in an
IRI are written as `\\u0027` and `\\u0023` (so an IRI cannot hide the start of a string or a
comment if Oxigraph took its `<` as less-than: it would stop at the backslash instead).
The policy of coopgraph.query.guard is applied to these tokens, and the engine runs the text
made from them: the check and the run read the same query.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from coopgraph.errors import QueryError
from coopgraph.query.lexer import (
    IRI,
    OPERATOR,
    PNAME,
    WORD,
    Token,
    position,
    split_keywords,
    tokenize,
)

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATE_OPERATIONS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
)
_IRI_ESCAPES = {"'": "\\u0027", "#": "\\u0023"}
_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


@dataclass(frozen=True)
class SparqlText:
    """A SPARQL text read by coopgraph's lexer."""

    source: str
    original: str
    text: str
    tokens: tuple[Token, ...]
    operation: str
    form: str
    names_dataset: bool
    # Where `text` and `original` begin to differ: (offset in text, offset in original).
    shifts: tuple[tuple[int, int], ...] = ()

    def user_position(self, offset: int) -> tuple[int, int]:
        """Line and column of an offset of `original`, not counting a coopgraph prologue."""
        return position(self.original, offset)

    def original_offset(self, offset: int) -> int:
        """The offset in `original` of an offset in `text`."""
        index = bisect.bisect_right(self.shifts, (offset, len(self.original) + 1)) - 1
        if index < 0:
            return offset
        text_at, original_at = self.shifts[index]
        following = (
            self.shifts[index + 1][1] if index + 1 < len(self.shifts) else len(self.original)
        )
        return min(original_at + (offset - text_at), following)

    def token_at(self, offset: int) -> Token | None:
        """The token of `original` that holds `offset`, or the first after it."""
        ends = [token.end for token in self.tokens]
        index = bisect.bisect_right(ends, offset)
        return self.tokens[index] if index < len(self.tokens) else None

    def syntax_error(self, message: str) -> QueryError:
        """Oxigraph's syntax error `message` (on `text`) as a short, located QueryError."""
        match = _POSITION.match(message)
        if match is None:
            return QueryError(self.source, _sentence(message))
        line, column, expected = int(match.group(1)), int(match.group(2)), match.group(3)
        offset = self.original_offset(_offset_of(self.text, line, column))
        found = self.token_at(offset)
        problem = _explain(expected, found, self.tokens, offset)
        where = found.start if found is not None and found.start <= offset else offset
        if problem.startswith("invalid IRI"):
            where = _iri_before(self.tokens, offset).start
        user_line, user_column = self.user_position(min(where, len(self.original)))
        return QueryError(self.source, problem, line=user_line, column=user_column)


def _sentence(message: str) -> str:
    return message[:1].lower() + message[1:] if message[1:2].islower() else message


def _offset_of(text: str, line: int, column: int) -> int:
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return min(offset + column - 1, len(text))


def _iri_before(tokens: Sequence[Token], offset: int) -> Token:
    candidates = [token for token in tokens if token.kind in (IRI, PNAME) and token.end <= offset]
    return candidates[-1] if candidates else tokens[-1]


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _explain(expected: str, found: Token | None, tokens: Sequence[Token], offset: int) -> str:
    """What went wrong, from peg's `expected ...` list: what was found, what could stand
    there (the punctuation it lists; its lists of keywords and character ranges are the
    parser's last attempts, not advice), or the parser's own sentence."""
    items = _items(expected.removeprefix("expected one of ").removeprefix("expected "))
    sentences = [item for item in items if " " in item and not item.startswith(("[", '"'))]
    if "IRI parsing failed" in sentences:
        iri = _iri_before(tokens, offset)
        return f"invalid IRI {iri.text}: an IRI must be absolute (scheme:...) and hold no spaces"
    if "Prefix not found" in sentences:
        iri = _iri_before(tokens, offset)
        return f"unknown prefix `{iri.text.split(':', 1)[0]}:`"
    sentences = [s for s in sentences if s not in ("Prefix not found", "IRI parsing failed")]
    if sentences:
        return _sentence(sentences[0])
    if found is None:
        shown = "end of the text" + (f" (after {_shorten(tokens[-1].text)!r})" if tokens else "")
    else:
        shown = repr(_shorten(found.text))
    marks = [
        match.group(1)
        for item in items
        if (match := _QUOTED.fullmatch(item)) and match.group(1) not in ("{|", "~", "|}")
    ]
    if marks:
        return f"unexpected {shown}; expected one of {' '.join(marks[:10])}"
    return f"unexpected {shown}"


def _items(listing: str) -> list[str]:
    """The comma-separated items of peg's list, keeping brackets and quotes whole."""
    items: list[str] = []
    depth = 0
    current = ""
    quoted = False
    index = 0
    while index < len(listing):
        char = listing[index]
        if quoted:
            current += char
            if char == "\\" and index + 1 < len(listing):
                current += listing[index + 1]
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
            current += char
        elif char == "[":
            depth += 1
            current += char
        elif char == "]":
            depth -= 1
            current += char
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
        index += 1
    if current.strip():
        items.append(current.strip())
    return items


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


# --- Reading ---------------------------------------------------------------------------------


def read(
    text: str,
    source: str = "query",
    operation: str = "query",
    other_operation_hint: str | None = None,
) -> SparqlText:
    """Read `text` as a query (or, with operation="update", as an update)."""
    return _read(text, source, operation, other_operation_hint)


@functools.lru_cache(maxsize=256)
def _read(text: str, source: str, operation: str, other_operation_hint: str | None) -> SparqlText:
    tokens = tokenize(text, source)
    located = functools.partial(_located, text, source)
    _check_prefixes(tokens, located)
    first = _first_word(tokens)
    if first is None and operation == "update":  # an empty update is valid: it does nothing
        return SparqlText(source, text, text, tuple(tokens), operation, "", False)
    if first is None:
        raise QueryError(
            source,
            f"the text holds no SPARQL {operation}",
            hint="write e.g. SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        )
    form = first.upper
    is_query = form in QUERY_FORMS
    if operation == "query" and not is_query:
        if form in UPDATE_OPERATIONS:
            raise located(
                first.start,
                f"this is a SPARQL update ({form}), not a query",
                other_operation_hint or "send it as an update",
            )
        raise located(first.start, *_not_a_form(first.text, QUERY_FORMS, "a query"))
    if operation == "update" and form not in UPDATE_OPERATIONS:
        if is_query:
            raise located(
                first.start,
                f"this is a SPARQL query ({form}), not an update",
                other_operation_hint or "send it as a query",
            )
        raise located(first.start, *_not_a_form(first.text, UPDATE_OPERATIONS, "an update"))
    words = {token.upper for token in tokens if token.kind == WORD}
    names_dataset = "FROM" in words if is_query else bool(words & {"USING", "WITH"})
    run, shifts = _engine_text(text, tokens)
    return SparqlText(
        source, text, run, tuple(tokens), operation, form, names_dataset, tuple(shifts)
    )


def _located(text: str, source: str, offset: int, problem: str, hint: str) -> QueryError:
    reading = SparqlText(source, text, text, (), "", "", False)
    line, column = reading.user_position(offset)
    return QueryError(source, problem, line=line, column=column, hint=hint)


def _not_a_form(word: str, forms: Sequence[str], what: str) -> tuple[str, str]:
    close = difflib.get_close_matches(word.upper(), forms, n=1)
    hint = f"did you mean {close[0]}?" if close else f"begin with {', '.join(forms)}"
    return f"{what} begins with {' or '.join(forms[:4])}, not {_shorten(word)!r}", hint


def _first_word(tokens: Sequence[Token]) -> Token | None:
    """The first token after the prologue (BASE <iri>, PREFIX p: <iri>, VERSION "1.2")."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == WORD and token.upper in ("BASE", "VERSION"):
            index += 2
        elif token.kind == WORD and token.upper == "PREFIX":
            index += 3
        else:
            return token
    return None


def _check_prefixes(tokens: Sequence[Token], located: functools.partial[QueryError]) -> None:
    """Every prefixed name uses a prefix declared before it (Oxigraph reads in one pass)."""
    declared: set[str] = set()
    for index, token in enumerate(tokens):
        if token.kind != PNAME:
            continue
        prefix = token.text.split(":", 1)[0]
        before = tokens[index - 1] if index else None
        if before is not None and before.kind == WORD and before.upper == "PREFIX":
            declared.add(prefix)
            continue
        # SERVICE:x is SERVICE :x to Oxigraph (keywords need no boundary): its to judge.
        if prefix not in declared and split_keywords(prefix) is None:
            close = difflib.get_close_matches(prefix, sorted(declared), n=1)
            hint = f"did you mean `{close[0]}:`? Or declare it: " if close else "declare it: "
            raise located(
                token.start,
                f"unknown prefix `{prefix}:`",
                hint + f"PREFIX {prefix}: <http://...>",
            )


def _engine_text(text: str, tokens: Sequence[Token]) -> tuple[str, list[tuple[int, int]]]:
    """The text the engine runs (see the module's docstring) and where it shifts."""
    pieces: list[str] = []
    shifts: list[tuple[int, int]] = []
    written = 0  # characters of `text` copied so far
    length = 0  # characters of the result so far

    def copy(until: int) -> None:
        nonlocal written, length
        pieces.append(text[written:until])
        length += until - written
        written = until

    for token in tokens:
        if token.kind == IRI and ("'" in token.text or "#" in token.text):
            copy(token.start)
            escaped = "".join(_IRI_ESCAPES.get(char, char) for char in token.text)
            pieces.append(escaped)
            length += len(escaped)
            written = token.end
            shifts.append((length, token.end))
        elif (
            token.kind == OPERATOR
            and token.text in ("<", "<=")
            and token.end < len(text)
            and text[token.end] not in " \t\r\n"
        ):
            copy(token.end)
            pieces.append(" ")
            length += 1
            shifts.append((length, token.end))
    copy(len(text))
    return "".join(pieces), shifts
