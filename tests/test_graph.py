"""Groups (CPM Leiden, resolution chosen by stability), centrality and brokers on graphs with
known groups."""

from __future__ import annotations

import math
import random
from collections import Counter

import graspologic_native as gn
import numpy as np
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


def planted(count: int, seed: int = 5) -> tuple[list[tuple[str, str, float]], dict]:
    """`count` cells of 4–12 people (pairs linked with probability 0.7, 1–9 messages), and
    one link in ten leaving the cell for a random person elsewhere."""
    rng = random.Random(seed)
    edges, truth, people = [], {}, []
    for c in range(count):
        members = [f"p{c}-{m}" for m in range(rng.randint(4, 12))]
        truth |= dict.fromkeys(members, c)
        people.append(members)
        for i, a in enumerate(members):
            edges.extend(
                (a, b, float(rng.randint(1, 9))) for b in members[i + 1 :] if rng.random() < 0.7
            )
    everyone = [p for members in people for p in members]
    for a, _b, _w in list(edges)[::10]:
        edges.append((a, rng.choice(everyone), 1.0))
    return [(a, b, w) for a, b, w in edges if a != b], truth


def test_a_large_graph_is_cut_into_pieces_and_its_cells_still_found(monkeypatch):
    """The path a graph beyond PIECE persons takes (cut by Louvain, resolution chosen on a
    sample of pieces, pieces run in threads), on a graph small enough for a unit test."""
    monkeypatch.setattr(communities, "PIECE", 300)
    monkeypatch.setattr(communities, "SAMPLE", 400)
    edges, truth = planted(250)
    groups = communities.detect(edges)
    nodes = sorted(groups.membership)
    assert len(nodes) > 0.99 * len(truth)  # a person with no link has no group
    found = [groups.membership[n] for n in nodes]
    assert communities.nmi(found, [truth[n] for n in nodes]) > 0.95
    assert len(set(groups.group_stability)) == len(set(found))
    assert communities.detect(edges).membership == groups.membership  # repeats exactly


def test_one_group_of_everyone_is_not_taken_for_stability():
    one = np.zeros(6, dtype=int)
    split = np.array([0, 0, 0, 1, 1, 1])
    finer = np.array([0, 0, 1, 2, 2, 3])
    sweep = [(0.01, 1.0, [one]), (0.05, 0.98, [split]), (0.1, 0.9795, [finer])]
    assert communities._most_stable(sweep)[0] == 0.1  # the finest of the most stable
    assert communities._most_stable(sweep[:1])[0] == 0.01  # nothing else to choose


def test_nmi_matches_its_definition_on_random_labelings():
    rng = np.random.default_rng(4)
    a, b = rng.integers(0, 7, 500), rng.integers(0, 5, 500)
    n, joint = len(a), Counter(zip(a.tolist(), b.tolist(), strict=True))
    ca, cb = Counter(a.tolist()), Counter(b.tolist())
    mutual = sum(c / n * math.log(c * n / (ca[x] * cb[y])) for (x, y), c in joint.items())
    ha = -sum(c / n * math.log(c / n) for c in ca.values())
    hb = -sum(c / n * math.log(c / n) for c in cb.values())
    assert communities.nmi(a, b) == pytest.approx(mutual / ((ha + hb) / 2))


def test_sampled_betweenness_repeats_and_finds_the_bridges(monkeypatch):
    monkeypatch.setattr(centrality, "EXACT_LIMIT", 50)
    edges, _truth = cells(12, 8)
    groups = communities.detect(edges)
    first = centrality.score(edges, groups.membership, groups.graph)
    again = centrality.score(edges, groups.membership)
    assert first.betweenness == again.betweenness and first.pagerank == again.pagerank
    brokers = {f"c{c}m0" for c in range(12)}
    top = sorted(first.betweenness, key=lambda n: -first.betweenness[n])[:24]
    assert len(brokers & set(top)) >= 10
    assert first.brokers >= brokers
