"""The case's audit log: append-only JSONL, each entry chained to the SHA-256 of the previous.

Editing, removing or reordering any entry breaks the chain at the next one; the hash of the last
entry is also kept beside the log (`audit.head`), so a change to the last entry shows as well.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

GENESIS = "0" * 64


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry for this uid (containers)
        return str(os.getuid())


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = path.with_suffix(".head")

    def _last_hash(self) -> str:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return GENESIS
        with open(self.path, "rb") as handle:
            handle.seek(max(0, self.path.stat().st_size - 65536))
            last = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return _line_hash(last)

    def append(self, command: str, arguments: dict, result: str) -> dict:
        """Record one action; returns the entry written."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "actor": current_actor(),
            "command": command,
            "arguments": arguments,
            "result": result,
            "prev_sha256": self._last_hash(),
        }
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode() + b"\n"
        with open(self.path, "ab") as handle:  # append mode: existing bytes are never rewritten
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self.head_path.write_text(_line_hash(line) + "\n")
        return entry

    def verify(self) -> list[str]:
        """Problems found in the chain (empty when intact)."""
        problems, expected = [], GENESIS
        if not self.path.exists():
            return ["audit log is missing"]
        with open(self.path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    entry = json.loads(line)
                except ValueError:
                    problems.append(f"audit log line {number} is not valid JSON")
                    expected = _line_hash(line)
                    continue
                if entry.get("prev_sha256") != expected:
                    problems.append(
                        f"audit log line {number}: chain broken (previous entry was changed, "
                        f"removed or reordered; expected prev_sha256 {expected[:16]}…, "
                        f"found {str(entry.get('prev_sha256'))[:16]}…)"
                    )
                expected = _line_hash(line)
        head = self.head_path.read_text().strip() if self.head_path.exists() else None
        if head != expected:
            problems.append(
                "audit log's last entry does not match audit.head (last entry changed or removed)"
            )
        return problems
