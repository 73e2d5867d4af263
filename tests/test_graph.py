"""Groups (CPM Leiden, resolution chosen by stability), centrality and brokers on graphs with
known groups."""

from __future__ import annotations

import random

import graspologic_native as gn
import pytest

from crossdrive.graph import centrality, communities


def test_nmi_of_identical_independent_and_relabelled_partitions():
    assert communities.nmi([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert communities.nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert 0 < communities.nmi([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]) < 1


def cells(
    count: int, size: int, seed: int = 3, weights: tuple[int, int] = (3, 9)
) -> tuple[list[tuple[str, str, float]], dict]:
    """`count` cells of `size` people who write to each other (`weights` messages a pair),
    each cell's first member (its broker) also writing once to the next cell's second
    member."""
    rng = random.Random(seed)
    edges, truth = [], {}
    for c in range(count):
        members = [f"c{c}m{m}" for m in range(size)]
        truth |= {m: c for m in members}
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if rng.random() < 0.8:
                    edges.append((a, b, float(rng.randint(*weights))))
        edges.append((members[0], f"c{(c + 1) % count}m1", 1.0))
    return sorted(edges), truth


def test_small_cells_are_found_where_modularity_merges_them():
    edges, truth = cells(100, 5, weights=(1, 2))
    groups = communities.detect(edges)
    nodes = sorted(n for n in truth if n in groups.membership)  # a member with no edge: none
    assert len(nodes) > 0.95 * len(truth)
    found = [groups.membership[n] for n in nodes]
    assert communities.nmi(found, [truth[n] for n in nodes]) > 0.95
    assert groups.stability > 0.95 and min(groups.group_stability.values()) > 0.8
    # modularity at resolution 1 on the same graph: cells merge (the resolution limit)
    _quality, merged = gn.leiden(edges, use_modularity=True, seed=1)
    assert len(set(merged.values())) < 60


def test_the_same_groups_every_run():
    edges, _truth = cells(10, 6)
    assert communities.detect(edges).membership == communities.detect(edges).membership


def test_brokers_rank_first_by_betweenness_and_are_flagged():
    edges, truth = cells(8, 6)
    groups = communities.detect(edges)
    scores = centrality.score(edges, groups.membership)
    brokers = {f"c{c}m0" for c in range(8)}
    assert scores.brokers >= brokers
    # the bridge ends (each broker and whom it writes to) rank above the cells' other members
    top = sorted(scores.betweenness, key=lambda n: -scores.betweenness[n])[:20]
    assert brokers <= set(top)
    assert all(scores.degree[n] >= 1 for n in truth)
    assert sum(scores.pagerank.values()) == pytest.approx(1.0, abs=1e-3)


def test_cross_drive_scores_weigh_rare_identifiers_and_explain_themselves(tmp_path):
    from crossdrive.graph import crossdevice
    from crossdrive.store.database import connect

    con = connect(tmp_path / "store.duckdb")
    carried = {  # identifier -> devices carrying it
        "anna@example.org": ["A", "B"],
        "+4915123222791": ["A", "B", "C"],
        "support@vendor.example": ["A", "B", "C", "D", "E"],  # on most: stop-listed
        "bob@example.net": ["C", "D"],
        "carol@example.com": ["F", "G"],
        "dan@example.com": ["H"],  # eight devices: more than four carriers is "most"
    }
    for value, devices in carried.items():
        kind = "phone" if value.startswith("+") else "email"
        for device in devices:
            con.execute(
                "INSERT INTO identifiers (device, kind, value, resolved, source) "
                "VALUES (?, ?, ?, true, 'features')",
                [device, kind, value],
            )
    assert crossdevice.build(con) == 5  # A-B, A-C, B-C, C-D, F-G
    rows = {
        (a, b): (score, shared, top)
        for a, b, score, shared, top in con.execute("SELECT * FROM device_similarity").fetchall()
    }
    assert rows["A", "B"][:2] == (pytest.approx(0.5 + 1 / 3, abs=1e-3), 2)
    assert rows["C", "D"][:2] == (0.5, 1)
    assert ("D", "E") not in rows  # only the stop-listed address in common
    import json

    assert json.loads(rows["A", "B"][2])[0] == ["anna@example.org", 0.5]
