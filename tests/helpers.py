"""Shared test helpers: run the real CLI, read the store, ask TSK's own `fls` for reference."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from crossdrive.cli import app

FLS_LINE = re.compile(r"^(\S)/(\S)\s+(\*\s+)?(\d+)(?:-\d+-\d+)?(\(realloc\))?:\t(.*)$")


def crossdrive(*args: object, expect: int = 0) -> str:
    """Run a crossdrive command as a user would; assert its exit code; return its output."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == expect, (
        f"exit {result.exit_code}: {result.output}\n{result.exception}"
    )
    return result.output


def new_case(root: Path, images: dict[str, Path | list[Path]], workers: int = 1) -> Path:
    """Create a case, add each image under its label, process it; return the case dir."""
    case_dir = root / "case"
    crossdrive("case", "create", case_dir, "--name", "t", "--examiner", "x", "--authority", "y")
    for label, image in images.items():
        crossdrive("add", case_dir, image, "--label", label)
    crossdrive("process", case_dir, "--workers", workers)
    return case_dir


def query(case_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(case_dir / "store.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def listing(case_dir: Path, device: str, fs_offset: int | None = None) -> dict[tuple, dict]:
    """Our listing of one file system: (inode, path) -> row (as a dict)."""
    where, params = "device = ?", [device]
    if fs_offset is not None:
        where, params = where + " AND fs_offset = ?", [*params, fs_offset]
    with duckdb.connect(str(case_dir / "store.duckdb"), read_only=True) as con:
        cursor = con.execute(f"SELECT * FROM files WHERE {where}", params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return {(row["inode"], row["path"]): row for row in rows}


def parse_fls(text: str) -> list[dict]:
    """`fls -r -p` lines as dicts: name/meta type letters, deleted, inode, realloc, path."""
    entries = []
    for line in text.splitlines():
        match = FLS_LINE.match(line)
        if match:
            name_t, meta_t, star, inode, realloc, path = match.groups()
            entries.append(
                {
                    "type": f"{name_t}/{meta_t}",
                    "deleted": bool(star),
                    "inode": int(inode),
                    "realloc": bool(realloc),
                    "path": path,
                }
            )
    return entries


def fls(
    image: Path | list[Path], sector_offset: int = 0, image_type: str | None = None
) -> list[dict]:
    """TSK's own reference listing (allocated and deleted, full paths)."""
    images = image if isinstance(image, list) else [image]
    cmd = ["fls", "-r", "-p", "-o", str(sector_offset)]
    if image_type:
        cmd += ["-i", image_type]
    out = subprocess.run([*cmd, *map(str, images)], capture_output=True, text=True, check=True)
    return parse_fls(out.stdout)


def missing_from(ours: dict[tuple, dict], reference: list[dict]) -> list[dict]:
    """Reference entries (inode + path) that our listing does not have."""
    return [e for e in reference if (e["inode"], e["path"]) not in ours]
