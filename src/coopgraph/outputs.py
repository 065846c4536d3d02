"""The user's files and folders that coopgraph writes: each written whole or not at all, and
never over what is the user's.

A file is written to a temporary file beside it and renamed into place; a folder is filled in
a staging folder beside it and swapped in when complete, so an interrupted command never leaves
a half-written output where the user expects a whole one. Files and folders get the modes the
user's umask gives (as `open` would), not the private ones of `mkstemp`.

An output folder (`report -o DIR`, `publish -o DIR`) is written only where it is absent, empty,
or a folder that coopgraph wrote: the marker file `.coopgraph-output` in it names the command
and every file and folder it wrote, with a digest of each file. Such a folder is replaced only
when it holds nothing else and no file coopgraph wrote there was changed since: a file the user
added or edited is never deleted, the command refuses and names it instead. A folder that is the
root, the home folder, the current folder (or one that holds them), or one of coopgraph's own
inputs is refused outright.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coopgraph.errors import CoopgraphError

MARKER = ".coopgraph-output"
_MARKER_FORMAT = 1
_NAMED = 3  # how many files in the way a message names


def current_umask() -> int:
    """The process's umask, read without changing it where the system tells it."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (the only portable way to read it)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode `open` gives a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def folder_mode() -> int:
    """The mode `mkdir` gives a new folder: 0777 less the umask."""
    return 0o777 & ~current_umask()


# The temporary files and staging folders of writes under way, so that a command stopped by
# Ctrl-C (the CLI runs commands in a thread it can leave) removes them: `discard_unfinished`.
# A rename into place or a folder swap holds the lock, so one is never cut in half.
_UNFINISHED: set[Path] = set()
_PLACING = threading.RLock()


def discard_unfinished() -> None:
    """Remove what writes still under way have made (temporary files, staging folders) and let
    none of them put anything in place afterwards: the outputs stay as they were. For a front
    end that stops a command it cannot wait for (Ctrl-C); waits for a rename or a swap that has
    begun to end."""
    _PLACING.acquire(timeout=10)  # held from here on: the process is about to end
    # The command's thread may still be writing into a staging folder while it is removed:
    # go again until nothing is left (briefly: a thread writes one file at a time).
    for _ in range(50):
        left = [path for path in list(_UNFINISHED) if path.exists() or path.is_symlink()]
        if not left:
            break
        for path in left:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        time.sleep(0.01)


