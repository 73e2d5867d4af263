"""SQLite records scanned value by value, so that values stored side by side stay apart.

A record packs its values with no separator: a contact's email is followed by its type (`2`),
a Skype display name by the account's address (`Auguste Petitmartinsemmanuel@gmail.com`), a
history URL by its page title. Scanned as raw bytes such runs give wrong features (a longer
local part, a number with one more digit) or none. So wherever the sweep meets a table b-tree
leaf page, SQLite reads its records (`sqlite_pages.leaf`), each text or blob value is found
again in the page's bytes (values are stored verbatim), and the values are scanned apart from
each other. A feature found in a value is reported at its own bytes in the page, so its offset
is as exact as a raw hit's; raw hits that overlap a value are dropped in favour of the values'.
Cells SQLite cannot read (damaged, or spilling onto overflow pages) keep their raw hits.
"""

from __future__ import annotations

import bisect

from crossdrive.sweep.scanners import Hit, scan
from crossdrive.sweep.sqlite_pages import LEAF, SIZES, leaf

ALIGN = SIZES[0]  # pages start at multiples of the smallest page size in the device
SHORTEST = 6  # no feature is shorter (`a@b.cd`): shorter values are not placed
GAP = b"\x00\x00"  # between values: no feature runs over it, in UTF-8 or UTF-16


def _placed(page: bytes, values: list[bytes]) -> list[tuple[int, bytes]]:
    """(position in the page, value) for each value found in the page's bytes, longest first,
    each at bytes no other value took (the same value twice takes two places). The search for
    a value goes on after its last place, so a value repeated on a page costs one pass."""
    taken = bytearray(len(page))
    after: dict[bytes, int] = {}
    found = []
    for value in sorted(values, key=len, reverse=True):
        at = page.find(value, after.get(value, 0))
        while at >= 0 and taken.find(1, at, at + len(value)) >= 0:
            at = page.find(value, at + 1)
        if at < 0:
            after[value] = len(page)
            continue
        after[value] = at + len(value)
        taken[at : at + len(value)] = b"\x01" * len(value)
        found.append((at, value))
    return found


def values(buffer: bytes, lo: int, hi: int, base: int) -> list[tuple[int, bytes]]:
    """(position in the buffer, value) of every record value of the leaf pages that start in
    [lo, hi) at offsets aligned in the device (`base`: the device offset of buffer[0])."""
    first = lo + (-(base + lo)) % ALIGN
    column = buffer[first:hi:ALIGN]
    found: list[tuple[int, bytes]] = []
    index = column.find(LEAF)
    while index >= 0:
        at = first + index * ALIGN
        page = leaf(buffer, at, bytes)
        if page:
            size, rows = page
            cells = [v for row in rows for v in row if v.__class__ is bytes and len(v) >= SHORTEST]
            found.extend((at + pos, v) for pos, v in _placed(buffer[at : at + size], cells))
            index += size // ALIGN
        else:
            index += 1
        index = column.find(LEAF, index)
    return sorted(found)


def segmented(buffer: bytes, hits: list[Hit], lo: int, hi: int, base: int) -> list[Hit]:
    """`hits` (the raw scan of the buffer) with the record values of its SQLite leaf pages
    scanned apart: raw hits overlapping a value are replaced by the values' own hits."""
    placed = values(buffer, lo, hi, base)
    if not placed:
        return hits
    joined, starts, spans = bytearray(), [], []
    for position, value in placed:
        starts.append(len(joined))
        spans.append(position)
        joined += value + GAP + (b"\x00" if len(value) % 2 else b"")
    ends = [position + len(value) for position, value in placed]
    kept = [hit for hit in hits if not _overlaps(spans, ends, hit.start, hit.start + hit.length)]
    for hit in scan(bytes(joined)):
        index = bisect.bisect_right(starts, hit.start) - 1
        hit.start = spans[index] + hit.start - starts[index]
        kept.append(hit)
    return kept


def _overlaps(starts: list[int], ends: list[int], lo: int, hi: int) -> bool:
    """[lo, hi) overlaps one of the sorted, disjoint spans [starts[i], ends[i])."""
    index = bisect.bisect_right(starts, hi - 1) - 1
    return index >= 0 and ends[index] > lo
