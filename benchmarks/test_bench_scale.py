"""`make bench`: the whole job (`crossdrive process`) on the demo case with 1 and 2 local workers,
and with 2 workers of a Dask cluster started by hand (`dask scheduler` + 2 `dask worker`).
Ratios, not absolute times: the three runs go back to back in one session, on the same images.
The per-stage figures (seconds and bytes per stage, from CASE/progress.json) feed
docs/scaling.md. Results are printed and written to bench-out/scale.json."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crossdrive.demo.generate import generate

BIN = Path(sys.executable).parent
OUT = Path(__file__).resolve().parents[1] / "bench-out"
SEED, DEVICES, SCALE = 7, 8, 1.0  # the default demo
REPEATS = 3


def _crossdrive(*args: object) -> None:
    subprocess.run([BIN / "crossdrive", *map(str, args)], check=True, capture_output=True)


def _case(root: Path, truth: Path) -> Path:
    case = root / "case"
    _crossdrive("case", "create", case, "--name", "bench", "--examiner", "b", "--authority", "b")
    for device in json.loads(truth.read_text())["devices"]:
        _crossdrive("add", case, truth.parent / device["images"][0], "--label", device["label"])
    return case


def _timed(root: Path, truth: Path, *how: str) -> dict:
    case = _case(root, truth)
    started = time.perf_counter()
    _crossdrive("process", case, *how)
    seconds = time.perf_counter() - started
    progress = json.loads((case / "progress.json").read_text())
    stages = {
        s["stage"]: {
            "seconds": s["elapsed_s"],
            "task_seconds": round(s["task_seconds"], 2),
            "bytes": s["bytes"],
            "tasks": s["tasks"],
        }
        for s in progress["stages"]
    }
    return {"seconds": round(seconds, 2), "stages": stages}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.bench
def test_bench_process_one_and_two_workers_and_a_dask_cluster(tmp_path):
    OUT.mkdir(exist_ok=True)
    truth = generate(OUT / "demo-scale", SEED, DEVICES, SCALE, log=lambda _m: None)
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    started = [
        subprocess.Popen(
            [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)], **quiet
        )
    ]
    worker = [BIN / "dask", "worker", address, "--nthreads", "1", "--host", "127.0.0.1"]
    started += [subprocess.Popen(worker, **quiet) for _ in range(2)]
    setups = {
        "one worker": ("--workers", "1"),
        "two workers": ("--workers", "2"),
        "dask cluster, two workers": ("--cluster", address),
    }
    runs: dict[str, list[dict]] = {name: [] for name in setups}
    try:
        time.sleep(3)  # the scheduler and its workers up before the clock starts
        # Interleaved, in a rotating order: this machine's speed drifts by up to 40 % within
        # minutes, and three runs of one setup then three of the next measured the drift as
        # much as the setups. Best of REPEATS of each.
        names = list(setups)
        for n in range(REPEATS):
            for name in names[n:] + names[:n]:
                root = tmp_path / f"{name.replace(' ', '-')}-{n}"
                runs[name].append(_timed(root, truth, *setups[name]))
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)
    results = {}
    for name, timed in runs.items():
        results[name] = min(timed, key=lambda r: r["seconds"])
        results[name]["all runs"] = [r["seconds"] for r in timed]
    one, two = results["one worker"]["seconds"], results["two workers"]["seconds"]
    cluster = results["dask cluster, two workers"]["seconds"]
    results["speed-up, two workers"] = round(one / two, 2)
    results["cluster / local pool"] = round(cluster / two, 3)
    first = tmp_path / "one-worker-0" / "case"
    results["the tasks alone on a bare pool"] = _bare_pool(first, tmp_path)
    results["cores"] = os.cpu_count()
    (OUT / "scale.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))
    assert results["speed-up, two workers"] >= 1.7
    assert results["cluster / local pool"] <= 1.15


def _bare_pool(case_dir: Path, scratch: Path) -> dict:
    """What this machine gives the work itself: the demo's sweep, carve and content tasks run
    by `execute` on a plain process pool of 1 and of 2 processes (interleaved, best of 2),
    without the engine, the store, planning or derive. Its speed-up is the most the run's
    task phase could reach here; the run's own is lower by its serial part (start, loading,
    derive) and by what the main process takes from the workers."""
    from multiprocessing import get_context

    from crossdrive.case import Case
    from crossdrive.pipeline import run

    case = Case.open(case_dir)
    with case.connect() as con:
        tasks = [t for plan in (run.plan_sweeps, run.plan_carves, run.plan_contents)
                 for t in plan(case, con)]  # fmt: skip
    for task in tasks:
        if "case" in task.inputs:  # carved files go to a scratch case, not the measured one
            task.inputs["case"] = str(scratch / "pool-case")
    seconds: dict[int, list[float]] = {1: [], 2: []}
    for n, processes in enumerate((1, 2, 2, 1)):
        shards = scratch / f"pool-{n}"
        started = time.perf_counter()
        with get_context("fork").Pool(processes) as pool:
            pool.starmap(_execute, [(shards, task) for task in tasks], chunksize=1)
        seconds[processes].append(round(time.perf_counter() - started, 2))
    return {
        "tasks": len(tasks),
        "one process": seconds[1],
        "two processes": seconds[2],
        "speed-up": round(min(seconds[1]) / min(seconds[2]), 2),
    }


def _execute(shards: Path, task) -> None:
    from crossdrive.pipeline.executor import execute

    execute(shards, task)


@pytest.mark.bench
def test_bench_cost_per_gigabyte_of_each_stage(tmp_path):
    """Worker seconds per GB of each stage on big images (docs/scaling.md plans cases from
    these), and the speed-up of two workers over one where fixed costs weigh less than on the
    demo: the 1.2 GB NTFS image of the foundation benchmark (3,000 files) and the 1 GiB mixed
    image of the sweep benchmark (no file system: all of it is unpartitioned space)."""
    images = {"NTFS": OUT / "bench-ntfs.img", "MIXED": OUT / "sweep-mixed-v2.img"}
    missing = [str(p) for p in images.values() if not p.exists()]
    if missing:
        pytest.skip(f"run the foundation and sweep benchmarks first (they build {missing})")
    gigabytes = sum(p.stat().st_size for p in images.values()) / 1e9
    result: dict = {"images_gb": round(gigabytes, 3)}
    for workers in (1, 2):
        case = tmp_path / f"w{workers}" / "case"
        _crossdrive("case", "create", case, "--name", "b", "--examiner", "b", "--authority", "b")
        for label, image in images.items():
            _crossdrive("add", case, image, "--label", label)
        started = time.perf_counter()
        _crossdrive("process", case, "--workers", str(workers))
        seconds = time.perf_counter() - started
        progress = json.loads((case / "progress.json").read_text())
        result[f"{workers} workers"] = {
            "seconds": round(seconds, 1),
            "stages": {
                s["stage"]: {
                    "seconds": s["elapsed_s"],
                    "tasks": s["tasks"],
                    "bytes": s["bytes"],
                    "task_seconds": round(s["task_seconds"], 1),
                    "worker_seconds_per_gb": round(s["task_seconds"] / gigabytes, 2),
                }
                for s in progress["stages"]
            },
        }
    result["speed-up, two workers"] = round(
        result["1 workers"]["seconds"] / result["2 workers"]["seconds"], 2
    )
    (OUT / "scale-per-gb.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    assert result["2 workers"]["stages"]["sweep"]["bytes"] >= 2 * 10**9
    # the speed-up is recorded, not asserted: the 1.7 is for the demo case (above)
