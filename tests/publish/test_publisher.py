"""`publish --publisher NAME --contact EMAIL` (or a coopgraph.toml / pyproject.toml setting):
written into the DCAT-AP catalogue and valid against its shapes; a warning without --base-url."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from coopgraph.cli import main
from coopgraph.errors import CoopgraphError
from coopgraph.publish.dcat import DCAT, VCARD
from coopgraph.publish.folder import publish
from coopgraph.publish.publisher import publisher_settings
from coopgraph.publish.release import CONTACT, DATASET, PUBLISHER
from coopgraph.query.engine import OxigraphEngine

from .test_publish import BASE_URL, RELEASE_DATE, engine, official_shapes, shacl_results

__all__ = ["engine"]  # the module's engine fixture, shared with test_publish


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory, engine: OxigraphEngine) -> Graph:
    folder = tmp_path_factory.mktemp("publisher") / "release"
    publish(
        folder,
        engine,
        base_url=BASE_URL,
        release_date=RELEASE_DATE,
        publisher="United Nations Office on Drugs and Crime",
        contact="mailto:data@example.org",
    )
    return Graph().parse(folder / "catalog.ttl", format="turtle")


def test_the_publisher_and_the_contact_are_in_the_catalogue(catalog: Graph) -> None:
    assert (DATASET, DCTERMS.publisher, PUBLISHER) in catalog
    assert (
        PUBLISHER,
        FOAF.name,
        Literal("United Nations Office on Drugs and Crime", lang="en"),
    ) in catalog
    assert (DATASET, DCAT.contactPoint, CONTACT) in catalog
    assert (CONTACT, RDF.type, VCARD.Kind) in catalog
    assert (CONTACT, VCARD.hasEmail, URIRef("mailto:data@example.org")) in catalog
    assert (CONTACT, VCARD.fn, Literal("United Nations Office on Drugs and Crime")) in catalog


@pytest.mark.parametrize(
    "names", [("dcat-ap-SHACL.ttl",), ("ranges.ttl",), ("dcat-ap-SHACL.ttl", "ranges.ttl")]
)
def test_the_catalogue_with_them_conforms_to_dcat_ap_3(
    catalog: Graph, names: tuple[str, ...]
) -> None:
    violations = [r for r in shacl_results(catalog, official_shapes(*names)) if r[0] == "Violation"]
    assert violations == [], "\n".join(" | ".join(r) for r in violations)


@pytest.mark.parametrize("contact", ["not an address", "a@b", "x@example.org>", ""])
def test_a_contact_that_is_not_an_email_address_is_refused_before_writing(
    tmp_path: Path, engine: OxigraphEngine, contact: str
) -> None:
    with pytest.raises(CoopgraphError, match="is not an e-mail address"):
        publish(tmp_path / "release", engine, base_url=BASE_URL, contact=contact)
    assert not (tmp_path / "release").exists()


def test_the_settings_files(tmp_path: Path) -> None:
    assert publisher_settings(tmp_path) == (None, None, None)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.coopgraph]\npublisher = "OSCE"\ncontact = "data@osce.example"\n', encoding="utf-8"
    )
    assert publisher_settings(tmp_path)[:2] == ("OSCE", "data@osce.example")
    (tmp_path / "coopgraph.toml").write_text('publisher = "IOM"\n', encoding="utf-8")
    assert publisher_settings(tmp_path) == ("IOM", None, str(tmp_path / "coopgraph.toml"))
    (tmp_path / "coopgraph.toml").write_text('publisher = "IOM\n', encoding="utf-8")
    with pytest.raises(CoopgraphError, match=r"coopgraph\.toml: not valid TOML"):
        publisher_settings(tmp_path)
    (tmp_path / "coopgraph.toml").write_text("contact = 3\n", encoding="utf-8")
    with pytest.raises(CoopgraphError, match=r"'contact' must be a text"):
        publisher_settings(tmp_path)


def _publish(arguments: list[str], cwd: Path, store_cache: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["publish", "--date", "2026-01-15", "--cache-dir", str(store_cache), *arguments]
    )
    return result.exit_code, result.stdout, result.stderr


def test_cli_publisher_from_a_setting_and_a_warning_without_base_url(
    tmp_path: Path, store_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "coopgraph.toml").write_text(
        'publisher = "Ministry of Justice"\ncontact = "data@justice.example"\n', encoding="utf-8"
    )
    code, _out, err = _publish(["-o", "release"], tmp_path, store_cache)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("coopgraph: warning")]
    assert len(warnings) == 1 and "--base-url" in warnings[0] and "w3id.org" in warnings[0]
    catalog = Graph().parse(tmp_path / "release" / "catalog.ttl", format="turtle")
    assert (CONTACT, VCARD.hasEmail, URIRef("mailto:data@justice.example")) in catalog
    assert (PUBLISHER, FOAF.name, Literal("Ministry of Justice", lang="en")) in catalog
    # The options win over the setting; with --base-url, no warning.
    code, _out, err = _publish(
        ["-o", "release2", "--base-url", BASE_URL, "--publisher", "UNODC"], tmp_path, store_cache
    )
    assert code == 0, err
    assert "coopgraph: warning" not in err
    catalog = Graph().parse(tmp_path / "release2" / "catalog.ttl", format="turtle")
    assert (PUBLISHER, FOAF.name, Literal("UNODC", lang="en")) in catalog
    assert (CONTACT, VCARD.hasEmail, URIRef("mailto:data@justice.example")) in catalog


def test_cli_a_bad_contact_is_one_line(tmp_path: Path, store_cache: Path) -> None:
    code, _out, err = _publish(
        ["-o", str(tmp_path / "r"), "--base-url", BASE_URL, "--contact", "nobody"],
        tmp_path,
        store_cache,
    )
    assert code == 2
    assert (
        err.strip().splitlines()[-1].startswith("coopgraph: error: --publisher/--contact: 'nobody'")
    )
    assert not (tmp_path / "r").exists()
