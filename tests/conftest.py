"""Fixtures: real images built with real tools, once per test session."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from crossdrive.demo import builders
from crossdrive.demo.builders import MIB, Partition

# The project is checked out beside ../shared (developers and CI alike).
SHARED = Path(__file__).resolve().parents[2] / "shared" / "testdata"

# Content planted in the built images, with what happens to it.
NTFS_FILES = {
    "docs/report.txt": b"quarterly report\n" * 300,
    "docs/deep/a/b/c/notes.txt": b"nested\n",
    "mail/inbox.eml": b"From: a@example.org\r\nTo: b@example.org\r\n\r\nhello\r\n" * 50,
    "small.txt": b"resident data",
    "big.bin": bytes(range(256)) * 4096,  # 1 MiB, non-resident
    "gone/secret.txt": b"deleted but recoverable\n" * 200,
    "gone-too.bin": hashlib.sha256(b"x").digest() * 1000,
}
NTFS_DELETED = ["gone/secret.txt", "gone-too.bin"]
NTFS_STREAMS = {"docs/report.txt": {"Zone.Identifier": b"[ZoneTransfer]\r\nZoneId=3\r\n"}}

FAT_FILES = {
    "DCIM/photo1.jpg": b"\xff\xd8\xff\xe0" + b"jpegdata" * 1000,
    "notes/todo.txt": b"buy milk\n" * 10,
    "deleted1.txt": b"fat deleted content one\n" * 150,
    "notes/deleted2.txt": b"fat deleted content two\n" * 20,
    "keep.txt": b"kept\n",
}
FAT_DELETED = ["deleted1.txt", "notes/deleted2.txt"]

EXT_FILES = {
    "home/user/.bash_history": b"ls -la\ncd /tmp\n",
    "home/user/docs/letter.txt": b"Dear Sir,\n" * 100,
    "etc/hostname": b"suspect-pc\n",
    "var/log/old.log": b"log line\n" * 1000,
}
EXT_DELETED = ["var/log/old.log"]


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """One of each: NTFS, FAT32, ext4 file systems; MBR (with extended) and GPT disks; a split
    raw set and an E01 of the MBR disk."""
    root = tmp_path_factory.mktemp("built")
    ntfs = builders.ntfs(root / "ntfs.img", 32 * MIB, NTFS_FILES, NTFS_DELETED, NTFS_STREAMS)
    fat = builders.fat(root / "fat32.img", 40 * MIB, FAT_FILES, FAT_DELETED)
    ext = builders.ext4(root / "ext4.img", 16 * MIB, EXT_FILES, EXT_DELETED)
    mbr = builders.disk(
        root / "mbr.dd",
        100 * MIB,
        "mbr",
        [
            Partition(ntfs, 32 * MIB, "7"),
            Partition(fat, 40 * MIB, "c"),
            Partition(ext, 16 * MIB, "83"),
        ],
        logical_from=1,
    )
    gpt = builders.disk(
        root / "gpt.dd",
        64 * MIB,
        "gpt",
        [
            Partition(ext, 16 * MIB, "0FC63DAF-8483-4772-8E79-3D69D8477DE4"),
            Partition(fat, 40 * MIB, "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"),
        ],
    )
    split = builders.split_raw(mbr, 30 * MIB, root / "split" / "mbr")
    e01 = builders.ewf(mbr, root / "ewf" / "mbr", segment_size="40MiB", compression="none")
    return {
        "ntfs": ntfs,
        "fat32": fat,
        "ext4": ext,
        "mbr": mbr,
        "gpt": gpt,
        "split": split[0],
        "e01": e01[0],
    }


@pytest.fixture(scope="session")
def built_case(built, tmp_path_factory) -> Path:
    """The built images processed as one case (two workers)."""
    root = tmp_path_factory.mktemp("built-case")
    images = {
        "NTFS": built["ntfs"],
        "FAT": built["fat32"],
        "EXT": built["ext4"],
        "MBR": built["mbr"],
        "GPT": built["gpt"],
    }
    from tests.helpers import new_case

    return new_case(root, images, workers=2)


@pytest.fixture()
def copy_of(tmp_path):
    """A writable copy of an image (evidence itself is never modified)."""

    def _copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copyfile(source, target)
        return target

    return _copy
