"""A case directory: case.json (who, on whose authority), the store, shards and the audit log.

CASE/
  case.json        name, examiner, authority, created
  audit.jsonl      hash-chained log of every action (see audit.py)
  decisions.jsonl  the analyst's merges and splits of persons, in order (append-only)
  store.duckdb     the case store
  shards/TASK/     Parquet output of each task, then a `done` marker
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from crossdrive import __version__
from crossdrive.audit import AuditLog, current_actor
from crossdrive.store import database


class CaseError(Exception):
    """A problem with the case the user can act on (message says what)."""


@dataclass
class Case:
    root: Path

    @property
    def info_path(self) -> Path:
        return self.root / "case.json"

    @property
    def db_path(self) -> Path:
        return self.root / "store.duckdb"

    @property
    def shards(self) -> Path:
        return self.root / "shards"

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.root / "audit.jsonl")

    @property
    def info(self) -> dict:
        return json.loads(self.info_path.read_text())

    @classmethod
    def create(cls, root: Path, name: str, examiner: str, authority: str) -> Case:
        root = Path(root)
        if (root / "case.json").exists():
            raise CaseError(f"{root} already holds a case")
        root.mkdir(parents=True, exist_ok=True)
        case = cls(root)
        info = {
            "name": name,
            "examiner": examiner,
            "authority": authority,
            "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "crossdrive_version": __version__,
        }
        case.info_path.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
        case.shards.mkdir(exist_ok=True)
        database.connect(case.db_path).close()
        return case

    @classmethod
    def open(cls, root: Path) -> Case:
        root = Path(root)
        if not (root / "case.json").exists():
            raise CaseError(f"{root} is not a case directory (no case.json)")
        return cls(root)

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return database.connect(self.db_path, read_only=read_only)

    @property
    def decisions_path(self) -> Path:
        return self.root / "decisions.jsonl"

    def decisions(self) -> list[dict]:
        """The analyst's merge and split decisions, oldest first (see entities/identities.py)."""
        if not self.decisions_path.exists():
            return []
        lines = self.decisions_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def decide(self, kind: str, identifiers: list[str], reason: str, **more: object) -> dict:
        """Append one decision (`merge` or `split`); the caller audits it and re-derives."""
        decision = {
            "number": len(self.decisions()) + 1,
            "kind": kind,
            "identifiers": identifiers,
            "reason": reason,
            **more,
            "examiner": current_actor(),
            "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
        with self.decisions_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(decision, ensure_ascii=False) + "\n")
        return decision

    def device_labels(self) -> list[str]:
        with self.connect(read_only=True) as con:
            return [
                r[0] for r in con.execute("SELECT label FROM devices ORDER BY label").fetchall()
            ]
