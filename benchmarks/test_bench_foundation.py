"""`make bench`: walk + hash of a ≥1 GiB NTFS image vs `fls -r` + `icat`, and intake hashing vs
`sha256sum`. Ratios, not absolute times: both sides run in the same process, on the same file,
back to back. Results are printed and written to bench-out/foundation.json."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import time
from pathlib import Path

import pytest

from crossdrive.demo import builders
from crossdrive.evidence import open_container
from crossdrive.evidence.hashing import hash_container
from crossdrive.pipeline.stages import volumes_stage, walk_stage
from crossdrive.pipeline.tasks import Task

GIB = 1024**3
OUT = Path(__file__).resolve().parents[1] / "bench-out"


def _files(count: int, seed: int = 7) -> dict[str, bytes]:
    """A few thousand files of mixed sizes (text, random, zeros), about 700 MiB in all."""
    rng = random.Random(seed)
    files = {}
    for i in range(count):
        size = rng.choice([512, 4096, 20_000, 100_000, 400_000, 1_500_000])
        kind = i % 3
        if kind == 0:
            data = (f"line {i} of a text document with words\n" * (size // 40 + 1)).encode()[:size]
        elif kind == 1:
            data = rng.randbytes(size)
        else:
            data = bytes(size)
        files[f"dir{i % 40:02d}/sub{i % 7}/file{i:05d}.bin"] = data
    return files


@pytest.fixture(scope="module")
def ntfs_image() -> Path:
    OUT.mkdir(exist_ok=True)
    image = OUT / "bench-ntfs.img"
    if not image.exists():
        files = _files(3000)
        builders.ntfs(image, int(1.1 * GIB), files, deleted=list(files)[::50])
    return image


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _fls_icat(image: Path) -> int:
    """The reference: list with `fls -r`, then `icat` every regular file and hash it."""
    listing = subprocess.run(
        ["fls", "-r", str(image)], capture_output=True, text=True, check=True
    ).stdout
    count = 0
    for line in listing.splitlines():
        match = re.match(r"^\+*\s*r/r (\*\s+)?(\d+(?:-\d+-\d+)?)(?:\(realloc\))?:\t", line)
        if not match:
            continue
        data = subprocess.run(["icat", str(image), match[2]], capture_output=True).stdout
        hashlib.md5(data).hexdigest()
        hashlib.sha256(data).hexdigest()
        count += 1
    return count


def _crossdrive_walk(image: Path) -> int:
    volumes = volumes_stage(Task("B", "volumes", "all", {"image": str(image)}))
    total = 0
    for fs in volumes["filesystems"]:
        task = Task(
            "B", "walk", "p", {"image": str(image), "partition": None, "offset": fs["offset"]}
        )
        tables = walk_stage(task)
        total += sum(1 for row in tables["files"] if row["md5"])
    return total


@pytest.mark.bench
def test_walk_and_hash_vs_fls_icat(ntfs_image):
    reference_s, reference_n = _timed(lambda: _fls_icat(ntfs_image))
    ours_s, ours_n = _timed(lambda: _crossdrive_walk(ntfs_image))
    result = {
        "image_bytes": ntfs_image.stat().st_size,
        "fls_icat_s": round(reference_s, 2),
        "fls_icat_files": reference_n,
        "crossdrive_s": round(ours_s, 2),
        "crossdrive_files_hashed": ours_n,
        "speedup": round(reference_s / ours_s, 2),
    }
    _record("walk_hash", result)
    assert ours_n >= reference_n


@pytest.mark.bench
def test_intake_hashing_vs_sha256sum(ntfs_image):
    size = ntfs_image.stat().st_size
    subprocess.run(["cat", str(ntfs_image)], stdout=subprocess.DEVNULL, check=True)  # warm cache
    sha_s, _ = _timed(
        lambda: subprocess.run(["sha256sum", str(ntfs_image)], check=True, capture_output=True)
    )
    container = open_container(ntfs_image)
    ours_s, _ = _timed(lambda: hash_container(container))
    container.close()
    result = {
        "image_bytes": size,
        "sha256sum_s": round(sha_s, 2),
        "sha256sum_MBps": round(size / sha_s / 1e6),
        "crossdrive_3hash_s": round(ours_s, 2),
        "crossdrive_MBps": round(size / ours_s / 1e6),
        "ratio_vs_sha256sum": round(sha_s / ours_s, 2),
        "cores": os.cpu_count(),
    }
    _record("intake_hash", result)


def _record(name: str, result: dict) -> None:
    print(f"\n{name}: {json.dumps(result)}")
    path = OUT / "foundation.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = result
    path.write_text(json.dumps(data, indent=2) + "\n")
