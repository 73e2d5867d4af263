"""Run tasks on local worker processes; one crashing task fails alone.

Kept behind one function (`run_tasks`) so the distributed engine (Dask) can replace the local
pool without touching the stages. A native parser that kills its worker breaks a
ProcessPoolExecutor for every task in it, so after a breakage each unfinished task is retried
once in a fresh single-worker pool; a task that kills that one too is recorded as an error.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from crossdrive.pipeline.stages import STAGES
from crossdrive.pipeline.tasks import Task, is_done, write_task_output

OnDone = Callable[[Task, dict], None]


def execute(shards: Path, task: Task) -> dict:
    """Run one task and write its output; an exception becomes the task's error row."""
    try:
        return write_task_output(shards, task, STAGES[task.stage](task))
    except Exception as exc:
        return record_failure(
            shards, task, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3)
        )


def record_failure(shards: Path, task: Task, message: str, detail: str = "") -> dict:
    error = {
        "device": task.device,
        "stage": task.stage,
        "partition": task.inputs.get("partition"),
        "offset": task.inputs.get("offset"),
        "message": f"task {task.id} failed: {message}" + (f"\n{detail}" if detail else ""),
    }
    return write_task_output(shards, task, {"errors": [error]})


def run_tasks(shards: Path, tasks: Iterable[Task], workers: int, on_done: OnDone) -> None:
    """Run every task not yet done; `on_done(task, manifest)` is called as each finishes."""
    pending = [task for task in tasks if not is_done(shards, task)]
    if workers <= 1:
        for task in pending:
            on_done(task, execute(shards, task))
        return
    unfinished = _run_pool(shards, pending, workers, on_done)
    for task in unfinished:  # the pool broke: retry each alone, once
        left = _run_pool(shards, [task], 1, on_done)
        if left:
            on_done(task, record_failure(shards, task, "worker process crashed (twice)"))


def _run_pool(shards: Path, tasks: list[Task], workers: int, on_done: OnDone) -> list[Task]:
    """Run tasks on a pool; return those left unfinished because a worker died."""
    finished: set[str] = set()
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(execute, shards, task): task for task in tasks}
            for future in as_completed(futures):
                task = futures[future]
                on_done(task, future.result())
                finished.add(task.id)
    except BrokenProcessPool:
        pass
    return [task for task in tasks if task.id not in finished]
