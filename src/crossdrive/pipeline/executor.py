"""Run tasks on Dask distributed: a loopback LocalCluster by default, or an existing cluster.

Kept behind one small class (`Engine`) so the stages never see the engine. Why Dask (measured
against Ray and a bare process pool, ARCHITECTURE.md "Tasks and scale"): a 1 s start, 2–3 ms
per task, and a worker killed by a native parser (a segfault on hostile input) is replaced by
its nanny while its task is re-run elsewhere; a `ProcessPoolExecutor` breaks for good instead.

- A task runs `execute`, which writes its shards and returns only a small manifest, so a lost
  worker loses no finished work and results never travel through the scheduler.
- A task whose worker dies is retried once (`allowed-failures` = 1 on our LocalCluster; on an
  existing cluster, its scheduler's own setting). When it kills a worker again it is recorded
  as an error of its device and stage, with its location, and the run goes on.
- Each worker is one process with one thread and a memory limit: a parser that leaks past it
  is restarted by its nanny (its task retried like a crash).
- `workers = 0` runs every task in this process, one after the other: for debugging only, as
  a crash there ends the run.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crossdrive.pipeline.stages import STAGES
from crossdrive.pipeline.tasks import Task, is_done, write_task_output

OnDone = Callable[[Task, dict], None]
FAULT = "CROSSDRIVE_FAULT_INJECT"  # task ids containing this text crash their worker (tests)


def execute(shards: Path, task: Task) -> dict:
    """Run one task and write its output; an exception becomes the task's error row."""
    fault = os.environ.get(FAULT)
    if fault and fault in task.id:
        os.kill(os.getpid(), signal.SIGSEGV)  # what a native parser's bad read does
    started = time.perf_counter()
    try:
        manifest = write_task_output(shards, task, STAGES[task.stage](task))
    except Exception as exc:
        manifest = record_failure(
            shards, task, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3)
        )
    return manifest | {"seconds": round(time.perf_counter() - started, 4)}


def record_failure(shards: Path, task: Task, message: str, detail: str = "") -> dict:
    error = {
        "device": task.device,
        "stage": task.stage,
        "partition": task.inputs.get("partition"),
        "offset": task.inputs.get("offset", task.inputs.get("start")),
        "message": f"task {task.id} failed: {message}" + (f"\n{detail}" if detail else ""),
    }
    return write_task_output(shards, task, {"errors": [error]})


class Engine:
    """Where tasks run: `Engine.start(workers, cluster)` gives one for a whole run."""

    def __init__(self, client=None) -> None:
        self.client = client  # None: in this process

    @classmethod
    @contextmanager
    def start(cls, workers: int, cluster: str | None = None) -> Iterator[Engine]:
        if not cluster and workers <= 0:
            yield cls()
            return
        import dask
        from distributed import Client, LocalCluster

        if cluster:
            with Client(cluster, timeout="30s") as client:
                yield cls(client)
            return
        settings = {
            "distributed.scheduler.allowed-failures": 1,  # retried once, then an error
            "distributed.worker.daemon": False,  # tasks may start their own helpers
            "distributed.worker.memory.terminate": 0.95,  # a leaking parser is recycled
        }
        with (
            dask.config.set(settings),
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",  # loopback only
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            ) as local,
            Client(local) as client,
        ):
            yield cls(client)

    @property
    def workers(self) -> int:
        if self.client is None:
            return 1
        return len(self.client.scheduler_info(n_workers=-1)["workers"]) or 1

    def run(self, shards: Path, tasks: Iterable[Task], on_done: OnDone) -> None:
        """Run every task not yet done; `on_done(task, manifest)` is called as each ends."""
        pending = [task for task in tasks if not is_done(shards, task)]
        if not pending:
            return
        if self.client is None:
            for task in pending:
                on_done(task, execute(shards, task))
            return
        from distributed import as_completed

        run = f"{os.getpid()}-{id(pending)}"  # keys unique to this run on a shared scheduler
        futures = {
            self.client.submit(execute, shards, task, key=f"{task.id}-{run}", pure=False): task
            for task in pending
        }
        for future in as_completed(futures):
            task = futures[future]
            try:
                manifest = future.result()
            except Exception as exc:  # KilledWorker: it crashed its worker twice
                reason = "worker process crashed (twice)" if _killed(exc) else repr(exc)
                manifest = record_failure(shards, task, reason)
            on_done(task, manifest)
            future.release()


def _killed(exc: Exception) -> bool:
    return type(exc).__name__ == "KilledWorker"
