from __future__ import annotations

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from rdflib import URIRef

from coopgraph.build.engine import open_engine
from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import INSTRUMENT, MODALITY, STATE
from coopgraph.query.engine import OxigraphEngine
from coopgraph.report.layout import layout
from coopgraph.report.network import (
    GROUP_ORDER,
    NO_GROUP,
    SEVERAL_GROUPS,
    Edge,
    ModalityGroup,
    Network,
    StateNode,
    cooperation_network,
    draw_network,
    free_direction,
    main_group,
)

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEE_CONVENTION = INSTRUMENT["see-police-cooperation-convention-2006"]
# The six the text names (Serbia and Montenegro signed) and Serbia and Montenegro, which ratified
# the Convention in their own name (third review of issue 14).
SEE_STATES = [STATE[code] for code in ("ALB", "BIH", "MDA", "ROU", "SCG", "MKD", "SRB", "MNE")]
LAW_ENFORCEMENT = ModalityGroup(MODALITY["law-enforcement-cooperation"], "law enforcement")
VICTIMS = ModalityGroup(MODALITY["victim-protection-and-assistance"], "victims")
NEW_GROUP = ModalityGroup(URIRef("http://example.org/new-group"), "new")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store cache of the tests' own: ~/.cache is never touched."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COOPGRAPH_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def engine(cache_dir: Path) -> OxigraphEngine:
    return open_engine()


@pytest.fixture(scope="module")
def network(engine: OxigraphEngine) -> Network:
    return cooperation_network(engine)


