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

_CONTROLS = [*range(0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {chr(c): (f"\\x{c:02x}" if c < 256 else f"\\u{c:04x}") for c in _CONTROLS}
_CONTROL = re.compile("[" + "".join(_ESCAPES) + "]")


def escape_controls(text: str) -> str:
    """Control and bidi-override characters as visible escapes (`\\x01`, `\\u202e`): an
    `invoice\\u202efdp.exe` must not display as `invoiceexe.pdf`. It runs on the context of
    every swept feature: nothing at all for printable text, `str.replace` for line ends and
    tabs (most of what text holds), and a regex substitution (half the cost of str.translate's
    per-character lookups) only for what is left."""
    if text.isprintable():
        return text
    text = text.replace("\n", "\\x0a").replace("\r", "\\x0d").replace("\t", "\\x09")
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda match: _ESCAPES[match.group()], text)


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
