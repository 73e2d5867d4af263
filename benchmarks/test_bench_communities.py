"""`make bench`: crossdrive's own group detection (communities.detect: CPM Leiden, resolution
chosen by stability) against planted and known groups, and the whole graph analysis (groups,
then centrality and brokers) on a million persons.

- LFR graphs of 10k and 100k nodes, mixing 0.1, 0.3 and 0.5, communities of 5–50;
- football (conferences) and polbooks (political leaning) from graph-tool's collection;
- 1M nodes (LFR, mixing 0.2): detect + centrality.score within two minutes on this machine.

Results: bench-out/communities.json; graphs cached in bench-out/graphs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.graph_data import Planted, known_groups, lfr
from crossdrive.graph import centrality, communities

OUT = Path(__file__).resolve().parents[1] / "bench-out"
GRAPHS = OUT / "graphs"
SMALL = 10  # planted groups under this size are the cells the resolution limit hides
TARGET_SECONDS = 120  # the target for a million persons


def _record(key: str, value: dict) -> None:
    path = OUT / "communities.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[key] = value
    path.write_text(json.dumps(results, indent=1))
    print(key, value)


def _small_recovered(found: np.ndarray, planted: np.ndarray) -> float:
    """Share of planted groups under SMALL members whose best-matching found group overlaps
    them with Jaccard ≥ 0.5."""
    _p, x = np.unique(planted, return_inverse=True)
    _f, y = np.unique(found, return_inverse=True)
    pairs, together = np.unique(x * (int(y.max()) + 1) + y, return_counts=True)
    px, fy = pairs // (int(y.max()) + 1), pairs % (int(y.max()) + 1)
    size_p, size_f = np.bincount(x), np.bincount(y)
    jaccard = together / (size_p[px] + size_f[fy] - together)
    best = np.zeros(len(size_p))
    np.maximum.at(best, px, jaccard)
    small = size_p < SMALL
    return float((best[small] >= 0.5).mean()) if small.any() else 1.0


def _detect(planted: Planted) -> dict:
    edges, truth = planted.edges(), planted.truth()
    began = time.perf_counter()
    groups = communities.detect(edges)
    seconds = time.perf_counter() - began
    nodes = list(groups.membership)
    found = np.array([groups.membership[n] for n in nodes])
    expected = np.array([truth[n] for n in nodes])
    return {
        "nodes": len(planted.groups),
        "edges": len(edges),
        "planted_groups": len(np.unique(planted.groups)),
        "found_groups": len(np.unique(found)),
        "nmi": round(communities.nmi(found, expected), 4),
        "small_recovered": round(_small_recovered(found, expected), 4),
        "resolution": groups.resolution,
        "stability": round(groups.stability, 4),
        "seconds": round(seconds, 2),
    }


@pytest.mark.bench
@pytest.mark.parametrize("nodes", [10_000, 100_000])
@pytest.mark.parametrize("mixing", [0.1, 0.3, 0.5])
def test_lfr(nodes: int, mixing: float):
    result = _detect(lfr(GRAPHS, nodes, mixing))
    _record(f"lfr-{nodes}-{mixing}", result)
    # measured: NMI 0.984–1.000; every small cell found up to μ = 0.3, while at μ = 0.5 the
    # most stable resolution (0.02) merges a third of them at 10k nodes, a fifth at 100k
    assert result["nmi"] >= 0.98
    assert result["small_recovered"] >= (0.99 if mixing <= 0.3 else 0.6)


@pytest.mark.bench
@pytest.mark.parametrize(("name", "floor"), [("football", 0.9), ("polbooks", 0.5)])
def test_known_groups(name: str, floor: float):
    result = _detect(known_groups(OUT, name))
    _record(name, result)
    assert result["nmi"] >= floor  # measured: football 0.91, polbooks 0.57


def _top(betweenness: dict[str, float], count: int) -> set[str]:
    return set(sorted(betweenness, key=betweenness.__getitem__)[-count:])


@pytest.mark.bench
def test_million_persons_within_two_minutes(monkeypatch: pytest.MonkeyPatch):
    planted = lfr(GRAPHS, 1_000_000, 0.2)
    edges, truth = planted.edges(), planted.truth()
    began = time.perf_counter()
    groups = communities.detect(edges)
    detected = time.perf_counter()
    scores = centrality.score(edges, groups.membership, groups.graph)
    done = time.perf_counter()
    nodes = list(groups.membership)
    found = [groups.membership[n] for n in nodes]
    # how far the sampled betweenness is from chance: the top 1,000 by another pivot sample
    monkeypatch.setattr(centrality, "PIVOT_SEED", centrality.PIVOT_SEED + 1)
    other = centrality.score(edges, groups.membership, groups.graph)
    result = {
        "nodes": len(planted.groups),
        "edges": len(edges),
        "detect_seconds": round(detected - began, 2),
        "score_seconds": round(done - detected, 2),
        "total_seconds": round(done - began, 2),
        "nmi": round(communities.nmi(found, [truth[n] for n in nodes]), 4),
        "small_recovered": round(
            _small_recovered(np.array(found), np.array([truth[n] for n in nodes])), 4
        ),
        "resolution": groups.resolution,
        "found_groups": len(set(found)),
        "pivots": centrality.pivots(len(edges)),
        "top_100_betweenness_shared_by_two_pivot_samples": len(
            _top(scores.betweenness, 100) & _top(other.betweenness, 100)
        ),
        "top_1000_betweenness_shared_by_two_pivot_samples": len(
            _top(scores.betweenness, 1000) & _top(other.betweenness, 1000)
        ),
        "brokers": len(scores.brokers),
    }
    _record("lfr-1000000-0.2", result)
    assert result["total_seconds"] < TARGET_SECONDS
    assert result["nmi"] >= 0.99
