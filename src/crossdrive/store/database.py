"""The DuckDB database of a case: created from the declared schemas, loaded from shards."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from crossdrive.store.schema import SHARDED, TABLES


def connect(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the case database with every declared table present."""
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only:
        for name, schema in TABLES.items():
            empty = pa.Table.from_batches([], schema=schema)  # noqa: F841 (read by DuckDB)
            con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" AS SELECT * FROM empty')
        con.execute("CREATE TABLE IF NOT EXISTS loaded_tasks (task_id VARCHAR PRIMARY KEY)")
    return con


def insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Bulk-insert an Arrow table (never row by row)."""
    con.register("incoming", table)
    con.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
    con.unregister("incoming")


def load_task(con: duckdb.DuckDBPyConnection, task_id: str, shard_dir: Path) -> None:
    """Replace a task's rows by its shards, atomically; loading twice changes nothing."""
    con.execute("BEGIN")
    try:
        for name in SHARDED:
            con.execute(f'DELETE FROM "{name}" WHERE task_id = ?', [task_id])
            shard = shard_dir / f"{name}.parquet"
            if shard.exists():
                con.execute(f'INSERT INTO "{name}" SELECT * FROM read_parquet(?)', [str(shard)])
        con.execute("INSERT OR IGNORE INTO loaded_tasks VALUES (?)", [task_id])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def loaded_tasks(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT task_id FROM loaded_tasks").fetchall()}
