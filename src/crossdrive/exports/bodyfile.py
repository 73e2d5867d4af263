"""TSK 3.x bodyfile (what `mactime -b` reads), all devices in one file.

    MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime

Names are prefixed `/<device>/p<partition>/` so one timeline covers the case; deleted entries
end in ` (deleted)` (` (deleted-realloc)` when the metadata now belongs to another file), as fls
writes them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from crossdrive.exports.rows import epoch, escape_controls, file_rows, tsk_address


def mode_string(row: dict) -> str:
    """`r/rrwxr-xr-x`: fls's type letters then the permission bits."""
    mode = row["mode"] or 0
    bits = "".join(letter if mode & (1 << (8 - i)) else "-" for i, letter in enumerate("rwxrwxrwx"))
    return f"{row['type_str'] or '-/-'}{bits}"


def body_line(row: dict) -> str:
    partition = f"p{row['partition']}" if row["partition"] is not None else "whole"
    name = f"/{row['device']}/{partition}/{row['path']}"
    if row["reallocated"]:
        name += " (deleted-realloc)"
    elif row["state"] != "allocated":
        name += " (deleted)"
    name = escape_controls(name).replace("|", "\\x7c")
    fields = [
        row["md5"] or "0",
        name,
        tsk_address(row),
        mode_string(row),
        row["uid"] or 0,
        row["gid"] or 0,
        row["size"] or 0,
        epoch(row["atime"]),
        epoch(row["mtime"]),
        epoch(row["ctime"]),
        epoch(row["crtime"]),
    ]
    return "|".join(str(f) for f in fields)


def write(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    count = 0
    with open(out, "w", encoding="utf-8") as body:
        for row in file_rows(con):
            body.write(body_line(row) + "\n")
            count += 1
    return count
