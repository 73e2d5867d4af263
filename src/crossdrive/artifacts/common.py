"""What many parsers need: UTC time stamps in one form, SQLite opened without touching the
file, and recognising an SQLite database by the tables its schema declares."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

SQLITE_MAGIC = b"SQLite format 3\x00"
_CREATE_TABLE = re.compile(rb"CREATE TABLE\s+(?:IF NOT EXISTS\s+)?[\"'`\[]?(\w+)", re.IGNORECASE)
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)  # Chrome, Windows FILETIME
COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)  # Safari, iMessage


def iso_utc(value: datetime | float | int | None, unit: str = "s") -> str | None:
    """A time as ISO 8601 UTC to the second (`2024-05-02T08:11:00Z`), the one form every record
    uses. Numbers are Unix times in `unit` (s, ms, us, ns); `webkit` (µs since 1601) and
    `cocoa` (s since 2001, or ns when large) are the other epochs applications use. A naive
    datetime is taken as UTC. None, zero and times outside 1970–2100 give None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        if not value:
            return None
        try:
            if unit == "webkit":
                moment = WEBKIT_EPOCH + timedelta(microseconds=int(value))
            elif unit == "cocoa":
                seconds = value / 1e9 if abs(value) > 1e11 else value
                moment = COCOA_EPOCH + timedelta(seconds=seconds)
            else:
                scale = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}[unit]
                moment = datetime.fromtimestamp(value / scale, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    moment = moment.astimezone(UTC)
    if not 1970 <= moment.year <= 2100:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def open_sqlite(path: Path) -> sqlite3.Connection:
    """Read-only and immutable: no journal is replayed, nothing is written, even on a copy.
    `writable_schema` lets SQLite read what it can of a truncated or damaged copy (a deleted
    or carved database) instead of refusing it whole as "malformed"; nothing is written."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    con.text_factory = lambda raw: raw.decode("utf-8", "replace")
    con.execute("PRAGMA writable_schema = ON")
    return con


def table_names(con: sqlite3.Connection) -> set[str]:
    """Lower-case names of the tables (and views) a database holds: schemas differ between
    application versions, so parsers ask before they read."""
    rows = con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    return {str(name).lower() for (name,) in rows}


def column_names(con: sqlite3.Connection, table: str) -> set[str]:
    """Lower-case names of a table's columns (empty when the table is missing)."""
    return {str(row[1]).lower() for row in con.execute(f'PRAGMA table_info("{table}")')}


def schema_text(path: Path) -> bytes:
    """The CREATE statements of an SQLite file, or b"" when it cannot be read. Appended to the
    head sniffs see: a large database's schema lies beyond its first pages."""
    try:
        con = open_sqlite(path)
        try:
            rows = con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return b""
    return "\n".join(sql for (sql,) in rows).encode("utf-8", "replace")


def sqlite_tables(head: bytes) -> set[str]:
    """Lower-case names of the tables an SQLite file's schema declares, read from its first
    bytes (the schema lives in the first pages), or an empty set for any other file."""
    if not head.startswith(SQLITE_MAGIC):
        return set()
    return {name.decode("ascii", "replace").lower() for name in _CREATE_TABLE.findall(head)}


def has_tables(*names: str):
    """A `sniff` for SQLite databases that declare all of `names`."""
    wanted = {name.lower() for name in names}
    return lambda head, _name: wanted <= sqlite_tables(head)


def unique(values: Iterable[object]) -> list[str]:
    """Non-empty strings once each, in the order first seen, surrounding blanks dropped (the
    same name or number often stands in several columns of one record)."""
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)


T = TypeVar("T")


def until_damaged(rows: Iterable[T], errors: list[Exception]) -> Iterator[T]:
    """The rows of one table until SQLite fails on its damaged pages; the failure is kept in
    `errors`, to be raised once the readable tables are out (the stage records it with the
    file), so one damaged table costs only its own rows."""
    try:
        yield from rows
    except sqlite3.DatabaseError as exc:
        errors.append(exc)


def sections(*parts: Iterable[T]) -> Iterator[T]:
    """The records of each part (one table or join each) in turn, each `until_damaged`; then
    the first failure, if any."""
    errors: list[Exception] = []
    for part in parts:
        yield from until_damaged(part, errors)
    if errors:
        raise errors[0]