def write_atomically(path: Path, content: bytes | str) -> None:
    """Write `content` to `path` so that `path` is either the old file or the whole new one.

    A new file has the mode the umask gives, a replaced one keeps its mode; a symbolic link is
    written through (the file it names is replaced, the link stays); a device or a named pipe
    (`-o /dev/stdout`) is written into, never replaced by a file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    _refuse_unexpanded_home(path)
    try:
        try:
            existing: os.stat_result | None = path.stat()  # through a symbolic link
        except FileNotFoundError:
            existing = None
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise CoopgraphError(
                f"cannot write {path}: it is a folder", hint="give a file name with -o"
            )
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            with path.open("wb") as stream:
                stream.write(data)
            return
        target = path.resolve() if path.is_symlink() else path
        directory = target.parent if str(target.parent) else Path()
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else file_mode()
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{target.name}.", suffix=".tmp"
        )
        _UNFINISHED.add(Path(temporary))
        try:
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(stream.fileno(), mode)
                stream.write(data)
            with _PLACING:
                Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        finally:
            _UNFINISHED.discard(Path(temporary))
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python < 3.13)
        raise CoopgraphError(
            f"cannot write {path}: {getattr(error, 'strerror', None) or error}",
            hint="check that the folder exists, is writable and has space",
        ) from error


def _refuse_unexpanded_home(path: Path) -> None:
    """A path that starts with `~` was quoted past the shell: coopgraph would make a folder
    named `~` here (which a later `rm -r ~` would confuse with the home folder)."""
    if path.parts and path.parts[0].startswith("~"):
        raise CoopgraphError(
            f"{path} starts with ~, which the shell did not expand (it was quoted)",
            hint="write the path without quotes around ~, or in full",
        )


def check_output_file(path: Path, protected: Sequence[Path] = ()) -> None:
    """Raise `CoopgraphError` unless `path` may be written as an output file: not a folder,
    not one of the `protected` files (coopgraph's inputs) nor inside a `protected` folder."""
    given = str(path)
    _refuse_unexpanded_home(path)
    places = _absolute(path)
    if path.is_dir():
        raise CoopgraphError(
            f"{given} is a folder", hint="give a file name with -o, e.g. -o out.csv"
        )
    for known_path in protected:
        for target in places:
            for known in {_as_written(known_path), _resolved(known_path)}:
                if target == known:
                    raise CoopgraphError(
                        f"{given} is {known}, which coopgraph reads",
                        hint="write the output to another file with -o",
                    )
                if known.is_dir() and _within(target, known):
                    raise CoopgraphError(
                        f"{given} is inside {known}, which coopgraph reads",
                        hint="write the output to another file with -o",
                    )


# --- Output folders -----------------------------------------------------------------------


def _as_written(path: Path) -> Path:
    """`path` made absolute with `..` folded but symbolic links kept (unlike `resolve`)."""
    return Path(os.path.abspath(path))  # noqa: PTH100


def _absolute(path: Path) -> tuple[Path, Path]:
    """`path` made absolute as written (`..` folded) and with its symbolic links resolved."""
    try:
        return _as_written(path), path.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python < 3.13)
        raise CoopgraphError(
            f"cannot tell where {path} is: {getattr(error, 'strerror', None) or error}",
            hint="give a folder path without a symbolic link loop",
        ) from error


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_output_folder(directory: Path, what: str, protected: Sequence[Path] = ()) -> None:
    """Raise `CoopgraphError` unless `directory` may become the `what` folder ("report",
    "release"): it must not be the root, the home folder, the current folder or a folder
    holding them, nor be, hold or lie in one of the `protected` paths (coopgraph's inputs and
    cache), and it must be absent, empty, or a `what` folder coopgraph wrote that holds
    nothing else (`MARKER`)."""
    given = str(directory)
    hint = f"give a new folder for the {what}, e.g. -o coopgraph-{what}"
    _refuse_unexpanded_home(directory)
    places = _absolute(directory)
    if any(place.parent == place for place in places):
        raise CoopgraphError(f"{given} is the root of the file system", hint=hint)
    for name, place in (("your home folder", Path.home()), ("the current folder", _cwd())):
        if place is None:
            continue
        for target in places:
            for known in {_as_written(place), place.resolve()}:
                if target == known:
                    raise CoopgraphError(f"{given} is {name}", hint=hint)
                if _within(known, target):
                    raise CoopgraphError(f"{given} holds {name} ({known})", hint=hint)
    for path in protected:
        for target in places:
            for known in {_as_written(path), _resolved(path)}:
                if target == known:
                    raise CoopgraphError(f"{given} is {known}, which coopgraph reads", hint=hint)
                if _within(known, target):
                    raise CoopgraphError(f"{given} holds {known}, which coopgraph reads", hint=hint)
                if known.is_dir() and _within(target, known):
                    raise CoopgraphError(
                        f"{given} is inside {known}, which coopgraph reads", hint=hint
                    )
    _check_owned(directory, what)


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:
        return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return _as_written(path)


def _check_owned(directory: Path, what: str) -> None:
    """Raise unless `directory` is absent, empty, or a `what` folder coopgraph wrote that
    holds nothing else."""
    given = str(directory)
    if directory.is_symlink():
        raise CoopgraphError(
            f"{given} is a symbolic link", hint="give the folder it points to, or a new folder"
        )
    if not directory.exists():
        return
    if not directory.is_dir():
        raise CoopgraphError(
            f"{given} exists and is not a folder", hint="choose another path with -o"
        )
    try:
        entries = _entries(directory)
    except OSError as error:
        raise CoopgraphError(
            f"cannot read the folder {given}: {error.strerror or error}",
            hint="choose another folder with -o",
        ) from error
    if not entries:
        return
    marker = _read_marker(directory)
    hint = f"move them away, or give a new folder for the {what} with -o"
    if marker is None:
        raise CoopgraphError(
            f"{given} is not empty and was not written by coopgraph: it holds "
            + _named(sorted(path for path in entries if "/" not in path)),
            hint=f"coopgraph writes only into an empty folder or one it wrote; {hint}",
        )
    if marker.command != what:
        raise CoopgraphError(
            f"{given} holds a coopgraph {marker.command}, not a {what}",
            hint=f"give another folder for the {what} with -o",
        )
    files, folders = marker.files, marker.folders
    added = sorted(
        path
        for path, kind in entries.items()
        if path != MARKER
        and not (kind == "dir" and path in folders)
        and not (kind != "dir" and path in files)
    )
    if added:
        raise CoopgraphError(
            f"{given} holds files coopgraph did not write there: {_named(added)}",
            hint=f"a {what} folder is replaced as a whole; {hint}",
        )
    changed = sorted(
        path
        for path, kind in entries.items()
        if kind != "dir" and path in files and files[path] != kind
    )
    if changed:
        raise CoopgraphError(
            f"{given} holds files changed since coopgraph wrote them: {_named(changed)}",
            hint=f"a {what} folder is replaced as a whole; {hint}",
        )


