"""Content negotiation by the Accept header."""

from __future__ import annotations

import pytest

from coopgraph.web.conneg import media_type_of, negotiate

OFFERED = ["text/turtle", "application/n-triples", "application/ld+json"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "text/turtle"),
        ("", "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/*", "application/n-triples"),
        ("text/turtle;q=0.2, application/ld+json;q=0.5", "application/ld+json"),
        ("*/*;q=0.1, application/n-triples", "application/n-triples"),
        ("application/n-triples;q=0, */*", "text/turtle"),
        ("text/*;q=0, application/ld+json;q=0.3, */*;q=0.9", "application/n-triples"),
        ("image/png", None),
        ("garbage, application/json", "application/ld+json"),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, OFFERED, {"application/json": "application/ld+json"}) == chosen


def test_media_type_of() -> None:
    assert media_type_of("Text/Turtle; charset=UTF-8") == ("text/turtle", "utf-8")
    assert media_type_of(None) == ("", None)
