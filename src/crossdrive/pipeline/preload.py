"""What every local worker needs before its first task, loaded once in the process it is
forked from.

A worker started fresh imports every stage and parser module and compiles the sweep's
hyperscan database before its first task of each kind can run: about a second of CPU per
worker, paid again by every worker. The local cluster therefore starts its workers from a
fork server that imported this module once; each worker is a fork of it, with the modules
loaded and the database compiled (`executor.Engine.start`).

Tasks read buffers of 17 MiB (a sweep page and its margin) to 96 MiB (a carving stretch).
glibc maps every allocation that large fresh from the kernel and unmaps it when freed, so each
task had the kernel fault in and zero its buffers again: half of a worker's page faults. The
workers keep freed memory in their heap instead, up to 1 GiB (on the demo: page faults 0.88 M
-> 0.34 M, system time 5.5 s -> 3.7 s, 6-8 % off the run).
"""

from __future__ import annotations

import ctypes

import distributed  # noqa: F401  (the worker itself)

from crossdrive.entities import mentions, occurrences  # noqa: F401  (derive's text readers)
from crossdrive.pipeline import executor, stages  # noqa: F401  (every stage and parser)
from crossdrive.sweep import scanners

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def _keep_freed_memory() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc: its allocator keeps its own policy
    libc.mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024)
    libc.mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024)


_keep_freed_memory()
scanners.database()  # compiled once, shared by the forks
