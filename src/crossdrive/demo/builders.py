"""Build real disk images with the real tools (mkntfs + ntfs-3g, mkfs.vfat + mtools, mke2fs -d +
debugfs, sfdisk, split, ewfacquire): no file-system structure is ever written by our own code.

Used by the test suite, the benchmarks and the demo. NTFS needs ntfs-3g's FUSE mount (root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024

Files = Mapping[str, bytes]  # relative path ("dir/name.txt") -> content


def run(*cmd: str | os.PathLike, env: dict | None = None) -> str:
    """Run a tool; raise with its stderr when it fails."""
    result = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed: {result.stderr.strip()}")
    return result.stdout


def _blank(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)


def ntfs(
    path: Path,
    size: int,
    files: Files,
    deleted: Sequence[str] = (),
    streams: Mapping[str, Files] | None = None,
) -> Path:
    """NTFS by mkntfs, filled through an ntfs-3g mount; `deleted` are removed through it;
    `streams` adds alternate data streams: {"file.txt": {"ads": b"..."}}."""
    _blank(path, size)
    run("mkntfs", "-q", "-F", "-Q", "-s", "512", "-c", "4096", path)
    with tempfile.TemporaryDirectory() as mount:
        run("ntfs-3g", "-o", "streams_interface=windows", path, mount)
        try:
            _write_tree(Path(mount), files)
            for name, named in (streams or {}).items():
                for stream, data in named.items():
                    (Path(mount) / f"{name}:{stream}").write_bytes(data)
            for name in deleted:
                _remove(Path(mount) / name)
        finally:
            run("umount", mount)
    return path


def fat(
    path: Path,
    size: int,
    files: Files,
    deleted: Sequence[str] = (),
    bits: int = 32,
    label: str = "CROSSDRIVE",
) -> Path:
    """FAT12/16/32 by mkfs.vfat, filled with mtools (mmd, mcopy); `deleted` removed with mdel."""
    _blank(path, size)
    run("mkfs.vfat", "-F", str(bits), "-n", label, path)
    env = {"MTOOLS_SKIP_CHECK": "1"}
    with tempfile.TemporaryDirectory() as staging:
        for name, data in files.items():
            parts = name.split("/")
            for depth in range(1, len(parts)):
                subprocess.run(
                    ["mmd", "-D", "s", "-i", str(path), "::/" + "/".join(parts[:depth])],
                    capture_output=True,
                    env={**os.environ, **env},
                )  # exists: fine
            local = Path(staging) / "f"
            local.write_bytes(data)
            run("mcopy", "-o", "-i", path, local, "::/" + name, env=env)
    for name in deleted:
        run("mdel", "-i", path, "::/" + name, env=env)
    return path


def ext4(path: Path, size: int, files: Files, deleted: Sequence[str] = ()) -> Path:
    """ext4 by `mke2fs -d` from a staged tree; `deleted` removed with `debugfs -w rm`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as staging:
        _write_tree(Path(staging), files)
        run(
            "mke2fs",
            "-q",
            "-F",
            "-t",
            "ext4",
            "-b",
            "4096",
            "-d",
            staging,
            path,
            str(size // 1024) + "k",
        )
    for name in deleted:
        run("debugfs", "-w", "-R", f"rm /{name}", path)
    return path


def exfat(path: Path, size: int, files: Files, deleted: Sequence[str] = ()) -> Path:
    """exFAT by mkfs.exfat, filled through exfat-fuse on a loop device (needs root)."""
    _blank(path, size)
    run("mkfs.exfat", path)
    loop = run("losetup", "--find", "--show", path).strip()
    try:
        with tempfile.TemporaryDirectory() as mount:
            run("mount.exfat-fuse", loop, mount)
            try:
                _write_tree(Path(mount), files)
                for name in deleted:
                    _remove(Path(mount) / name)
            finally:
                run("umount", mount)
    finally:
        run("losetup", "--detach", loop)
    return path


def free_runs(path: Path) -> tuple[int, list[tuple[int, int]]]:
    """The block size of the file system in `path` and its runs of unallocated blocks
    (first block, count), as The Sleuth Kit's `blkls -l` lists them."""
    import pytsk3

    block_size = pytsk3.FS_Info(pytsk3.Img_Info(str(path))).info.block_size
    runs: list[tuple[int, int]] = []
    for line in run("blkls", "-l", path).splitlines():
        address, _, flag = line.partition("|")
        if flag != "f" or not address.isdigit():
            continue
        block = int(address)
        if runs and runs[-1][0] + runs[-1][1] == block:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((block, 1))
    return block_size, runs


def write_at(path: Path, offset: int, data: bytes) -> None:
    """Overwrite bytes in place (a remnant in free space: no file-system call knows of it)."""
    with open(path, "r+b") as target:
        target.seek(offset)
        target.write(data)


@dataclass
class Partition:
    image: Path | None  # file-system image copied in, or None for an empty partition
    size: int
    type: str  # sfdisk type: "7" (NTFS), "c" (FAT32 LBA), "83" (Linux), or a GPT type GUID


def partition_offsets(
    partitions: Sequence[Partition], logical_from: int | None = None, gap: int = MIB
) -> tuple[list[int], int]:
    """Where `disk` places each partition, and the end of the last one."""
    offsets, cursor = [], gap
    for i, part in enumerate(partitions):
        if logical_from is not None and i == logical_from:
            cursor += gap
        offsets.append(cursor)
        cursor += part.size + gap
    return offsets, cursor - gap


def disk(
    path: Path,
    size: int,
    table: str,
    partitions: Sequence[Partition],
    logical_from: int | None = None,
    gap: int = MIB,
) -> Path:
    """A disk with an MBR ("dos") or GPT table written by sfdisk, file systems copied in.

    `gap` bytes are left free before each partition (unpartitioned space). With an MBR and
    `logical_from=i`, partitions i… become logical partitions inside one extended partition.
    """
    _blank(path, size)
    sector, script = 512, [f"label: {'gpt' if table == 'gpt' else 'dos'}"]
    offsets, end = partition_offsets(partitions, logical_from, gap)
    for i, (offset, part) in enumerate(zip(offsets, partitions, strict=True)):
        if logical_from is not None and i == logical_from:
            extended = (end - offset + gap) // sector  # ends with the last logical partition
            script.append(f"start={(offset - gap) // sector}, size={extended}, type=5")
        script.append(f"start={offset // sector}, size={part.size // sector}, type={part.type}")
    subprocess.run(
        ["sfdisk", "-q", str(path)],
        input="\n".join(script) + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    with open(path, "r+b") as target:
        for offset, part in zip(offsets, partitions, strict=True):
            if part.image is not None:
                target.seek(offset)
                with open(part.image, "rb") as source:
                    shutil.copyfileobj(source, target, 4 * MIB)
    return path


def split_raw(source: Path, segment_size: int, prefix: Path) -> list[Path]:
    """Split raw segments prefix.001, prefix.002, … as `split` (and FTK) number them."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    run(
        "split",
        "-b",
        str(segment_size),
        "-d",
        "-a",
        "3",
        "--numeric-suffixes=1",
        source,
        f"{prefix}.",
    )
    return sorted(prefix.parent.glob(prefix.name + ".[0-9][0-9][0-9]"))


def ewf(
    source: Path,
    target: Path,
    case_number: str = "demo",
    examiner: str = "crossdrive",
    segment_size: str = "1.4GiB",
    compression: str = "fast",
) -> list[Path]:
    """An E01 set by ewfacquire (MD5 and SHA-1 stored); `target` without extension."""
    target.parent.mkdir(parents=True, exist_ok=True)
    run(
        "ewfacquire",
        "-u",
        "-t",
        target,
        "-c",
        compression,
        "-d",
        "sha1",
        "-S",
        segment_size,
        "-C",
        case_number,
        "-e",
        examiner,
        "-E",
        target.name,
        "-D",
        "crossdrive test image",
        "-N",
        "built by crossdrive.demo.builders",
        source,
    )
    return sorted(target.parent.glob(target.name + ".E??"))


def _write_tree(root: Path, files: Files) -> None:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
