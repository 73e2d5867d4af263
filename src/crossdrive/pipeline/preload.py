"""What every local worker needs before its first task, loaded once in the process it is
forked from.

A worker started fresh imports every stage and parser module and compiles the sweep's
hyperscan database before its first task of each kind can run: about a second of CPU per
worker, paid again by every worker. The local cluster therefore starts its workers from a
fork server that imported this module once; each worker is a fork of it, with the modules
loaded and the database compiled (`executor.Engine.start`).
"""

from __future__ import annotations

import distributed  # noqa: F401  (the worker itself)

from crossdrive.pipeline import executor, stages  # noqa: F401  (every stage and parser)
from crossdrive.sweep import scanners

scanners.database()  # compiled once, shared by the forks
