"""`crossdrive process`: plan the stages in order, run their tasks, load their shards."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

import duckdb

from crossdrive.case import Case
from crossdrive.pipeline.executor import Engine
from crossdrive.pipeline.progress import RunProgress, StageProgress
from crossdrive.pipeline.stages import CONTENT_FILTER, CONTENT_ORDER
from crossdrive.pipeline.tasks import (
    Task,
    clear_partials,
    done_dir,
    is_done,
    of_stage,
    remove_shards,
)
from crossdrive.pipeline.texts import read_by_tasks
from crossdrive.store import database
from crossdrive.sweep.pages import plan_pages

# stage name -> planner: (case, the run's store connection) -> tasks. Later stages plan from
# what earlier ones loaded.
Planner = Callable[[Case, duckdb.DuckDBPyConnection], list[Task]]


def plan_volumes(case: Case, con: duckdb.DuckDBPyConnection) -> list[Task]:
    rows = con.execute(
        "SELECT device, path FROM images WHERE segment = 0 ORDER BY device"
    ).fetchall()
    return [Task(device, "volumes", "all", {"image": path}) for device, path in rows]


def plan_walks(case: Case, con: duckdb.DuckDBPyConnection) -> list[Task]:
    rows = con.execute(
        """SELECT f.device, f.partition, f."offset", i.path FROM filesystems f
           JOIN images i ON i.device = f.device AND i.segment = 0
           ORDER BY f.device, f."offset" """
    ).fetchall()
    return [
        Task(
            device,
            "walk",
            f"p{partition}" if partition is not None else f"at{offset}",
            {"image": path, "partition": partition, "offset": offset},
        )
        for device, partition, offset, path in rows
    ]


def plan_sweeps(case: Case, con: duckdb.DuckDBPyConnection) -> list[Task]:
    """Pages of every device's whole byte stream (see sweep/pages.py)."""
    rows = con.execute(
        """SELECT d.label, d.size, i.path FROM devices d
           JOIN images i ON i.device = d.label AND i.segment = 0 ORDER BY d.label"""
    ).fetchall()
    return [
        Task(
            device, "sweep", _span(start, length), {"image": path, "start": start, "length": length}
        )
        for device, size, path in rows
        for start, length in plan_pages(size)
    ]


def _span(start: int, length: int) -> str:
    """A byte range as a task unit: a stretch cut differently (another page or chunk size) is
    another task, so a later version's run never takes an old task for its own."""
    return f"{start:014d}-{start + length:014d}"


CARVE_CHUNK = 64 * 1024 * 1024


def plan_carves(case: Case, con: duckdb.DuckDBPyConnection) -> list[Task]:
    """Stretches of every partition and gap, carved outside the allocated files."""
    rows = con.execute(
        """SELECT v.device, v.kind, v.start, v.length, i.path FROM volumes v
           JOIN images i ON i.device = v.device AND i.segment = 0
           WHERE v.kind IN ('partition', 'whole', 'gap') ORDER BY v.device, v.start"""
    ).fetchall()
    walks: dict[str, list[str]] = {}
    for walk in plan_walks(case, con):
        walks.setdefault(walk.device, []).append(str(done_dir(case.shards, walk) / "files.parquet"))
    tasks = []
    for device, kind, start, length, path in rows:
        place = "unpartitioned" if kind == "gap" else "unallocated"
        for at in range(start, start + length, CARVE_CHUNK):
            inputs = {
                "image": path,
                "start": at,
                "length": min(CARVE_CHUNK, start + length - at),
                "region_end": start + length,
                "place": place,
                "walks": walks.get(device, []),  # allocated runs are read from these
                "case": str(case.root),
            }
            tasks.append(Task(device, "carve", _span(at, inputs["length"]), inputs))
    return tasks


CONTENT_FILES = 500  # files per content task
CONTENT_BYTES = 256 * 1024 * 1024  # or bytes, whichever comes first


def plan_contents(case: Case, con: duckdb.DuckDBPyConnection) -> list[Task]:
    """Batches of each file system's readable regular files (same filter and order as the
    task applies to the walk's shard), so every file is parsed by exactly one task."""
    tasks = []
    for walk in plan_walks(case, con):
        sizes = [
            size
            for (size,) in con.execute(
                f"SELECT size FROM files WHERE task_id = ? AND {CONTENT_FILTER} "
                f"ORDER BY {CONTENT_ORDER}",
                [walk.id],
            ).fetchall()
        ]
        first = total = 0
        for index, size in enumerate([*sizes, None]):
            count = index - first
            if size is None or count >= CONTENT_FILES or (count and total + size > CONTENT_BYTES):
                if count:
                    inputs = {
                        **walk.inputs,
                        "fs_offset": walk.inputs["offset"],
                        "walk": str(done_dir(case.shards, walk) / "files.parquet"),
                        "first": first,
                        "count": count,
                        "bytes": total,  # for progress: what the batch's files hold
                    }
                    # its files' range: a batch cut differently is another task
                    unit = f"{walk.unit}.{first:07d}-{index:07d}"
                    tasks.append(Task(walk.device, "content", unit, inputs))
                first, total = index, 0
            total += size or 0
    return tasks


CARVED_FILES = 200  # carved files per task


