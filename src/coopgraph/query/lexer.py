"""The tokens of a SPARQL text, read as Oxigraph's parser reads them.

Public API:
    Token(kind, text, start, end)      one token; `start`/`end` are character offsets
    IRI, PNAME, BLANK, VAR, STRING, NUMBER, LANGTAG, WORD, PUNCT, OPERATOR   token kinds
    MAX_DEPTH                           the deepest nesting of { ( [ << a text may have
    MAX_TERM_DEPTH                      ... and of the brackets of terms among them: [ ],
                                        collections ( ) and quoted triples << >>
    tokenize(text, source) -> list[Token]
                                        the tokens, or a QueryError at the first character
                                        that Oxigraph could not read either
    position(text, offset) -> (line, column)
                                        1-based, as Oxigraph counts them (lines end at \\n),
                                        not counting the lines of a coopgraph prologue
    PROLOGUE_END                        the comment that ends the PREFIX lines `coopgraph
                                        sparql` puts before the user's text

The rules are Oxigraph's (spargebra's grammar, built without `standard-unicode-escaping`):
`\\uXXXX` and `\\UXXXXXXXX` are escapes inside strings and IRIs only, so `"\\u0022"` is a
string holding a quote, and a `\\u` anywhere else is refused here (rdflib and the SPARQL 1.1
text, §19.2, would decode it first and read a different query). Whitespace is space, tab,
CR and LF; a comment runs from `#` to the end of its line; a keyword needs no word boundary
(Oxigraph reads `SELECTDISTINCT*` as `SELECT DISTINCT *`), so a word made of keywords is cut
into them.

`<` is the one character whose meaning depends on where it stands: an IRI where a term is
expected, the less-than operator after an operand inside an expression. The lexer keeps a
stack of the brackets it is in, and of whether each `(` opened an expression, to decide as
the parser would. Where it could still be wrong, `coopgraph.query.guard` writes the text the
engine runs so that the decision cannot matter (see there).

The nesting depth is checked here, before any parser sees the text. Oxigraph's parser is
recursive: 2,190 nested groups `{` end the process with a stack overflow (8 MiB stack), and it
backtracks through nested terms, so that its time grows with about the fourth power of their
depth (measured with pyoxigraph 0.5: 50 nested blank nodes `[` parse in 0.2 s, 100 in 4.7 s,
150 in 37 s; collections alike). Hence two limits on one stack of brackets: 128 levels of any
bracket (100 nested groups run), of which at most 32 brackets of terms (0.1 s).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from coopgraph.errors import QueryError

IRI = "iri"
PNAME = "pname"
BLANK = "blank"
VAR = "var"
STRING = "string"
NUMBER = "number"
LANGTAG = "langtag"
WORD = "word"
PUNCT = "punct"
OPERATOR = "operator"

# Deeper than any query a person writes (100 nested groups run), well below the depth at which
# Oxigraph's recursive parser overflows its stack.
MAX_DEPTH = 128
# `coopgraph sparql` ends its PREFIX prologue with this comment line.
PROLOGUE_END = "# end of coopgraph prefixes\n"
MAX_TERM_DEPTH = 32


class Token(NamedTuple):
    """One token of a SPARQL text: its kind, its text, and where it stands."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper()


# --- Oxigraph's terminals ----------------------------------------------------------------------

_NAME_START = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_NAME_MORE = "\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"


class _Names(NamedTuple):
    pname: re.Pattern[str]
    varname: re.Pattern[str]
    blank: re.Pattern[str]


def _names(unicode: bool) -> _Names:
    """The patterns of names. Their classes of Unicode letters take tens of milliseconds to
    compile, so a text of ASCII alone (as every stored query is) is read with ASCII classes,
    which match exactly the same there."""
    base = "A-Za-z" + (_NAME_START if unicode else "")
    more = _NAME_MORE if unicode else ""
    chars_u = base + "_"
    chars = chars_u + "\\-0-9" + more
    prefix = f"[{base}][{chars}]*+(?:\\.++[{chars}]++)*+"
    local = f"(?:[{chars_u}:0-9]|{_PLX})(?:[{chars}:]|{_PLX})*+(?:\\.++(?:[{chars}:]|{_PLX})++)?+"
    return _Names(
        re.compile(f"(?:{prefix})?:(?:{local})?"),
        re.compile(f"[{chars_u}0-9][{chars_u}0-9{more}]*+"),
        re.compile(f"_:[{chars_u}0-9][{chars}]*+(?:\\.++[{chars}]++)*+"),
    )


