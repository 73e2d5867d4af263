"""The fork server local workers are forked from, started before anything else is imported.

Starting it costs little here; the server process then imports every stage and compiles the
hyperscan database (`preload`, ~0.7 s of CPU) while this process imports Dask and plans the
first stage, instead of after. Only the standard library is imported here, so the command can
call it first thing.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

PRELOAD = ["crossdrive.pipeline.preload"]


def start() -> None:
    """Start the fork server with the workers' preload (a no-op when it runs already)."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()
