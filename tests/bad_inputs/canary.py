"""A loopback listener that must never be called: a hostile case names it as an internal
address, and any connection to it means something called out that should not have."""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class Canary:
    """Counts the connections made to 127.0.0.1:`port` while it is open."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="canary", daemon=True)

    def _accept(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stopped.is_set():
            try:
                connection, _address = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.calls += 1
            # Answer like a SPARQL endpoint would, so that a caller that got through is seen
            # to have got data, not an error that hides the call.
            try:
                connection.recv(65536)
                body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
            except OSError:
                pass
            finally:
                connection.close()

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._socket.close()
        self._thread.join(timeout=5)
