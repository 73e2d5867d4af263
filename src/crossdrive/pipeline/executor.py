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

import hashlib
import heapq
import itertools
import logging
import os
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crossdrive.pipeline.progress import alive, peak_memory, task_bytes
from crossdrive.pipeline.stages import STAGES
from crossdrive.pipeline.tasks import Task, write_task_output

OnDone = Callable[[Task, dict], None]
# Tests: task ids containing this text crash their worker (`TEXT`), or leak memory until
# the worker's nanny stops them (`leak:TEXT`).
FAULT = "CROSSDRIVE_FAULT_INJECT"
LEAK_CAP = 8 * 1024**3  # what an injected leak takes at most if nothing stops it


def execute(shards: Path, task: Task, fault: str | None = None) -> dict:
    """Run one task and write its output; an exception becomes the task's error row. `fault`:
    the run's FAULT setting, read where the run started (workers forked from a server keep
    the environment the server started with)."""
    _one_thread()
    _own_scratch()
    started = time.perf_counter()
    try:
        if fault:
            _inject(fault, task)
        manifest = write_task_output(shards, task, STAGES[task.stage](task))
    except Exception as exc:
        manifest = record_failure(
            shards, task, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3)
        )
    return manifest | {
        "seconds": round(time.perf_counter() - started, 4),
        "peak_memory": peak_memory(),
    }


def _inject(fault: str, task: Task) -> None:
    """The faults the tests inject: a segfault, as a native parser's bad read, or a leak, as
    a parser that never frees (its worker's nanny must stop it)."""
    leak = fault.startswith("leak:")
    if fault.removeprefix("leak:") not in task.id:
        return
    if not leak:
        os.kill(os.getpid(), signal.SIGSEGV)
    held = []
    while len(held) * 64 * 1024**2 < LEAK_CAP:
        held.append(b"\x01" * (64 * 1024**2))  # written, so resident
        time.sleep(0.01)
    raise RuntimeError("injected leak not stopped by a memory limit")


def _one_thread() -> None:
    """A worker is one process with one thread: Arrow's pools would otherwise start a thread
    per core in every worker, and the workers would fight over the cores."""
    import pyarrow as pa

    if pa.cpu_count() != 1:
        pa.set_cpu_count(1)
        pa.set_io_thread_count(1)


SCRATCH = "crossdrive-worker-"  # + the worker's pid: its temporary files, in the system's
_scratch: list[Path] = []  # this process's, once made