def plan_carved_contents(case: Case, con: duckdb.DuckDBPyConnection) -> list[Task]:
    """Batches of the files the carve stage saved, per device: a device whose free space is
    full of text gives thousands, which one task would parse alone while the other workers
    wait (70 s on a 1.9 GB case)."""
    rows = con.execute(
        'SELECT device, saved_as, "offset" FROM carved ORDER BY device, "offset"'
    ).fetchall()
    carved: dict[str, list[tuple[str, int]]] = {}
    for device, saved_as, offset in rows:
        carved.setdefault(device, []).append((saved_as, offset))
    tasks = []
    for device, files in carved.items():
        for first in range(0, len(files), CARVED_FILES):
            batch = files[first : first + CARVED_FILES]
            unit = f"{first:07d}-{first + len(batch):07d}"  # its files' range
            inputs = {"case": str(case.root), "carved": batch}
            tasks.append(Task(device, "carved-content", unit, inputs))
    return tasks


# The order of the run: each step queues the tasks of some stages, then waits for some. A
# stage is planned from what earlier steps loaded (walks need the volumes; carving and content
# the file listings; carved content the carved files). The sweep needs only the devices: it is
# queued first, at the lowest priority, and waited for last, so its pages fill every moment a
# worker would otherwise wait for the run to load a stage and plan the next.
STEPS: list[tuple[list[tuple[str, Planner]], list[str]]] = [
    ([("volumes", plan_volumes), ("sweep", plan_sweeps)], ["volumes"]),
    ([("walk", plan_walks)], ["walk"]),
    ([("content", plan_contents), ("carve", plan_carves)], ["content", "carve"]),
    ([("carved-content", plan_carved_contents)], ["carved-content", "sweep"]),
]
# A queued task runs before those of lower priority: stages that others are planned from
# first; within a priority, the larger tasks first, so the run does not end on one long task.
PRIORITY = {
    "text": 6,  # derive's readings of text (pipeline.texts), queued when nothing else is
    "volumes": 5,
    "walk": 4,
    "content": 3,
    "carve": 3,
    "carved-content": 2,
    "sweep": 1,
}


# The full-text index needs only the records (messages, documents), complete once carved
# content is loaded: it is built then, while the sweep's last pages run instead of after them
# (derive then finds it current).
INDEX_AFTER = "carved-content"
OnProgress = Callable[[RunProgress], None]
DERIVE = "crossdrive.pipeline.derive"


def process(
    case: Case,
    workers: int,
    cluster: str | None = None,
    on_progress: OnProgress | None = None,
    worker_memory: str = "auto",
) -> dict[str, int]:
    """Run every stage to completion, resuming what a previous run left; task counts per stage.

    Tasks run on `workers` local processes (a loopback Dask LocalCluster), or on the Dask
    cluster at `cluster`. Progress is kept in CASE/progress.json; `on_progress` is called
    whenever it changes (the command line redraws from it)."""
    progress = RunProgress(case.root / "progress.json", workers, cluster)
    clear_partials(case.shards)
    notify = on_progress or (lambda _progress: None)
    counts = {}
    stages: dict[str, StageProgress] = {}
    planned: dict[str, list[Task]] = {}

    def finished(task: Task, manifest: dict) -> None:
        progress.done(stages[task.stage], task, manifest)
        notify(progress)

    con = case.connect()  # one store connection for the run: opening one costs ~0.1 s
    # The derive step's modules (networkit alone takes half a second) load while the workers
    # start, when this process would only wait for them.
    derive_modules = threading.Thread(target=importlib.import_module, args=(DERIVE,))
    derive_modules.start()
    try:
        with Engine.start(case.shards, finished, workers, cluster, worker_memory) as engine:
            for queue, wait in STEPS:
                for stage, planner in queue:
                    planned[stage] = tasks = planner(case, con)
                    counts[stage] = len(tasks)
                    stages[stage] = progress.stage(stage, tasks)
                    pending = []
                    for task in tasks:  # already done in an earlier run: reported as done
                        if is_done(case.shards, task):
                            progress.done(stages[stage], task, {"rows": {}, "resumed": True})
                        else:
                            pending.append(task)
                    engine.submit(pending, PRIORITY[stage])
                notify(progress)
                for stage in wait:
                    engine.wait(planned[stage])
                    load(case, con, planned[stage], stage)
                    progress.end_stage(stages[stage])
                    if stage == INDEX_AFTER:
                        current = progress.stage("index", [])
                        notify(progress)
                        derive_modules.join()  # fulltext among them, loaded meanwhile
                        from crossdrive import fulltext

                        fulltext.build(con, case.root / "index")
                        progress.end_stage(current)
            current = progress.stage("derive", [])
            notify(progress)

            def run_tasks(stage: str, tasks: list[Task]) -> None:  # derive's text tasks
                stages[stage] = progress.stage(stage, tasks)
                engine.submit(tasks, PRIORITY[stage])
                engine.wait(tasks)
                progress.end_stage(stages[stage])

            derive_modules.join()
            read_texts = read_by_tasks(case, run_tasks)
            importlib.import_module(DERIVE).derive(case, con, read_texts)
            progress.end_stage(current)
    except BaseException:
        progress.finish("failed")
        raise
    finally:
        con.close()
    progress.finish()
    notify(progress)
    return counts


def load(case: Case, con: duckdb.DuckDBPyConnection, tasks: list[Task], stage: str) -> None:
    """Merge the shards of finished tasks not yet in the store, and drop the stage's tasks
    this run no longer plans: a case first processed by a version that cut the stage
    differently (another batch size) would otherwise keep their rows beside the new ones."""
    loaded = database.loaded_tasks(con)
    planned = {task.id for task in tasks}
    stale = sorted(t for t in loaded if of_stage(t, stage) and t not in planned)
    database.drop_tasks(con, stale)
    remove_shards(case.shards, stale)
    database.load_tasks(
        con,
        {
            task.id: done_dir(case.shards, task)
            for task in tasks
            if task.id not in loaded and is_done(case.shards, task)
        },
    )
