"""Loose SQLite pages: table rows read by SQLite itself from a single page.

A page is self-contained: a table b-tree leaf (first byte 0x0D) holds whole records. A page
whose header is consistent (cell count, content start, cell pointers inside the page) is placed
as page 2 of a two-page database whose schema declares one wide table, `carved_page(c0 … c63)`,
with the same page size. SQLite then decodes the records (a record with fewer columns reads
NULL for the rest), so no record format is hand-parsed here. A candidate counts only when
SQLite reads at least one row from it.

The header does not say the page size. SQLite fills a page's content area from its end, so the
smallest size that holds every cell pointer is tried first, then the larger ones, until SQLite
reads rows. The carver keeps such pages from free space (the two-page database is the carved
file, kind `sqlite-page`); the sweep reads the records of every leaf page it meets, so that
values stored side by side are scanned one by one (`sweep/sqlite_values.py`).
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

PAGE = 4096  # SQLite's default page size since 3.12
SIZES = (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536)
COLUMNS = 64
TABLE = "carved_page"
LEAF = 0x0D
# Headers that look like a leaf page but give SQLite no row, per buffer, before the rest is
# given up: real databases give next to none, crafted bytes one per 512 bytes (each costing
# SQLite up to eight reads).
MAX_MISSES = 256


@lru_cache(maxsize=2 * len(SIZES))
def template(size: int = PAGE, width: int = COLUMNS) -> bytes:
    """Page 1 of a database of `size`-byte pages holding the wide table (`width` columns),
    whose root is page 2."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "template.sqlite"
        con = sqlite3.connect(path)
        con.execute(f"PRAGMA page_size = {size}")
        columns = ", ".join(f"c{n}" for n in range(width))
        con.execute(f"CREATE TABLE {TABLE} ({columns})")
        con.commit()
        con.close()
        data = path.read_bytes()
    assert len(data) == 2 * size, "the template is page 1 (schema) and page 2 (the table)"
    return data[:size]


def pointers(page: bytes, size: int = PAGE) -> tuple[int, ...] | None:
    """The cell pointers of a table-leaf page header that SQLite could have written in a page
    of `size` bytes (cells, pointers and the content area all inside the page), in key order:
    the order SQLite reads the rows in. None for anything else."""
    if len(page) < size or page[0] != LEAF:
        return None
    freeblock, cells, content, fragmented = struct.unpack(">HHHB", page[1:8])
    content = content or 65536
    if not 1 <= cells <= (size - 8) // 6 or fragmented > 60:
        return None
    if not 8 + 2 * cells <= content <= size - 2 or (freeblock and not content <= freeblock < size):
        return None
    found = struct.unpack(f">{cells}H", page[8 : 8 + 2 * cells])
    if len(set(found)) != cells or not all(content <= p < size - 1 for p in found):
        return None
    return found


def rows(
    database: bytes, text: Callable[[bytes], object] | None = None, empty: bool = False
) -> list[tuple]:
    """The rows SQLite reads from a two-page database (those before any damage); rows of NULLs
    only are left out unless `empty`. Text values come as `text` makes them (default: UTF-8
    with replacement characters)."""
    found: list[tuple] = []
    con = sqlite3.connect(":memory:")
    con.text_factory = text or (lambda raw: raw.decode("utf-8", "replace"))
    try:
        con.deserialize(database)
        found = con.execute(f"SELECT * FROM {TABLE}").fetchall()
    except sqlite3.Error:
        found = []
        try:  # the rows before the damage
            for row in con.execute(f"SELECT * FROM {TABLE}"):
                found.append(row)
        except sqlite3.Error:
            pass
    finally:
        con.close()
    return found if empty else [row for row in found if row.count(None) < len(row)]


NARROW = 16  # most tables have fewer columns, and reading 64 costs twice as much


def leaf(
    buffer: bytes, at: int, text: Callable[[bytes], object] | None = None, empty: bool = False
) -> tuple[int, tuple[int, ...], list[tuple]] | None:
    """(page size, cell pointers, rows) of the table-leaf page at `at`, or None where SQLite
    reads none. With `empty`, row n is the record of cell n."""
    return read_leaf(buffer, at, text, empty)[0]


def read_leaf(
    buffer: bytes, at: int, text: Callable[[bytes], object] | None = None, empty: bool = False
) -> tuple[tuple[int, tuple[int, ...], list[tuple]] | None, int]:
    """`leaf`, and how many page sizes SQLite was asked to read. Records are read NARROW
    columns wide first, and again COLUMNS wide when one fills the last column."""
    tries = 0
    for size in SIZES:
        page = buffer[at : at + size]
        cells = pointers(page, size)
        if cells is not None:
            tries += 1
            found = rows(template(size, NARROW) + page, text, empty)
            if any(row[-1] is not None for row in found):
                found = rows(template(size) + page, text, empty)
            if found:
                return (size, cells, found), tries
    return None, tries


def loose_pages(
    buffer: bytes, own: tuple[int, int], skip: list[tuple[int, int]]
) -> Iterator[tuple[int, bytes]]:
    """(offset, two-page database) for each readable table-leaf page starting in `own` at a
    512-byte aligned offset, outside the `skip` spans (whole databases carved already) and
    outside the pages already kept."""
    lo, hi = own
    at = -(-lo // SIZES[0]) * SIZES[0]
    end = min(hi, len(buffer) - SIZES[0] + 1)
    misses = 0  # headers SQLite read no row from: crafted bytes could hold one per block
    while at < end and misses < MAX_MISSES:
        found, tries = None, 0
        if buffer[at] == LEAF and not any(start <= at < stop for start, stop in skip):
            found, tries = read_leaf(buffer, at)
        if found:
            size = found[0]
            yield at, template(size) + buffer[at : at + size]
            at += size
        else:
            misses += tries > 0
            at += SIZES[0]
