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


@dataclass
class Partition:
    image: Path | None  # file-system image copied in, or None for an empty partition
    size: int
    type: str  # sfdisk type: "7" (NTFS), "c" (FAT32 LBA), "83" (Linux), or a GPT type GUID


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
    sector, script, placed = 512, [f"label: {'gpt' if table == 'gpt' else 'dos'}"], []
    cursor = gap
    for i, part in enumerate(partitions):
        if logical_from is not None and i == logical_from:
            script.append(f"start={cursor // sector}, type=5")
            cursor += gap
        script.append(f"start={cursor // sector}, size={part.size // sector}, type={part.type}")
        placed.append((cursor, part))
        cursor += part.size + gap
    subprocess.run(
        ["sfdisk", "-q", str(path)],
        input="\n".join(script) + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    with open(path, "r+b") as target:
        for offset, part in placed:
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
