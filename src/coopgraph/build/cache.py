"""The cache folder of built stores, kept in working order: one build of a store at a time (a
lock file per store), no folders left behind by a build that was killed, and a damaged store
set aside so that it is built again.

The lock of a store is `locks/<digest>.lock` beside the `stores` folder. A build works in
`.<digest>.building-<pid>` (a revision in `.<digest>.revising-<pid>`) and
renames it to `<digest>` when done; a store found damaged is renamed `.<digest>.damaged-<pid>`
before it is removed. Any such folder whose process is no longer alive is removed by the next
build in that cache (and, for the store being built, any at all: its builder held the lock).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coopgraph.errors import CoopgraphError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not serialised
    fcntl = None  # type: ignore[assignment]

_WORK_FOLDER = re.compile(
    r"^\.(?P<digest>[0-9a-f]+)\.(?:building|revising|damaged|old)-(?P<pid>\d+)$"
)


def cache_error(cache: Path, error: OSError) -> CoopgraphError:
    """The error for a cache folder that cannot be written (permissions, a full disk...)."""
    return CoopgraphError(
        f"cannot write the cache folder {cache}: {error.strerror or error}",
        hint="make it writable (and free some space), or give another folder with --cache-dir "
        "or COOPGRAPH_CACHE_DIR",
    )


@contextmanager
def build_lock(
    cache: Path, digest: str, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the lock on building the store `digest` in the stores folder `cache` (created);
    `waiting` is called when another process holds it, before waiting for it."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        locks = cache.parent / "locks"
        locks.mkdir(exist_ok=True)
        # Never through a symbolic link: a link planted there must not create or touch a file.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        handle = os.fdopen(os.open(locks / f"{digest}.lock", flags, 0o666), "r+b")
    except OSError as error:
        raise cache_error(cache, error) from error
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting()
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_left_behind(cache: Path, locked: str | None = None) -> list[str]:
    """Remove the work folders in `cache` of builds whose process is gone (and of the store
    `locked`, whose lock the caller holds, all of them but its own); their names."""
    removed: list[str] = []
    try:
        entries = list(cache.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _WORK_FOLDER.match(entry.name)
        if match is None:
            continue
        pid = int(match["pid"])
        mine = pid == os.getpid()
        if (match["digest"] == locked and not mine) or not _alive(pid):
            _remove(entry)
            if not entry.exists() and not entry.is_symlink():
                removed.append(entry.name)
    return removed


def _remove(path: Path) -> None:
    """Remove the folder, file or symbolic link `path` (a link itself, never what it names)."""
    with contextlib.suppress(OSError):
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)


def set_aside(location: Path) -> None:
    """Move the damaged store `location` (a folder, or whatever is there) out of the way, then
    remove it."""
    aside = location.with_name(f".{location.name}.damaged-{os.getpid()}")
    _remove(aside)
    try:
        location.rename(aside)
    except FileNotFoundError:
        return
    except OSError as error:
        raise cache_error(location.parent, error) from error
    _remove(aside)


def replace_folder(staging: Path, final: Path) -> None:
    """Put the finished folder `staging` at `final`, an earlier folder there moved aside
    first (never removed before the new one is in place)."""
    aside = None
    if final.exists():
        aside = final.with_name(f".{final.name}.old-{os.getpid()}")
        shutil.rmtree(aside, ignore_errors=True)
        final.rename(aside)
    try:
        staging.rename(final)
    except BaseException:
        if aside is not None:
            with contextlib.suppress(OSError):
                aside.rename(final)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
