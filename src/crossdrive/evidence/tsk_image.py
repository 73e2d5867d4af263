"""Adapter that lets The Sleuth Kit read any crossdrive container."""

from __future__ import annotations

import pytsk3

from crossdrive.evidence.containers import Container


class TskImage(pytsk3.Img_Info):
    """pytsk3 image backed by a container (raw, split raw, EWF): one code path for all."""

    def __init__(self, container: Container, claimed_size: int | None = None) -> None:
        self._container = container
        # A truncated image can be shown to TSK as its original size, so that a partition
        # table naming partitions past the end is still read (reads past the end stay short).
        self._size = max(container.size, claimed_size or 0)
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        # A short read (truncated image) is passed on as is: TSK reports it, we record it.
        return self._container.read(offset, size)

    def get_size(self) -> int:
        return self._size

    def close(self) -> None:
        self._container.close()
