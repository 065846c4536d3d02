"""Background writing of the on-disk store: tasks run on threads while the build goes on.

Oxigraph lets go of the GIL while it writes, and RocksDB ingests bulk-loaded files
concurrently, so the slowest step of a build (writing the store) overlaps with parsing,
reasoning, validating and materialising the reports on the in-memory copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType


class BackgroundWriter:
    """Runs tasks in `workers` threads (Oxigraph releases the GIL while it writes, and
    RocksDB ingests bulk-loaded files concurrently). `wait` re-raises the first error; leaving
    the context early drops the pending tasks."""

    def __init__(self, workers: int = 2) -> None:
        self._tasks: list[Callable[[], object]] = []
        self.submitted = 0
        self._finished = 0
        self._lock = threading.Condition()
        self._closed = False
        self._cancelled = False
        self._error: BaseException | None = None
        self._threads = [
            threading.Thread(target=self._run, name=f"coopgraph-store-writer-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, task: Callable[[], object]) -> None:
        with self._lock:
            self._tasks.append(task)
            self.submitted += 1
            self._lock.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._tasks and not self._closed:
                    self._lock.wait()
                if not self._tasks:
                    return
                task = self._tasks.pop(0)
                skip = self._cancelled or self._error is not None
            if not skip:
                try:
                    task()
                except BaseException as error:  # handed to the caller by wait()
                    with self._lock:
                        if self._error is None:
                            self._error = error
            with self._lock:
                self._finished += 1
                self._lock.notify_all()

    def _close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join()

    def wait(self, on_finished: Callable[[int], None] | None = None) -> None:
        """Wait for every task, calling `on_finished(n)` as `n` more are done; raise the
        first error one of them raised."""
        reported = 0
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            while self._finished < self.submitted and self._error is None:
                self._lock.wait()
                if on_finished is not None and self._finished > reported:
                    on_finished(self._finished - reported)
                    reported = self._finished
            if on_finished is not None and self._finished > reported:
                on_finished(self._finished - reported)
        self._close()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            with self._lock:
                self._cancelled = True
            self._close()


def chunks(data: bytes, count: int) -> list[bytes]:
    """`data` (N-Triples or N-Quads) cut at line ends into about `count` pieces, so that
    several threads can load it at once."""
    size = max(1, len(data) // count + 1)
    pieces: list[bytes] = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(len(data) - 1, start + size))
        end = len(data) if end < 0 else end + 1
        pieces.append(data[start:end])
        start = end
    return pieces