def _named(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:_NAMED])
    more = len(paths) - _NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def _entries(directory: Path) -> dict[str, str]:
    """Every path under `directory` (relative, with /), "dir" for a folder, "link:TARGET"
    for a symbolic link, else the SHA-256 of the file's content."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(directory, followlinks=False, onerror=_raise):
        for name in dirs + files:
            path = Path(root) / name
            key = path.relative_to(directory).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                found[key] = f"link:{path.readlink()}"
            elif stat.S_ISDIR(info.st_mode):
                found[key] = "dir"
            elif stat.S_ISREG(info.st_mode):
                found[key] = _digest(path)
            else:
                found[key] = "special"
    return found


def _raise(error: OSError) -> None:
    raise error


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


@dataclass(frozen=True)
class _Marker:
    command: str
    files: dict[str, str]  # path: its digest when written
    folders: frozenset[str]


def _read_marker(directory: Path) -> _Marker | None:
    """The marker coopgraph left in `directory`, or None (absent, damaged, not ours)."""
    try:
        marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("written_by") != "coopgraph":
        return None
    files, folders = marker.get("files"), marker.get("folders")
    if not isinstance(files, dict) or not isinstance(folders, list):
        return None
    return _Marker(
        str(marker.get("command")),
        {str(path): str(digest) for path, digest in files.items()},
        frozenset(str(path) for path in folders),
    )


def _write_marker(folder: Path, what: str) -> None:
    entries = _entries(folder)
    marker = {
        "written_by": "coopgraph",
        "format": _MARKER_FORMAT,
        "command": what,
        "note": "coopgraph replaces this folder only while it holds nothing but these files",
        "folders": sorted(path for path, kind in entries.items() if kind == "dir"),
        "files": {path: kind for path, kind in sorted(entries.items()) if kind != "dir"},
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


@contextmanager
def atomic_folder(directory: Path, what: str, protected: Sequence[Path] = ()) -> Iterator[Path]:
    """A staging folder beside `directory` to fill; when the block ends without an error it
    replaces `directory` (absent, empty, or an earlier `what` folder of coopgraph's holding
    nothing else: `check_output_folder`, checked before and again at the swap), and when the
    block fails it is removed, leaving `directory` as it was. `what` names the folder in
    messages and in the marker ("report", "release")."""
    check_output_folder(directory, what, protected)
    parent = _absolute(directory)[0].parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{directory.name}.", suffix=".tmp"))
        _UNFINISHED.add(staging)
        staging.chmod(folder_mode())  # not mkdtemp's 0700, which would hide it from a web server
    except OSError as error:
        raise CoopgraphError(
            f"cannot create the {what} folder {directory}: {error.strerror or error}",
            hint="choose a writable folder with -o",
        ) from error
    try:
        try:
            yield staging
            _write_marker(staging, what)
        except OSError as error:
            raise CoopgraphError(
                f"cannot write the {what} folder {directory}: {error.strerror or error}",
                hint="free some space or choose another folder with -o; nothing was changed",
            ) from error
        with _PLACING:
            _check_owned(directory, what)  # again: the user may have added a file meanwhile
            _swap(staging, directory, what)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _UNFINISHED.discard(staging)


def _swap(staging: Path, directory: Path, what: str) -> None:
    """Put `staging` where `directory` is, the earlier folder there (checked to be coopgraph's
    alone) removed once the new one is in place."""
    retired = None
    try:
        if directory.exists():
            retired = directory.with_name(f".{directory.name}.old-{staging.name}")
            directory.rename(retired)
        try:
            staging.rename(directory)
        except BaseException:
            if retired is not None:
                retired.rename(directory)
            raise
    except OSError as error:
        raise CoopgraphError(
            f"cannot put the {what} folder in place at {directory}: {error.strerror or error}",
            hint="choose another folder with -o; nothing was changed",
        ) from error
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
