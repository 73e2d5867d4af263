"""`make bench`: sweep throughput (all scanners and decoders) on 1 GiB images of mixed content
(with ordinary text, and with dense text), a 256 MiB image of dense text and a 128 MiB chat
database (SQLite records: each value scanned apart), with one and two
worker processes, against `md5sum` reading the same image in the same run; and where the time
goes, per scanner too. Results: bench-out/sweep.json."""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from benchmarks.sweep_data import build
from crossdrive.sweep.decoders import Budget
from crossdrive.sweep.pages import MARGIN, PAGE, REACH, sweep_page
from crossdrive.sweep.scanners import SCANNERS, check, database, find

OUT = Path(__file__).resolve().parents[1] / "bench-out"


def _sweep_one(args: tuple[str, int, int]) -> int:
    path, start, size = args
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(min(PAGE, size - start) + MARGIN)
    rows, _state = sweep_page("BENCH", data, start, min(PAGE, size - start))
    return sum(1 for _ in rows)


def _ready(_n: int = 0) -> None:
    """A worker as the pipeline's are before their first task (forkserver preload): modules
    imported and the scanners' database compiled, so the clock measures sweeping only."""
    database()


def _sweep(path: Path, workers: int) -> tuple[float, int]:
    size = path.stat().st_size
    jobs = [(str(path), start, size) for start in range(0, size, PAGE)]
    with ProcessPoolExecutor(workers, initializer=_ready) as pool:
        list(pool.map(_ready, range(workers)))
        began = time.perf_counter()
        found = sum(pool.map(_sweep_one, jobs))
        seconds = time.perf_counter() - began
    return seconds, found


def _md5sum(path: Path) -> float:
    began = time.perf_counter()
    subprocess.run(["md5sum", str(path)], check=True, capture_output=True)
    return time.perf_counter() - began


def _cost_per_scanner(path: Path, pages: int = 2) -> dict[str, float]:
    """Milliseconds per MB of the image for each part of a sweep at the top level: the one
    hyperscan pass (every trigger and marker), each scanner's exact check and validation
    (windows, readings, phonenumbers …) per encoding, each decoder's decoding, and the rows
    with their contexts. Measured on `pages` pages, the steps of `scanners.scan`
    taken one at a time, after a first page swept whole (as in a worker that has swept
    before: the same addresses and numbers recur, and each is validated once)."""
    _db, meaning, _decoders = database()
    cost: dict[str, float] = defaultdict(float)
    read = 0
    _sweep_one((str(path), 0, path.stat().st_size))
    for start in range(PAGE, min(path.stat().st_size, (pages + 1) * PAGE), PAGE):
        with open(path, "rb") as handle:
            handle.seek(start)
            data = handle.read(PAGE + MARGIN)
        read += min(PAGE, len(data))
        began = time.perf_counter()
        found = find(data, PAGE + REACH)
        cost["hyperscan pass"] += time.perf_counter() - began
        for pattern, positions in found.triggers.items():
            index, encoding = meaning[pattern]
            began = time.perf_counter()
            check(index, encoding, data, positions, [])
            key = f"{SCANNERS[index].name} ({encoding})"
            cost[key] += time.perf_counter() - began
        for decoder, ends in found.markers.items():
            began = time.perf_counter()
            for _ in decoder.decode(data, Budget(), ends):
                pass
            cost[f"decoder {decoder.decode.__name__}"] += time.perf_counter() - began
        began = time.perf_counter()
        rows, _state = sweep_page("BENCH", data, start, PAGE)
        sum(1 for _ in rows)  # the rows are a generator: the sweep runs as they are read
        cost["whole sweep of the page (every depth, rows)"] += time.perf_counter() - began
    return {k: round(v / (read / 1e6) * 1000, 3) for k, v in sorted(cost.items())}


def _where_time_goes(path: Path) -> list[str]:
    profile = cProfile.Profile()
    profile.enable()
    _sweep_one((str(path), 0, path.stat().st_size))
    profile.disable()
    stats = pstats.Stats(profile).sort_stats("tottime")
    return [
        f"{func[2]} ({Path(func[0]).name}): {row[2]:.2f} s"
        for func, row in list(stats.stats.items())
        if row[2] > 0.05
    ]


@pytest.mark.bench
def test_sweep_throughput():
    results = {}
    images = (
        ("mixed", 1024**3),
        ("mixed-dense", 1024**3),
        ("text", 256 * 1024**2),
        ("sqlite", 128 * 1024**2),
    )
    for name, size in images:
        path = build(OUT / f"sweep-{name}-v2.img", size, name)
        md5 = _md5sum(path)
        for workers in (1, 2):
            seconds, found = _sweep(path, workers)
            results[f"{name}-{workers}"] = {
                "bytes": size,
                "workers": workers,
                "seconds": round(seconds, 2),
                "mb_per_s": round(size / seconds / 1e6, 1),
                "md5sum_mb_per_s": round(size / md5 / 1e6, 1),
                "ratio_to_md5sum": round(md5 / seconds, 3),
                "features": found,
            }
            print(name, results[f"{name}-{workers}"])
        results[f"{name}-profile"] = sorted(_where_time_goes(path), key=len)[:25]
        results[f"{name}-ms-per-mb"] = costs = _cost_per_scanner(path)
        print(name, "ms per MB:", json.dumps(costs, indent=1))
    OUT.mkdir(exist_ok=True)
    (OUT / "sweep.json").write_text(json.dumps(results, indent=1))
    assert results["mixed-2"]["features"] == results["mixed-1"]["features"]
