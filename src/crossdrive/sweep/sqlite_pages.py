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

import math
import sqlite3
import struct
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
        found.extend(con.execute(f"SELECT * FROM {TABLE}"))  # keeps what came before damage
    except sqlite3.Error:
        pass
    finally:
        con.close()
    return found if empty else [row for row in found if row.count(None) < len(row)]


NARROW = 16  # most tables have fewer columns, and reading 64 costs twice as much
ALIGN = SIZES[0]  # pages start at multiples of the smallest page size in the device


@dataclass(frozen=True)
class Leaf:
    offset: int  # in the buffer
    size: int
    cells: tuple[int, ...]  # cell pointers, in the order of the rows
    rows: list[tuple]


class LeafPages:
    """The table-leaf pages SQLite reads rows from, starting in [lo, hi) of a buffer at
    512-byte boundaries of the device (`base`: the device offset of buffer[0]) and outside the
    `skip` spans, one after the other. The carver keeps them as loose pages; the sweep scans
    their values apart.

    Crafted bytes can hold a plausible header in every 512-byte block, each costing SQLite up
    to eight reads (one per page size): after MAX_MISSES headers without rows, or past the
    `deadline` (time.monotonic), the rest is given up and `complete` is False."""

    def __init__(
        self,
        buffer: bytes,
        lo: int,
        hi: int,
        base: int = 0,
        skip: Sequence[tuple[int, int]] = (),
        text: Callable[[bytes], object] | None = None,
        empty: bool = False,
        deadline: float = math.inf,
    ) -> None:
        self.buffer, self.lo, self.hi, self.base, self.skip = buffer, lo, hi, base, skip
        self.text, self.empty, self.deadline = text, empty, deadline
        self.complete = True

    def __iter__(self) -> Iterator[Leaf]:
        first = self.lo + (-(self.base + self.lo)) % ALIGN
        column = self.buffer[first : self.hi : ALIGN]  # the first byte of every block
        misses = 0
        index = column.find(LEAF)
        while index >= 0:
            if misses >= MAX_MISSES or time.monotonic() >= self.deadline:
                self.complete = False
                return
            at = first + index * ALIGN
            found = None
            if not any(start <= at < stop for start, stop in self.skip):
                found, tries = self._read(at)
                misses += found is None and tries > 0
            if found:
                yield found
                index += found.size // ALIGN
            else:
                index += 1
            index = column.find(LEAF, index)

    def _read(self, at: int) -> tuple[Leaf | None, int]:
        """The page at `at` in the smallest size whose header is consistent and from which
        SQLite reads rows (NARROW columns wide, then COLUMNS when one fills the last), and how
        many sizes SQLite was asked to read. With `empty`, row n is the record of cell n."""
        tries = 0
        for size in SIZES:
            page = self.buffer[at : at + size]
            cells = pointers(page, size)
            if cells is None:
                continue
            tries += 1
            found = rows(template(size, NARROW) + page, self.text, self.empty)
            if any(row[-1] is not None for row in found):
                found = rows(template(size) + page, self.text, self.empty)
            if found:
                return Leaf(at, size, cells, found), tries
        return None, tries


def loose_pages(
    buffer: bytes, own: tuple[int, int], skip: list[tuple[int, int]]
) -> Iterator[tuple[int, bytes]]:
    """(offset, two-page database) for each readable table-leaf page starting in `own`,
    outside the `skip` spans (whole databases carved already)."""
    for leaf in LeafPages(buffer, *own, skip=skip):
        yield leaf.offset, template(leaf.size) + buffer[leaf.offset : leaf.offset + leaf.size]
