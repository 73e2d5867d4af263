"""What the report shows about people, read out of the case store in a fixed order.

Reading is kept apart from drawing so every section works from the same numbers, and so the
report of a case with a million persons shows only what it draws: at most `max_persons`
persons, whole groups at a time, those with the highest PageRank first; their groups, the links
between them, the top brokers and the bulk senders.
"""

from __future__ import annotations

import json

import duckdb

from crossdrive.case import Case
from crossdrive.report import media
from crossdrive.report.model import Evidence, Group, Link, Person, ReportData, Similarity
from crossdrive.store import summary

MAX_BROKERS = 50
MAX_BULK = 500


def load(case: Case, max_persons: int = 300) -> ReportData:
    """Everything the report shows, from the case store, case.json and the audit log."""
    with case.connect(read_only=True) as con:
        drawn, linked_total = _drawn(con, max_persons)
        con.register("drawn_ids", _ids_relation(drawn))
        links = _links(con)
        groups, groups_total = _groups(con)
        brokers, brokers_total = _ranked(
            con, "broker", "betweenness DESC NULLS LAST, id", MAX_BROKERS
        )
        bulk, bulk_total = _ranked(con, "bulk", "id", MAX_BULK)
        named = {*drawn, *brokers, *bulk, *(m for g in groups for m in g.members)}
        con.register("named_ids", _ids_relation(sorted(named)))
        return ReportData(
            info=case.info,
            devices=media.devices(con),
            recovery=summary.recovery(con),
            verification=media.verification(case),
            persons=_persons(con),
            drawn=drawn,
            linked_total=linked_total,
            links=links,
            groups=groups,
            groups_total=groups_total,
            brokers=brokers,
            broker_groups=_broker_groups(con, brokers),
            brokers_total=brokers_total,
            bulk=bulk,
            bulk_total=bulk_total,
            similarity=_similarity(con),
            link_kinds=dict(
                con.execute(
                    "SELECT kind, count(*) FROM links GROUP BY kind ORDER BY kind"
                ).fetchall()
            ),
        )


def _ids_relation(ids: list[str]):
    import pyarrow as pa

    return pa.table({"id": pa.array(ids, pa.string())})


# Persons with links (bulk senders left out), group by group: the group whose best member has
# the highest PageRank first (a person in no group is a group of one), then by PageRank inside.
LINKED = """
WITH linked AS (
    SELECT id, coalesce(community, id) AS grp, pagerank FROM persons
    WHERE NOT coalesce(bulk, false)
      AND id IN (SELECT source FROM links UNION SELECT target FROM links)
)
SELECT id, grp, pagerank FROM linked
ORDER BY max(pagerank) OVER (PARTITION BY grp) DESC NULLS LAST, grp,
         pagerank DESC NULLS LAST, id
"""


