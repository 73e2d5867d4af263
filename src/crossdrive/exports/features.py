"""Swept features as bulk_extractor writes them, or as JSON lines with where each one lies.

bulk_extractor layout: DIR/<device>/<scanner>.txt, lines `forensic-path<TAB>feature<TAB>context`
after its `#` header lines, and DIR/<device>/<scanner>_histogram.txt with `n=COUNT<TAB>feature`
(and `(utf16=N)` when some were found in UTF-16), most frequent first. Existing tools that read
bulk_extractor output (BEViewer, identify_filenames.py, scripts) read these.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb

from crossdrive import __version__
from crossdrive.exports.rows import escape_controls

LOCATED_SQL = """
SELECT device, scanner, feature, written, context, "offset", chain, encoding, depth,
       partition, path, place
FROM features_located {where} ORDER BY device, scanner, "offset", chain
"""


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def write_bulk_extractor(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """One directory per device; returns the number of feature lines written."""
    count = 0
    devices = [r[0] for r in con.execute("SELECT DISTINCT device FROM features").fetchall()]
    for device in sorted(devices):
        folder = out / _safe(device)
        folder.mkdir(parents=True, exist_ok=True)
        rows = con.execute(
            "SELECT scanner, chain, feature, context, encoding FROM features WHERE device = ? "
            'ORDER BY scanner, "offset", chain',
            [device],
        ).fetchall()
        by_scanner: dict[str, list[tuple]] = {}
        for scanner, *rest in rows:
            by_scanner.setdefault(scanner, []).append(tuple(rest))
        for scanner, features in by_scanner.items():
            with open(folder / f"{_safe(scanner)}.txt", "w", encoding="utf-8") as handle:
                handle.write(f"# crossdrive {__version__} (bulk_extractor feature file format)\n")
                handle.write(f"# Feature-Recorder: {scanner}\n# Filename: {device}\n")
                handle.write("# Feature-File-Version: 1.1\n")
                for chain, feature, context, _encoding in features:
                    handle.write(f"{chain}\t{escape_controls(feature)}\t{context}\n")
                    count += 1
            totals = Counter(f[1] for f in features)
            wide = Counter(f[1] for f in features if f[3] != "utf-8")
            with open(folder / f"{_safe(scanner)}_histogram.txt", "w", encoding="utf-8") as handle:
                for feature, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
                    extra = f"\t(utf16={wide[feature]})" if wide[feature] else ""
                    handle.write(f"n={n}\t{escape_controls(feature)}{extra}\n")
    return count


def write_jsonl(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Every feature with its provenance and place (allocated, deleted, slack, unallocated …)."""
    cursor = con.execute(LOCATED_SQL.format(where=""))
    names = [d[0] for d in cursor.description]
    count = 0
    with open(out, "w", encoding="utf-8") as handle:
        while batch := cursor.fetchmany(10_000):
            for values in batch:
                handle.write(json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False))
                handle.write("\n")
                count += 1
    return count
