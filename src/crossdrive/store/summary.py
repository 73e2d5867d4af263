"""What processing recovered from each device, counted once for every place that shows it:
`crossdrive status` and the report's recovery table. Grouped counts, one scan per table."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from crossdrive.store.schema import RECORD_TABLES


@dataclass
class Recovery:
    """What processing found on one device."""

    device: str
    partitions: int
    filesystems: list[str]
    files: dict[str, int]  # state -> count: allocated, deleted, orphan
    carved: int
    features: dict[str, int]  # scanner -> count
    records: dict[str, int]  # record table -> count
    errors: int


def _count_by(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for device, key, count in con.execute(sql).fetchall():
        counts.setdefault(device, {})[str(key)] = count
    return counts


def recovery(con: duckdb.DuckDBPyConnection) -> list[Recovery]:
    """One Recovery per device, in label order."""
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
