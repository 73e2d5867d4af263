"""MD5, SHA-1 and SHA-256 of an evidence stream in a single streaming pass.

hashlib releases the GIL on large buffers, so the three digests run on two threads while the
next chunk is read: one pass over the evidence, bounded memory, both cores busy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from crossdrive.evidence.containers import Container

CHUNK = 8 * 1024 * 1024


def hash_container(
    container: Container, progress: Callable[[int], None] | None = None
) -> dict[str, str]:
    """Return {"md5", "sha1", "sha256"} of the whole stream; `progress(n)` gets bytes done."""
    md5, sha1, sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()

    def update_sha(chunk: bytes) -> None:
        sha1.update(chunk)
        sha256.update(chunk)

    offset = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list = []
        while offset < container.size:
            chunk = container.read(offset, CHUNK)
            if not chunk:
                raise OSError(f"short read at offset {offset} of {container.size}")
            for future in pending:
                future.result()
            pending = [pool.submit(md5.update, chunk), pool.submit(update_sha, chunk)]
            offset += len(chunk)
            if progress:
                progress(len(chunk))
        for future in pending:
            future.result()
    return {"md5": md5.hexdigest(), "sha1": sha1.hexdigest(), "sha256": sha256.hexdigest()}
