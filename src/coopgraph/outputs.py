"""The user's files and folders that coopgraph writes: each written whole or not at all.

A file is written to a temporary file beside it and renamed into place; a folder is filled in
a staging folder beside it and swapped in when complete, so an interrupted command never leaves
a half-written output where the user expects a whole one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coopgraph.errors import CoopgraphError


def write_atomically(path: Path, content: bytes | str) -> None:
    """Write `content` to `path` so that `path` is either the old file or the whole new one."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = path.parent if str(path.parent) else Path()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise CoopgraphError(
            f"cannot write {path}: {error.strerror or error}",
            hint="check that the folder exists and is writable",
        ) from error


@contextmanager
def atomic_folder(directory: Path, what: str) -> Iterator[Path]:
    """A staging folder beside `directory` to fill; when the block ends without an error it
    replaces `directory` whole (an earlier folder there is swapped out, then removed), and
    when the block fails it is removed, leaving `directory` as it was. `what` names the
    folder in error messages ("report", "release")."""
    parent = directory.resolve().parent
    if directory.exists() and not directory.is_dir():
        raise CoopgraphError(
            f"{directory} exists and is not a folder", hint="choose another path with -o"
        )
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{directory.name}.", suffix=".tmp"))
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the folder from a web server
    except OSError as error:
        raise CoopgraphError(
            f"cannot create the {what} folder {directory}: {error.strerror or error}",
            hint="choose a writable folder with -o",
        ) from error
    try:
        yield staging
        retired = None
        if directory.exists():
            retired = directory.with_name(f".{directory.name}.old-{staging.name}")
            directory.rename(retired)
        staging.rename(directory)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
