"""Derive's text reading as tasks: the store exports a query's rows to Parquet files of about
TEXT_CHARS characters of text each, one `text` task per file reads them on a worker and writes
its rows as a shard, and the store loads the shards in one statement.

Sending the texts and rows through the engine instead (a batch per `client.submit`) was
measured on a 1.9 GB case: 66 s against 22 s in one process, the main process busy pickling.
Here the main process only exports (about 1 s for 136 MB of text) and loads: on that case the
documents' reading went from 19–21 s to 16.4 s with two workers (9 tasks), and it divides
further with more workers. Rows that fit in one file are read in this process: a task would
cost more than it saves (the demo's texts). A task that fails has its file read here.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from crossdrive.case import Case
from crossdrive.entities.texts import Reader, ReadTexts, name_of, read_file
from crossdrive.pipeline.tasks import Task, done_dir, remove_shards
from crossdrive.store.database import insert_rows

TEXT_CHARS = 16 * 1024 * 1024  # characters of text per task
# The query's rows, cut into parts of about TEXT_CHARS characters of text (its `text` column),
# one Parquet file per part (`part=N/` directories; the part number is not a column of it).
PARTS = """
COPY (
  SELECT * EXCLUDE (text_size, text_end, row_no), (text_end - text_size) // {size} AS part
  FROM (
    SELECT *, sum(text_size) OVER (ORDER BY row_no ROWS UNBOUNDED PRECEDING) AS text_end
    FROM (
      SELECT *, coalesce(length(text), 0) AS text_size, row_number() OVER () AS row_no
      FROM ({query})))
) TO '{folder}' (FORMAT parquet, PARTITION_BY (part))
"""
RunTasks = Callable[[str, list[Task]], None]  # run these tasks of a stage, and wait for them


def read_by_tasks(case: Case, run_tasks: RunTasks) -> ReadTexts:
    """A `ReadTexts` whose readers run as the run's tasks (`run_tasks`)."""

    def read_texts(
        con: duckdb.DuckDBPyConnection, query: str, reader: Reader, context: Any, table: str
    ) -> int:
        folder = case.shards / "texts" / reader.__name__
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            into = str(folder).replace("'", "''")
            con.execute(PARTS.format(query=query, size=TEXT_CHARS, folder=into))
            files = sorted(folder.glob("*/*.parquet"))
            tasks = _tasks(folder, files, reader, context, table) if len(files) > 1 else []
            if tasks:
                left = case.shards.glob(f"case.text.{reader.__name__}.*")  # by a killed run
                remove_shards(case.shards, [path.name for path in left])
                run_tasks("text", tasks)
            return _load(con, case, files, tasks, table, reader, context)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(OSError):
                folder.parent.rmdir()  # the last reading's

    return read_texts


def _tasks(folder: Path, files: list[Path], reader: Reader, context: Any, table: str) -> list[Task]:
    """One task per file. The context goes to a file named by its digest: a worker keeps the
    contexts it read (an existing cluster's workers outlive a run), and a name is never
    reused for other content."""
    data = pickle.dumps(context)
    shared = folder / f"context-{hashlib.sha256(data).hexdigest()[:16]}.pickle"
    shared.write_bytes(data)
    inputs = {"reader": name_of(reader), "context": str(shared), "table": table}
    return [
        Task(
            "case",
            "text",
            f"{reader.__name__}.{n:05d}",
            {**inputs, "texts": str(path), "length": path.stat().st_size},  # larger first
        )
        for n, path in enumerate(files)
    ]


def _load(
    con: duckdb.DuckDBPyConnection,
    case: Case,
    files: list[Path],
    tasks: list[Task],
    table: str,
    reader: Reader,
    context: Any,
) -> int:
    """The tasks' shards into `table` in one statement; every file no task read is read here:
    a reading of one file, or a task that failed (its worker lost twice)."""
    shards = {t.inputs["texts"]: done_dir(case.shards, t) / f"{table}.parquet" for t in tasks}
    done = [str(shard) for shard in shards.values() if shard.exists()]
    total = 0
    if done:
        insert = f'INSERT INTO "{table}" SELECT * FROM read_parquet(?)'
        total += con.execute(insert, [done]).fetchone()[0]
    for path in files:
        shard = shards.get(str(path))
        if shard is None or not shard.exists():
            total += insert_rows(con, table, read_file(path, reader, context))
    remove_shards(case.shards, [task.id for task in tasks])
    return total
