from __future__ import annotations

import pytest

from .w3c_tally import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.total:
        terminalreporter.write_sep("-", "W3C SHACL Core")
        terminalreporter.write_line(TALLY.line(TALLY.total))
        for failure in TALLY.failures:
            terminalreporter.write_line(f"  {failure}")
