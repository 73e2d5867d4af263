"""The stage functions: each turns one task into tables of rows (no store access, no globals)."""

from __future__ import annotations

import bisect
import hashlib
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

import crossdrive.filesystems  # noqa: F401  (fixes the time zone TSK uses)
from crossdrive.artifacts import HEAD, needs_schema, recognise
from crossdrive.content.process import Origin, Output, process_file
from crossdrive.entities.texts import named, read_file
from crossdrive.evidence import open_container
from crossdrive.evidence.tsk_image import TskImage
from crossdrive.filesystems.content import FileSystemReader
from crossdrive.filesystems.walk import FsContext, open_filesystem, walk_filesystem
from crossdrive.paths import local_name, safe_name
from crossdrive.pipeline.tasks import Task
from crossdrive.sweep.carve import MAX_SIZE, carve
from crossdrive.sweep.pages import LEAD, MARGIN, sweep_page
from crossdrive.volumes import read_layout


def volumes_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Partition table, gaps, and which regions hold a file system TSK can open."""
    container = open_container(Path(task.inputs["image"]))
    image = TskImage(container)
    errors, volumes, filesystems = [], [], []
    try:
        layout = read_layout(container)
        for offset, message in layout.errors:
            errors.append(
                {"device": task.device, "stage": "volumes", "offset": offset, "message": message}
            )
        for region in layout.regions:
            volumes.append({"device": task.device, "table_type": layout.table, **region.as_row()})
        for region in layout.partitions:
            partition = region.index if region.kind == "partition" else None
            try:
                fs, fs_type = open_filesystem(image, region.start)
            except OSError as exc:
                reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unknown"
                errors.append(
                    {
                        "device": task.device,
                        "stage": "volumes",
                        "partition": partition,
                        "offset": region.start,
                        "message": f"no file system opened at byte {region.start} "
                        f"({region.description}): {reason}",
                    }
                )
                continue
            filesystems.append(_fs_row(task.device, partition, region.start, fs, fs_type))
        if layout.table and not filesystems:  # a boot sector mistaken for a table?
            try:
                fs, fs_type = open_filesystem(image, 0)
                filesystems.append(_fs_row(task.device, None, 0, fs, fs_type))
            except OSError:
                pass
    finally:
        container.close()
    return {"volumes": volumes, "filesystems": filesystems, "errors": errors}


def _fs_row(device: str, partition: int | None, offset: int, fs, fs_type: str) -> dict:
    info = fs.info
    return {
        "device": device,
        "partition": partition,
        "offset": offset,
        "fs_type": fs_type,
        "block_size": info.block_size,
        "block_count": info.block_count,
        "first_inum": info.first_inum,
        "last_inum": info.last_inum,
        "root_inum": info.root_inum,
    }


def walk_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Every entry of one file system, with byte runs and content hashes (streamed)."""
    container = open_container(Path(task.inputs["image"]))
    ctx = FsContext(task.device, task.inputs["partition"], task.inputs["offset"], container.size)

    def files() -> Iterator[dict]:
        try:
            fs, _ = open_filesystem(TskImage(container), ctx.offset)
            yield from walk_filesystem(fs, ctx)
        except OSError as exc:
            ctx.error(f"cannot open file system: {exc}")
        finally:
            container.close()

    return {"files": files(), "errors": ctx.errors}  # errors fill while files are consumed


def sweep_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Every feature whose first byte lies in one page of the device (decoders included)."""
    container = open_container(Path(task.inputs["image"]))
    start, length = task.inputs["start"], task.inputs["length"]
    lead = min(LEAD, start)
    try:
        data = container.read(
            start - lead, min(lead + length + MARGIN, container.size - start + lead)
        )
    finally:
        container.close()
    rows, sweep = sweep_page(task.device, data, start, length, lead)

    def errors() -> Iterator[dict]:
        for offset, message in sweep.budget.warnings:
            yield {"device": task.device, "stage": "sweep", "offset": offset, "message": message}

    return {"features": rows, "errors": errors()}  # errors are read after every feature


def carve_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Files carved from one stretch of a partition or gap, outside every allocated file; each
    is saved under the case's `carved/` directory and recorded with its offset and hashes."""
    start, length = task.inputs["start"], task.inputs["length"]
    allocated = _allocated_runs(task.inputs["walks"], start, start + length)
    container = open_container(Path(task.inputs["image"]))
    try:
        end = min(task.inputs["region_end"], start + length + MAX_SIZE)
        data = container.read(start, end - start)
    finally:
        container.close()
    folder = Path(task.inputs["case"]) / "carved" / safe_name(task.device)
    rows = []
    for found in carve(data, (0, length)):
        offset = start + found.offset
        if _inside(allocated, offset):
            continue
        name = f"{offset:014d}.{found.kind}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(found.data)
        rows.append(
            {
                "device": task.device,
                "offset": offset,
                "length": found.length,
                "kind": found.kind,
                "place": task.inputs["place"],
                "md5": hashlib.md5(found.data).hexdigest(),
                "sha256": hashlib.sha256(found.data).hexdigest(),
                "saved_as": f"carved/{folder.name}/{name}",
            }
        )
    return {"carved": rows}


