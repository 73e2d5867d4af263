"""The DuckDB database of a case: created from the declared schemas, loaded from shards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from crossdrive.store.schema import DERIVED, SHARDED, TABLES

# The store's share of this machine's memory. DuckDB would take 80 % by default, beside the
# workers' own limits; past its share it spills to `store.duckdb.tmp/` in the case. Linking
# two million person pairs peaked at 5.9 GB without it, 2.3 GB with a 2 GB limit.
STORE_MEMORY = 0.25


def connect(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the case database with every declared table present."""
    con = duckdb.connect(str(db_path), read_only=read_only)
    con.execute(f"SET memory_limit = '{_share()}'")  # not a connect option: every opener agrees
    if not read_only:
        for name, schema in TABLES.items():
            if name in DERIVED and _columns(con, name) not in ([], schema.names):
                con.execute(f'DROP TABLE "{name}"')  # rebuilt each run: a new layout is free
            empty = pa.Table.from_batches([], schema=schema)  # noqa: F841 (read by DuckDB)
            con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" AS SELECT * FROM empty')
        con.execute("CREATE TABLE IF NOT EXISTS loaded_tasks (task_id VARCHAR PRIMARY KEY)")
        con.execute(FEATURES_LOCATED)
    return con


def _share() -> str:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1 << 30, int(total * STORE_MEMORY)) >> 20}MB"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


# Where each feature lies: in a file's bytes (allocated, deleted, orphan; past the file's end in
# its last cluster: slack; NTFS metafiles: metadata), else in free space of a partition
# (unallocated) or outside every partition (unpartitioned). Features found inside decoded data
# are placed by the offset of the outermost encoded data.
FEATURES_LOCATED = """
CREATE OR REPLACE VIEW features_located AS
WITH hits AS (SELECT row_number() OVER () AS hid, * FROM features),
runs AS (
    SELECT device, fs_offset, partition, path, state, size, name, parent_inode, inode,
           unnest(byte_runs, recursive := true)
    FROM files WHERE byte_runs IS NOT NULL AND len(byte_runs) > 0
),
in_runs AS (
    SELECT h.hid, r.*, h."offset" - r.img_offset + r.file_offset AS pos
    FROM hits h JOIN runs r ON h.device = r.device
         AND h."offset" >= r.img_offset AND h."offset" < r.img_offset + r.len
),
resident AS (  -- NTFS: a small file's data lives in its own 1024-byte record of $MFT
    SELECT i.hid, f.partition, f.path, f.state AS place
    FROM in_runs i JOIN files f ON i.name = '$MFT' AND i.inode = 0 AND f.device = i.device
         AND f.fs_offset = i.fs_offset AND f.resident AND f.inode = i.pos // 1024
         AND f.name_type <> 'd'
    QUALIFY row_number() OVER (PARTITION BY i.hid ORDER BY f.state = 'allocated' DESC) = 1
),
in_files AS (
    SELECT hid, partition, path,
           CASE WHEN name LIKE '$%' AND parent_inode = 5 THEN 'metadata'
                WHEN pos >= size THEN 'slack' ELSE state END AS place
    FROM in_runs
    QUALIFY row_number() OVER (PARTITION BY hid ORDER BY state = 'allocated' DESC, path) = 1
),
in_regions AS (
    SELECT h.hid, v."index" AS partition,
           CASE v.kind WHEN 'gap' THEN 'unpartitioned' WHEN 'table' THEN 'metadata'
                ELSE 'unallocated' END AS place
    FROM hits h JOIN volumes v ON h.device = v.device
         AND h."offset" >= v.start AND h."offset" < v.start + v.length
    QUALIFY row_number() OVER (PARTITION BY h.hid ORDER BY v.kind = 'partition' DESC) = 1
)
SELECT h.* EXCLUDE (hid), coalesce(s.partition, f.partition, r.partition) AS partition,
       coalesce(s.path, f.path) AS path,
       coalesce(s.place, f.place, r.place, 'unpartitioned') AS place
FROM hits h LEFT JOIN resident s USING (hid) LEFT JOIN in_files f USING (hid)
     LEFT JOIN in_regions r USING (hid)
"""


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """An Arrow table visible to SQL as `name` for the block (then gone, whatever happens)."""
    con.register(name, table)
    try:
        yield
    finally:
        con.unregister(name)


def insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Bulk-insert an Arrow table (never row by row)."""
    with registered(con, "incoming", table):
        con.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')


def insert_rows(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict]) -> int:
    """Rows (dicts) into a declared table, through Arrow in one statement; returns the count."""
    if rows:
        insert(con, name, pa.Table.from_pylist(rows, schema=TABLES[name]))
    return len(rows)


LOAD_BATCH = 200  # tasks merged per transaction


def load_tasks(con: duckdb.DuckDBPyConnection, shard_dirs: dict[str, Path]) -> None:
    """Replace the rows of tasks (task id -> its shard directory) by their shards, in
    transactions of LOAD_BATCH tasks: each table's shards of a batch are read by one
    `read_parquet` and inserted by one statement. A batch is atomic, and loading twice changes
    nothing, so a run killed while loading resumes cleanly."""
    ids = sorted(shard_dirs)
    for first in range(0, len(ids), LOAD_BATCH):
        batch = ids[first : first + LOAD_BATCH]
        with _transaction(con):
            _delete_rows(con, batch)
            for name in SHARDED:
                shards = [
                    str(shard_dirs[i] / f"{name}.parquet")
                    for i in batch
                    if (shard_dirs[i] / f"{name}.parquet").exists()
                ]
                if shards:
                    con.execute(f'INSERT INTO "{name}" SELECT * FROM read_parquet(?)', [shards])
            con.executemany("INSERT OR IGNORE INTO loaded_tasks VALUES (?)", [[i] for i in batch])


def drop_tasks(con: duckdb.DuckDBPyConnection, task_ids: list[str]) -> None:
    """Remove every row of these tasks from the store, in one transaction."""
    if task_ids:
        with _transaction(con):
            _delete_rows(con, task_ids)
            con.execute("DELETE FROM loaded_tasks WHERE list_contains(?, task_id)", [task_ids])


def _delete_rows(con: duckdb.DuckDBPyConnection, task_ids: list[str]) -> None:
    for name in SHARDED:
        con.execute(f'DELETE FROM "{name}" WHERE list_contains(?, task_id)', [task_ids])


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def loaded_tasks(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT task_id FROM loaded_tasks").fetchall()}
