"""The runtime: runs killed with SIGKILL at several moments resume to the same results; a task
that crashes its worker is retried once and then recorded; a real Dask scheduler with two
worker processes gives what the local pool gives; progress is readable from outside."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import crossdrive, query

BIN = Path(sys.executable).parent
TABLES = (
    "volumes",
    "filesystems",
    "files",
    "errors",
    "features",
    "carved",
    "messages",
    "contacts",
    "documents",
    "identifiers",
    "persons",
    "links",
)
PLACE_DEPENDENT = {"carved": "saved_as", "errors": "message"}  # hold the case's own path


def snapshot(case: Path) -> dict[str, tuple[int, str]]:
    """Per table: row count and a digest of its sorted rows (task ids included: a task's id
    is a function of its inputs, so a resumed run must give the same)."""
    result = {}
    for table in TABLES:
        exclude = PLACE_DEPENDENT.get(table)
        columns = f"* EXCLUDE ({exclude})" if exclude else "*"
        rows = sorted(map(repr, query(case, f"SELECT {columns} FROM {table}")))
        result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def new_case(root: Path, image: Path) -> Path:
    case = root / "case"
    crossdrive("case", "create", case, "--name", "t", "--examiner", "x", "--authority", "y")
    crossdrive("add", case, image, "--label", "MBR")
    return case


def run_process(case: Path, *more: str) -> subprocess.Popen:
    return subprocess.Popen(
        [BIN / "crossdrive", "process", str(case), *more],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers are its own: a kill leaves them orphaned
    )


@pytest.fixture(scope="module")
def reference(built, tmp_path_factory) -> tuple[dict, float]:
    """An uninterrupted run: its snapshot and how long it took."""
    case = new_case(tmp_path_factory.mktemp("reference"), built["mbr"])
    started = time.monotonic()
    assert run_process(case, "--workers", "2").wait(timeout=600) == 0
    return snapshot(case), time.monotonic() - started


def test_runs_killed_at_several_moments_resume_to_identical_results(built, reference, tmp_path):
    complete, duration = reference
    case = new_case(tmp_path, built["mbr"])
    for share in (0.15, 0.4, 0.7):  # early (walks), middle (sweep, carve), late (content)
        run = run_process(case, "--workers", "2")
        time.sleep(duration * share)
        run.send_signal(signal.SIGKILL)  # the main process only, as a crash or `kill -9` would
        run.wait()
        report = json.loads(crossdrive("status", case, "--json"))["run"]
        assert report is None or report["state"] in ("interrupted", "finished"), report
    assert run_process(case, "--workers", "2").wait(timeout=600) == 0
    assert snapshot(case) == complete
    report = json.loads(crossdrive("status", case, "--json"))["run"]
    assert report["state"] == "finished"
    resumed = sum(stage["resumed"] for stage in report["stages"])
    assert resumed > 0  # the last run did not start again from zero


def test_a_task_that_crashes_its_worker_twice_is_recorded_and_the_run_goes_on(
    built, reference, tmp_path, monkeypatch
):
    complete, _duration = reference
    case = new_case(tmp_path, built["mbr"])
    victim = "MBR.walk.p2"  # the FAT file system's listing
    monkeypatch.setenv("CROSSDRIVE_FAULT_INJECT", victim)
    crossdrive("process", case, "--workers", "2")
    errors = query(case, "SELECT stage, partition, message FROM errors WHERE task_id = ?", [victim])
    assert len(errors) == 1 and errors[0][0] == "walk" and errors[0][1] == 2
    assert "worker process crashed (twice)" in errors[0][2]
    # no other task is taken for crashed with it (a worker's death counts against every task
    # it holds: Dask must not hand a worker tasks in advance)
    crashed = query(case, "SELECT task_id FROM errors WHERE message LIKE '%crashed (twice)%'")
    assert crashed == [(victim,)]
    # every other file system was listed as in the uninterrupted run
    assert query(case, "SELECT count(DISTINCT fs_offset) FROM files")[0][0] == 2
    assert snapshot(case)["volumes"] == complete["volumes"]
    monkeypatch.delenv("CROSSDRIVE_FAULT_INJECT")
    # the failure is a finished task: a re-run keeps it (errors are results too)
    crossdrive("process", case, "--workers", "1")
    assert query(case, "SELECT count(*) FROM errors WHERE task_id = ?", [victim])[0][0] == 1


def test_a_task_that_leaks_past_the_worker_memory_limit_is_stopped_and_recorded(
    built, reference, tmp_path, monkeypatch
):
    """A parser that never frees: the worker's nanny restarts the worker at 95 % of its limit,
    the task is tried once more, then recorded as an error; the run goes on. Every task
    reports the largest resident size its worker reached (progress, `status --json`)."""
    complete, _duration = reference
    case = new_case(tmp_path, built["mbr"])
    victim = "MBR.walk.p2"
    monkeypatch.setenv("CROSSDRIVE_FAULT_INJECT", f"leak:{victim}")
    started = time.monotonic()
    crossdrive("process", case, "--workers", "2", "--worker-memory", "1GiB")
    assert time.monotonic() - started < 300
    errors = query(case, "SELECT stage, message FROM errors WHERE task_id = ?", [victim])
    assert len(errors) == 1 and errors[0][0] == "walk"
    assert "worker process crashed (twice)" in errors[0][1]  # stopped, not the leak's own cap
    assert snapshot(case)["volumes"] == complete["volumes"]
    report = json.loads(crossdrive("status", case, "--json"))["run"]
    peaks = {stage["stage"]: stage["peak_memory"] for stage in report["stages"]}
    assert 50 * 2**20 < peaks["sweep"] < 2**30 and report["main_peak_memory"] > 0


def test_a_stage_cut_differently_by_a_later_version_keeps_no_stale_rows(
    built, reference, tmp_path, monkeypatch
):
    """A case processed with one batch size, then again by a version with another: the
    stage's old tasks are dropped (rows and shards) as the new ones load, so nothing is
    counted twice."""
    from crossdrive.case import Case
    from crossdrive.pipeline import run

    complete, _duration = reference
    case = new_case(tmp_path, built["mbr"])
    assert run_process(case, "--workers", "2").wait(timeout=600) == 0
    before = query(case, "SELECT count(DISTINCT task_id) FROM documents")[0][0]
    monkeypatch.setattr(run, "CONTENT_FILES", 2)  # far smaller content batches
    run.process(Case.open(case), workers=0)
    after = query(case, "SELECT count(DISTINCT task_id) FROM documents")[0][0]
    assert after > before  # the content stage was cut again
    counts = {table: rows for table, (rows, _digest) in snapshot(case).items()}
    assert counts == {table: rows for table, (rows, _digest) in complete.items()}
    shards = {path.name for path in (case / "shards").iterdir() if ".content." in path.name}
    loaded = {row[0] for row in query(case, "SELECT task_id FROM loaded_tasks")}
    assert shards == {t for t in loaded if ".content." in t}  # the old shards are gone too


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_dask_scheduler_with_two_workers_gives_the_local_results(built, reference, tmp_path):
    complete, _duration = reference
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    common = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    start = [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)]
    scheduler = subprocess.Popen([*start, "--no-dashboard"], **common)
    worker = [BIN / "dask", "worker", address, "--nthreads", "1", "--host", "127.0.0.1"]
    workers = [subprocess.Popen([*worker, "--no-dashboard"], **common) for _ in range(2)]
    try:
        case = new_case(tmp_path, built["mbr"])
        crossdrive("process", case, "--cluster", address)
        assert snapshot(case) == complete
        report = json.loads(crossdrive("status", case, "--json"))["run"]
        assert report["cluster"] == address and report["state"] == "finished"
        stages = {s["stage"]: s for s in report["stages"]}
        assert stages["sweep"]["done"] == stages["sweep"]["tasks"] > 1
        assert stages["sweep"]["bytes_done"] == stages["sweep"]["bytes"] > 0
    finally:
        for process in (*workers, scheduler):
            process.terminate()
        for process in (*workers, scheduler):
            process.wait(timeout=30)


def test_status_shows_progress_per_stage_and_device(built_case):
    shown = crossdrive("status", built_case)
    for stage in ("volumes", "walk", "sweep", "carve", "content", "derive"):
        assert stage in shown
    report = json.loads(crossdrive("status", built_case, "--json"))
    assert report["case"]["name"] and report["run"]["state"] == "finished"
    # the full-text index is built once the records are loaded, before derive (which then
    # finds it current), while the sweep may still run
    order = [stage["stage"] for stage in report["run"]["stages"]]
    assert order.index("carved-content") < order.index("index") < order.index("derive")
    assert (built_case / "index" / "built-from").exists()
    for stage in report["run"]["stages"]:
        assert stage["done"] == stage["tasks"] and stage["errors"] >= 0
        assert set(stage["devices"]) <= {"NTFS", "FAT", "EXT", "MBR", "GPT"}


def test_queued_tasks_start_by_priority_then_size(tmp_path):
    """The engine's queue: a task of a stage the run waits on starts before the sweep pages
    queued earlier at a lower priority, and within a priority the larger tasks go first (the
    in-process engine; Dask is handed the same ranks)."""
    from crossdrive.pipeline.executor import Engine
    from crossdrive.pipeline.tasks import Task

    image = str(tmp_path / "absent.img")  # each task fails fast, into its error row
    pages = [Task("D", "sweep", f"page{n}", {"image": image, "length": n * 10}) for n in (1, 3, 2)]
    walk = Task("D", "walk", "p1", {"image": image})
    ran = []
    with Engine.start(tmp_path / "shards", lambda task, _m: ran.append(task.unit), 0) as engine:
        engine.submit(pages, priority=1)
        engine.submit([walk], priority=4)
        engine.wait([walk])
        assert ran == ["p1"]  # the walk, ahead of the three pages queued before it
        engine.wait(pages)
    assert ran == ["p1", "page3", "page2", "page1"]


def test_a_worker_keeps_its_temporary_files_in_its_own_directory_and_clears_dead_ones(
    tmp_path, monkeypatch
):
    """A worker killed mid-task leaves its copy of the file it parsed: the next worker's first
    task removes the directories of workers no longer alive, and keeps the live ones'."""
    import tempfile

    from crossdrive.pipeline import executor

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(executor, "_scratch", [])
    dead = tmp_path / f"{executor.SCRATCH}999999999"  # above any pid_max: never alive
    (dead / "content-x").mkdir(parents=True)
    (dead / "content-x" / "copy.pst").write_bytes(b"evidence")
    live = tmp_path / f"{executor.SCRATCH}{os.getppid()}"
    live.mkdir()
    executor._own_scratch()
    mine = tmp_path / f"{executor.SCRATCH}{os.getpid()}"
    assert not dead.exists() and live.is_dir()
    assert tempfile.gettempdir() == str(mine) and mine.is_dir()
    with tempfile.TemporaryDirectory(prefix="content-") as folder:
        assert Path(folder).parent == mine
    executor._own_scratch()  # later tasks: the same directory
    assert tempfile.gettempdir() == str(mine)


def test_a_worker_reads_each_readings_own_context(tmp_path):
    """Derive's text tasks take their case-wide context from a file; a worker keeps those it
    read (an existing cluster's workers outlive runs), so two readings' contexts never share
    a name: the next run's forms and regions are read, not the last run's."""
    from crossdrive.entities.occurrences import TextContext, in_documents
    from crossdrive.pipeline import stages, texts

    files = [tmp_path / "part=0.parquet", tmp_path / "part=1.parquet"]
    for path in files:
        path.write_bytes(b"")
    first = TextContext({"PHONE": "RU"}, {"89123308246": "+79123308246"})
    second = TextContext({"PHONE": "DE"}, {})
    one = texts._tasks(tmp_path, files, in_documents, first, "identifiers")
    two = texts._tasks(tmp_path, files, in_documents, second, "identifiers")
    assert {t.inputs["context"] for t in one} == {one[0].inputs["context"]}  # one per reading
    assert stages._context(one[0].inputs["context"]) == first
    assert stages._context(two[0].inputs["context"]) == second
