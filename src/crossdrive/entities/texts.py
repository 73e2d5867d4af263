"""How derive reads message and document text: a query's rows, in batches, through a reader.

Reading numbers, addresses and names in text is the part of derive that grows with the case
and runs in Python (10-15 s of a 1.9 GB case's derive). A reader is a pure, module-level
function of a batch of rows and a case-wide context (a device's region, the case's national
number forms, the gazetteer of names) that returns the rows to insert. `read_here` runs it in
this process; a run hands derive `pipeline.texts.read_by_tasks` instead, which has the store
export the rows to Parquet and the workers read them as tasks. Both give the same rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow.parquet as pq

from crossdrive.store.database import insert_rows

# A reader's query names its text column `text` (the run cuts its rows by their text's size).
Reader = Callable[[list[tuple], Any], list[dict]]
BATCH = 1000  # rows read at a time


class ReadTexts(Protocol):
    def __call__(
        self, con: duckdb.DuckDBPyConnection, query: str, reader: Reader, context: Any, table: str
    ) -> int: ...


def read_here(
    con: duckdb.DuckDBPyConnection, query: str, reader: Reader, context: Any, table: str
) -> int:
    """`reader` over the rows of `query`, in this process; its rows go into `table`. Returns
    how many."""
    cursor = con.cursor().execute(query)  # its own cursor: the inserts would end it
    total = 0
    while batch := cursor.fetchmany(BATCH):
        total += insert_rows(con, table, reader(batch, context))
    return total


def read_file(path: Path, reader: Reader, context: Any) -> list[dict]:
    """`reader` over the rows of one Parquet file of a query's rows (in the query's column
    order)."""
    rows = []
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH):
        columns = batch.to_pydict().values()
        rows += reader(list(zip(*columns, strict=True)), context)
    return rows


def name_of(reader: Reader) -> str:
    """A reader as `module:function`, for a task's inputs (which are written as JSON)."""
    return f"{reader.__module__}:{reader.__qualname__}"


def named(name: str) -> Reader:
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)
