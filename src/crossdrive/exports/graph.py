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
        "SELECT source, target, kind, weight, strength, first_seen, last_seen, evidence, "
        "channels FROM links ORDER BY kind, source, target"
    ).fetchall()
    with open(out, "w", encoding="utf-8") as lines:
        for source, target, kind, weight, strength, first, last, evidence, channels in rows:
            link = {
                "source": source,
                "target": target,
                "kind": kind,
                "weight": weight,
                "strength": strength,
                "first_seen": first,
                "last_seen": last,
                "evidence": json.loads(evidence),
                "channels": channels.split(",") if channels else [],
            }
            lines.write(json.dumps(link, ensure_ascii=False) + "\n")
    return len(rows)


NODES = """
SELECT p.id, coalesce(p.name, i.first) AS label, p.community, p.degree, p.betweenness,
       p.pagerank, coalesce(p.broker, false), coalesce(p.bulk, false), i.identifiers,
       array_to_string(p.devices, ' ')
FROM persons p JOIN (
    SELECT person, min(value) AS first, string_agg(value, ' ' ORDER BY value) AS identifiers
    FROM person_identifiers GROUP BY person) i ON i.person = p.id
ORDER BY p.id
"""
NODE_FIELDS = (
    "label",
    "community",
    "degree",
    "betweenness",
    "pagerank",
    "broker",
    "bulk",
    "identifiers",
    "devices",
)


def person_graph(con: duckdb.DuckDBPyConnection):
    """The persons and their links as a networkx multigraph, attributes as Gephi shows them:
    label, community, scores, broker, bulk, identifiers and devices on the nodes; kind,
    weight, channels, first and last seen and the number of evidence items on the edges.
    Persons without a community or a score get empty values (GraphML has no null)."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for pid, *values in con.execute(NODES).fetchall():
        attributes = dict(zip(NODE_FIELDS, values, strict=True))
        graph.add_node(pid, **{k: ("" if v is None else v) for k, v in attributes.items()})
    for kind, source, target, channels, weight, first, last, evidence in con.execute(
        "SELECT kind, source, target, channels, weight, first_seen, last_seen, evidence "
        "FROM links ORDER BY kind, source, target"
    ).fetchall():
        graph.add_edge(
            source,
            target,
            key=kind,
            kind=kind,
            weight=float(weight),
            channels=channels or "",
            first_seen=first or "",
            last_seen=last or "",
            evidence=len(json.loads(evidence)),
        )
    return graph


def write_graphml(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    import networkx as nx

    graph = person_graph(con)
    nx.write_graphml(graph, out)
    return graph.number_of_nodes()


def write_gexf(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    import networkx as nx

    graph = person_graph(con)
    nx.write_gexf(graph, out)
    return graph.number_of_nodes()


def write_csv(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Link-chart tools (Maltego, i2, Linkurious) import two tables: `out` is a directory with
    nodes.csv (one row per person) and edges.csv (one row per link)."""
    import csv

    out.mkdir(parents=True, exist_ok=True)
    graph = person_graph(con)
    with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *NODE_FIELDS])
        for node, data in graph.nodes(data=True):
            writer.writerow([node, *(data[f] for f in NODE_FIELDS)])
    fields = ("kind", "weight", "channels", "first_seen", "last_seen", "evidence")
    with open(out / "edges.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "target", *fields])
        for source, target, data in graph.edges(data=True):
            writer.writerow([source, target, *(data[f] for f in fields)])
    return graph.number_of_nodes()
