"""A task is (device, stage, unit): a pure function of the evidence that writes Parquet shards.

A task writes its shards into `shards/<task_id>.partial-<writer>/`, then renames the directory
to `shards/<task_id>/` and writes `done` last. A directory with `done` is complete; anything
else is redone on the next run, so a killed run resumes without duplicates. The partial
directory is the writer's own: a worker orphaned by a killed run that still finishes its task
cannot mix its files with the new run's; whichever finishes first is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

import pyarrow.parquet as pq

from crossdrive.paths import safe_name
from crossdrive.store.schema import TABLES, to_table


@dataclass(frozen=True)
class Task:
    device: str
    stage: str
    unit: str  # what part of the device: "all", "p1", "whole", a byte range …
    inputs: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def id(self) -> str:
        return safe_name(f"{self.device}.{self.stage}.{self.unit}")

    def as_dict(self) -> dict:
        return asdict(self)


def of_stage(task_id: str, stage: str) -> bool:
    """Whether a task id (`device.stage.unit`, see `Task.id`) is one of `stage`'s."""
    return f".{stage}." in task_id


def done_dir(shards: Path, task: Task) -> Path:
    return shards / task.id


def is_done(shards: Path, task: Task) -> bool:
    return (done_dir(shards, task) / "done").exists()


BATCH_ROWS = 20_000


def write_task_output(shards: Path, task: Task, tables: dict[str, Iterable[dict]]) -> dict:
    """Write each table's rows as one Parquet shard, then mark the task done atomically.

    Rows are streamed in batches, so a file system of millions of entries never sits in memory.
    Tables are written in the order given: a later table (errors) may be filled while an
    earlier one (files) is being consumed.
    """
    partial = shards / f"{task.id}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    final = done_dir(shards, task)
    partial.mkdir(parents=True)
    counts = {}
    for name, rows in tables.items():
        counts[name] = 0
        with pq.ParquetWriter(partial / f"{name}.parquet", TABLES[name], compression="zstd") as out:
            for batch in _batches(rows, BATCH_ROWS):
                for row in batch:
                    row["task_id"] = task.id
                out.write_table(to_table(name, batch))
                counts[name] += len(batch)
    manifest = {"task": task.as_dict(), "id": task.id, "rows": counts}
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=1))
    if not is_done(shards, task):
        shutil.rmtree(final, ignore_errors=True)
        try:
            partial.rename(final)
            (final / "done").write_text("ok\n")
            return manifest
        except OSError:  # another writer renamed its copy in between: it is kept
            pass
    shutil.rmtree(partial, ignore_errors=True)
    return manifest


def remove_shards(shards: Path, task_ids: list[str]) -> None:
    """Remove the shard directories of these tasks (tasks a run no longer plans)."""
    for task_id in task_ids:
        shutil.rmtree(shards / task_id, ignore_errors=True)


def clear_partials(shards: Path) -> None:
    """Remove what killed runs left half written (their tasks are simply run again)."""
    for path in shards.glob("*.partial*"):
        shutil.rmtree(path, ignore_errors=True)


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


StageFunction = Callable[[Task], dict[str, Iterable[dict]]]