@pytest.fixture(scope="module")
def drawn(network: Network, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("drawing")
    svg, png = folder / "network.svg", folder / "network.png"
    draw_network(network, svg, png)
    return svg, png


# --- The network of the bundled data ------------------------------------------------------


def test_the_south_east_european_states_are_pairwise_linked(network: Network) -> None:
    see_edges = [edge for edge in network.edges if edge.instrument == SEE_CONVENTION]
    assert len(see_edges) == len(list(combinations(SEE_STATES, 2)))
    assert {frozenset(edge.states) for edge in see_edges} == {
        frozenset(pair) for pair in combinations(SEE_STATES, 2)
    }
    assert {edge.instrument_label for edge in see_edges} == {
        "Police Cooperation Convention for South-East Europe"
    }
    # Eight of its modalities are law enforcement cooperation, one capacity building.
    assert {edge.group.iri for edge in see_edges} == {MODALITY["law-enforcement-cooperation"]}


def test_nodes_are_states_with_their_labels_and_the_former_state_flagged(
    network: Network,
) -> None:
    nodes = {node.iri: node for node in network.nodes}
    assert set(SEE_STATES) <= set(nodes)
    assert nodes[STATE.ALB] == StateNode(STATE.ALB, "Albania", former=False)
    assert nodes[STATE.SCG] == StateNode(STATE.SCG, "Serbia and Montenegro", former=True)
    assert [node.iri for node in network.nodes if node.former] == [STATE.SCG]
    linked = {state for edge in network.edges for state in edge.states}
    assert linked == set(nodes)


def test_edges_come_in_iri_order_without_duplicates(network: Network) -> None:
    assert list(network.edges) == sorted(set(network.edges))
    assert all(edge.states[0] < edge.states[1] for edge in network.edges)


def test_pairs_sharing_several_instruments_keep_an_edge_each(network: Network) -> None:
    shared = [edge.instrument for edge in network.edges if edge.states == (STATE.KHM, STATE.VNM)]
    assert sorted(shared) == [
        INSTRUMENT["cambodia-viet-nam-agreement-2003"],
        INSTRUMENT["commit-mou-2004"],
    ]


def test_an_instrument_without_modalities_is_in_no_group(network: Network) -> None:
    (edge,) = [
        e for e in network.edges if e.instrument == INSTRUMENT["senegal-mali-agreement-2004"]
    ]
    assert edge.group == NO_GROUP
    assert network.groups()[-1] == NO_GROUP


# --- The query on data of our own ---------------------------------------------------------

OWN_DATA = """\
@prefix cg: <https://w3id.org/coopgraph/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix modality: <https://w3id.org/coopgraph/id/modality/> .
@prefix ex: <http://example.org/> .

ex:one a cg:State ; rdfs:label "One"@en , "Un"@fr .
ex:two a cg:FormerState .
ex:three a cg:State ; rdfs:label "Three" .
ex:lonely a cg:State ; rdfs:label "Lonely"@en .

ex:tied a cg:Convention ; rdfs:label "Tied convention"@en ;
    cg:coversModality modality:information-and-intelligence-exchange ,
        modality:identification-of-victims ;
    cg:hasParticipation [ a cg:Participation ; cg:party ex:one ] ,
        [ a cg:Participation ; cg:party ex:two ] ,
        [ a cg:Participation ; cg:party ex:three ] .

ex:victims a cg:Convention ; rdfs:label "Victims convention"@en ;
    cg:coversModality modality:identification-of-victims , modality:repatriation-of-victims ,
        modality:information-and-intelligence-exchange ;
    cg:hasParticipation [ a cg:Participation ; cg:party ex:one ] ,
        [ a cg:Participation ; cg:party ex:two ] .

ex:bare a cg:Convention ;
    cg:hasParticipation [ a cg:Participation ; cg:party ex:lonely ] ,
        [ a cg:Participation ; cg:party ex:three ] .
"""


def test_the_network_of_data_of_our_own(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(OWN_DATA, encoding="utf-8")
    network = cooperation_network(open_engine(Inputs.with_data([data]), tmp_path / "cache"))
    ex = "http://example.org/"
    one, two, three, lonely = (URIRef(ex + name) for name in ("one", "two", "three", "lonely"))
    assert network.nodes == (
        StateNode(lonely, "Lonely", former=False),
        StateNode(one, "One", former=False),
        StateNode(three, "Three", former=False),
        StateNode(two, "two", former=True),  # no label: the IRI's last segment
    )
    groups = {(edge.states, edge.instrument): edge.group for edge in network.edges}
    victims = ModalityGroup(MODALITY["victim-protection-and-assistance"], "")
    assert {key: (group.iri, group.label) for key, group in groups.items()} == {
        # 1 and 1: a tie is drawn as a tie, not as the group listed first
        ((one, three), URIRef(ex + "tied")): (None, SEVERAL_GROUPS.label),
        ((one, two), URIRef(ex + "tied")): (None, SEVERAL_GROUPS.label),
        ((three, two), URIRef(ex + "tied")): (None, SEVERAL_GROUPS.label),
        ((one, two), URIRef(ex + "victims")): (  # 2 against 1
            victims.iri,
            groups[((one, two), URIRef(ex + "victims"))].label,
        ),
        ((lonely, three), URIRef(ex + "bare")): (None, NO_GROUP.label),
    }
    bare = next(edge for edge in network.edges if edge.instrument == URIRef(ex + "bare"))
    assert bare.instrument_label == "bare"


# --- The colouring rule ---------------------------------------------------------------------


def test_the_group_with_most_modalities_wins() -> None:
    assert main_group({LAW_ENFORCEMENT: 1, VICTIMS: 2}) == VICTIMS


def test_a_tie_is_drawn_as_several_groups_not_as_the_first() -> None:
    assert GROUP_ORDER.index(LAW_ENFORCEMENT.iri) < GROUP_ORDER.index(VICTIMS.iri)
    assert main_group({VICTIMS: 2, LAW_ENFORCEMENT: 2}) == SEVERAL_GROUPS
    assert main_group({VICTIMS: 2, LAW_ENFORCEMENT: 2, NEW_GROUP: 3}) == NEW_GROUP
    assert main_group({NEW_GROUP: 1, VICTIMS: 1}) == SEVERAL_GROUPS


def test_both_child_victim_agreements_are_ties_not_law_enforcement(network: Network) -> None:
    for slug in ("greece-albania-child-victims-agreement", "mali-cote-divoire-agreement-2000"):
        edges = [edge for edge in network.edges if edge.instrument == INSTRUMENT[slug]]
        assert edges, slug
        assert {edge.group for edge in edges} == {SEVERAL_GROUPS}, slug


def test_the_network_of_one_modality(engine: OxigraphEngine) -> None:
    teams = cooperation_network(engine, MODALITY["joint-investigation-teams"])
    assert teams.instruments() == {SEE_CONVENTION}
    assert {node.iri for node in teams.nodes} == set(SEE_STATES)
    everything = cooperation_network(engine)
    assert len(everything.instruments()) > len(teams.instruments())


def test_no_modality_is_no_group() -> None:
    assert main_group({}) == NO_GROUP


# --- Layout ---------------------------------------------------------------------------------


def test_labels_go_into_the_widest_free_angle() -> None:
    assert free_direction([]) == pytest.approx(-math.pi / 2)
    assert free_direction([0.0]) == pytest.approx(math.pi)
    assert free_direction([0.0, math.pi / 2]) == pytest.approx(math.pi * 5 / 4)


def test_clusters_do_not_overlap(network: Network) -> None:
    weights = {edge.states: 1 for edge in network.edges}
    positions = layout([node.iri for node in network.nodes], weights)
    assert set(positions) == {node.iri for node in network.nodes}
    see = [positions[state] for state in SEE_STATES]
    mekong = [positions[STATE[code]] for code in ("KHM", "CHN", "LAO", "MMR", "THA", "VNM")]
    see_box = (min(p[0] for p in see), max(p[0] for p in see))
    mekong_box = (min(p[0] for p in mekong), max(p[0] for p in mekong))
    see_rows = (min(p[1] for p in see), max(p[1] for p in see))
    mekong_rows = (min(p[1] for p in mekong), max(p[1] for p in mekong))
    apart_across = see_box[1] < mekong_box[0] or mekong_box[1] < see_box[0]
    apart_down = see_rows[1] < mekong_rows[0] or mekong_rows[1] < see_rows[0]
    assert apart_across or apart_down


# --- Drawing --------------------------------------------------------------------------------


def test_the_svg_is_xml_with_the_state_labels_as_text(drawn: tuple[Path, Path]) -> None:
    svg, _ = drawn
    root = ET.parse(svg).getroot()
    texts = {"".join(element.itertext()) for element in root.iter(f"{SVG}text")}
    assert {"Albania", "Serbia and Montenegro"} <= texts


def test_the_svg_has_an_element_per_edge(drawn: tuple[Path, Path], network: Network) -> None:
    root = ET.parse(drawn[0]).getroot()
    ids = [element.get("id", "") for element in root.iter()]
    edge_ids = [i for i in ids if i.startswith("edge_")]
    assert len(edge_ids) == len(network.edges)
    see_edges = sum(i.endswith("_see-police-cooperation-convention-2006") for i in edge_ids)
    assert see_edges == len(list(combinations(SEE_STATES, 2)))


def test_the_png_is_a_png(drawn: tuple[Path, Path]) -> None:
    _, png = drawn
    assert png.read_bytes().startswith(PNG_SIGNATURE)


def test_two_drawings_give_the_same_bytes(network: Network, tmp_path: Path) -> None:
    draw_network(network, tmp_path / "a.svg", tmp_path / "a.png")
    draw_network(network, tmp_path / "b.svg", tmp_path / "b.png")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert b"<dc:date>" not in (tmp_path / "a.svg").read_bytes()


DRAW_IN_A_PROCESS = """\
import sys
from pathlib import Path
from coopgraph.build.engine import open_engine
from coopgraph.report.network import cooperation_network, draw_network
draw_network(cooperation_network(open_engine()), Path(sys.argv[1]), Path(sys.argv[2]))
"""


@pytest.mark.slow
def test_the_drawing_does_not_depend_on_string_hashing(
    engine: OxigraphEngine, cache_dir: Path, tmp_path: Path
) -> None:
    """Python hashes strings differently in each process; sets of IRIs iterate in that
    order, and the layout must not follow it."""
    svgs = []
    for seed in ("1", "2"):
        svg, png = tmp_path / f"{seed}.svg", tmp_path / f"{seed}.png"
        environment = {**os.environ, "PYTHONHASHSEED": seed, "COOPGRAPH_CACHE_DIR": str(cache_dir)}
        subprocess.run(
            [sys.executable, "-c", DRAW_IN_A_PROCESS, str(svg), str(png)],
            check=True,
            env=environment,
            timeout=120,
        )
        svgs.append(svg.read_bytes())
    assert svgs[0] == svgs[1]


def test_files_are_written_whole_into_new_folders(network: Network, tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder"
    draw_network(network, target / "n.svg", target / "n.png")
    assert sorted(path.name for path in target.iterdir()) == ["n.png", "n.svg"]


def test_an_unwritable_place_is_a_coopgraph_error(network: Network, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CoopgraphError, match="cannot write"):
        draw_network(network, blocker / "n.svg", tmp_path / "n.png")


def test_small_and_empty_networks_are_drawn(tmp_path: Path) -> None:
    a, b = URIRef("http://example.org/a"), URIRef("http://example.org/b")
    unknown = ModalityGroup(URIRef("http://example.org/new-group"), "a new group")
    networks = [
        Network((), ()),
        Network((StateNode(a, "A", former=True),), ()),
        Network(
            (StateNode(a, "A", former=False), StateNode(b, "B", former=False)),
            (
                Edge((a, b), URIRef("http://example.org/i"), "I", unknown),
                Edge((a, b), URIRef("http://example.org/j"), "J", NO_GROUP),
            ),
        ),
    ]
    for index, network in enumerate(networks):
        svg, png = tmp_path / f"{index}.svg", tmp_path / f"{index}.png"
        draw_network(network, svg, png)
        ET.parse(svg)
        assert png.read_bytes().startswith(PNG_SIGNATURE)
