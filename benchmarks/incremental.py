"""Benchmark: an edit to one data file, revised from the earlier store against a full build.

    python benchmarks/incremental.py --size 1m

The generated data set is written as a folder (one file per concern, instruments in files of
`--per-file` instruments); its store is built once. Then each edit below is applied to one
instruments file, and, in the same run, on a machine otherwise idle:

- **revised**: `open_engine` on the edited files with the earlier store in the cache (what any
  coopgraph command does first: here it revises the earlier store, validates again and runs
  again the reports the edit may change), then `validate` and every stored report with
  `coopgraph report`'s arguments (all read from what the revision kept);
- **full**: the same edited files built in an empty cache (the full build, which validates
  and materialises every report), then `validate` and every report (read).

Each is a fresh process: seconds and peak memory (max RSS) are its own. The revised store is
then checked against the full build: same data graph, same entailments graph, same
validation results, same rows for every report (as multisets: SPARQL leaves the order of rows
that tie under ORDER BY to the engine); the script fails loudly if not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
CACHE = HERE / ".cache"


# --- Edits, each to one instruments file ------------------------------------------------------


def _first(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"the generated file has no line matching {pattern!r}")
    return match


def edit_label(text: str) -> str:
    match = _first(r'^    rdfs:label "', text)
    return text[: match.end()] + "Revised: " + text[match.end() :]


def edit_date(text: str) -> str:
    match = _first(r'^    cg:signatureDate "(\d{4})', text)
    year = int(match.group(1))
    return text[: match.start(1)] + str(year - 1) + text[match.end(1) :]


def edit_modality(text: str) -> str:
    """One modality statement removed, another added to the same instrument."""
    match = _first(r"^    cg:coversModality modality:[\w-]+ ;\n", text)
    added = "    cg:coversModality modality:training ;\n"
    return text[: match.start()] + added + text[match.end() :]


def edit_remove_instrument(text: str) -> str:
    """The first instrument's own statements removed (its participations stay)."""
    start = _first(r"^inst:", text).start()
    end = text.index(" .\n", start) + 3
    return text[:start] + text[end:]


EDITS: dict[str, tuple[str, Callable[[str], str]]] = {
    "label": ("one instrument's rdfs:label changed", edit_label),
    "date": ("one signature date changed", edit_date),
    "modality": ("one cg:coversModality swapped for another", edit_modality),
    "instrument": ("one instrument's statements removed", edit_remove_instrument),
}


# --- Work in a child process ------------------------------------------------------------------


def child(task: dict[str, Any]) -> dict[str, Any]:
    from coopgraph.build.engine import open_engine  # noqa: PLC0415
    from coopgraph.model.inputs import Inputs  # noqa: PLC0415
    from coopgraph.model.namespaces import DATA_GRAPH, ENTAILMENTS_GRAPH  # noqa: PLC0415
    from coopgraph.query.catalog import load_catalog, run_stored_query  # noqa: PLC0415

    files = [Path(p) for p in task["files"]]
    cache = Path(task["cache"])
    out: dict[str, Any] = {}
    started = time.perf_counter()
    engine = open_engine(Inputs.with_data(files), cache)
    out["open"] = time.perf_counter() - started
    info = engine.info
    assert info is not None
    out["rebuilt"] = info.rebuilt
    out["revised_from"] = info.revised_from
    out["not_revised"] = info.not_revised
    out["steps"] = dict(info.seconds)
    out["asserted"] = info.asserted_triples
    out["entailed"] = info.entailed_triples
    manifest = json.loads((info.location / "manifest.json").read_text(encoding="utf-8"))
    out["revision"] = manifest.get("revision")
    out["reports_to_run"] = manifest.get("reports_to_run")
    out["checks"] = (manifest.get("validation_checks"), manifest.get("validation_checks_reused"))
    if task.get("reports"):
        from coopgraph.validation.validator import validate  # noqa: PLC0415

        started = time.perf_counter()
        report = validate(files, cache_dir=cache)
        out["validate"] = time.perf_counter() - started
        out["validation"] = hashlib.sha256(
            repr(sorted(map(repr, report.results))).encode()
        ).hexdigest()
        started = time.perf_counter()
        rows: dict[str, str] = {}
        for query in load_catalog():
            table = run_stored_query(query, query.report_arguments(), engine)
            # As a multiset: SPARQL leaves the order of rows that ORDER BY ties undefined.
            ordered = sorted(repr(row) for row in table.rows)
            rows[query.name] = hashlib.sha256(repr(ordered).encode()).hexdigest()
        out["reports"] = time.perf_counter() - started
        out["rows"] = rows
    if task.get("graphs"):
        import pyoxigraph as ox  # noqa: PLC0415

        graphs: dict[str, str] = {}
        for name in (DATA_GRAPH, ENTAILMENTS_GRAPH):
            quads = engine.store.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))
            lines = sorted(f"{q.subject} {q.predicate} {q.object}" for q in quads)
            graphs[str(name)] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            graphs[str(name) + " count"] = str(len(lines))
        out["graphs"] = graphs
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(task: dict[str, Any]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"a measurement failed:\n{completed.stderr}")
    answer: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return answer


# --- The benchmark ----------------------------------------------------------------------------


