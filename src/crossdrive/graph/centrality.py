"""Centrality of persons and who the brokers are (networkit, measured against networkx and
others in docs/benchmarks.md).

- degree: distinct persons linked to;
- betweenness: weighted, a strong tie being a short distance (1 / weight), normalised to
  [0, 1]; exact up to EXACT_LIMIT persons, then estimated from sampled pivots;
- PageRank: weights as strengths.

A broker is a member of a group (of three or more) whose own links reach into another such
group: the people through whom one cell reaches another, ranked by betweenness.

Each sampled pivot costs a full weighted shortest-path search with path counting: about 4 s
on one core at 1M persons and 5M links. The number of pivots therefore shrinks as the graph
grows (PIVOT_WORK pivot-links in all, about 35 s of one core; at least MIN_PIVOTS, at most
PIVOTS), and the pivots run on both cores: 500 up to 100k links, 102 at 490k, 10 at 5M. The
pivots are drawn from a fixed seed and networkit adds the threads' sums in a fixed order, so
the numbers repeat run after run.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkit as nk
import numpy as np
import scipy.sparse as sp

from crossdrive.graph.communities import Indexed, adjacency, index

EXACT_LIMIT = 10_000  # persons; beyond, betweenness is estimated from sampled pivots
PIVOTS = 500
MIN_PIVOTS = 10
PIVOT_WORK = 50_000_000  # pivots x links
PIVOT_SEED = 1
THREADS = 2  # for sampled betweenness
MIN_CELL = 3  # a group of fewer is not a cell a broker could belong to or reach


@dataclass
class Scores:
    degree: dict[str, int]
    betweenness: dict[str, float]
    pagerank: dict[str, float]
    brokers: set[str]


def pivots(links: int) -> int:
    """Sampled pivots for a graph of `links` links."""
    return max(MIN_PIVOTS, min(PIVOTS, PIVOT_WORK // max(links, 1)))


def score(
    edges: list[tuple[str, str, float]],
    membership: dict[str, int],
    graph: Indexed | None = None,
) -> Scores:
    """Scores of every person of `edges`; `graph`, when given, is `edges` already indexed
    (Groups.graph), which saves indexing a large graph twice."""
    graph = graph or index(edges)
    names = graph.names
    strength = sp.triu(adjacency(len(names), graph.a, graph.b, graph.weights), k=1, format="csr")
    distance = strength.copy()
    distance.data = 1.0 / distance.data
    exact = len(names) <= EXACT_LIMIT
    nk.setNumberOfThreads(1 if exact else THREADS)  # exact: one thread, the same sums
    nk.setSeed(PIVOT_SEED, False)
    distances = nk.GraphFromCsr(distance, directed=False, weighted=True)
    if exact:
        between = nk.centrality.Betweenness(distances, normalized=True)
    else:
        between = nk.centrality.EstimateBetweenness(
            distances, pivots(strength.nnz), normalized=True, parallel=True
        )
    between.run()
    nk.setNumberOfThreads(1)  # PageRank's parallel sums differ in the last bit run to run
    rank = nk.centrality.PageRank(nk.GraphFromCsr(strength, directed=False, weighted=True))
    rank.run()
    linked = strength + strength.T
    return Scores(
        degree=dict(zip(names, np.diff(linked.indptr).tolist(), strict=True)),
        betweenness=dict(zip(names, between.scores(), strict=True)),
        pagerank=dict(zip(names, rank.scores(), strict=True)),
        brokers=_brokers(names, strength, membership),
    )


def _brokers(names: list[str], links: sp.csr_matrix, membership: dict[str, int]) -> set[str]:
    """Members of a cell with a link to a member of another cell."""
    group = np.fromiter((membership.get(name, -1) for name in names), np.int64, len(names))
    known = group >= 0
    size = np.bincount(group[known])
    in_cell = known.copy()
    in_cell[known] = size[group[known]] >= MIN_CELL
    pairs = links.tocoo()
    a, b = pairs.row, pairs.col
    across = in_cell[a] & in_cell[b] & (group[a] != group[b])
    return {names[i] for i in np.unique(np.concatenate([a[across], b[across]])).tolist()}