def _drawn(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[list[str], int]:
    """At most `limit` persons to draw, whole groups at a time (a picture of scattered persons
    from many groups shows no structure), the highest-ranked groups first; returned highest
    PageRank first, with the number of persons with links."""
    rows = con.execute(LINKED).fetchall()
    groups: dict[str, list[tuple[str, float]]] = {}
    for pid, group, pagerank in rows:
        groups.setdefault(group, []).append((pid, pagerank or 0.0))
    chosen: list[tuple[str, float]] = []
    for members in groups.values():  # in the query's order
        if len(chosen) + len(members) <= limit:
            chosen += members
        elif not chosen:  # one group larger than the limit: its best members
            chosen = members[:limit]
        if len(chosen) >= limit:
            break
    chosen.sort(key=lambda item: (-item[1], item[0]))
    return [pid for pid, _ in chosen], len(rows)


def _ranked(
    con: duckdb.DuckDBPyConnection, flag: str, order: str, limit: int
) -> tuple[list[str], int]:
    rows = con.execute(
        f"SELECT id, count(*) OVER () FROM persons WHERE coalesce({flag}, false) "
        f"ORDER BY {order} LIMIT ?",
        [limit],
    ).fetchall()
    return [pid for pid, _ in rows], (rows[0][1] if rows else 0)


def _persons(con: duckdb.DuckDBPyConnection) -> dict[str, Person]:
    identifiers: dict[str, list[tuple[str, str]]] = {}
    for person, kind, value in con.execute(
        "SELECT person, kind, value FROM person_identifiers "
        "WHERE person IN (SELECT id FROM named_ids) ORDER BY person, kind, value"
    ).fetchall():
        identifiers.setdefault(person, []).append((kind, value))
    rows = con.execute(
        """SELECT id, name, devices, community, degree, betweenness, pagerank,
                  coalesce(broker, false), coalesce(bulk, false), bulk_reason
           FROM persons WHERE id IN (SELECT id FROM named_ids) ORDER BY id"""
    ).fetchall()
    persons = {}
    for pid, name, devices, community, *scores, broker, bulk, bulk_reason in rows:
        persons[pid] = Person(
            pid,
            name,
            identifiers.get(pid, []),
            sorted(devices or []),
            community,
            *scores,
            broker=broker,
            bulk=bulk,
            bulk_reason=bulk_reason,
        )
    return persons


def evidence_list(text: str | None) -> list[Evidence]:
    """A link's evidence JSON as Evidence items; keys an item lacks stay None (the JSON came
    from the case, but what it names came from the evidence)."""
    items = json.loads(text) if text else []
    return [_evidence(item) for item in items if isinstance(item, dict)]


def _evidence(item: dict) -> Evidence:
    offset = item.get("offset")
    return Evidence(
        device=_plain(item.get("device")),
        path=_plain(item.get("path")),
        state=_plain(item.get("state")),
        offset=offset if isinstance(offset, int) and not isinstance(offset, bool) else None,
        chain=_plain(item.get("chain")),
        artifact=_plain(item.get("artifact")),
    )


def _plain(value: object) -> str | None:
    return None if value is None else str(value)


def _links(con: duckdb.DuckDBPyConnection) -> list[Link]:
    rows = con.execute(
        """SELECT kind, source, target, channels, weight, first_seen, last_seen, evidence
           FROM links
           WHERE source IN (SELECT id FROM drawn_ids) AND target IN (SELECT id FROM drawn_ids)
           ORDER BY kind, source, target"""
    ).fetchall()
    return [
        Link(kind, source, target, channels, weight or 0, first, last, evidence_list(evidence))
        for kind, source, target, channels, weight, first, last, evidence in rows
    ]


def _groups(con: duckdb.DuckDBPyConnection) -> tuple[list[Group], int]:
    rows = con.execute(
        """SELECT id, size, stability, resolution, partition_stability, members
           FROM communities c
           WHERE EXISTS (SELECT 1 FROM unnest(c.members) m(id)
                         WHERE m.id IN (SELECT id FROM drawn_ids))
           ORDER BY size DESC, try_cast(substr(id, 3) AS INTEGER), id"""
    ).fetchall()
    groups = [Group(*row[:5], sorted(row[5] or [])) for row in rows]
    total = con.execute("SELECT count(*) FROM communities").fetchone()[0]
    return groups, total


BROKER_GROUPS = """
WITH ends AS (
    SELECT source AS broker, target AS other FROM links
    UNION ALL SELECT target, source FROM links
)
SELECT e.broker, o.community, count(*) FROM ends e
JOIN persons b ON b.id = e.broker JOIN persons o ON o.id = e.other
WHERE e.broker IN (SELECT id FROM named_ids) AND coalesce(b.broker, false)
  AND o.community IS NOT NULL AND o.community IS DISTINCT FROM b.community
GROUP BY ALL ORDER BY 1, 3 DESC, 2
"""


def _broker_groups(con: duckdb.DuckDBPyConnection, brokers: list[str]) -> dict[str, dict[str, int]]:
    spans: dict[str, dict[str, int]] = {broker: {} for broker in brokers}
    for broker, group, count in con.execute(BROKER_GROUPS).fetchall():
        if broker in spans:
            spans[broker][group] = count
    return spans


def _similarity(con: duckdb.DuckDBPyConnection) -> list[Similarity]:
    rows = con.execute(
        "SELECT a, b, score, shared, top FROM device_similarity ORDER BY score DESC, a, b"
    ).fetchall()
    return [
        Similarity(a, b, score or 0.0, shared or 0, [(str(i), float(c)) for i, c in _top(top)])
        for a, b, score, shared, top in rows
    ]


def _top(text: str | None) -> list[list]:
    items = json.loads(text) if text else []
    return [item for item in items if isinstance(item, list) and len(item) == 2]
