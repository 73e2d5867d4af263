"""Partition tables (MBR with extended partitions, GPT, …) and the gaps between partitions.

TSK reads the table; crossdrive turns it into *regions* of the device: partitions, table
metadata, and unpartitioned gaps (computed here from the partitions, so the space after the last
partition up to the end of the image is a gap too, whatever the table says). A device with no
table is one region, `whole`, holding a file system at offset 0 (or nothing known).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pytsk3

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
    errors: list[str]

    @property
    def partitions(self) -> list[Region]:
        return [r for r in self.regions if r.kind in ("partition", "whole")]


def read_layout(image: pytsk3.Img_Info, device_size: int) -> VolumeLayout:
    """Read the partition table of `image`; with none, the device is one `whole` region."""
    try:
        volume = pytsk3.Volume_Info(image)
    except OSError:
        whole = Region(-1, "whole", 0, device_size, "no partition table", "")
        return VolumeLayout(None, 512, [whole], [])
    block = volume.info.block_size
    table = VS_TYPES.get(volume.info.vstype, str(volume.info.vstype))
    partitions: list[Region] = []
    metadata: list[Region] = []
    errors: list[str] = []
    for part in volume:
        start, length = part.start * block, part.len * block
        desc = part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else part.desc
        if part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC:
            slot = f"{part.table_num}:{part.slot_num}"
            if start + length > device_size:
                errors.append(
                    f"partition {slot} ({desc}) at byte {start}, {length} bytes, extends past the "
                    f"end of the image ({device_size} bytes)"
                )
            partitions.append(Region(len(partitions), "partition", start, length, desc, slot))
        elif part.flags & pytsk3.TSK_VS_PART_FLAG_META:
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
