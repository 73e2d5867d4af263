"""Evidence intake and verification: hash on the way in, re-hash on demand, compare."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crossdrive.audit import current_actor
from crossdrive.case import Case, CaseError
from crossdrive.evidence.containers import EwfContainer, open_container
from crossdrive.evidence.hashing import hash_container
from crossdrive.store import database
from crossdrive.store.schema import to_table

Progress = Callable[[int], None]


@dataclass
class Intake:
    label: str
    format: str
    size: int
    hashes: dict[str, str]
    stored: dict[str, str]  # hashes recorded inside the container (EWF), if any
    mismatches: list[str]
    duplicate_of: str | None  # a device already in the case with the very same content


def next_label(existing: list[str]) -> str:
    """DEV01, DEV02, … : the first free one."""
    number = 1
    while f"DEV{number:02d}" in existing:
        number += 1
    return f"DEV{number:02d}"


def add_image(
    case: Case, first: Path, label: str | None, progress_start: Callable[[int], Progress]
) -> Intake:
    """Hash the image whose first segment is `first` and record it as a device of the case."""
    first = Path(first).resolve()
    existing = case.device_labels()
    label = label or next_label(existing)
    if label in existing:
        raise CaseError(f"device label {label!r} is already in the case")
    container = open_container(first)
    try:
        hashes = hash_container(container, progress_start(container.size))
        stored = container.stored_hashes() if isinstance(container, EwfContainer) else {}
        acquisition = container.metadata() if isinstance(container, EwfContainer) else {}
        segments = [(path, path.stat().st_size) for path in container.segments]
        fmt, size = container.format, container.size
    finally:
        container.close()
    with case.connect() as con:
        duplicate = con.execute(
            "SELECT label FROM devices WHERE sha256 = ?", [hashes["sha256"]]
        ).fetchall()
        device = {
            "label": label,
            "format": fmt,
            "size": size,
            **hashes,
            "stored_md5": stored.get("md5"),
            "stored_sha1": stored.get("sha1"),
            "acquisition": json.dumps(acquisition, ensure_ascii=False),
            "added_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "added_by": current_actor(),
        }
        database.insert(con, "devices", to_table("devices", [device]))
        images = [
            {"device": label, "segment": i, "path": str(path), "size": seg_size}
            for i, (path, seg_size) in enumerate(segments)
        ]
        database.insert(con, "images", to_table("images", images))
    mismatches = [
        f"{label}: {kind.upper()} stored in the container is {value}, computed {hashes[kind]}"
        for kind, value in stored.items()
        if kind in hashes and value != hashes[kind]
    ]
    return Intake(
        label, fmt, size, hashes, stored, mismatches, duplicate[0][0] if duplicate else None
    )


def verify_devices(case: Case, progress_start: Callable[[int], Progress]) -> list[str]:
    """Re-hash every device from its segments; a list of what differs (empty when all match)."""
    problems = []
    with case.connect(read_only=True) as con:
        devices = con.execute("SELECT label, md5, sha1, sha256 FROM devices ORDER BY label")
        recorded = devices.fetchall()
        segments = {
            label: [
                Path(p)
                for (p,) in con.execute(
                    "SELECT path FROM images WHERE device = ? ORDER BY segment", [label]
                ).fetchall()
            ]
            for label, *_ in recorded
        }
    for label, md5, sha1, sha256 in recorded:
        missing = [str(p) for p in segments[label] if not p.is_file()]
        if missing:
            problems.append(f"{label}: segment(s) missing: {', '.join(missing)}")
            continue
        container = open_container(segments[label][0])
        try:
            found_segments = container.segments
            now = hash_container(container, progress_start(container.size))
        except OSError as exc:
            problems.append(f"{label}: cannot read: {exc}")
            continue
        finally:
            container.close()
        if found_segments != segments[label]:
            problems.append(f"{label}: segment set changed: {[str(p) for p in found_segments]}")
        for kind, before in (("md5", md5), ("sha1", sha1), ("sha256", sha256)):
            if now[kind] != before:
                problems.append(f"{label}: {kind.upper()} recorded {before}, now {now[kind]}")
    return problems
