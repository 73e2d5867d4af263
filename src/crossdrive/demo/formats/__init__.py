"""Artifacts in the formats applications really write, each rendered through an `Ink` so the
truth records what they hold. Standard libraries and the applications' own schemas only."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path


def sqlite_bytes(build: Callable[[sqlite3.Connection], None]) -> bytes:
    """A real SQLite database file, filled by `build`, as bytes."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "db.sqlite"
        db = sqlite3.connect(path)
        with db:
            build(db)
        db.close()
        return path.read_bytes()
