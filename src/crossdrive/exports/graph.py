"""Persons and links as JSON lines, in the shapes ARCHITECTURE.md specifies.

persons.jsonl: `{"id", "name", "identifiers": [{"kind", "value"}], "community", "scores",
"devices", "bulk"}`, plus `broker`, `bulk_reason` and `evidence` (why identifiers were
merged). A person without links (or a bulk sender) has no community and no scores.
links.jsonl: `{"source", "target", "kind", "weight", "first_seen", "last_seen", "evidence"}`,
plus `channels`.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def write_persons(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    rows = con.execute(
        """SELECT p.id, p.name, list({'kind': i.kind, 'value': i.value} ORDER BY i.kind, i.value),
                  p.devices, p.evidence, p.bulk, p.bulk_reason, p.community, p.degree,
                  p.betweenness, p.pagerank, p.broker
           FROM persons p JOIN person_identifiers i ON i.person = p.id
           GROUP BY ALL ORDER BY p.id"""
    ).fetchall()
    with open(out, "w", encoding="utf-8") as lines:
        for (
            pid,
            name,
            identifiers,
            devices,
            evidence,
            bulk,
            bulk_reason,
            community,
            degree,
            betweenness,
            pagerank,
            broker,
        ) in rows:
            scores = (
                {"degree": degree, "betweenness": betweenness, "pagerank": pagerank}
                if degree is not None
                else None
            )
            person = {
                "id": pid,
                "name": name,
                "identifiers": identifiers,
                "community": community,
                "scores": scores,
                "broker": bool(broker),
                "devices": devices,
                "bulk": bool(bulk),
                "bulk_reason": bulk_reason,
                "evidence": json.loads(evidence) if evidence else [],
            }
            lines.write(json.dumps(person, ensure_ascii=False) + "\n")
    return len(rows)


def write_links(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    rows = con.execute(
        "SELECT source, target, kind, weight, first_seen, last_seen, evidence, channels "
        "FROM links ORDER BY kind, source, target"
    ).fetchall()
    with open(out, "w", encoding="utf-8") as lines:
        for source, target, kind, weight, first, last, evidence, channels in rows:
            link = {
                "source": source,
                "target": target,
                "kind": kind,
                "weight": weight,
                "first_seen": first,
                "last_seen": last,
                "evidence": json.loads(evidence),
                "channels": channels.split(",") if channels else [],
            }
            lines.write(json.dumps(link, ensure_ascii=False) + "\n")
    return len(rows)
