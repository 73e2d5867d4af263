"""NTFS records read as NTFS reads them: with their update sequence (fixups) applied.

NTFS writes the last two bytes of every 512-byte sector of an MFT record (`FILE`) or index
buffer (`INDX`) into the record's update sequence array and puts a check number in their place,
so a torn write can be detected. On disk, a small file's resident data or a name that crosses a
sector end therefore has two foreign bytes in it: a gzip member stored in its MFT record does
not inflate, an address there is cut in two. Before a page is scanned, each record whose every
sector ends with the check number gets its original bytes back, as the file system driver (and
The Sleuth Kit) would do; a record whose check fails is left as it is on disk. Features keep
their device offsets, which hold the same bytes except those two per sector.
"""

from __future__ import annotations

import struct

SECTOR = 512
SIGNATURES = (b"FILE", b"INDX")


def repaired(buffer: bytes, base: int) -> bytes:
    """`buffer` (whose first byte lies at device offset `base`) with the fixups of every
    sector-aligned record applied; the same object when there was nothing to repair. Only
    the first byte of each sector is looked at to find records."""
    first = -base % SECTOR
    starts = buffer[first::SECTOR]
    out: bytearray | None = None
    for initial in {signature[:1] for signature in SIGNATURES}:
        index = starts.find(initial)
        while index >= 0:
            at = first + index * SECTOR
            fixed = _fixups(buffer, at) if buffer[at : at + 4] in SIGNATURES else []
            if fixed:
                out = out if out is not None else bytearray(buffer)
                for position, original in fixed:
                    out[position : position + 2] = original
            index = starts.find(initial, index + 1)
    return bytes(out) if out is not None else buffer


def _fixups(buffer: bytes, at: int) -> list[tuple[int, bytes]]:
    """(position, original two bytes) of each sector end of the record at `at`, if its update
    sequence is consistent; else none."""
    header = buffer[at + 4 : at + 8]
    if len(header) < 4:
        return []
    offset, count = struct.unpack("<HH", header)
    sectors = count - 1
    if sectors not in (2, 8) or not 8 <= offset <= 1024 - 2 * count or offset % 2:
        return []  # 1024-byte MFT records and 4096-byte ones; index buffers are 4096
    array = buffer[at + offset : at + offset + 2 * count]
    if len(buffer) < at + sectors * SECTOR:
        return []
    check = array[:2]
    ends = [at + (n + 1) * SECTOR - 2 for n in range(sectors)]
    if any(buffer[end : end + 2] != check for end in ends):
        return []
    return [(end, array[2 + 2 * n : 4 + 2 * n]) for n, end in enumerate(ends)]