def _allocated_runs(walks: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the allocated files' runs that touch [start, end), read from the walk
    tasks' shards (an input of this task) and filtered by DuckDB, not in Python."""
    shards = [shard for shard in walks if Path(shard).exists()]
    if not shards:
        return []
    with duckdb.connect(config={"threads": 1}) as con:
        return con.execute(
            """SELECT r.img_offset, r.img_offset + r.len FROM (
                   SELECT unnest(byte_runs) AS r FROM read_parquet(?) WHERE state = 'allocated')
               WHERE r.img_offset < ? AND r.img_offset + r.len > ? ORDER BY 1""",
            [shards, end, start],
        ).fetchall()


def _inside(runs: list[tuple[int, int]], offset: int) -> bool:
    at = bisect.bisect_right(runs, (offset, float("inf"))) - 1
    return at >= 0 and runs[at][0] <= offset < runs[at][1]


# The files the content stage reads, in the order its batches cut them (planner and task
# apply the same filter to the walk's shard): regular files whose content the walk could read.
CONTENT_FILTER = "meta_type = 'reg' AND NOT reallocated AND md5 IS NOT NULL AND size > 0"
CONTENT_ORDER = "path, attr_id"
MAX_FILE = 4 * 1024**3  # larger files are left to the sweep


def content_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Records of the artifact parsers from one batch of a file system's files."""
    with duckdb.connect(config={"threads": 1}) as con:
        files = con.execute(
            f"""SELECT path, inode, attr_type, attr_id, size, state, byte_runs, resident
                FROM read_parquet(?) WHERE {CONTENT_FILTER} ORDER BY {CONTENT_ORDER}
                LIMIT ? OFFSET ?""",
            [task.inputs["walk"], task.inputs["count"], task.inputs["first"]],
        ).fetchall()
        mft = con.execute(
            "SELECT byte_runs FROM read_parquet(?) WHERE name = '$MFT' AND inode = 0 LIMIT 1",
            [task.inputs["walk"]],
        ).fetchall()
    mft_runs = _runs(mft[0][0]) if mft else ()
    out = Output()
    with (
        FileSystemReader(Path(task.inputs["image"]), task.inputs["fs_offset"]) as reader,
        tempfile.TemporaryDirectory(prefix="content-") as folder,
    ):
        for path, inode, attr_type, attr_id, size, state, runs, resident in files:
            origin = Origin(task.device, task.inputs["partition"], path, state, inode, _runs(runs))
            if resident and mft_runs:  # NTFS: the data lies in the file's own $MFT record
                record = Origin(task.device, None, None, state, runs=mft_runs)
                origin = replace(origin, start=record.locate(inode * MFT_RECORD)[0])
            try:
                head = reader.head(inode, attr_type, attr_id, size, HEAD)
                # an SQLite file is recognised by its whole schema, once it is copied
                claimed = None if needs_schema(head) else recognise(path, head)
                if claimed == []:
                    continue
                if size > MAX_FILE:
                    out.error(origin, f"{size:,} bytes: too large for the parsers (swept only)")
                    continue
                local = Path(folder) / local_name(path.rsplit("/", 1)[-1])
                with open(local, "wb") as copy:
                    reader.copy(inode, attr_type, attr_id, size, copy)
                process_file(local, origin, out, claimed=claimed)
                local.unlink()
            except OSError as exc:
                out.error(origin, f"cannot read content: {exc}")
    return {**out.tables, "errors": out.errors}


MFT_RECORD = 1024


def _runs(byte_runs: list[dict] | None) -> tuple[tuple[int, int, int], ...]:
    return tuple((r["file_offset"], r["img_offset"], r["len"]) for r in byte_runs or ())


def carved_content_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Records of the artifact parsers from one device's carved files (state `carved`)."""
    out = Output()
    case = Path(task.inputs["case"])
    for saved_as, offset in task.inputs["carved"]:
        origin = Origin(task.device, None, None, "carved", start=offset)
        try:
            size = (case / saved_as).stat().st_size
            origin = replace(origin, runs=((0, offset, size),))  # carved bytes are contiguous
            process_file(case / saved_as, origin, out)
        except OSError as exc:
            out.error(origin, f"cannot read carved file {saved_as}: {exc}")
    return {**out.tables, "errors": out.errors}


def text_stage(task: Task) -> dict[str, Iterable[dict]]:
    """Derive's reading of one file of message or document text (`pipeline.texts`)."""
    reader = named(task.inputs["reader"])
    rows = read_file(Path(task.inputs["texts"]), reader, _context(task.inputs["context"]))
    return {task.inputs["table"]: rows}


@lru_cache(maxsize=4)
def _context(path: str) -> Any:
    """The case-wide context of a reading, read once per worker: written by the run (trusted),
    under a name that is its digest (`pipeline.texts`), so a name read before is this one."""
    with open(path, "rb") as file:
        return pickle.load(file)


STAGES = {
    "volumes": volumes_stage,
    "walk": walk_stage,
    "sweep": sweep_stage,
    "carve": carve_stage,
    "content": content_stage,
    "carved-content": carved_content_stage,
    "text": text_stage,
}
