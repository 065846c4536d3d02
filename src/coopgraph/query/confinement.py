"""Taking away a process's means of calling out: no network socket can be opened.

Public API:
    deny_network() -> None     from now on this process and its children cannot open any
                               socket but a Unix one (socket() fails with EACCES); raises
                               ConfinementError where the system cannot do it
    ConfinementError           seccomp is not available here (not Linux, no libseccomp, or a
                               sandbox that forbids installing a filter)

Why: Oxigraph evaluates SERVICE (and LOAD) with its own HTTP client and has no switch to turn
that off. coopgraph.query.guard refuses those keywords before a query runs; this is the
second lock, for whatever a check might let through: a query worker of `coopgraph serve`
(without --allow-service) installs this filter when it starts, so that even a SERVICE call
that reached the engine fails with "permission denied" instead of reaching an address of the
server's network.

How: a seccomp filter (Linux's syscall filter, through libseccomp via `pyseccomp`) that makes
socket(2) fail with EACCES for every address family except AF_UNIX (the worker's pipe to the
server is a Unix socket pair, opened before), and io_uring_setup(2) fail with ENOSYS (io_uring
can open and connect sockets without those system calls). A filter cannot be removed: it
holds for the life of the process and is inherited by every process it starts. Filtering
socket() rather than connect() is deliberate: seccomp sees connect()'s address only as a
pointer it cannot read, but sees socket()'s address family as a number.
"""

from __future__ import annotations

import errno
import socket
import sys

from coopgraph.errors import CoopgraphError


class ConfinementError(CoopgraphError):
    """The system cannot stop this process from opening network sockets."""


def deny_network() -> None:
    """Forbid this process and its children to open any socket but a Unix one."""
    if not sys.platform.startswith("linux"):
        raise ConfinementError(
            f"cannot confine the query workers on {sys.platform}: seccomp is Linux's",
            hint="run the server on Linux, or start it with --allow-service "
            "if it may call other services",
        )
    try:
        import pyseccomp as seccomp  # noqa: PLC0415 - loads libseccomp: only in a worker
    except (ImportError, RuntimeError, OSError) as error:
        raise ConfinementError(
            f"cannot confine the query workers: libseccomp cannot be loaded ({error})",
            hint="install libseccomp2 and pyseccomp, or start the server with --allow-service "
            "if it may call other services",
        ) from error
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(
            seccomp.ERRNO(errno.EACCES),
            "socket",
            seccomp.Arg(0, seccomp.NE, socket.AF_UNIX),
        )
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except OSError as error:
        raise ConfinementError(
            f"cannot confine the query workers: the seccomp filter was refused ({error})",
            hint="allow seccomp in the container, or start the server with --allow-service "
            "if it may call other services",
        ) from error
