"""Open an evidence image (raw, split raw, EWF) as one seekable, read-only byte stream.

Evidence is never opened for writing: raw segments are opened with O_RDONLY and read with
pread (no shared file position, so threads can read concurrently); EWF goes through libewf in
mode "r".
"""

from __future__ import annotations

import os
import re
import threading
from bisect import bisect_right
from pathlib import Path
from typing import Protocol

import pyewf

_NUMERIC_SUFFIX = re.compile(r"^(?P<stem>.*)\.(?P<num>\d{3,})$")


class Container(Protocol):
    """What every container offers: its format, segments, size, and reads at an offset."""

    format: str
    segments: list[Path]
    size: int

    def read(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


def detect_format(first: Path) -> str:
    """Tell the container format from the first segment's signature and name."""
    with open(first, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"EVF\x09\x0d\x0a\xff\x00") or head.startswith(b"LVF\x09\x0d\x0a\xff\x00"):
        return "ewf"
    if _NUMERIC_SUFFIX.match(first.name) and len(segment_paths(first, "split")) > 1:
        return "split"
    return "raw"


def segment_paths(first: Path, fmt: str | None = None) -> list[Path]:
    """Every segment of the image whose first segment is `first`, in order.

    Split raw sets are numbered `.000`/`.001`/… of one width and must be contiguous; EWF sets
    (`.E01`, `.E02`, … `.EAA`) are found by libewf's own glob.
    """
    fmt = fmt or detect_format(first)
    if fmt == "ewf":
        return [Path(p) for p in pyewf.glob(str(first))]
    match = _NUMERIC_SUFFIX.match(first.name)
    if fmt != "split" or not match:
        return [first]
    width, number = len(match["num"]), int(match["num"])
    segments = []
    while True:
        candidate = first.with_name(f"{match['stem']}.{number:0{width}d}")
        if not candidate.is_file():
            return segments
        segments.append(candidate)
        number += 1


class RawContainer:
    """One or more raw segments read as their concatenation."""

    def __init__(self, segments: list[Path], fmt: str) -> None:
        self.format = fmt
        self.segments = segments
        self._fds = [os.open(path, os.O_RDONLY) for path in segments]
        sizes = [os.fstat(fd).st_size for fd in self._fds]
        self._starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self.size = sum(sizes)

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        length = min(length, self.size - offset)
        if len(self._fds) == 1:
            return os.pread(self._fds[0], length, offset)
        parts = []
        index = bisect_right(self._starts, offset) - 1
        while length > 0 and index < len(self._fds):
            local = offset - self._starts[index]
            chunk = os.pread(self._fds[index], length, local)
            if not chunk:
                break
            parts.append(chunk)
            offset += len(chunk)
            length -= len(chunk)
            index = bisect_right(self._starts, offset) - 1
        return b"".join(parts)

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []


class EwfContainer:
    """An EWF (E01/Ex01 family) set through libewf; exposes the hashes stored at acquisition."""

    def __init__(self, segments: list[Path]) -> None:
        self.format = "ewf"
        self.segments = segments
        self._handle = pyewf.handle()
        self._handle.open([str(p) for p in segments], "r")
        self._lock = threading.Lock()  # libewf handles keep a file position
        self.size = self._handle.get_media_size()

    def stored_hashes(self) -> dict[str, str]:
        """Hashes the acquisition tool recorded, keyed md5/sha1/sha256 (lower-case hex)."""
        values = self._handle.get_hash_values() or {}
        return {key.lower().replace("-", ""): value.lower() for key, value in values.items()}

    def metadata(self) -> dict[str, str]:
        """Acquisition header values (case number, examiner, dates, software)."""
        return dict(self._handle.get_header_values() or {})

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        with self._lock:
            return self._handle.read_buffer_at_offset(min(length, self.size - offset), offset)

    def close(self) -> None:
        self._handle.close()


def open_container(first: Path | str) -> RawContainer | EwfContainer:
    """Open the image whose first (or only) segment is `first`, read-only."""
    first = Path(first)
    fmt = detect_format(first)
    segments = segment_paths(first, fmt)
    if fmt == "ewf":
        return EwfContainer(segments)
    return RawContainer(segments, fmt)
