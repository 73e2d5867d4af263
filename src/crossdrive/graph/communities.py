"""Groups: Leiden with the constant Potts model (CPM), its resolution chosen by stability.

Cells are small (3–10 people). Modularity, at any resolution a sweep would try, merges them
(the resolution limit); on LFR graphs it recovered 0–3 % of planted groups under ten people,
while CPM recovered all of them (docs/benchmarks.md). CPM's resolution γ is a density: a
group is worth keeping when its members share more than γ (in mean-edge-weight units) per
pair. γ is chosen by stability, not guessed: for each γ of a sweep, Leiden runs with several
seeds, and the γ whose partitions agree most (mean pairwise NMI) is kept; when several are as
stable (small graphs often are over a wide range), the middle one of them. Each group then
reports its own stability: how often its members stay together across the seeds.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import graspologic_native as gn

RESOLUTIONS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8)
TIED = 0.005  # stabilities this close to the best count as equally stable
SEEDS = (1, 2, 3, 4, 5)


@dataclass
class Groups:
    resolution: float
    stability: float  # mean pairwise NMI of the seeded partitions at that resolution
    membership: dict[str, int]  # person -> group number (singletons included)
    group_stability: dict[int, float]


def detect(edges: list[tuple[str, str, float]]) -> Groups | None:
    """Groups of the weighted person graph, or None when it has no edges."""
    if not edges:
        return None
    mean = sum(w for _a, _b, w in edges) / len(edges)
    scaled = [(a, b, w / mean) for a, b, w in edges]
    sweep = []
    for resolution in RESOLUTIONS:
        runs = [_leiden(scaled, resolution, seed) for seed in SEEDS]
        nodes = sorted(runs[0])
        agreement = [
            nmi([x[n] for n in nodes], [y[n] for n in nodes]) for x, y in combinations(runs, 2)
        ]
        sweep.append((resolution, sum(agreement) / len(agreement), runs))
    top = max(stability for _r, stability, _runs in sweep)
    stable = [entry for entry in sweep if entry[1] >= top - TIED]
    resolution, stability, runs = stable[len(stable) // 2]  # the middle of the stable ones
    chosen = runs[0]
    return Groups(resolution, stability, chosen, _group_stability(chosen, runs[1:]))


def _leiden(edges: list[tuple[str, str, float]], resolution: float, seed: int) -> dict[str, int]:
    _quality, membership = gn.leiden(
        edges, resolution=resolution, use_modularity=False, seed=seed, trials=1
    )
    return membership


def _group_stability(chosen: dict[str, int], others: list[dict[str, int]]) -> dict[int, float]:
    """Per group: the mean, over the other seeds, of the best Jaccard overlap between the
    group and any group of that seed's partition."""
    groups: dict[int, set[str]] = {}
    for node, group in chosen.items():
        groups.setdefault(group, set()).add(node)
    result = {}
    for group, members in groups.items():
        overlaps = []
        for other in others:
            labels = Counter(other[n] for n in members)
            label = labels.most_common(1)[0][0]
            theirs = {n for n, g in other.items() if g == label}
            overlaps.append(len(members & theirs) / len(members | theirs))
        result[group] = sum(overlaps) / len(overlaps) if overlaps else 1.0
    return result


def nmi(a: list[int], b: list[int]) -> float:
    """Normalised mutual information of two labelings (arithmetic mean normalisation, as
    scikit-learn's default); 1.0 when both put everything in one group."""
    n = len(a)
    if n == 0:
        return 1.0
    joint = Counter(zip(a, b, strict=True))
    ca, cb = Counter(a), Counter(b)
    mutual = sum(c / n * math.log(c * n / (ca[x] * cb[y])) for (x, y), c in joint.items())
    ha = -sum(c / n * math.log(c / n) for c in ca.values())
    hb = -sum(c / n * math.log(c / n) for c in cb.values())
    if ha == 0 and hb == 0:
        return 1.0
    return mutual / ((ha + hb) / 2) if ha + hb else 0.0