def _own_scratch() -> None:
    """Every temporary file a task makes (a copy of the file being parsed, a carved database
    checked) goes into one directory of this worker's. A worker killed mid-task (a native
    parser's segfault, its memory limit) leaves that directory behind, up to a 4 GiB copy of
    evidence: the next worker that starts on this machine removes those of dead workers."""
    if not _scratch:
        base = Path(tempfile.gettempdir())
        for left in base.glob(f"{SCRATCH}*"):
            pid = left.name.removeprefix(SCRATCH)
            if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
                shutil.rmtree(left, ignore_errors=True)
        _scratch.append(base / f"{SCRATCH}{os.getpid()}")
    _scratch[0].mkdir(mode=0o700, exist_ok=True)
    tempfile.tempdir = str(_scratch[0])


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
    """Where tasks run: `Engine.start(shards, on_done, workers, cluster)` gives one for a run.

    Tasks are queued with `submit` and run as workers free up; `wait` reports finished tasks
    (any of those queued, in the order they finish) until the ones asked for are all done. So
    a stage that nothing waits on yet (the sweep) keeps workers busy while the run waits on
    another (the walks) and plans the next."""

    def __init__(self, shards: Path, on_done: OnDone, client=None) -> None:
        self.shards = shards
        self.on_done = on_done  # called once for each task as it finishes
        self.client = client  # None: in this process
        self.queued: list[tuple[int, int, Task]] = []  # in-process: a heap of tasks not yet run
        self.order = itertools.count()  # in-process: equal ranks run in the order queued
        self.running: dict = {}  # Dask: future -> task
        self.completed = None  # Dask: as_completed over every future submitted
        self.submitted: set[str] = set()
        self.finished: set[str] = set()
        self.run_key = f"{os.getpid()}-{id(self)}"  # keys unique to this run on a scheduler
        self.fault = os.environ.get(FAULT)

    @classmethod
    @contextmanager
    def start(
        cls,
        shards: Path,
        on_done: OnDone,
        workers: int,
        cluster: str | None = None,
        worker_memory: str = "auto",
    ) -> Iterator[Engine]:
        """`worker_memory`: each local worker's limit (`4GiB`; `auto`: the machine's memory
        shared between the workers); a worker that passes 95 % of it is restarted."""
        if not cluster and workers <= 0:
            yield cls(shards, on_done)
            return
        import dask
        from distributed import Client, LocalCluster

        if cluster:
            with Client(cluster, timeout="30s") as client:
                yield cls(shards, on_done, client)
            return
        settings = {
            "distributed.scheduler.allowed-failures": 1,  # retried once, then an error
            # One task per worker at a time (see `_key`): a worker's death counts against
            # every task it holds, and with tasks handed out in advance, one queued behind a
            # task that crashed its worker twice was recorded as crashed too.
            "distributed.scheduler.worker-saturation": 1.0,
            "distributed.worker.daemon": False,  # tasks may start their own helpers
            "distributed.worker.memory.terminate": 0.95,  # a leaking parser is recycled
            # Results are small manifests: nothing to spill. And a worker keeps freed memory
            # in its heap (preload.py), so one paused for memory might never resume.
            "distributed.worker.memory.target": False,
            "distributed.worker.memory.spill": False,
            "distributed.worker.memory.pause": False,
            "distributed.worker.multiprocessing-method": "forkserver",
        }
        _preload_workers()
        with (
            dask.config.set(settings),
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=worker_memory,
                host="127.0.0.1",  # loopback only
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            ) as local,
            Client(local) as client,
        ):
            yield cls(shards, on_done, client)

    def submit(self, tasks: Iterable[Task], priority: int = 0) -> None:
        """Queue the tasks (the run leaves out those an earlier run did). Queued tasks start in
        order of `priority` (highest first), then of size (`task_bytes`, largest first)."""
        pending = list(tasks)
        self.submitted.update(task.id for task in pending)
        ranks = {task.id: _rank(task, priority) for task in pending}
        if self.client is None:
            for task in pending:
                heapq.heappush(self.queued, (-ranks[task.id], next(self.order), task))
            return
        from distributed import as_completed

        futures = {
            self.client.submit(
                execute,
                self.shards,
                task,
                self.fault,
                key=_key(task, self.run_key),
                pure=False,
                priority=ranks[task.id],
            ): task
            for task in pending
        }
        self.running.update(futures)
        if self.completed is None:
            self.completed = as_completed(futures)
        else:
            self.completed.update(futures)

    def wait(self, tasks: Iterable[Task]) -> None:
        """Report finished tasks until every one of `tasks` has finished."""
        left = {t.id for t in tasks if t.id in self.submitted and t.id not in self.finished}
        while left:
            task, manifest = self._next()
            self.finished.add(task.id)
            left.discard(task.id)
            self.on_done(task, manifest)

    def _next(self) -> tuple[Task, dict]:
        if self.client is None:
            task = heapq.heappop(self.queued)[2]
            return task, execute(self.shards, task, self.fault)
        future = next(self.completed)
        task = self.running.pop(future)
        try:
            manifest = future.result()
        except Exception as exc:  # KilledWorker: it crashed its worker twice
            reason = "worker process crashed (twice)" if _killed(exc) else repr(exc)
            manifest = record_failure(self.shards, task, reason)
        future.release()
        return task, manifest


def _key(task: Task, run: str) -> str:
    """The task's Dask key: its stage, then a digest unique to the task and the run. Dask
    groups tasks by the key's leading words; tasks without dependencies in a group larger than
    twice the cluster's threads are queued on the scheduler and handed to a worker only when
    it is free. Keyed by task id (a group of one each), every task was assigned to a worker
    at once, so a worker held many, and its death counted against them all: tasks queued
    behind one that crashed its worker twice were recorded as crashed too."""
    digest = hashlib.sha1(f"{task.id}-{run}".encode()).hexdigest()[:16]
    return f"{task.stage}-{digest}"


SIZE_BITS = 48  # task sizes up to 256 TiB order tasks within a priority


def _rank(task: Task, priority: int) -> int:
    return (priority << SIZE_BITS) | min(task_bytes(task), (1 << SIZE_BITS) - 1)


def _preload_workers() -> None:
    """Local workers are forked from a server that imported `crossdrive.pipeline.preload`
    (every stage, a compiled hyperscan database), so no worker pays for that again. Dask
    would set its own list (importing each of its optional packages here first): ours is
    set, and the server started (the command may have started it already, see `forkserver`),
    before Dask looks."""
    from distributed import utils

    from crossdrive.pipeline import forkserver

    if not utils._forkserver_preload_set:
        forkserver.start()
        utils._forkserver_preload_set = True


def _killed(exc: Exception) -> bool:
    return type(exc).__name__ == "KilledWorker"
