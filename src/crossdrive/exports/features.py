"""Swept features as bulk_extractor writes them, or as JSON lines with where each one lies.

bulk_extractor layout: DIR/<device>/<scanner>.txt, lines `forensic-path<TAB>feature<TAB>context`
after its `#` header lines, and DIR/<device>/<scanner>_histogram.txt with `n=COUNT<TAB>feature`
(and `(utf16=N)` when some were found in UTF-16), most frequent first. Existing tools that read
bulk_extractor output (BEViewer, identify_filenames.py, scripts) read these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import duckdb

from crossdrive import __version__
from crossdrive.exports.rows import escape_controls
from crossdrive.paths import safe_name


def write_bulk_extractor(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """One directory per device; returns the number of feature lines written. Streamed: rows
    come ordered by device and scanner, and the histograms are counted by DuckDB."""
    features = con.execute(
        "SELECT device, scanner, chain, feature, context FROM features "
        'ORDER BY device, scanner, "offset", chain'
    )
    count = _write_grouped(
        features,
        lambda device, scanner: _open(
            out, device, f"{safe_name(scanner)}.txt", _header(device, scanner)
        ),
        lambda chain, feature, context: f"{chain}\t{escape_controls(feature)}\t{context}\n",
    )
    histogram = con.execute(
        """SELECT device, scanner, feature, count(*) AS n,
                  count(*) FILTER (WHERE encoding <> 'utf-8') AS wide
           FROM features GROUP BY ALL ORDER BY device, scanner, n DESC, feature"""
    )
    _write_grouped(
        histogram,
        lambda device, scanner: _open(out, device, f"{safe_name(scanner)}_histogram.txt", ""),
        lambda feature, n, wide: (
            f"n={n}\t{escape_controls(feature)}" + (f"\t(utf16={wide})" if wide else "") + "\n"
        ),
    )
    return count


def _header(device: str, scanner: str) -> str:
    return (
        f"# crossdrive {__version__} (bulk_extractor feature file format)\n"
        f"# Feature-Recorder: {scanner}\n# Filename: {device}\n# Feature-File-Version: 1.1\n"
    )


def _open(out: Path, device: str, name: str, header: str) -> TextIO:
    folder = out / safe_name(device)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / name, "w", encoding="utf-8")  # noqa: SIM115 (closed by the caller)
    handle.write(header)
    return handle


def _write_grouped(
    cursor: duckdb.DuckDBPyConnection,
    open_for: Callable[[str, str], TextIO],
    line: Callable[..., str],
) -> int:
    """Rows ordered by (device, scanner, …): one file per pair, one line per row."""
    count, handle, current = 0, None, None
    try:
        while batch := cursor.fetchmany(10_000):
            for device, scanner, *rest in batch:
                if (device, scanner) != current:
                    if handle:
                        handle.close()
                    current, handle = (device, scanner), open_for(device, scanner)
                handle.write(line(*rest))
                count += 1
    finally:
        if handle:
            handle.close()
    return count


def write_jsonl(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Every feature with its provenance and place (allocated, deleted, slack, unallocated …)."""
    cursor = con.execute(
        """SELECT device, scanner, feature, written, context, "offset", chain, encoding, depth,
                  partition, path, place
           FROM features_located ORDER BY device, scanner, "offset", chain"""
    )
    names = [d[0] for d in cursor.description]
    count = 0
    with open(out, "w", encoding="utf-8") as handle:
        while batch := cursor.fetchmany(10_000):
            for values in batch:
                handle.write(json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False))
                handle.write("\n")
                count += 1
    return count
