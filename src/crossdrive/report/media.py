"""Reading what the report says about the media: each device's intake record and image files,
what processing recovered from it, and the last verification in the audit log."""

from __future__ import annotations

import json

import duckdb

from crossdrive.case import Case
from crossdrive.report.model import Device, Recovery, Verification
from crossdrive.store.schema import RECORD_TABLES


def devices(con: duckdb.DuckDBPyConnection) -> list[Device]:
    images: dict[str, list[tuple[str, int]]] = {}
    for device, path, size in con.execute(
        "SELECT device, path, size FROM images ORDER BY device, segment"
    ).fetchall():
        images.setdefault(device, []).append((path, size))
    rows = con.execute(
        "SELECT label, format, size, md5, sha1, sha256, stored_md5, stored_sha1, added_at, "
        "added_by FROM devices ORDER BY label"
    ).fetchall()
    devices = []
    for label, fmt, size, md5, sha1, sha256, stored_md5, stored_sha1, added_at, added_by in rows:
        stored = {k: v for k, v in (("md5", stored_md5), ("sha1", stored_sha1)) if v}
        devices.append(
            Device(
                label,
                fmt,
                size,
                md5,
                sha1,
                sha256,
                stored,
                images.get(label, []),
                added_at,
                added_by,
            )
        )
    return devices


def _count_by(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for device, key, count in con.execute(sql).fetchall():
        counts.setdefault(device, {})[str(key)] = count
    return counts


def recovery(con: duckdb.DuckDBPyConnection) -> list[Recovery]:
    labels = [r[0] for r in con.execute("SELECT label FROM devices ORDER BY label").fetchall()]
    partitions = _count_by(
        con, "SELECT device, kind, count(*) FROM volumes WHERE kind = 'partition' GROUP BY ALL"
    )
    files = _count_by(con, "SELECT device, state, count(*) FROM files GROUP BY ALL")
    features = _count_by(
        con, "SELECT device, scanner, count(*) FROM features GROUP BY ALL ORDER BY 1, 2"
    )
    single = {
        table: dict(con.execute(f'SELECT device, count(*) FROM "{table}" GROUP BY 1').fetchall())
        for table in (*RECORD_TABLES, "carved", "errors")
    }
    filesystems: dict[str, list[str]] = {}
    for device, fs_type in con.execute(
        'SELECT device, fs_type FROM filesystems ORDER BY device, partition, "offset"'
    ).fetchall():
        filesystems.setdefault(device, []).append(fs_type)
    return [
        Recovery(
            device=label,
            partitions=partitions.get(label, {}).get("partition", 0),
            filesystems=filesystems.get(label, []),
            files=files.get(label, {}),
            carved=single["carved"].get(label, 0),
            features=features.get(label, {}),
            records={t: single[t].get(label, 0) for t in RECORD_TABLES},
            errors=single["errors"].get(label, 0),
        )
        for label in labels
    ]


def verification(case: Case) -> Verification:
    """The audit log read for the last verify and the last process run (never rewritten)."""
    last_verify = last_process = None
    if case.audit.path.exists():
        with open(case.audit.path, encoding="utf-8") as log:
            for line in log:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # reported by the chain check below
                if entry.get("command") == "verify":
                    last_verify = entry
                elif entry.get("command") == "process" and entry.get("result") == "ok":
                    last_process = entry
    return Verification(
        time=last_verify.get("time") if last_verify else None,
        result=str(last_verify.get("result")) if last_verify else None,
        chain_problems=case.audit.verify(),
        last_processed=last_process.get("time") if last_process else None,
    )