_ASCII_NAMES = _names(unicode=False)
_unicode_names = functools.cache(functools.partial(_names, unicode=True))
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*+")
_LANGTAG = re.compile(r"@[A-Za-z]++(?:-[A-Za-z0-9]++)*+(?:--[A-Za-z]++)?+")
_NUMBER = re.compile(
    r"[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++[eE][+-]?[0-9]++|[0-9]++[eE][+-]?[0-9]++"
    r"|[0-9]*+\.[0-9]++|[0-9]++"
)
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
# The IRIs a person writes: what IRIREF allows, with \u escapes.
_IRIREF = re.compile(f'<(?:[^\\x00-\\x20<>"{{}}|^`\\\\]|{_UCHAR})*+>')
_ESCAPE = re.compile(f"\\\\[tbnrf\"'\\\\]|{_UCHAR}")
_ECHAR = r"\\[tbnrf\"'\\]"
_STRINGS = {
    quote: re.compile(f"{quote}(?:[^{quote}\\\\\n\r]|{_ECHAR}|{_UCHAR})*+{quote}")
    for quote in "\"'"
}
_LONG_STRINGS = {
    quote: re.compile(
        f"{quote * 3}(?:(?:{quote * 2}|{quote})?(?:[^{quote}\\\\]|{_ECHAR}|{_UCHAR}))*+{quote * 3}"
    )
    for quote in "\"'"
}
_SPACE = re.compile(r"[ \t\r\n]++")
_COMMENT = re.compile(r"#[^\r\n]*+")
_PUNCTUATION = ("^^", "!=", "&&", "||", "<=", ">=", *"{}()[].,;*/|^!+-=<>?$~")

# Every keyword of SPARQL 1.1 Query and Update, and the function names, as Oxigraph knows them.
KEYWORDS = frozenset(
    """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF LOAD SILENT INTO CLEAR DROP CREATE ADD
    MOVE COPY TO INSERT DELETE DATA WITH USING DEFAULT GRAPH ALL OPTIONAL SERVICE BIND MINUS
    UNION FILTER A TRUE FALSE IN NOT EXISTS SEPARATOR COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND
    CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER
    YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
    SUBSTR REPLACE TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR HASLANG HASLANGDIR
    STRLANGDIR ADJUST VERSION LATERAL
    """.split()  # noqa: SIM905 - a list of 130 words reads better as words
)
_LONGEST_KEYWORD = max(map(len, KEYWORDS))

# After these, `<` is less-than (inside an expression).
_OPERAND_ENDS = {IRI, PNAME, VAR, STRING, NUMBER, LANGTAG, BLANK}
# A `(` after one of these words, in a pattern, is not an expression.
_NOT_CALLS = {"A", "VALUES", "TRUE", "FALSE", "UNDEF"}

