"""The query, sparql, queries and export commands, as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph

from coopgraph.cli import main


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_queries_lists_the_catalog_with_parameters_and_examples() -> None:
    code, out, _ = run("queries")
    assert code == 0
    assert "shared-modality-pairs" in out
    assert "-p state=<state>" in out
    assert "e.g. -p state='Mali'" in out


def test_queries_as_json() -> None:
    code, out, _ = run("queries", "--format", "json")
    assert code == 0
    names = {entry["name"] for entry in json.loads(out)}
    assert "timeline" in names


def test_query_prints_an_aligned_table() -> None:
    code, out, _ = run("query", "shared-modality-pairs")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["state_a", "state_a_label"]
    assert set(lines[1]) <= {"-", " "}
    assert "(21 rows)" in out
    assert "Serbia" in out and "Montenegro" in out  # the successors, bound in their own name


def test_query_with_a_parameter_as_a_person_types_it() -> None:
    by_name = run("query", "cooperation-partners", "-p", "state=Mali", "--format", "csv")
    by_code = run("query", "cooperation-partners", "-p", "state=MLI", "--format", "csv")
    assert by_name[0] == 0
    assert by_name[1] == by_code[1]
    assert "Burkina Faso" in by_name[1]


def test_query_formats() -> None:
    for fmt, marker in (
        ("markdown", "| --- |"),
        ("tsv", "\t"),
        ("json", '"state_a"'),
        ("srj", '"head"'),
        ("srx", "<sparql"),
    ):
        code, out, _ = run("query", "shared-modality-pairs", "--format", fmt)
        assert code == 0, fmt
        assert marker in out, fmt


def test_query_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "pairs.csv"
    code, _, _ = run("query", "shared-modality-pairs", "--format", "csv", "-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("state_a,")


def test_unknown_query_name_is_one_line_with_a_suggestion() -> None:
    code, out, err = run("query", "shared-modality-pair")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "coopgraph: error: unknown stored query 'shared-modality-pair' — "
        "did you mean 'shared-modality-pairs'"
    )


def test_unknown_parameter_value_lists_close_matches() -> None:
    code, _, err = run("query", "state-profile", "-p", "state=Nigerai")
    assert code == 2
    assert "close matches: 'Nigeria'" in err
    assert "Traceback" not in err


def test_missing_parameter_and_malformed_parameter() -> None:
    code, _, err = run("query", "state-profile")
    assert code == 2 and "needs parameter 'state'" in err
    code, _, err = run("query", "state-profile", "-p", "Mali")
    assert code == 2 and "name=value" in err


def test_injection_attempt_is_treated_as_a_value() -> None:
    code, _, err = run("query", "state-profile", "-p", 'state="} ; DROP ALL ; #')
    assert code == 2
    assert "no state matches" in err
    code, out, _ = run("query", "shared-modality-pairs")
    assert code == 0 and "(21 rows)" in out


def test_sparql_select_ask_construct_with_predeclared_prefixes() -> None:
    code, out, _ = run("sparql", "-q", "SELECT ?s WHERE { ?s a cg:FormerState }")
    assert code == 0 and "state:SCG" in out
    code, out, _ = run("sparql", "-q", "ASK { state:SCG cg:successorState state:SRB }")
    assert code == 0 and out.strip() == "true"
    code, out, _ = run(
        "sparql", "-q", "CONSTRUCT { ?i cg:hasParty ?s } WHERE { ?i cg:hasParty ?s }"
    )
    assert code == 0
    graph = Graph().parse(data=out, format="turtle")
    assert len(graph) > 20  # the States bound by an act of consent (issue 14): 29


def test_sparql_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:State }", encoding="utf-8")
    from_file = run("sparql", str(query), "--format", "csv")
    from_stdin = run("sparql", "-", "--format", "csv", stdin=query.read_text(encoding="utf-8"))
    assert from_file[0] == 0 and from_file[1] == from_stdin[1]
    assert from_file[1].splitlines()[1] == "28"  # 27 States and Serbia and Montenegro


def test_malformed_sparql_gives_line_and_column_of_the_users_text() -> None:
    code, out, err = run("sparql", "-q", "SELECT * WHERE {\n  ?s ?p\n}")
    assert code == 2
    assert out == ""
    assert err.startswith("coopgraph: error: -q:3:")
    assert "Traceback" not in err


def test_sparql_unreadable_file() -> None:
    code, _, err = run("sparql", "/nonexistent/q.rq")
    assert code == 2 and "/nonexistent/q.rq" in err


def test_export_turtle_parses(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    code, _, _ = run("export", "-o", str(target))
    assert code == 0
    assert len(Graph().parse(target, format="turtle")) > 2000


def test_export_unknown_format_is_a_usage_error() -> None:
    code, _, err = run("export", "--format", "turtel")
    assert code == 2 and "turtle" in err
