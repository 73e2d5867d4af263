"""Build the scenario's devices with real tools and write `truth.json` beside them.

File systems are made and filled by mkntfs + ntfs-3g, mkfs.vfat + mtools, mke2fs -d + debugfs,
mkfs.exfat + exfat-fuse; deletions go through the same tools, so directory entries remain as on a
real disk. Remnants (old mail, address-book fragments) are then written straight into blocks that
The Sleuth Kit's `blkls` lists as unallocated, and into the unpartitioned gap after the last
partition: bytes with no metadata at all, whose offsets the truth file records. Disks are
partitioned by sfdisk and wrapped as raw, split raw (`split`) or E01 (`ewfacquire`).

The result is cached by (seed, devices, scale, generator version).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

from crossdrive.demo import builders
from crossdrive.demo.builders import Partition
from crossdrive.demo.scenario import GENERATOR_VERSION, MIB, Device, Item, make_scenario

MBR_TYPES = {"ntfs": "7", "exfat": "7", "fat32": "c", "ext4": "83"}
GPT_TYPES = {
    "ntfs": "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
    "exfat": "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
    "fat32": "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
    "ext4": "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
}
REMNANT_AFTER = 64 * 1024  # unpartitioned remnants start this far after the last partition


def scenario_dir(directory: Path, seed: int, devices: int, scale: float) -> Path:
    return Path(directory) / "scenario" / f"seed{seed}-devices{devices}-scale{scale:g}"


def generate(
    directory: Path,
    seed: int = 7,
    devices: int = 8,
    scale: float = 1.0,
    log: Callable[[str], None] = print,
) -> Path:
    """Build (or reuse) the scenario; returns the path of its truth.json."""
    out = scenario_dir(directory, seed, devices, scale)
    truth_path = out / "truth.json"
    if truth_path.exists():
        truth = json.loads(truth_path.read_text())
        images = [out / p for d in truth["devices"] for p in d["images"]]
        if truth.get("generator_version") == GENERATOR_VERSION and all(map(Path.exists, images)):
            log(f"scenario cached: {out}")
            return truth_path
    shutil.rmtree(out, ignore_errors=True)
    scenario = make_scenario(seed, devices, scale)
    work = out / "build"
    for device in scenario.devices:
        log(f"building {device.label} ({device.template.container}, {device.template.table})")
        build_device(device, work, out / "images")
    shutil.rmtree(work)
    truth = scenario.truth()
    for entry in truth["devices"]:
        entry["images"] = [str(Path(p).relative_to(out)) for p in entry["images"]]
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n")
    return truth_path


def build_device(device: Device, work: Path, images: Path) -> None:
    """Make the device's file systems, plant remnants, partition, and wrap it in its container."""
    template = device.template
    kinds, fs_images = [], []
    for index, (kind, size_mib) in enumerate(template.filesystems):
        path = work / f"{device.label}-fs{index}.img"
        kind = _make_filesystem(kind, path, size_mib * MIB, device, index)
        kinds.append(kind)
        fs_images.append(path)
        _plant_unallocated(path, [i for i in device.items if _is_remnant(i, index)])
    if template.table == "none":
        whole, offsets = fs_images[0], [0]
    else:
        parts = [
            Partition(img, size * MIB, (GPT_TYPES if template.table == "gpt" else MBR_TYPES)[kind])
            for img, (_k, size), kind in zip(fs_images, template.filesystems, kinds, strict=True)
        ]
        offsets, end = builders.partition_offsets(parts, template.logical_from)
        whole = builders.disk(
            work / f"{device.label}.dd", end + 2 * MIB, template.table, parts, template.logical_from
        )
        cursor = end + REMNANT_AFTER
        for item in device.items:
            if item.category == "unpartitioned":
                builders.write_at(whole, cursor, item.data)
                item.offset, cursor = cursor, cursor + len(item.data) + 4096
    for item in device.items:
        if item.category == "unallocated":
            item.offset += offsets[item.partition]
    size = whole.stat().st_size
    device.built = {
        "images": [str(p) for p in _contain(whole, template.container, images / device.label)],
        "size": size,
        "partitions": [
            {"index": i, "offset": off, "size": size * MIB, "filesystem": kind}
            for i, (off, (_k, size), kind) in enumerate(
                zip(offsets, template.filesystems, kinds, strict=True)
            )
        ],
    }


def _is_remnant(item: Item, partition: int) -> bool:
    return item.category == "unallocated" and item.partition == partition


def _make_filesystem(kind: str, path: Path, size: int, device: Device, index: int) -> str:
    files, deleted = device.files(index), device.deleted(index)
    if kind == "exfat":
        try:
            builders.exfat(path, size, files, deleted)
            return kind
        except RuntimeError as error:  # no loop device or FUSE here: a FAT32 stick instead
            print(f"exFAT unavailable ({error}); building FAT32 for {device.label}")
            kind = "fat32"
    if kind == "ntfs":
        builders.ntfs(path, size, files, deleted)
    elif kind == "fat32":
        builders.fat(path, size, files, deleted, label=device.label[:11].replace("-", ""))
    else:
        builders.ext4(path, size, files, deleted)
    return kind


def _plant_unallocated(path: Path, remnants: list[Item]) -> None:
    """Write each remnant into a run of free blocks in the upper part of the free space (away
    from where deleted files' clusters lie, so their content stays recoverable)."""
    if not remnants:
        return
    block_size, runs = builders.free_runs(path)
    total = sum(count for _start, count in runs)
    skip, usable = int(total * 0.6), []
    for start, count in runs:  # free blocks after the first 60 % of all free blocks
        if skip >= count:
            skip -= count
            continue
        usable.append((start + skip, count - skip))
        skip = 0
    for item in remnants:
        need = math.ceil(len(item.data) / block_size) + 1
        for n, (start, count) in enumerate(usable):
            if count >= need:
                item.offset = start * block_size  # relative to the file system for now
                builders.write_at(path, item.offset, item.data)
                usable[n] = (start + need, count - need)
                break
        else:
            raise RuntimeError(f"no free run of {need} blocks in {path} for {item.id}")


def _contain(whole: Path, container: str, target: Path) -> list[Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    if container == "split":
        return builders.split_raw(whole, 16 * MIB, target)
    if container == "e01":
        return builders.ewf(whole, target, case_number="DEMO", examiner="crossdrive demo")
    raw = target.with_suffix(".dd")
    shutil.move(whole, raw)
    return [raw]
