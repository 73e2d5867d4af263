"""SQLite records scanned value by value, so that values stored side by side stay apart.

A record packs its values with no separator: a contact's email is followed by its type (`2`),
a Skype display name by the account's address (`Auguste Petitmartinsemmanuel@gmail.com`), a
message's text by the bytes of its timestamp (`…@hotmail.com` + `eT` reads `hotmail.com.et`).
Scanned as raw bytes such runs give wrong features (a longer local part, another TLD) or none.
So wherever the sweep meets a table b-tree leaf page, SQLite reads its records
(`sqlite_pages.LeafPages`); row n is the record of cell n, whose values lie verbatim in column order
from the cell's start, so each text or blob value is found at its own bytes, and the values are
scanned apart from each other. A feature found in a value is reported at its own bytes in the
page, so its offset is as exact as a raw hit's; raw hits that reach into a value are dropped.
Cells SQLite cannot read (damaged, or spilling onto overflow pages) keep their raw hits.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from crossdrive.sweep.scanners import Found, Hit, scan
from crossdrive.sweep.sqlite_pages import LeafPages

SHORTEST = 6  # no feature is shorter (`a@b.cd`): shorter values are not placed
GAP = b"\x00\x00"  # between values: no feature runs over it, in UTF-8 or UTF-16


def _placed(page: bytes, cells: tuple[int, ...], rows: list[tuple]) -> list[tuple[int, bytes]]:
    """(position in the page, value) of each text or blob value of SHORTEST bytes or more.
    Row n is the record of cell n, and a record stores its values in column order, so each
    value is looked for after the one before it, from its cell's start."""
    found = []
    for start, row in zip(cells, rows, strict=False):
        at = start
        for value in row:
            if value.__class__ is not bytes or len(value) < SHORTEST:
                continue
            where = page.find(value, at)
            if where >= 0:
                found.append((where, value))
                at = where + len(value)
    return found


def values(
    buffer: bytes, lo: int, hi: int, base: int, deadline: float = math.inf
) -> tuple[list[tuple[int, bytes]], bool]:
    """(position in the buffer, value) of every record value of the leaf pages that start in
    [lo, hi) (`sqlite_pages.LeafPages`), and whether every page was read."""
    pages = LeafPages(buffer, lo, hi, base, text=bytes, empty=True, deadline=deadline)
    found = [
        (leaf.offset + position, value)
        for leaf in pages
        for position, value in _placed(
            buffer[leaf.offset : leaf.offset + leaf.size], leaf.cells, leaf.rows
        )
    ]
    found.sort()
    return _disjoint(found), pages.complete


def _disjoint(placed: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """Sorted spans with any overlapping the one before dropped (only a crafted page makes
    two cells share bytes)."""
    kept: list[tuple[int, bytes]] = []
    end = -1
    for position, value in placed:
        if position >= end:
            kept.append((position, value))
            end = position + len(value)
    return kept


def scan_segmented(
    buffer: bytes, found: Found, lo: int, hi: int, base: int, deadline: float = math.inf
) -> tuple[list[Hit], bool]:
    """The features of the buffer (`found`: its hyperscan pass), with the record values of its
    SQLite leaf pages scanned apart: triggers inside a value are left to the values' own scan,
    and raw hits that reach into a value are dropped. Also: whether every page was read
    before the deadline."""
    placed, complete = values(buffer, lo, hi, base, deadline)
    if not placed:
        return scan(buffer, found), complete
    joined, starts, spans = bytearray(), [], []
    for position, value in placed:
        starts.append(len(joined))
        spans.append(position)
        joined += value + GAP + (b"\x00" if len(value) % 2 else b"")
    ends = [position + len(value) for position, value in placed]
    first, last = np.array(spans), np.array(ends)
    outside = {}
    for pattern, positions in found.triggers.items():
        at = np.array(positions)
        index = np.searchsorted(first, at, side="right") - 1
        inside = (index >= 0) & (at <= last[np.maximum(index, 0)])
        outside[pattern] = at[~inside].tolist()
    hits = scan(buffer, Found(outside, found.markers))
    kept = [hit for hit in hits if not _overlaps(spans, ends, hit.start, hit.start + hit.length)]
    for hit in scan(bytes(joined)):
        index = bisect.bisect_right(starts, hit.start) - 1
        hit.start = spans[index] + hit.start - starts[index]
        kept.append(hit)
    return kept, complete


def _overlaps(starts: list[int], ends: list[int], lo: int, hi: int) -> bool:
    """[lo, hi) overlaps one of the sorted, disjoint spans [starts[i], ends[i])."""
    index = bisect.bisect_right(starts, hi - 1) - 1
    return index >= 0 and ends[index] > lo
