"""Centrality of persons and who the brokers are (networkit, measured against networkx and
others in docs/benchmarks.md).

- degree: distinct persons linked to;
- betweenness: weighted, a strong tie being a short distance (1 / weight), normalised to
  [0, 1]; exact up to EXACT_LIMIT persons, then estimated from sampled pivots;
- PageRank: weights as strengths.

A broker is a member of a group (of three or more) whose own links reach into another such
group: the people through whom one cell reaches another, ranked by betweenness.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkit as nk

EXACT_LIMIT = 10_000  # persons; beyond, betweenness is estimated from sampled pivots
PIVOTS = 500
MIN_CELL = 3  # a group of fewer is not a cell a broker could belong to or reach


@dataclass
class Scores:
    degree: dict[str, int]
    betweenness: dict[str, float]
    pagerank: dict[str, float]
    brokers: set[str]


def score(edges: list[tuple[str, str, float]], membership: dict[str, int]) -> Scores:
    nk.setNumberOfThreads(1)  # the same numbers every run
    nodes = sorted({a for a, _b, _w in edges} | {b for _a, b, _w in edges})
    index = {node: i for i, node in enumerate(nodes)}
    strength = nk.Graph(len(nodes), weighted=True)
    distance = nk.Graph(len(nodes), weighted=True)
    for a, b, weight in edges:
        strength.addEdge(index[a], index[b], weight)
        distance.addEdge(index[a], index[b], 1.0 / weight)
    if len(nodes) <= EXACT_LIMIT:
        between = nk.centrality.Betweenness(distance, normalized=True)
    else:
        between = nk.centrality.EstimateBetweenness(distance, PIVOTS, normalized=True)
    between.run()
    rank = nk.centrality.PageRank(strength)
    rank.run()
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b, _w in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    size: dict[int | None, int] = defaultdict(int)
    for group in membership.values():
        size[group] += 1
    cells = {group for group, count in size.items() if count >= MIN_CELL}
    brokers = {
        node
        for node in nodes
        if membership.get(node) in cells
        and any(
            membership.get(n) in cells and membership.get(n) != membership.get(node)
            for n in neighbours[node]
        )
    }
    return Scores(
        degree={node: len(neighbours[node]) for node in nodes},
        betweenness={node: between.score(index[node]) for node in nodes},
        pagerank={node: rank.score(index[node]) for node in nodes},
        brokers=brokers,
    )
