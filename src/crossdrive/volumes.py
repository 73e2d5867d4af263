"""Partition tables (MBR with extended partitions, GPT, …) and the gaps between partitions.

TSK reads the table; crossdrive turns it into *regions* of the device: partitions, table
metadata, and unpartitioned gaps (computed here from the partitions, so the space after the last
partition up to the end of the image is a gap too, whatever the table says). A device with no
table is one region, `whole`, holding a file system at offset 0 (or nothing known).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pytsk3

from crossdrive.evidence.containers import Container
from crossdrive.evidence.tsk_image import TskImage

# What a truncated image is shown to TSK as, to read a table whose partitions run past its end.
CLAIMED_SIZE = 1 << 44

VS_TYPES = {
    pytsk3.TSK_VS_TYPE_DOS: "mbr",
    pytsk3.TSK_VS_TYPE_GPT: "gpt",
    pytsk3.TSK_VS_TYPE_MAC: "mac",
    pytsk3.TSK_VS_TYPE_BSD: "bsd",
    pytsk3.TSK_VS_TYPE_SUN: "sun",
}


@dataclass
class Region:
    """A byte range of a device: a partition, partition-table metadata, a gap, or the whole."""

    index: int  # partition number in table order (partitions), else -1
    kind: str  # partition | table | gap | whole
    start: int  # absolute byte offset in the device image
    length: int
    description: str
    slot: str  # TSK's table:slot for partitions, "" otherwise

    def as_row(self) -> dict:
        return asdict(self)


@dataclass
class VolumeLayout:
    table: str | None  # mbr, gpt, … or None (no partition table)
    block_size: int
    regions: list[Region]
    errors: list[tuple[int, str]]  # (byte offset, message)

    @property
    def partitions(self) -> list[Region]:
        return [r for r in self.regions if r.kind in ("partition", "whole")]


def _volume_system(container: Container) -> pytsk3.Volume_Info | None:
    """TSK's reading of the table; retried with the image shown whole when TSK refuses a table
    because partitions lie past the end of a truncated image. The retry is kept only if a
    partition starts inside the image: a boot sector full of 0xFF (exFAT, FAT) also ends in
    55 AA and must not become a table of phantom partitions."""
    try:
        return pytsk3.Volume_Info(TskImage(container))
    except OSError:
        pass
    try:
        volume = pytsk3.Volume_Info(TskImage(container, CLAIMED_SIZE))
    except OSError:
        return None
    block = volume.info.block_size
    inside = [
        part
        for part in volume
        if part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC and 0 < part.start * block < container.size
    ]
    return volume if inside else None


def read_layout(container: Container) -> VolumeLayout:
    """Read the partition table of a device; with none, the device is one `whole` region."""
    device_size = container.size
    volume = _volume_system(container)
    if volume is None:
        whole = Region(-1, "whole", 0, device_size, "no partition table", "")
        return VolumeLayout(None, 512, [whole], [])
    block = volume.info.block_size
    table = VS_TYPES.get(volume.info.vstype, str(volume.info.vstype))
    partitions: list[Region] = []
    metadata: list[Region] = []
    errors: list[tuple[int, str]] = []
    for part in volume:
        start, length = part.start * block, part.len * block
        desc = part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else part.desc
        is_partition = bool(part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC)
        if not is_partition and not part.flags & pytsk3.TSK_VS_PART_FLAG_META:
            continue  # TSK's own unallocated entries: gaps are computed below
        slot = f"{part.table_num}:{part.slot_num}" if is_partition else ""
        if start + length > device_size:
            what = f"partition {slot}" if is_partition else "partition-table entry"
            errors.append(
                (
                    start,
                    f"{what} ({desc}) at byte {start}, {length} bytes, extends "
                    f"past the end of the image ({device_size} bytes)",
                )
            )
        if is_partition:
            partitions.append(Region(len(partitions), "partition", start, length, desc, slot))
        else:
            metadata.append(Region(-1, "table", start, length, desc, ""))
    regions = partitions + metadata + unpartitioned_gaps(partitions, device_size)
    regions.sort(key=lambda r: (r.start, r.kind != "table"))
    return VolumeLayout(table, block, regions, errors)


def unpartitioned_gaps(partitions: list[Region], device_size: int) -> list[Region]:
    """Byte ranges of the device that no partition covers (before, between and after them)."""
    gaps, cursor = [], 0
    for part in sorted(partitions, key=lambda r: r.start):
        if part.start > cursor:
            gaps.append(Region(-1, "gap", cursor, part.start - cursor, "unpartitioned", ""))
        cursor = max(cursor, part.start + part.length)
    if cursor < device_size:
        gaps.append(Region(-1, "gap", cursor, device_size - cursor, "unpartitioned", ""))
    return gaps
