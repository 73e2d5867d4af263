"""The graph analysis of a case: groups, their stability, centrality and brokers, stored on
the persons (community, scores, broker) and in `communities`. Derived: rebuilt each run."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from crossdrive.graph import centrality, communities, network
from crossdrive.store.database import insert_rows, registered


def analyse(con: duckdb.DuckDBPyConnection) -> int:
    """Run the analysis; returns the number of groups of two or more persons."""
    con.execute(
        "UPDATE persons SET community = NULL, degree = NULL, betweenness = NULL, "
        "pagerank = NULL, broker = false"
    )
    con.execute("DELETE FROM communities")
    edges = network.person_edges(con)
    groups = communities.detect(edges)
    if groups is None:
        return 0
    scores = centrality.score(edges, groups.membership, groups.graph)
    members: dict[int, list[str]] = {}
    for person, group in groups.membership.items():
        members.setdefault(group, []).append(person)
    # c-1 is the largest group; ties by their first member, so names repeat across runs
    order = sorted(members, key=lambda g: (-len(members[g]), min(members[g])))
    names = {group: f"c-{n}" for n, group in enumerate(order, 1)}
    rows = [
        {
            "id": names[group],
            "size": len(members[group]),
            "stability": round(groups.group_stability[group], 4),
            "resolution": groups.resolution,
            "partition_stability": round(groups.stability, 4),
            "members": sorted(members[group]),
        }
        for group in order
    ]
    insert_rows(con, "communities", rows)
    updates = pa.Table.from_pylist(
        [
            {
                "id": person,
                "community": names[groups.membership[person]],
                "degree": scores.degree[person],
                "betweenness": scores.betweenness[person],
                "pagerank": scores.pagerank[person],
                "broker": person in scores.brokers,
            }
            for person in groups.membership
        ]
    )
    with registered(con, "scored", updates):
        con.execute(
            """UPDATE persons SET community = s.community, degree = s.degree,
               betweenness = s.betweenness, pagerank = s.pagerank, broker = s.broker
               FROM scored s WHERE persons.id = s.id"""
        )
    return sum(1 for row in rows if row["size"] > 1)
