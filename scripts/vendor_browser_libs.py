"""Vendor the browser libraries of the report pages into the package: no page loads a CDN.

    python scripts/vendor_browser_libs.py            # fetch the VERSIONS with npm, write the files
    python scripts/vendor_browser_libs.py --check    # only check the committed files

Runs one `npm install --ignore-scripts` of the packages below in a temporary folder and copies
each one's browser build, unchanged, into src/coopgraph/report/static/vendor/<package>/, with:
  - THIRD-PARTY-LICENSES.txt: the licence of every npm package the install brought (the
    minified builds bundle some of them), name, version and licence text;
  - VENDORED.json: for each package its version, licence, the registry's integrity hash and
    each copied file's SHA-256, and the SHA-256 of the licence file.
The files are committed, so building the wheel needs neither npm nor the network; Node and npm
are needed only to run this script, when upgrading a library (change its version below).

axe-core is vendored here too, for the accessibility tests (tests/report/test_site_browser.py);
the report folder does not copy it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vendor_yasgui import installed_packages, licence_section


@dataclass(frozen=True)
class Library:
    package: str
    version: str
    license: str
    homepage: str
    files: tuple[str, ...]  # paths inside the npm package


LIBRARIES = (
    Library(
        "vega", "6.4.0", "BSD-3-Clause", "https://vega.github.io/vega/", ("build/vega.min.js",)
    ),
    Library(
        "vega-lite",
        "6.5.0",
        "BSD-3-Clause",
        "https://vega.github.io/vega-lite/",
        ("build/vega-lite.min.js",),
    ),
    Library(
        "vega-embed",
        "7.3.0",
        "BSD-3-Clause",
        "https://github.com/vega/vega-embed",
        ("build/vega-embed.min.js",),
    ),
    Library("cytoscape", "3.35.0", "MIT", "https://js.cytoscape.org/", ("dist/cytoscape.min.js",)),
    Library(
        "world-atlas",
        "2.0.2",
        "ISC",
        "https://github.com/topojson/world-atlas",
        ("countries-110m.json",),
    ),
    Library(
        "axe-core", "4.14.1", "MPL-2.0", "https://github.com/dequelabs/axe-core", ("axe.min.js",)
    ),
)
TARGET = (
    Path(__file__).resolve().parent.parent / "src" / "coopgraph" / "report" / "static" / "vendor"
)
RECORD = "VENDORED.json"
LICENSES = "THIRD-PARTY-LICENSES.txt"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_install(folder: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("vendor_browser_libs: npm is not installed (Node.js 18+ with npm is needed)")
    (folder / "package.json").write_text('{"name": "vendor", "private": true}\n')
    specs = [f"{library.package}@{library.version}" for library in LIBRARIES]
    subprocess.run(
        [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", *specs],
        cwd=folder,
        check=True,
    )


def vendor() -> None:
    with tempfile.TemporaryDirectory(prefix="vendor-browser-libs-") as temporary:
        folder = Path(temporary)
        npm_install(folder)
        modules = folder / "node_modules"
        lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
        if TARGET.exists():
            shutil.rmtree(TARGET)
        packages: dict[str, object] = {}
        for library in LIBRARIES:
            destination = TARGET / library.package
            destination.mkdir(parents=True)
            copied = {}
            for inside in library.files:
                name = Path(inside).name
                shutil.copyfile(modules / library.package / inside, destination / name)
                copied[f"{library.package}/{name}"] = sha256(destination / name)
            entry = lock["packages"][f"node_modules/{library.package}"]
            if entry["version"] != library.version:
                sys.exit(
                    f"{library.package}: npm installed {entry['version']}, not {library.version}"
                )
            packages[library.package] = {
                "version": library.version,
                "license": library.license,
                "homepage": library.homepage,
                "integrity": entry.get("integrity"),
                "files": copied,
            }
        sections = [licence_section(package) for package in installed_packages(modules)]
        intro = (
            "The browser libraries in this folder come from the npm registry, unchanged: "
            + ", ".join(f"{library.package} {library.version}" for library in LIBRARIES)
            + ".\nTheir builds bundle some of the packages below; each one's licence follows.\n\n"
        )
        (TARGET / LICENSES).write_text(intro + "\n".join(sections), encoding="utf-8")
        record = {
            "packages": packages,
            "licenses": {LICENSES: sha256(TARGET / LICENSES)},
            "how": "python scripts/vendor_browser_libs.py",
        }
        (TARGET / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for path in sorted(TARGET.rglob("*")):
        if path.is_file():
            print(f"{path}  {path.stat().st_size:,} bytes")


def check() -> int:
    """0 when every vendored file matches VENDORED.json; 1 with the differences otherwise."""
    record = json.loads((TARGET / RECORD).read_text(encoding="utf-8"))
    expected: dict[str, str] = dict(record["licenses"])
    for entry in record["packages"].values():
        expected.update(entry["files"])
    problems = [
        f"{name}: missing or changed"
        for name, digest in expected.items()
        if not (TARGET / name).is_file() or sha256(TARGET / name) != digest
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(record['packages'])} packages, {len(expected)} files match")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the vendored files")
    arguments = parser.parse_args()
    if arguments.check:
        return check()
    vendor()
    return check()


if __name__ == "__main__":
    sys.exit(main())
