"""`crossdrive process`: plan the stages in order, run their tasks, load their shards."""

from __future__ import annotations

from collections.abc import Callable

from crossdrive.case import Case
from crossdrive.pipeline.executor import run_tasks
from crossdrive.pipeline.tasks import Task, done_dir, is_done
from crossdrive.store import database
from crossdrive.sweep.pages import plan_pages

# stage name -> planner: (case) -> tasks. Later stages plan from what earlier ones loaded.
Planner = Callable[[Case], list[Task]]


def plan_volumes(case: Case) -> list[Task]:
    with case.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT device, path FROM images WHERE segment = 0 ORDER BY device"
        ).fetchall()
    return [Task(device, "volumes", "all", {"image": path}) for device, path in rows]


def plan_walks(case: Case) -> list[Task]:
    with case.connect(read_only=True) as con:
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


def plan_sweeps(case: Case) -> list[Task]:
    """Pages of every device's whole byte stream (see sweep/pages.py)."""
    with case.connect(read_only=True) as con:
        rows = con.execute(
            """SELECT d.label, d.size, i.path FROM devices d
               JOIN images i ON i.device = d.label AND i.segment = 0 ORDER BY d.label"""
        ).fetchall()
    return [
        Task(device, "sweep", f"{start:014d}", {"image": path, "start": start, "length": length})
        for device, size, path in rows
        for start, length in plan_pages(size)
    ]


CARVE_CHUNK = 64 * 1024 * 1024


def plan_carves(case: Case) -> list[Task]:
    """Stretches of every partition and gap, carved outside the allocated files."""
    with case.connect(read_only=True) as con:
        rows = con.execute(
            """SELECT v.device, v.kind, v.start, v.length, i.path FROM volumes v
               JOIN images i ON i.device = v.device AND i.segment = 0
               WHERE v.kind IN ('partition', 'whole', 'gap') ORDER BY v.device, v.start"""
        ).fetchall()
    walks: dict[str, list[str]] = {}
    for walk in plan_walks(case):
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
            tasks.append(Task(device, "carve", f"{at:014d}", inputs))
    return tasks


STAGE_PLANNERS: list[tuple[str, Planner]] = [
    ("volumes", plan_volumes),
    ("walk", plan_walks),
    ("sweep", plan_sweeps),
    ("carve", plan_carves),
]

StageStart = Callable[[str, int], Callable[[Task, dict], None]]


def process(case: Case, workers: int, stage_start: StageStart) -> dict[str, int]:
    """Run every stage to completion (resuming what a previous run left); task counts per stage.

    `stage_start(stage, n_tasks)` returns the callback called as each task finishes.
    """
    counts = {}
    for stage, planner in STAGE_PLANNERS:
        tasks = planner(case)
        counts[stage] = len(tasks)
        on_done = stage_start(stage, len(tasks))
        for task in tasks:  # already done in an earlier run: report it as done
            if is_done(case.shards, task):
                on_done(task, {"rows": {}, "resumed": True})
        run_tasks(case.shards, tasks, workers, on_done)
        load(case, tasks)
    return counts


def load(case: Case, tasks: list[Task]) -> None:
    """Merge the shards of finished tasks not yet in the store."""
    with case.connect() as con:
        loaded = database.loaded_tasks(con)
        for task in tasks:
            if task.id not in loaded and is_done(case.shards, task):
                database.load_task(con, task.id, done_dir(case.shards, task))
