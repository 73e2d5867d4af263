"""Records out of what only carving recovers: the rows of loose SQLite pages.

A page carved from free space (`sweep/sqlite_pages.py`) no longer says which application's
table it belonged to, so its rows are kept as a document: one line per row, values separated
by tabs, searchable in the full-text index, with the page's own image offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from crossdrive.artifacts.common import has_tables
from crossdrive.artifacts.records import Document, Parser, Record
from crossdrive.sweep.sqlite_pages import TABLE, rows


def _cell(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def parse_sqlite_page(path: Path) -> Iterator[Record]:
    """The rows of a carved SQLite page (the two-page database the carver wrote)."""
    found = rows(path.read_bytes())
    if not found:
        return
    lines = ["\t".join(_cell(v) for v in row).rstrip("\t") for row in found]
    yield Document(kind="sqlite-page", text="\n".join(lines), meta={"rows": str(len(found))})


PARSERS = (Parser("sqlite-page", parse_sqlite_page, sniff=has_tables(TABLE)),)
