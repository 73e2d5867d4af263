"""Reading a file's content back out of a file system, by inode and attribute, in chunks.

The walk records each stream's inode, attribute type and id; the content stage reopens the
file system once per task and reads the files it was given, deleted ones included (TSK reads
a deleted file's blocks when its metadata still points at them).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytsk3

from crossdrive.evidence import open_container
from crossdrive.evidence.tsk_image import TskImage
from crossdrive.filesystems.walk import READ_CHUNK, open_filesystem


class FileSystemReader:
    """One opened file system of one image; files read by (inode, attr_type, attr_id)."""

    def __init__(self, image: Path, fs_offset: int) -> None:
        self._container = open_container(image)
        try:
            self._fs, _ = open_filesystem(TskImage(self._container), fs_offset)
        except OSError:
            self._container.close()
            raise

    def _open(self, inode: int) -> pytsk3.File:
        return self._fs.open_meta(inode=inode)

    def head(self, inode: int, attr_type: int, attr_id: int, size: int, limit: int) -> bytes:
        """The first `limit` bytes of the stream (fewer when it is shorter)."""
        return self._open(inode).read_random(0, min(size, limit), attr_type, attr_id)

    def copy(self, inode: int, attr_type: int, attr_id: int, size: int, out: BinaryIO) -> None:
        """The whole stream into `out`, chunk by chunk (never held in memory)."""
        entry = self._open(inode)
        offset = 0
        while offset < size:
            chunk = entry.read_random(offset, min(READ_CHUNK, size - offset), attr_type, attr_id)
            if not chunk:
                raise OSError(f"no data at file offset {offset}")
            out.write(chunk)
            offset += len(chunk)

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> FileSystemReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
