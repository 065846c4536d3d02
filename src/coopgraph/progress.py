"""Progress of long work, as the core reports it: a sequence of steps, each with an optional
count of units of work. The core only calls `step` and `advance`; what a person sees (a bar
per step on a terminal, nothing when the output is piped) is the command line's business.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def step(self, label: str, total: int | None = None) -> None:
        """A new step starts (the previous one is done); `total` units of work, if known."""

    def advance(self, amount: int = 1) -> None:
        """`amount` more units of the current step are done."""

    def done(self) -> None:
        """The last step is done."""


class Silent:
    """Reports nothing: the default for every core function that takes a `Progress`."""

    def step(self, label: str, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None

    def done(self) -> None:
        return None
