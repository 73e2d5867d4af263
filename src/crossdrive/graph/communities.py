"""Groups: Leiden with the constant Potts model (CPM), its resolution chosen by stability.

Cells are small (3–10 people). Modularity, at any resolution a sweep would try, merges them
(the resolution limit); on LFR graphs it recovered 0–3 % of planted groups under ten people,
while CPM recovered all of them (docs/benchmarks.md). CPM's resolution γ is a density: a
group is worth keeping when its members share more than γ (in mean-edge-weight units) per
pair. γ is chosen by stability, not guessed: for each γ of a sweep, Leiden runs with several
seeds, and the γ whose partitions agree most (mean pairwise NMI) is kept; when several are as
stable (small graphs often are over a wide range), the middle one of them. A γ that puts
everyone in one group (or everyone alone) is left out: such a partition agrees with itself
whatever the seed, and counting it made one demo scenario (seed 11) a single group of everyone
and pulled the others' choice towards merged cells (docs/benchmarks.md). Each group then
reports its own stability: how often its members stay together across the seeds.

Large graphs (beyond PIECE persons). One Leiden call on a million persons takes about a
minute; the same work cut into pieces of up to PIECE persons takes a quarter of that on one
core, and the pieces run on both. CPM is local (a group's worth depends only on its own
members' links), so CPM on each piece finds the groups CPM on the whole finds, provided no
group is cut; the cuts follow modularity communities, which hold many cells each and seldom
split one (on a 1M-node LFR graph none of 66,000 planted groups was cut; at 100k nodes NMI was
as high as one whole-graph call's, up to mixing 0.5). For the same reason a γ chosen on a
sample of pieces holds for the whole graph: the sweep runs on SAMPLE persons' worth of whole
pieces, and the chosen γ then runs on every piece with LARGE_SEEDS seeds (docs/benchmarks.md
has the times and NMIs).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

import graspologic_native as gn
import networkit as nk
import numpy as np
import pyarrow as pa
import scipy.sparse as sp

RESOLUTIONS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8)
TIED = 0.001  # stabilities this close to the best count as equally stable (at 0.005, LFR
# 100k μ=0.3 tied 0.01–0.05 and took 0.02, merging 17 % of the small cells; now 0.05: none)
SEEDS = (1, 2, 3, 4, 5)
PIECE = 20_000  # persons; a larger graph is cut into pieces of about this size
SAMPLE = 10_000  # persons of a large graph the resolution sweep runs on
LARGE_SEEDS = SEEDS[:2]  # runs at the chosen resolution on a large graph
THREADS = 2  # Leiden calls at once (graspologic releases the GIL; each call is seeded)


@dataclass
class Groups:
    resolution: float
    stability: float  # mean pairwise NMI of the seeded partitions at that resolution
    membership: dict[str, int]  # person -> group number (singletons included)
    group_stability: dict[int, float]
    graph: Indexed | None = field(default=None, repr=False, compare=False)  # for centrality


@dataclass(frozen=True)
class Indexed:
    """The edge list as arrays: persons, each edge's two ends (indexes into them), weights."""

    names: list[str]
    a: np.ndarray
    b: np.ndarray
    weights: np.ndarray


def index(edges: list[tuple[str, str, float]]) -> Indexed:
    """Persons in order of first appearance, each edge's two ends as indexes into them, and
    its weight. Arrow's dictionary encoding takes half the time of a Python dictionary (5 s
    against 10 at 1M persons)."""
    ends = pa.array(
        list(chain.from_iterable(map(itemgetter(0, 1), edges))), pa.large_string()
    ).dictionary_encode()
    codes = ends.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    weights = np.fromiter(map(itemgetter(2), edges), dtype=np.float64, count=len(edges))
    return Indexed(ends.dictionary.to_pylist(), codes[0::2], codes[1::2], weights)


