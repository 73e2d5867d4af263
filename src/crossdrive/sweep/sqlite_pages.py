"""Loose SQLite pages: table rows of a database whose file is gone, read by SQLite itself.

A deleted database's pages stay in free space long after its file entry is reused, and a page
is self-contained: a table b-tree leaf (first byte 0x0D) holds whole records. Each
page-aligned 4 KiB block of unallocated space whose header is consistent (cell count, content
start, cell pointers inside the page) is placed as page 2 of a two-page database whose schema
declares one wide table, `carved_page(c0 … c63)`. SQLite then decodes the records (a record
with fewer columns reads NULL for the rest), so no record format is hand-parsed here. A
candidate is kept only when SQLite reads at least one row from it. The two-page database is
the carved file (kind `sqlite-page`): it opens in any SQLite browser, and the content stage
reads its rows into a searchable document.
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

PAGE = 4096  # SQLite's default page size since 3.12
COLUMNS = 64
TABLE = "carved_page"
LEAF = 0x0D


@lru_cache(maxsize=1)
def _template() -> bytes:
    """Page 1 of a database holding the wide table, whose root is page 2."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "template.sqlite"
        con = sqlite3.connect(path)
        con.execute(f"PRAGMA page_size = {PAGE}")
        columns = ", ".join(f"c{n}" for n in range(COLUMNS))
        con.execute(f"CREATE TABLE {TABLE} ({columns})")
        con.commit()
        con.close()
        data = path.read_bytes()
    assert len(data) == 2 * PAGE, "the template is page 1 (schema) and page 2 (the table)"
    return data[:PAGE]


def plausible(page: bytes) -> bool:
    """A table-leaf page header that SQLite could have written: cells, pointers and the
    content area all inside the page."""
    if len(page) < PAGE or page[0] != LEAF:
        return False
    freeblock, cells, content, fragmented = struct.unpack(">HHHB", page[1:8])
    content = content or 65536
    if not 1 <= cells <= (PAGE - 8) // 6 or fragmented > 60:
        return False
    if not 8 + 2 * cells <= content <= PAGE - 2 or (freeblock and not content <= freeblock < PAGE):
        return False
    pointers = struct.unpack(f">{cells}H", page[8 : 8 + 2 * cells])
    return len(set(pointers)) == cells and all(content <= p < PAGE - 1 for p in pointers)


def rows(database: bytes) -> list[tuple]:
    """The rows SQLite reads from a two-page database (those before any damage)."""
    found: list[tuple] = []
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "page.sqlite"
        path.write_bytes(database)
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        con.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            for row in con.execute(f"SELECT * FROM {TABLE}"):
                found.append(row)
        except sqlite3.Error:
            pass
        finally:
            con.close()
    return [row for row in found if any(value is not None for value in row)]


def loose_pages(
    buffer: bytes, own: tuple[int, int], skip: list[tuple[int, int]]
) -> Iterator[tuple[int, bytes]]:
    """(offset, two-page database) for each readable table-leaf page starting in `own` at a
    page-aligned offset, outside the `skip` spans (whole databases carved already)."""
    lo, hi = own
    first = -(-lo // PAGE) * PAGE
    for at in range(first, min(hi, len(buffer) - PAGE + 1), PAGE):
        if buffer[at] != LEAF or any(start <= at < end for start, end in skip):
            continue
        page = buffer[at : at + PAGE]
        if not plausible(page):
            continue
        database = _template() + page
        if rows(database):
            yield at, database
