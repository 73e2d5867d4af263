"""The weighted person graph the analyses run on: one undirected edge per pair of persons,
weighted by the messages behind their communication, co-recipient and mention links. Bulk
senders are left out (a newsletter would tie together everyone it mails); shared-device links
are evidence of where people are, not of contact, and are left out too. So are co-occurrence
links: an address book lists its owner's whole world, every group the owner touches, and on
the demo (seed 3) adding them, even at 1 / (n - 1) per list, made one group of everyone (NMI
0.88 -> 0.0); they stay links to look at, not edges to cluster on."""

from __future__ import annotations

import duckdb

EDGES = """
SELECT least(source, target) AS a, greatest(source, target) AS b, sum(strength) AS weight
FROM links
WHERE kind IN ('communication', 'co-recipient', 'mention')
  AND source NOT IN (SELECT id FROM persons WHERE bulk)
  AND target NOT IN (SELECT id FROM persons WHERE bulk)
GROUP BY ALL ORDER BY a, b
"""


def person_edges(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, float]]:
    """(person, person, weight) in a fixed order, so seeded runs repeat exactly."""
    return [(a, b, float(w)) for a, b, w in con.execute(EDGES).fetchall()]