_EXPRESSION = "("  # an expression's parenthesis
_LIST = "l"  # a collection, a property path group, a VALUES row
_GROUP = "{"
_BNODE = "["
_QUOTED = "<<"
_TERMS = (_LIST, _BNODE, _QUOTED)


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`, as the user counts them: the lines
    of the PREFIX prologue that `coopgraph sparql` puts before the user's text do not count."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    end = text.find(PROLOGUE_END)
    if 0 <= end < offset:
        line -= text.count("\n", 0, end + len(PROLOGUE_END))
    return line, column


def split_keywords(word: str) -> list[str] | None:
    """`word` cut into keywords, as Oxigraph reads a run of letters (None: it is not one)."""
    upper = word.upper()
    if upper in KEYWORDS:
        return [word]
    # ways[i]: a cut of upper[:i] into keywords, the fewest pieces first.
    ways: list[list[str] | None] = [[]] + [None] * len(upper)
    for end in range(1, len(upper) + 1):
        for start in range(max(0, end - _LONGEST_KEYWORD), end):
            before = ways[start]
            if before is not None and upper[start:end] in KEYWORDS:
                candidate = [*before, word[start:end]]
                current = ways[end]
                if current is None or len(candidate) < len(current):
                    ways[end] = candidate
    return ways[len(upper)]


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.tokens: list[Token] = []
        self.names = _ASCII_NAMES if text.isascii() else _unicode_names()
        self.stack: list[str] = []
        self.opened: list[int] = []  # where each bracket of the stack was opened

    def fail(self, offset: int, problem: str, hint: str) -> QueryError:
        line, column = position(self.text, offset)
        return QueryError(self.source, problem, line=line, column=column, hint=hint)

    def add(self, kind: str, start: int, end: int) -> int:
        self.tokens.append(Token(kind, self.text[start:end], start, end))
        return end

    def previous(self, back: int = 1) -> Token | None:
        return self.tokens[-back] if len(self.tokens) >= back else None

    def open(self, kind: str, start: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(
                start,
                f"the query nests brackets deeper than {MAX_DEPTH} levels",
                f"write it with at most {MAX_DEPTH} nested {{ }}, ( ) and [ ]",
            )
        if kind in _TERMS and sum(open_ in _TERMS for open_ in self.stack) >= MAX_TERM_DEPTH:
            raise self.fail(
                start,
                f"the query nests blank nodes [ ], collections ( ) or quoted triples << >> "
                f"deeper than {MAX_TERM_DEPTH} levels",
                f"write it with at most {MAX_TERM_DEPTH} of them inside each other",
            )
        self.stack.append(kind)
        self.opened.append(start)

    def pop(self) -> None:
        self.stack.pop()
        self.opened.pop()

    def close(self, kinds: tuple[str, ...], start: int) -> None:
        """Close the innermost bracket, which must be one of `kinds`."""
        mark = self.text[start]
        if self.stack and self.stack[-1] in kinds:
            self.pop()
            return
        if not self.stack:
            raise self.fail(start, f"{mark!r} closes no bracket", "remove it, or open one before")
        opening = self.text[self.opened[-1]]
        line, column = position(self.text, self.opened[-1])
        closing = {"{": "}", "(": ")", "[": "]", "<": ">>"}[opening]
        raise self.fail(
            start,
            f"{mark!r} where the {opening!r} opened at line {line}, column {column} "
            f"must be closed first",
            f"close it with {closing!r}, or finish what it holds",
        )

    def unclosed(self) -> QueryError:
        opening = self.text[self.opened[-1]]
        return self.fail(
            self.opened[-1],
            f"the {opening!r} opened here is never closed",
            "close it, or finish what it holds",
        )

    def in_expression(self) -> bool:
        return bool(self.stack) and self.stack[-1] == _EXPRESSION

    def less_than_here(self) -> bool:
        """Whether a `<` here is the operator: after an operand, inside an expression."""
        before = self.previous()
        if before is None or not self.in_expression():
            return False
        if before.kind in _OPERAND_ENDS or before.text == ")":
            return True
        return before.kind == WORD and before.upper in ("TRUE", "FALSE")

    def parenthesis_opens_expression(self) -> bool:
        before = self.previous()
        if not self.stack:  # SELECT (...), GROUP BY (...), HAVING (...), ORDER BY (...)
            return not (before is not None and before.upper == "VALUES")
        if self.in_expression():
            return True
        if self.stack[-1] == _LIST or before is None:
            return False
        if before.kind == WORD:  # FILTER (, BIND (, a function's name
            return before.upper not in _NOT_CALLS
        if before.kind in (IRI, PNAME):  # FILTER <function>(
            earlier = self.previous(2)
            return earlier is not None and earlier.kind == WORD and earlier.upper == "FILTER"
        return False

    def read(self) -> list[Token]:
        text = self.text
        index = 0
        length = len(text)
        while index < length:
            char = text[index]
            if char in " \t\r\n":
                index = _SPACE.match(text, index).end()  # type: ignore[union-attr]
            elif char == "#":
                index = _COMMENT.match(text, index).end()  # type: ignore[union-attr]
            elif char in "\"'":
                index = self.string(index)
            elif char == "<":
                index = self.angle(index)
            elif char == ">":
                index = self.closing_angle(index)
            elif char in "?$" and (found := self.names.varname.match(text, index + 1)):
                index = self.add(VAR, index, found.end())
            elif char == "_" and (found := self.names.blank.match(text, index)):
                index = self.add(BLANK, index, found.end())
            elif char == "@" and (found := _LANGTAG.match(text, index)):
                index = self.add(LANGTAG, index, found.end())
            elif (char.isdigit() or char == ".") and (found := _NUMBER.match(text, index)):
                index = self.add(NUMBER, index, found.end())
            elif found := self.names.pname.match(text, index):
                index = self.add(PNAME, index, found.end())
            elif found := _WORD.match(text, index):
                index = self.words(index, found.end())
            elif char == "\\":
                raise self.escape_outside(index)
            else:
                index = self.punctuation(index)
        if self.stack:
            raise self.unclosed()
        return self.tokens

    def words(self, start: int, end: int) -> int:
        pieces = split_keywords(self.text[start:end])
        if pieces is None:
            return self.add(WORD, start, end)
        for piece in pieces:
            start = self.add(WORD, start, start + len(piece))
        return end

    def string(self, start: int) -> int:
        text = self.text
        quote = text[start]
        long = text.startswith(quote * 3, start)
        whole = (_LONG_STRINGS if long else _STRINGS)[quote].match(text, start)
        if whole is not None:
            return self.add(STRING, start, whole.end())
        # Not a string: find what is wrong, for the message.
        index = start + (3 if long else 1)
        while index < len(text):
            char = text[index]
            if char == "\\":
                escape = _ESCAPE.match(text, index)
                if escape is None:
                    raise self.fail(
                        index,
                        f"the escape {text[index : index + 2]!r} is not one SPARQL has",
                        "write \\t \\b \\n \\r \\f \\\" \\' \\\\ or \\uXXXX in a string",
                    )
                index = escape.end()
            elif long and text.startswith(quote * 3, index):
                return self.add(STRING, start, index + 3)
            elif not long and char == quote:
                return self.add(STRING, start, index + 1)
            elif not long and char in "\r\n":
                break
            else:
                index += 1
        raise self.fail(
            start,
            "a string is not closed" + ("" if long else " on its line"),
            f"end it with {quote * 3 if long else quote}"
            + ("" if long else f", or write it as {quote * 3}...{quote * 3} to span lines"),
        )

    def angle(self, start: int) -> int:
        text = self.text
        if not self.less_than_here():
            if iri := _IRIREF.match(text, start):
                return self.add(IRI, start, iri.end())
            if text.startswith("<<", start):
                self.open(_QUOTED, start)
                end = start + (3 if text.startswith("<<(", start) else 2)
                return self.add(PUNCT, start, end)
        end = start + (2 if text.startswith("<=", start) else 1)
        return self.add(OPERATOR, start, end)

    def closing_angle(self, start: int) -> int:
        text = self.text
        if text.startswith(">>", start) and self.stack and self.stack[-1] == _QUOTED:
            self.pop()
            return self.add(PUNCT, start, start + 2)
        end = start + (2 if text.startswith(">=", start) else 1)
        return self.add(OPERATOR, start, end)

    def punctuation(self, start: int) -> int:
        text = self.text
        for mark in _PUNCTUATION:
            if text.startswith(mark, start):
                break
        else:
            char = text[start]
            if char == "\ufeff":
                raise self.fail(
                    start,
                    "a byte-order mark (U+FEFF) stands in the text",
                    "remove it (save the file as UTF-8 without a byte-order mark)",
                )
            raise self.fail(
                start,
                f"unexpected character {char!r} (U+{ord(char):04X})",
                "remove it, or put it inside a string",
            )
        if mark == "{":
            self.open(_GROUP, start)
        elif mark == "[":
            self.open(_BNODE, start)
        elif mark == "(":
            self.open(_EXPRESSION if self.parenthesis_opens_expression() else _LIST, start)
        elif mark == "}":
            self.close((_GROUP,), start)
        elif mark == "]":
            self.close((_BNODE,), start)
        elif mark == ")":
            if text.startswith(")>>", start) and self.stack and self.stack[-1] == _QUOTED:
                self.pop()
                return self.add(PUNCT, start, start + 3)
            self.close((_EXPRESSION, _LIST), start)
        kind = OPERATOR if mark in ("!=", "&&", "||", "<=", ">=", "=", "<", ">") else PUNCT
        return self.add(kind, start, start + len(mark))

    def escape_outside(self, start: int) -> QueryError:
        if self.text.startswith(("\\u", "\\U"), start):
            return self.fail(
                start,
                f"the escape {self.text[start : start + 6]}… stands outside a string or an IRI",
                "write the character itself: Oxigraph reads \\u escapes only inside strings and "
                "IRIs, other SPARQL tools everywhere",
            )
        return self.fail(start, "unexpected '\\'", "a backslash belongs inside a string")


def tokenize(text: str, source: str = "query") -> list[Token]:
    """The tokens of `text`; a QueryError (named after `source`) where it cannot be read."""
    return _Reader(text, source).read()
