"""Vendor the YASGUI SPARQL editor into the package, so the UI loads nothing from a CDN.

    python scripts/vendor_yasgui.py            # fetch VERSION with npm, write the files
    python scripts/vendor_yasgui.py --check    # only check the committed files against the record

Runs `npm install` of @zazuko/yasgui (the maintained fork of Triply's YASGUI) in a temporary
folder and copies its self-contained browser build (yasgui.min.js, yasgui.min.css) into
src/coopgraph/web/static/yasgui/, unchanged, with:
  - THIRD-PARTY-LICENSES.txt: the licence of every npm package installed with it (the build
    bundles them), name, version and licence text;
  - VENDORED.json: package, version, the registry's integrity hash, and each file's SHA-256.
The files are committed, so building the wheel needs neither npm nor the network. Node and npm
are needed only to run this script, when upgrading YASGUI (change VERSION).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "@zazuko/yasgui"
VERSION = "4.6.2"
FILES = ("yasgui.min.js", "yasgui.min.css")
TARGET = Path(__file__).resolve().parent.parent / "src" / "coopgraph" / "web" / "static" / "yasgui"
RECORD = "VENDORED.json"
LICENSES = "THIRD-PARTY-LICENSES.txt"
LICENSE_NAMES = ("license", "licence", "copying")

MIT_TEMPLATE = """\
(This package ships no licence file; its package.json declares "MIT". The MIT licence:)

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_install(folder: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("vendor_yasgui: npm is not installed (Node.js 18+ with npm is needed)")
    (folder / "package.json").write_text('{"name": "vendor", "private": true}\n')
    subprocess.run(
        [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", f"{PACKAGE}@{VERSION}"],
        cwd=folder,
        check=True,
    )


def installed_packages(modules: Path) -> list[Path]:
    """Every package folder under a node_modules folder: scoped (@scope/name) and nested
    (name/node_modules/other) ones too."""
    found: list[Path] = []
    for entry in sorted(modules.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        candidates = sorted(entry.iterdir()) if entry.name.startswith("@") else [entry]
        for package in candidates:
            if (package / "package.json").is_file():
                found.append(package)
                if (package / "node_modules").is_dir():
                    found += installed_packages(package / "node_modules")
    return found


def licence_section(folder: Path) -> str:
    data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    declared = data.get("license") or data.get("licenses") or "not declared"
    author = data.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    header = f"{data['name']} {data['version']} — licence: {declared}"
    if author:
        header += f" — author: {author}"
    texts = [
        path.read_text(encoding="utf-8", errors="replace").strip()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name.lower().startswith(LICENSE_NAMES)
    ]
    if texts:
        body = "\n\n".join(texts)
    elif declared == "MIT":
        body = MIT_TEMPLATE.strip()
    else:
        body = f"(This package ships no licence file; its package.json declares {declared}.)"
    rule = "=" * 79
    return f"{rule}\n{header}\n{rule}\n\n{body}\n"


def vendor() -> None:
    with tempfile.TemporaryDirectory(prefix="vendor-yasgui-") as temporary:
        folder = Path(temporary)
        npm_install(folder)
        modules = folder / "node_modules"
        build = modules / "@zazuko" / "yasgui" / "build"
        TARGET.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(build / name, TARGET / name)
        lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
        entry = lock["packages"][f"node_modules/{PACKAGE}"]
        packages = installed_packages(modules)
        sections = [licence_section(package) for package in packages]
        intro = (
            f"The YASGUI editor in this folder is {PACKAGE} {VERSION} (MIT), from the npm "
            "registry, unchanged.\nIts browser build bundles the packages below; each one's "
            "licence follows.\n\n"
        )
        (TARGET / LICENSES).write_text(intro + "\n".join(sections), encoding="utf-8")
        record = {
            "package": PACKAGE,
            "version": VERSION,
            "license": "MIT",
            "homepage": "https://github.com/rdfjs/Yasgui",
            "integrity": entry.get("integrity"),
            "files": {name: sha256(TARGET / name) for name in (*FILES, LICENSES)},
            "how": "python scripts/vendor_yasgui.py",
        }
        (TARGET / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for name in (*FILES, LICENSES, RECORD):
        print(f"{TARGET / name}  {(TARGET / name).stat().st_size:,} bytes")


def check() -> int:
    """0 when every vendored file matches VENDORED.json; 1 with the differences otherwise."""
    record = json.loads((TARGET / RECORD).read_text(encoding="utf-8"))
    problems = [
        f"{name}: missing or changed"
        for name, digest in record["files"].items()
        if not (TARGET / name).is_file() or sha256(TARGET / name) != digest
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{record['package']} {record['version']}: {len(record['files'])} files match")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the vendored files")
    arguments = parser.parse_args()
    if arguments.check:
        return check()
    vendor()
    return check()


if __name__ == "__main__":
    sys.exit(main())
