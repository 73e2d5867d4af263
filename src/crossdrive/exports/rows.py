"""Reading rows out of the case store for exporters: streamed, in a stable order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import duckdb

FILE_COLUMNS = (
    "device",
    "partition",
    "fs_offset",
    "path",
    "name",
    "stream",
    "inode",
    "attr_type",
    "attr_id",
    "type_str",
    "meta_type",
    "state",
    "alloc_name",
    "alloc_meta",
    "reallocated",
    "size",
    "mode",
    "uid",
    "gid",
    "nlink",
    "mtime",
    "atime",
    "ctime",
    "crtime",
    "resident",
    "byte_runs",
    "md5",
    "sha256",
    "read_error",
    "parent_inode",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """Control and bidi-override characters as visible escapes (`\\x01`, `\\u202e`)."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", text
    )


def file_rows(con: duckdb.DuckDBPyConnection, device: str | None = None) -> Iterator[dict]:
    """Files of one device (or all), ordered by device, file system, path; as dicts."""
    columns = ", ".join(f'"{c}"' for c in FILE_COLUMNS)
    where, params = ("WHERE device = ?", [device]) if device else ("", [])
    cursor = con.execute(
        f"SELECT {columns} FROM files {where} ORDER BY device, fs_offset, path, attr_id", params
    )
    while batch := cursor.fetchmany(5000):
        for values in batch:
            yield dict(zip(FILE_COLUMNS, values, strict=True))


def epoch(iso: str | None) -> int:
    """Seconds since 1970 for an ISO 8601 UTC stamp (0 when unset, as bodyfile wants)."""
    if not iso:
        return 0
    return int(datetime.fromisoformat(iso[:19] + "+00:00").timestamp())


def tsk_address(row: dict) -> str:
    """The address as fls prints it: `29-128-3` on NTFS (inode-type-id), else the inode."""
    if row["attr_type"] in (128, 144) and row["attr_id"] is not None:
        return f"{row['inode']}-{row['attr_type']}-{row['attr_id']}"
    return str(row["inode"])
