"""The report folder as a site: every page there, every link relative and resolving, nothing
loaded from another host, spreadsheets that open as they should."""

from __future__ import annotations

import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from coopgraph.cli import main
from coopgraph.query.catalog import load_catalog
from coopgraph.report import site

EXCEL_BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "report"
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


class _References(HTMLParser):
    """Every address a page refers to: (tag, attribute, value, rel)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "action", "poster", "data"):
            value = values.get(name)
            if value is not None:
                self.found.append((tag, name, value, values.get("rel") or ""))


def references(page: Path) -> list[tuple[str, str, str, str]]:
    parser = _References()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_every_kind_of_page_is_written(folder: Path) -> None:
    for name in (
        "index.html",
        "states.html",
        "instruments.html",
        "modalities.html",
        "organisations.html",
        "reports.html",
        "network.html",
        "map.html",
        "timeline.html",
        "id/state/MLI.html",
        "id/state/SCG.html",
        "id/instrument/west-africa-child-trafficking-agreement-2005.html",
        "id/modality/joint-investigation-teams.html",
        "id/organisation/unodc.html",
        "reports/state-profile.html",
        "reports/state-profile/MLI.html",
        "reports/modality-gaps/extradition.html",
        "static/site.js",
        "static/search-index.js",
        "static/vendor/vega/vega.min.js",
        "static/vendor/cytoscape/cytoscape.min.js",
    ):
        assert (folder / name).is_file(), name
    for query in load_catalog():
        assert (folder / "reports" / f"{query.name}.html").is_file(), query.name
        assert (folder / f"{query.name}.md").is_file()  # today's outputs stay
    assert not (folder / "static" / "vendor" / "axe-core").exists()  # for the tests only


def test_no_page_loads_anything_from_another_host(folder: Path) -> None:
    for page in pages(folder):
        for tag, attribute, value, rel in references(page):
            remote = re.match(r"(https?:)?//", value)
            if not remote:
                continue
            # Only a link a person follows may go elsewhere (a document's address the text
            # gives), marked as external; nothing that loads.
            assert tag == "a" and attribute == "href" and "external" in rel, (page, tag, value)
    for script in (folder / "static").glob("*.js"):
        if script.name not in ("world.js",):
            assert not re.search(r"https?://", script.read_text(encoding="utf-8")), script
    for sheet in (folder / "static").glob("*.css"):
        assert "url(" not in sheet.read_text(encoding="utf-8"), sheet


def test_every_local_link_resolves(folder: Path) -> None:
    broken = []
    for page in pages(folder):
        for _tag, _attribute, value, _rel in references(page):
            if re.match(r"(https?:)?//|data:|mailto:|#", value):
                continue
            target = (page.parent / value.split("#", 1)[0]).resolve()
            if not target.is_file():
                broken.append((str(page.relative_to(folder)), value))
    assert broken == []


def test_a_former_iri_has_a_page_that_sends_the_reader_on(folder: Path) -> None:
    page = (folder / "id/modality/information-exchange.html").read_text(encoding="utf-8")
    current = "information-and-intelligence-exchange.html"
    assert f'<meta http-equiv="refresh" content="0; url={current}">' in page
    assert f'<link rel="canonical" href="{current}">' in page
    assert "information and intelligence exchange" in page
    assert (folder / "id/modality" / current).is_file()


def test_the_pages_say_what_was_asked(folder: Path) -> None:
    profile = (folder / "reports" / "state-profile" / "MLI.html").read_text(encoding="utf-8")
    assert "<h1>Cooperation profile of Mali</h1>" in profile
    assert "state_a_label" not in (folder / "reports" / "shared-modality-pairs.html").read_text(
        encoding="utf-8"
    )
    pairs = (folder / "reports" / "shared-modality-pairs.html").read_text(encoding="utf-8")
    assert "<h1>States sharing instruments that cover joint investigation teams</h1>" in pairs
    assert ">State A</button>" in pairs
    mali = (folder / "id" / "state" / "MLI.html").read_text(encoding="utf-8")
    assert 'href="../../reports/state-profile/MLI.html"' in mali
    assert "part:" not in mali
    west_africa = folder / "id/instrument/west-africa-child-trafficking-agreement-2005.html"
    assert "Cooperation modalities (13)" in west_africa.read_text(encoding="utf-8")


def _as_excel_opens(data: bytes) -> str:
    """Excel reads a CSV file as UTF-8 when it starts with a byte-order mark, else in the
    machine's ANSI code page (cp1252 in Western Europe and the Americas)."""
    if data.startswith(EXCEL_BOM):
        return data.decode("utf-8-sig")
    return data.decode("cp1252", errors="replace")


@pytest.mark.parametrize(
    "name",
    [
        "states.csv",
        "state-profile.csv",
        "reports/state-profile/MLI.csv",
        "reports/cooperation-partners/NGA.csv",
    ],
)
def test_csv_files_open_in_excel_with_their_accents(folder: Path, name: str) -> None:
    data = (folder / name).read_bytes()
    assert data.startswith(EXCEL_BOM)
    assert "Côte d'Ivoire" in _as_excel_opens(data)
    # Without the mark, the same bytes are mojibake: why the mark is there.
    assert "Côte d'Ivoire" not in _as_excel_opens(data[len(EXCEL_BOM) :])


def test_the_csv_that_query_prints_has_no_byte_order_mark() -> None:
    result = CliRunner().invoke(
        main, ["query", "cooperation-partners", "-p", "state=Mali", "--format", "csv"]
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("partner,")


def test_xlsx_files_hold_the_table(folder: Path) -> None:
    workbook = load_workbook(io.BytesIO((folder / "states.xlsx").read_bytes()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:2] == ("State", "ISO alpha-3")
    assert ("Côte d'Ivoire", "CIV") in {row[:2] for row in rows}
    mali = next(row for row in rows if row[0] == "Mali")
    assert mali[3] == 5  # a number, not a text
    profile = load_workbook(
        io.BytesIO((folder / "reports" / "state-profile" / "MLI.xlsx").read_bytes())
    )
    header = next(profile.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert header[0] == "Instrument"


def test_the_vendored_libraries_are_copied_unchanged(folder: Path) -> None:
    record = json.loads(
        (folder / "static" / "vendor" / "VENDORED.json").read_text(encoding="utf-8")
    )
    for entry in record["packages"].values():
        for name, digest in entry["files"].items():
            copy = folder / "static" / "vendor" / name
            if copy.exists():
                assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest, name
    vendored = site.STATIC / "vendor"
    for entry in record["packages"].values():
        for name, digest in entry["files"].items():
            assert hashlib.sha256((vendored / name).read_bytes()).hexdigest() == digest, name


def test_the_report_command_says_it_wrote_the_pages(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 0
    assert "index.html" in result.stdout