def adjacency(n: int, a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> sp.csr_matrix:
    """The symmetric weighted adjacency, repeated pairs summed, self-links left out."""
    loop = a == b
    a, b, weights = a[~loop], b[~loop], weights[~loop]
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
    matrix = sp.csr_matrix((np.concatenate([weights, weights]), (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return matrix


def detect(edges: list[tuple[str, str, float]]) -> Groups | None:
    """Groups of the weighted person graph, or None when it has no edges."""
    if not edges:
        return None
    graph = index(edges)
    names = graph.names
    matrix = adjacency(len(names), graph.a, graph.b, graph.weights / graph.weights.mean())
    pieces = _pieces(matrix)
    whole = len(pieces) == 1
    batches = _batches(matrix, pieces if whole else _sample(pieces))
    settings = [(resolution, seed) for resolution in RESOLUTIONS for seed in SEEDS]
    found = iter(_partitions(batches, settings))
    sweep = []
    for resolution in RESOLUTIONS:
        runs = [next(found) for _seed in SEEDS]
        agreement = [nmi(x, y) for i, x in enumerate(runs) for y in runs[i + 1 :]]
        sweep.append((resolution, sum(agreement) / len(agreement), runs))
    resolution, stability, runs = _most_stable(sweep)
    if not whole:  # the sample chose the resolution; now every piece
        batches = _batches(matrix, pieces)
        runs = _partitions(batches, [(resolution, seed) for seed in LARGE_SEEDS])
    nodes = np.concatenate([batch.nodes for batch in batches]).tolist()
    membership = dict(zip((names[i] for i in nodes), runs[0].tolist(), strict=True))
    group_stability = _group_stability(runs[0], runs[1:])
    return Groups(resolution, stability, membership, group_stability, graph)


def _most_stable(
    sweep: list[tuple[float, float, list[np.ndarray]]],
) -> tuple[float, float, list[np.ndarray]]:
    """The middle one of the most stable resolutions. One group of everyone, or everyone
    alone, agrees with itself whatever the seed and says nothing: such a resolution is chosen
    only when every resolution gives one."""
    informative = [entry for entry in sweep if 1 < len(np.unique(entry[2][0])) < len(entry[2][0])]
    candidates = informative or sweep
    top = max(stability for _r, stability, _runs in candidates)
    stable = [entry for entry in candidates if entry[1] >= top - TIED]
    return stable[len(stable) // 2]  # the middle one (the finer of two)


# --- Leiden on pieces -----------------------------------------------------------------------


@dataclass
class _Batch:
    """Pieces that go to one Leiden call together: their nodes and the links inside each
    piece (never between pieces), as CSR arrays over the batch's own numbering."""

    nodes: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray


def _batches(matrix: sp.csr_matrix, pieces: list[np.ndarray]) -> list[_Batch]:
    """The pieces packed into batches, each with the links inside its pieces."""
    piece = np.full(matrix.shape[0], -1, dtype=np.int64)
    for number, nodes in enumerate(pieces):
        piece[nodes] = number
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    inside = (piece[rows] == piece[matrix.indices]) & (piece[rows] >= 0)
    result = []
    for group in _packed(pieces):
        nodes = np.concatenate(group)
        local = np.full(matrix.shape[0], -1, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        keep = inside & (local[rows] >= 0)
        block = sp.csr_matrix(
            (matrix.data[keep], (local[rows[keep]], local[matrix.indices[keep]])),
            shape=(len(nodes), len(nodes)),
        )
        block.sort_indices()
        indptr, indices = block.indptr.astype(np.int64), block.indices.astype(np.int32)
        result.append(_Batch(nodes, indptr, indices, block.data.astype(np.float64)))
    return result


def _packed(pieces: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Pieces in order, packed into groups of at most PIECE nodes (a larger piece alone)."""
    groups: list[list[np.ndarray]] = [[]]
    size = 0
    for nodes in pieces:
        if groups[-1] and size + len(nodes) > PIECE:
            groups.append([])
            size = 0
        groups[-1].append(nodes)
        size += len(nodes)
    return groups


def _partitions(batches: list[_Batch], settings: list[tuple[float, int]]) -> list[np.ndarray]:
    """For each (resolution, seed): the group of every node of the batches, in batch order,
    by one seeded CPM Leiden call per batch; THREADS calls at a time, and group numbers made
    distinct across batches."""

    def run(job: tuple[_Batch, float, int]) -> np.ndarray:
        batch, resolution, seed = job
        if len(batch.indices) == 0:  # no links: everyone alone
            return np.arange(len(batch.nodes))
        _quality, found = gn.leiden_csr(
            batch.indptr,
            batch.indices,
            batch.weights,
            len(batch.nodes),
            resolution=resolution,
            use_modularity=False,
            seed=seed,
            trials=1,
        )
        return _dense(found, len(batch.nodes))

    jobs = [(batch, resolution, seed) for resolution, seed in settings for batch in batches]
    with ThreadPoolExecutor(THREADS) as pool:
        found = iter(pool.map(run, jobs))
    result = []
    for _setting in settings:
        labels, offset = [], 0
        for _batch in batches:
            local = next(found)
            labels.append(local + offset)
            offset += int(local.max()) + 1
        result.append(np.concatenate(labels))
    return result


def _dense(found: dict[int, int], n: int) -> np.ndarray:
    """graspologic's {node: community} as an array over nodes 0 .. n - 1."""
    labels = np.empty(n, dtype=np.int64)
    labels[np.fromiter(found.keys(), np.int64, len(found))] = np.fromiter(
        found.values(), np.int64, len(found)
    )
    return labels


# --- cutting a large graph into pieces ----------------------------------------------------

CUT_SEED = 1
CUT_MOVES = 3  # Louvain's local-moving rounds per level: the cut needs modules that hold
# cells whole, not the best modularity; 3 rounds instead of 32 cut no more cells at 1M nodes
# (none of 66,000) in 5 s instead of 11


def _pieces(matrix: sp.csr_matrix) -> list[np.ndarray]:
    """The graph whole when it has at most PIECE nodes; else its modularity communities
    (Louvain, networkit's PLM on one thread: the same cut every run, 5 s at 1M nodes), a
    community larger than PIECE cut again the same way."""
    nodes = np.arange(matrix.shape[0])
    return [nodes] if len(nodes) <= PIECE else _cut(matrix, nodes)


def _cut(matrix: sp.csr_matrix, nodes: np.ndarray) -> list[np.ndarray]:
    """Louvain communities of the graph of `nodes`, those larger than PIECE cut again."""
    nk.setNumberOfThreads(1)
    nk.setSeed(CUT_SEED, False)
    block = sp.triu(matrix[nodes][:, nodes], k=1, format="csr")
    graph = nk.GraphFromCsr(block, directed=False, weighted=True)
    louvain = nk.community.PLM(graph, par="none", maxIter=CUT_MOVES)
    louvain.run()
    _labels, module = np.unique(louvain.getPartition().getVector(), return_inverse=True)
    order = np.argsort(module, kind="stable")
    modules = np.split(nodes[order], np.cumsum(np.bincount(module))[:-1])
    if len(modules) == 1:
        return modules
    result = []
    for members in modules:
        result.extend(_cut(matrix, members) if len(members) > PIECE else [members])
    return result


def _sample(pieces: list[np.ndarray]) -> list[np.ndarray]:
    """Whole pieces drawn at random (seeded) until they hold SAMPLE persons."""
    chosen, total = [], 0
    for number in np.random.default_rng(CUT_SEED).permutation(len(pieces)):
        if total >= SAMPLE:
            break
        chosen.append(pieces[number])
        total += len(pieces[number])
    return chosen


# --- agreement between partitions ---------------------------------------------------------


def _contingency(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pair of labels (as dense indexes into a's and b's distinct labels) that occurs
    together, and how often."""
    _la, x = np.unique(a, return_inverse=True)
    _lb, y = np.unique(b, return_inverse=True)
    width = int(y.max()) + 1
    pairs, counts = np.unique(x * width + y, return_counts=True)
    return pairs // width, pairs % width, counts


def _group_stability(chosen: np.ndarray, others: list[np.ndarray]) -> dict[int, float]:
    """Per group: the mean, over the other seeds, of the best Jaccard overlap between the
    group and any group of that seed's partition."""
    groups = np.unique(chosen)
    if not others:
        return dict.fromkeys(groups.tolist(), 1.0)
    total = np.zeros(len(groups))
    for other in others:
        x, y, counts = _contingency(chosen, other)
        size_x = np.bincount(x, weights=counts)
        size_y = np.bincount(y, weights=counts)
        jaccard = counts / (size_x[x] + size_y[y] - counts)
        best = np.zeros(len(groups))
        np.maximum.at(best, x, jaccard)
        total += best
    return dict(zip(groups.tolist(), (total / len(others)).tolist(), strict=True))


def nmi(a: Sequence | np.ndarray, b: Sequence | np.ndarray) -> float:
    """Normalised mutual information of two labelings (arithmetic mean normalisation, as
    scikit-learn's default); 1.0 when both put everything in one group."""
    a, b = np.asarray(a), np.asarray(b)
    n = len(a)
    if len(b) != n:
        raise ValueError("labelings of different lengths")
    if n == 0:
        return 1.0
    x, y, counts = _contingency(a, b)
    size_a = np.bincount(x, weights=counts)
    size_b = np.bincount(y, weights=counts)
    mutual = float(np.sum(counts / n * np.log(counts * n / (size_a[x] * size_b[y]))))
    ha = float(-np.sum(size_a / n * np.log(size_a / n)))
    hb = float(-np.sum(size_b / n * np.log(size_b / n)))
    if ha == 0 and hb == 0:
        return 1.0
    return mutual / ((ha + hb) / 2) if ha + hb else 0.0
