"""The demo devices: a small multi-device case built with real tools (until the scenario
generator of issue #3 replaces the contents with a full synthetic organisation)."""

from __future__ import annotations

from pathlib import Path

from crossdrive.demo import builders
from crossdrive.demo.builders import MIB, Partition


def _letter(sender: str, recipient: str, body: str) -> bytes:
    return f"From: {sender}\r\nTo: {recipient}\r\nSubject: {body[:30]}\r\n\r\n{body}\r\n".encode()


LAPTOP_FILES = {
    "Users/ana/Documents/plan.txt": b"Meeting with Boris Ivanov, +44 20 7946 0958.\n" * 40,
    "Users/ana/Documents/contacts.csv": "name,phone\nАнна Смирнова,+7 912 345-67-89\n".encode(),
    "Users/ana/Mail/inbox.eml": _letter("boris@example.org", "ana@example.net", "See you Friday"),
    "Users/ana/Desktop/notes-utf16.txt": "Ring Chen Wei at +86 10 6552 9988".encode("utf-16"),
    "Users/ana/Pictures/blank.bin": bytes(range(256)) * 64,
}
USB_FILES = {
    "EXPORT/list.txt": b"carlos@example.com; dana@example.com\n",
    "EXPORT/old/draft.txt": b"Draft for Dana\n" * 100,
    "readme.txt": b"USB stick of Carlos\n",
}
LINUX_FILES = {
    "home/boris/.bash_history": b"ssh boris@203.0.113.7\nls\n",
    "home/boris/mail/sent.mbox": b"From boris@example.org Fri Jan  5 10:00:00 2024\n"
    + _letter("boris@example.org", "carlos@example.com", "Shipment"),
    "etc/hostname": b"boris-pc\n",
}


def build(directory: Path) -> list[tuple[Path, str]]:
    """Build (or reuse) the demo images; return (first segment, label) for each device."""
    work = directory / "build"
    images = directory / "images"
    work.mkdir(parents=True, exist_ok=True)
    images.mkdir(parents=True, exist_ok=True)
    laptop = images / "laptop.dd"
    if not laptop.exists():
        part_ntfs = builders.ntfs(
            work / "laptop-ntfs.img",
            48 * MIB,
            LAPTOP_FILES,
            deleted=["Users/ana/Documents/plan.txt", "Users/ana/Mail/inbox.eml"],
            streams={
                "Users/ana/Documents/contacts.csv": {"Zone.Identifier": b"[ZoneTransfer]\r\n"}
            },
        )
        part_fat = builders.fat(
            work / "laptop-fat.img", 40 * MIB, USB_FILES, deleted=["readme.txt"]
        )
        part_ext = builders.ext4(
            work / "laptop-ext4.img", 16 * MIB, LINUX_FILES, deleted=["home/boris/mail/sent.mbox"]
        )
        builders.disk(
            laptop,
            112 * MIB,
            "mbr",
            [
                Partition(part_ntfs, 48 * MIB, "7"),
                Partition(part_fat, 40 * MIB, "c"),
                Partition(part_ext, 16 * MIB, "83"),
            ],
            logical_from=1,
        )
    desktop_first = images / "desktop.001"
    if not desktop_first.exists():
        part_ext = builders.ext4(
            work / "desktop-ext4.img", 24 * MIB, LINUX_FILES, deleted=["home/boris/.bash_history"]
        )
        part_fat = builders.fat(work / "desktop-fat.img", 36 * MIB, USB_FILES)
        whole = builders.disk(
            work / "desktop.dd",
            64 * MIB,
            "gpt",
            [
                Partition(part_ext, 24 * MIB, "0FC63DAF-8483-4772-8E79-3D69D8477DE4"),
                Partition(part_fat, 36 * MIB, "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"),
            ],
        )
        builders.split_raw(whole, 16 * MIB, images / "desktop")
    usb = images / "usb.E01"
    if not usb.exists():
        stick = builders.fat(work / "usb.img", 40 * MIB, USB_FILES, deleted=["EXPORT/list.txt"])
        builders.ewf(stick, images / "usb")
    return [(laptop, "LAPTOP"), (desktop_first, "DESKTOP"), (usb, "USB")]
