"""Reading what the report says about the media: each device's intake record and image files,
and the last verification in the audit log (what processing recovered: store/summary.py)."""

from __future__ import annotations

import json

import duckdb

from crossdrive.case import Case
from crossdrive.report.model import Device, Verification


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