def dataset(size: str, seed: int, per_file: int) -> list[Path]:
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]
    folder = CACHE / "data" / f"{size}-seed{seed}-per{per_file}-{digest}"
    done = folder / ".complete"
    if not done.is_file():
        print(f"generating {size} triples into {folder}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        command = [sys.executable, str(GENERATOR), "--size", size, "--seed", str(seed)]
        command += ["--per-file", str(per_file), "--quiet", "--output", str(folder)]
        subprocess.run(command, check=True)
        done.write_text("", encoding="utf-8")
    return sorted(folder.glob("*.ttl"))


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="1m", help="10k, 100k, 1m or 10m (default 1m)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=5000, help="instruments per file")
    parser.add_argument("--repeat", type=int, default=3, help="revisions per edit (default 3)")
    parser.add_argument("--edits", default=",".join(EDITS), help="which edits, comma-separated")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    source = dataset(args.size, args.seed, args.per_file)
    work = CACHE / "incremental"
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    data.mkdir(parents=True)
    for path in source:
        shutil.copyfile(path, data / path.name)
    files = sorted(data.glob("*.ttl"))
    instruments = [p for p in files if p.name.startswith("instruments-")]
    target = instruments[len(instruments) // 2]
    original = target.read_text(encoding="utf-8")
    print(
        f"{len(files)} files; edits to {target.name} ({target.stat().st_size / 1e6:.1f} MB "
        f"of {sum(p.stat().st_size for p in files) / 1e6:.0f} MB)",
        file=sys.stderr,
    )
    cache = work / "cache"
    base = run_child({"files": [str(p) for p in files], "cache": str(cache)})
    print(
        f"earlier store built in {base['open']:.1f} s ({base['asserted']:,} asserted)",
        file=sys.stderr,
    )
    stores = cache / "stores"
    earlier = {entry.name for entry in stores.iterdir()}
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    for name in args.edits.split(","):
        description, change = EDITS[name]
        target.write_text(change(original), encoding="utf-8")
        task = {"files": [str(p) for p in files], "cache": str(cache), "reports": True}
        revised_runs = []
        for _ in range(args.repeat):
            for entry in stores.iterdir():
                # Not the footprints kept beside the stores: the first revision in a cache
                # computes them (its time is the first of the runs of the first edit).
                if entry.name not in earlier and entry.is_dir():
                    shutil.rmtree(entry)
            revised_runs.append(run_child(task))
            print(f"  {name}: revised in {revised_runs[-1]['open']:.2f} s", file=sys.stderr)
        full_cache = work / f"full-{name}"
        full = run_child({**task, "cache": str(full_cache)})
        print(f"  {name}: full build in {full['open']:.1f} s", file=sys.stderr)
        check_revised = run_child({**task, "graphs": True, "reports": True})
        check_full = run_child({**task, "cache": str(full_cache), "graphs": True, "reports": True})
        same = (
            check_revised["graphs"] == check_full["graphs"]
            and check_revised["rows"] == check_full["rows"]
            and check_revised["validation"] == check_full["validation"]
            and all(run["revised_from"] is not None for run in revised_runs)
        )
        if not same:
            failed.append(name)
        shutil.rmtree(full_cache, ignore_errors=True)
        results.append(
            {
                "edit": name,
                "description": description,
                "revised": revised_runs,
                "full": full,
                "same": same,
            }
        )
    target.write_text(original, encoding="utf-8")
    print_table(args, base, results)
    out = CACHE.parent / "results" / f"incremental-{args.size}-{time.strftime('%Y-%m-%d')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"base": base, "results": results}, indent=2), encoding="utf-8")
    print(f"\nraw figures: {out}")
    if failed:
        print(f"CHECK FAILED: the revised store differs from a full build for {failed}")
        return 1
    return 0


def print_table(
    args: argparse.Namespace, base: dict[str, Any], results: list[dict[str, Any]]
) -> None:
    print(
        f"\nIncremental work after an edit, {args.size} ({base['asserted']:,} asserted, "
        f"{base['entailed']:,} entailed); median of {args.repeat} revisions, full build once.\n"
    )
    print(
        "| edit | triples changed (data -/+, entailed -/+) | reports run again "
        "| validation checks run again | revise (median; first) | full build | ratio "
        "| then validate + 15 reports: revised / full | peak MB revised / full | same as full |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        runs = result["revised"]
        revise = statistics.median(run["open"] for run in runs)
        after = statistics.median(run["validate"] + run["reports"] for run in runs)
        full = result["full"]
        counts = runs[0]["revision"] or {}
        changed = (
            f"{counts.get('data_removed', '?')}/{counts.get('data_added', '?')}, "
            f"{counts.get('entailments_removed', '?')}/{counts.get('entailments_added', '?')}"
        )
        peak = max(run["peak_mb"] for run in runs)
        total, reused = runs[0]["checks"]
        checks = f"{total - reused} of {total}" if total is not None else "all"
        print(
            f"| {result['description']} | {changed} | {runs[0]['reports_to_run']} of 15 | {checks} "
            f"| {revise:.2f} s; {runs[0]['open']:.2f} s | {full['open']:.1f} s "
            f"| {full['open'] / revise:.1f}x "
            f"| {after:.2f} s / {full['validate'] + full['reports']:.2f} s "
            f"| {peak:.0f} / {full['peak_mb']:.0f} | {'PASS' if result['same'] else 'FAIL'} |"
        )
    print("\nSteps of a revision (median seconds):")
    for result in results:
        runs = result["revised"]
        keys = runs[0]["steps"].keys()
        parts = ", ".join(
            f"{key} {statistics.median(run['steps'].get(key, 0.0) for run in runs):.2f}"
            for key in keys
        )
        print(f"- {result['edit']}: {parts}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
