"""Pages: a device's whole byte stream, cut into independent tasks, swept through decoders.

A page owns the bytes [start, start + PAGE) and is read with MARGIN more, so a feature that
starts in the page and runs past its end is read whole; a feature that starts in the margin
belongs to the next page. It is also read from LEAD bytes before its start, so the tail of a
feature that began in the previous page is seen as part of that feature (and left to that
page), never reported as a fragment. Every feature is reported exactly once, whole.

NTFS records are read with their fixups applied (`ntfs_records`), and the values of SQLite
records are scanned one by one (`sqlite_values`).

Decoded data is swept again, recursively, with its forensic path (`1048576-GZIP-320-BASE64-12`):
the first number is the absolute offset of the outermost encoded data, each later number an
offset inside the decoded output of the step before. Depth, output per stream, output per page
and time per page are bounded; hitting a bound is a warning with its location, not a failure.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from crossdrive.exports.rows import escape_controls
from crossdrive.sweep.decoders import Budget
from crossdrive.sweep.ntfs_records import repaired
from crossdrive.sweep.scanners import Found, Hit, find
from crossdrive.sweep.sqlite_values import scan_segmented

PAGE = 16 * 1024 * 1024
MARGIN = 1024 * 1024
LEAD = 4096  # read before a page too: a feature reaching back over its start is not cut
MAX_DEPTH = 5
PAGE_SECONDS = 120.0
CONTEXT = 16
# Where a trigger or a decoder's marker can lie past the first byte of what it finds: the
# margin is scanned no further (the features there belong to the next page).
REACH = 4096


def plan_pages(size: int, page: int = PAGE) -> list[tuple[int, int]]:
    """(start, length) of each page of a device of `size` bytes."""
    return [(start, min(page, size - start)) for start in range(0, size, page)]


@dataclass
class Sweep:
    """The state of one page's sweep: its limits and the warnings raised."""

    device: str
    budget: Budget
    deadline: float

    def warn(self, offset: int, message: str) -> None:
        self.budget.warnings.append((offset, message))


def sweep_page(
    device: str, data: bytes, start: int, length: int, lead: int = 0
) -> tuple[Iterator[dict], Sweep]:
    """Features of the page that owns [start, start + length); `data` is read from
    `start - lead` and includes the margin. Returns the rows (a generator) and the sweep
    (warnings fill as rows are consumed)."""
    state = Sweep(device, Budget(), time.monotonic() + PAGE_SECONDS)
    data = repaired(data, start - lead)
    rows = _sweep(state, data, None, start - lead, 0, (lead, lead + length))
    return rows, state


def _sweep(
    state: Sweep,
    buffer: bytes,
    prefix: str | None,
    base: int,
    depth: int,
    own: tuple[int, int] | None,
) -> Iterator[dict]:
    lo, hi = own or (0, len(buffer))
    found = find(buffer, hi + REACH)
    hits, complete = scan_segmented(
        buffer, found, lo, hi, base if prefix is None else 0, state.deadline
    )
    if not complete:
        state.warn(base, "SQLite page headers without rows, or the time limit: rest scanned raw")
    device, span, context = state.device, None, ""
    for hit in hits:
        start = hit.start
        if not lo <= start < hi:
            continue
        if prefix is None:
            offset = base + start
            chain = str(offset)
        else:
            offset, chain = base, f"{prefix}-{start}"
        if span != (start, hit.length, hit.encoding):  # a derived domain shares its context
            span = (start, hit.length, hit.encoding)
            context = _context(buffer, hit)
        yield {
            "device": device,
            "scanner": hit.scanner,
            "feature": hit.feature,
            "written": hit.written,
            "context": context,
            "offset": offset,
            "chain": chain,
            "encoding": hit.encoding,
            "depth": depth,
        }
    if depth >= MAX_DEPTH:
        if _has_encoded(buffer, found):
            state.warn(base, f"decoding stopped at depth {MAX_DEPTH} ({prefix})")
        return
    for decoder, ends in found.markers.items():
        for position, name, decoded in decoder.decode(buffer, state.budget, ends):
            if own and not own[0] <= position < own[1]:
                continue
            where = base + position if prefix is None else base
            if time.monotonic() > state.deadline:
                state.warn(where, f"page time limit ({PAGE_SECONDS:.0f} s) reached: rest skipped")
                return
            state.budget.spent += len(decoded)
            if state.budget.spent > state.budget.total:
                state.warn(where, f"page decoding budget ({state.budget.total:,} bytes) spent")
                return
            step = f"{where}-{name}" if prefix is None else f"{prefix}-{position}-{name}"
            yield from _sweep(state, decoded, step, where, depth + 1, None)


def _has_encoded(buffer: bytes, found: Found) -> bool:
    return any(
        True
        for decoder, ends in found.markers.items()
        for _ in decoder.decode(buffer, Budget(limit=64), ends)
    )


def _context(buffer: bytes, hit: Hit) -> str:
    if hit.encoding == "utf-8":
        lo = hit.start - CONTEXT if hit.start > CONTEXT else 0
        raw = buffer[lo : hit.start + hit.length + CONTEXT]
    else:
        lo = max(0, hit.start - 2 * CONTEXT)
        lo += (hit.start - lo) % 2
        raw = buffer[lo : hit.start + hit.length + 2 * CONTEXT]
    return escape_controls(raw.decode(hit.encoding, "replace"))
