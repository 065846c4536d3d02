"""Every literal of an XSD datatype checked against that datatype, whether or not a shape
names its property: `"20x5"^^xsd:gYear` is reported, located at its file and line.

The lexical spaces are XML Schema 1.1 Part 2's (RDF 1.1 Concepts §5.3: a literal whose lexical
form is not in its datatype's lexical space is ill-typed). rdflib knows too few datatypes
(`xsd:gYear` has no converter) and accepts what the standard does not (`" 12 "^^xsd:integer`),
so this module has its own table. A datatype IRI in the XSD namespace that XSD does not define
(`xsd:interger`) is reported too.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

WELL_TYPED_LITERALS = URIRef("https://w3id.org/coopgraph/validation#WellTypedLiterals")
"""The source shape of the results of this check (no shape in a shapes graph has it)."""

_XSD = str(XSD)


@dataclass(frozen=True)
class IllTypedLiteral:
    """A triple whose object is ill-typed, and where it is written when that is known."""

    subject: Node
    predicate: URIRef
    literal: Literal
    problem: str


def _match(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda text: compiled.fullmatch(text) is not None


def _integer(low: int | None = None, high: int | None = None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if not _INTEGER.fullmatch(text):
            return False
        value = int(text)
        return (low is None or value >= low) and (high is None or value <= high)

    return check


_INTEGER = re.compile(r"[+-]?[0-9]+")
_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"


def _date_then(rest: str) -> Callable[[str], bool]:
    """A date (with a day that exists in its month), then `rest`."""
    whole = re.compile(rf"({_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){rest}")

    def check(text: str) -> bool:
        found = whole.fullmatch(text)
        if found is None:
            return False
        year, month, day = (int(part) for part in found.groups()[:3])
        # XSD 1.1 has a year 0 (1 BCE), a leap year; calendar.isleap agrees for every year.
        return day <= _days_in(month, year)

    return check


def _days_in(month: int, year: int | None) -> int:
    if month == 2:
        return 29 if year is None or calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _month_day(text: str) -> bool:
    found = re.fullmatch(rf"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}?", text)
    return found is not None and int(found.group(2)) <= _days_in(int(found.group(1)), None)


_NAME_START = r"A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"  # noqa: E501
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NCNAME = rf"[{_NAME_START}][{_NAME_CHAR}]*"
_NMTOKEN = rf"[{_NAME_CHAR}:]+"
_DURATION = (
    r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
)
_B64 = r"[A-Za-z0-9+/]"
_B64_TEXT = re.compile(
    rf"(?:(?:{_B64} ?){{4}})*(?:(?:{_B64} ?){{3}}{_B64}|(?:{_B64} ?){{2}}[AEIMQUYcgkosw048] ?="
    rf"|{_B64} ?[AQgw] ?= ?=)?"
)
_FLOAT = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?|[+-]?INF|NaN"

LEXICAL_SPACES: dict[str, Callable[[str], bool]] = {
    "string": lambda text: True,
    "normalizedString": _match(r"[^\r\n\t]*"),
    "token": _match(r"(?:[^\s]+(?: [^\s]+)*)?"),
    "language": _match(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*"),
    "Name": _match(rf"[{_NAME_START}:][{_NAME_CHAR}:]*"),
    "NCName": _match(_NCNAME),
    "ID": _match(_NCNAME),
    "IDREF": _match(_NCNAME),
    "ENTITY": _match(_NCNAME),
    "IDREFS": _match(rf"{_NCNAME}(?: {_NCNAME})*"),
    "ENTITIES": _match(rf"{_NCNAME}(?: {_NCNAME})*"),
    "NMTOKEN": _match(_NMTOKEN),
    "NMTOKENS": _match(rf"{_NMTOKEN}(?: {_NMTOKEN})*"),
    "QName": _match(rf"(?:{_NCNAME}:)?{_NCNAME}"),
    "NOTATION": _match(rf"(?:{_NCNAME}:)?{_NCNAME}"),
    "anyURI": lambda text: True,  # XSD 1.1: any string that a URI reference can be made of
    "boolean": _match(r"true|false|1|0"),
    "decimal": _match(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    "precisionDecimal": _match(_FLOAT),
    "float": _match(_FLOAT),
    "double": _match(_FLOAT),
    "integer": _integer(),
    "nonPositiveInteger": _integer(high=0),
    "negativeInteger": _integer(high=-1),
    "nonNegativeInteger": _integer(low=0),
    "positiveInteger": _integer(low=1),
    "long": _integer(-(2**63), 2**63 - 1),
    "int": _integer(-(2**31), 2**31 - 1),
    "short": _integer(-(2**15), 2**15 - 1),
    "byte": _integer(-(2**7), 2**7 - 1),
    "unsignedLong": _integer(0, 2**64 - 1),
    "unsignedInt": _integer(0, 2**32 - 1),
    "unsignedShort": _integer(0, 2**16 - 1),
    "unsignedByte": _integer(0, 2**8 - 1),
    "duration": _match(_DURATION),
    "dayTimeDuration": _match(
        r"-?P(?=[0-9T])(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
    ),
    "yearMonthDuration": _match(r"-?P(?=[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?"),
    "dateTime": _date_then(rf"T{_TIME}{_TZ}?"),
    "dateTimeStamp": _date_then(rf"T{_TIME}{_TZ}"),
    "date": _date_then(rf"{_TZ}?"),
    "time": _match(rf"{_TIME}{_TZ}?"),
    "gYear": _match(rf"{_YEAR}{_TZ}?"),
    "gYearMonth": _match(rf"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}?"),
    "gMonth": _match(rf"--(?:0[1-9]|1[0-2]){_TZ}?"),
    "gDay": _match(rf"---(?:0[1-9]|[12][0-9]|3[01]){_TZ}?"),
    "gMonthDay": _month_day,
    "hexBinary": _match(r"(?:[0-9a-fA-F]{2})*"),
    "base64Binary": lambda text: _B64_TEXT.fullmatch(text) is not None,
    "anySimpleType": lambda text: True,
    "anyAtomicType": lambda text: True,
}


def problem_of(literal: Literal) -> str | None:
    """Why `literal` is ill-typed, or None when it is well-typed (or of a datatype that is
    not XSD's)."""
    datatype = literal.datatype
    if datatype is None or not str(datatype).startswith(_XSD):
        return None
    return lexical_problem(str(literal), str(datatype))


def lexical_problem(lexical: str, datatype: str) -> str | None:
    """Why `lexical` is not in the lexical space of `datatype` (an XSD IRI), or None."""
    if not datatype.startswith(_XSD):
        return None
    name = datatype[len(_XSD) :]
    check = LEXICAL_SPACES.get(name)
    if check is None:
        return f"xsd:{name} is not an XSD datatype"
    if not check(lexical):
        return f'"{lexical}" is not a valid xsd:{name} (an ill-typed literal)'
    return None


def find_ill_typed(
    literals: Iterable[Literal], triples_of: Callable[[Literal], Iterable[tuple[Node, URIRef]]]
) -> list[IllTypedLiteral]:
    """The ill-typed ones of the distinct `literals`, each with the triples (subject,
    predicate) that have it as object, from `triples_of`."""
    found: list[IllTypedLiteral] = []
    for literal in literals:
        problem = problem_of(literal)
        if problem is None:
            continue
        for subject, predicate in triples_of(literal):
            found.append(IllTypedLiteral(subject, predicate, literal, problem))
    return sorted(found, key=lambda f: (str(f.subject), str(f.predicate), str(f.literal)))


def literal_line(
    literal: Literal, file: Path | None, after: int | None, files: Sequence[Path]
) -> tuple[Path, int] | None:
    """Where `literal` is written: the first line at or after `after` (the line of its
    subject) in `file` that quotes its lexical form; else in any of `files`."""
    quoted = [f'"{literal}"', f"'{literal}'"]
    candidates = [(file, after or 1)] if file is not None else [(path, 1) for path in files]
    for path, start in candidates:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number in range(start, len(lines) + 1):
            if any(text in lines[number - 1] for text in quoted):
                return path, number
    return None
