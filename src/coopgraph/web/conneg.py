"""Content negotiation: media types offered by the server, chosen by the client's Accept header.

Public API:
    MediaRange                       one parsed entry of an Accept header (type, subtype, q)
    parse_accept(header)             the entries of an Accept header, best first
    negotiate(header, offered)       the offered media type the client prefers, or None (406)
    media_type_of(content_type)      ("type/subtype", charset or None) of a Content-Type value

The rules are RFC 9110's: a more specific range (`text/turtle` over `text/*` over `*/*`)
sets the quality of a type; among types of equal quality the server's order of `offered`
decides; `q=0` refuses a type. A missing or empty header accepts anything, so the first
offered type is chosen. Aliases let a client name a format by a common synonym (e.g.
`application/json` for SPARQL JSON results) and still get the canonical type back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    quality: float

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped."""
    ranges: list[MediaRange] = []
    for entry in (header or "").split(","):
        fields = [field.strip() for field in entry.split(";")]
        kind, slash, sub = fields[0].lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality))
    return sorted(ranges, key=lambda r: (-r.quality, -r.specificity))


def negotiate(
    header: str | None,
    offered: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """The type of `offered` the client prefers, `None` when it accepts none of them.

    `aliases` maps other names of a format (e.g. `application/json`) to one of `offered`.
    """
    ranges = parse_accept(header)
    if not ranges:
        return offered[0] if offered else None
    candidates = [(media_type, media_type) for media_type in offered]
    candidates += [(alias, target) for alias, target in (aliases or {}).items()]
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for position, (name, target) in enumerate(candidates):
        quality = _quality(ranges, name)
        if quality <= 0:
            continue
        # Prefer higher quality, then an exact (non-wildcard) match, then the server's order.
        exact = max((r.specificity for r in ranges if r.matches(name)), default=0)
        key = (quality, exact, -position)
        if best is None or key > best:
            best, chosen = key, target
    return chosen


def _quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the most specific matching range gives `media_type` (0 if none matches)."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    most_specific = max(r.specificity for r in matching)
    return max(r.quality for r in matching if r.specificity == most_specific)


def media_type_of(content_type: str | None) -> tuple[str, str | None]:
    """The bare media type (lower case) and the charset parameter of a Content-Type value."""
    if not content_type:
        return "", None
    fields = [field.strip() for field in content_type.split(";")]
    charset = None
    for parameter in fields[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return fields[0].lower(), charset
