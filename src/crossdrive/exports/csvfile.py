"""The file listing as CSV (one row per entry or stream, all devices), for spreadsheets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from crossdrive.exports.rows import FILE_COLUMNS, file_rows


def write(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FILE_COLUMNS)
        for row in file_rows(con):
            row["byte_runs"] = json.dumps(row["byte_runs"] or [], separators=(",", ":"))
            writer.writerow([row[c] for c in FILE_COLUMNS])
            count += 1
    return count
