"""Progress of a run, per stage and device, kept in `CASE/progress.json`.

The running `crossdrive process` updates it as tasks finish (at most twice a second, written
to a temporary file and renamed, so a reader never sees half of it); `crossdrive status CASE`
reads it from another terminal, and `--json` hands it to scripts. Figures: tasks done and
left, bytes done (the byte ranges and file sizes the tasks cover), the rate since the stage
started, an ETA from that rate, errors so far, the worker time the stage's tasks took
(what a stage costs, whatever ran beside it), and the largest resident size a worker running
them reached (memory stays bounded whatever the image size: docs/scaling.md).
"""

from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crossdrive.pipeline.tasks import Task

WRITE_EVERY = 0.5  # seconds


def task_bytes(task: Task) -> int:
    """The bytes a task covers: its byte range, or the sizes of its files; 0 when unknown."""
    inputs = task.inputs
    return int(inputs.get("length") or inputs.get("bytes") or 0)


@dataclass
class Counts:
    tasks: int = 0
    done: int = 0
    bytes: int = 0
    bytes_done: int = 0
    errors: int = 0
    resumed: int = 0  # done by an earlier run
    task_seconds: float = 0.0  # worker time of the tasks run by this run (cost, not wall)
    peak_memory: int = 0  # bytes: the largest resident size of a worker that ran them


@dataclass
class StageProgress:
    stage: str
    started: float
    finished: float | None = None
    devices: dict[str, Counts] = field(default_factory=dict)

    def total(self) -> Counts:
        total = Counts()
        for counts in self.devices.values():
            for name, value in asdict(counts).items():
                merge = max if name == "peak_memory" else sum
                setattr(total, name, merge((getattr(total, name), value)))
        return total


class RunProgress:
    """What `process` reports as it goes; persisted for `status`."""

    def __init__(self, path: Path, workers: int, cluster: str | None) -> None:
        self.path = path
        self.run = {"pid": os.getpid(), "workers": workers, "cluster": cluster}
        self.started = time.time()
        self.stages: list[StageProgress] = []
        self.state = "running"
        self._written = 0.0

    def stage(self, name: str, tasks: list[Task]) -> StageProgress:
        stage = StageProgress(name, time.time())
        for task in tasks:
            counts = stage.devices.setdefault(task.device, Counts())
            counts.tasks += 1
            counts.bytes += task_bytes(task)
        self.stages.append(stage)
        self.write(force=True)
        return stage

    def done(self, stage: StageProgress, task: Task, manifest: dict) -> None:
        counts = stage.devices[task.device]
        counts.done += 1
        counts.bytes_done += task_bytes(task)
        counts.errors += manifest.get("rows", {}).get("errors", 0)
        counts.resumed += bool(manifest.get("resumed"))
        counts.task_seconds = round(counts.task_seconds + manifest.get("seconds", 0.0), 4)
        counts.peak_memory = max(counts.peak_memory, manifest.get("peak_memory", 0))
        self.write()

    def end_stage(self, stage: StageProgress) -> None:
        stage.finished = time.time()
        self.write(force=True)

    def finish(self, state: str = "finished") -> None:
        self.state = state
        self.write(force=True)

    def as_dict(self) -> dict:
        now = time.time()
        return {
            "state": self.state,
            **self.run,
            "started": self.started,
            "updated": now,
            "main_peak_memory": peak_memory(),  # this process: planning, loading, derive
            "stages": [_stage_dict(s, now) for s in self.stages],
        }

    def write(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self._written < WRITE_EVERY:
            return
        self._written = now
        partial = self.path.with_suffix(".json.partial")
        partial.write_text(json.dumps(self.as_dict(), indent=1))
        partial.replace(self.path)


def peak_memory() -> int:
    """The largest resident size this process has reached, in bytes (Linux counts KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _stage_dict(stage: StageProgress, now: float) -> dict:
    end = stage.finished or now
    total = stage.total()
    elapsed = max(end - stage.started, 1e-6)
    fresh = total.done - total.resumed  # tasks run by this run: what the rate is made of
    rate = (total.bytes_done / elapsed) if fresh else 0.0
    left = total.tasks - total.done
    eta = None
    if left and fresh:
        per_task = elapsed / fresh
        eta = per_task * left
        if total.bytes and rate:
            eta = (total.bytes - total.bytes_done) / rate
    return {
        "stage": stage.stage,
        "started": stage.started,
        "finished": stage.finished,
        "elapsed_s": round(elapsed, 3),
        "bytes_per_s": round(rate),
        "eta_s": round(eta, 1) if eta is not None else None,
        **asdict(total),
        "devices": {d: asdict(c) for d, c in sorted(stage.devices.items())},
    }


def read(case_root: Path) -> dict | None:
    """The last run's progress, or None before the first run. A run whose process is gone
    without finishing is reported `interrupted`."""
    path = case_root / "progress.json"
    if not path.exists():
        return None
    report = json.loads(path.read_text())
    if report["state"] == "running" and not alive(report["pid"]):
        report["state"] = "interrupted"
    return report


def alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
