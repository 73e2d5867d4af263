"""Graphs with known groups for the community benchmarks: LFR graphs (networkit's generator,
cached as .npz) and the football and polbooks networks from Debian's graph-tool package, read
from graph-tool's binary `.gt` format.

networkit's LFR generator, not networkx's: networkx's overshot the requested mixing (0.45 for
0.3) and hung at μ=0.1 (docs/benchmarks.md); networkit's builds 1M nodes in about 30 s.
"""

from __future__ import annotations

import gzip
import lzma
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import networkit as nk
import numpy as np

# LFR parameters: average degree 10 (max 50, exponent τ1 = 2.5), communities of 5–50 people
# (exponent τ2 = 1.5). A higher average degree cannot be realised at μ = 0.1: a member of a
# five-person community has at most four neighbours inside it.
AVERAGE_DEGREE = 10
MAX_DEGREE = 50
DEGREE_EXPONENT = 2.5
MIN_COMMUNITY = 5
MAX_COMMUNITY = 50
COMMUNITY_EXPONENT = 1.5


@dataclass
class Planted:
    """An undirected graph as index arrays, with each node's planted group."""

    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    groups: np.ndarray  # node index -> group

    def edges(self, prefix: str = "n") -> list[tuple[str, str, float]]:
        """The edge list crossdrive's graph analysis takes: (person, person, weight)."""
        names = [f"{prefix}{i}" for i in range(len(self.groups))]
        return [
            (names[a], names[b], w)
            for a, b, w in zip(
                self.sources.tolist(), self.targets.tolist(), self.weights.tolist(), strict=True
            )
        ]

    def truth(self, prefix: str = "n") -> dict[str, int]:
        return {f"{prefix}{i}": int(g) for i, g in enumerate(self.groups.tolist())}


def lfr(cache: Path, nodes: int, mixing: float, seed: int = 1) -> Planted:
    """An LFR benchmark graph, generated once and then read from `cache`."""
    path = cache / f"lfr-{nodes}-{mixing}-{seed}.npz"
    if path.exists():
        stored = np.load(path)
        return Planted(stored["s"], stored["t"], stored["w"], stored["g"])
    nk.setSeed(seed, False)
    generator = nk.generators.LFRGenerator(nodes)
    generator.generatePowerlawDegreeSequence(AVERAGE_DEGREE, MAX_DEGREE, -DEGREE_EXPONENT)
    generator.generatePowerlawCommunitySizeSequence(
        MIN_COMMUNITY, MAX_COMMUNITY, -COMMUNITY_EXPONENT
    )
    generator.setMu(mixing)
    generator.run()
    graph = generator.getGraph()
    pairs = np.array(list(graph.iterEdges()), dtype=np.int64)
    groups = np.array(generator.getPartition().getVector(), dtype=np.int64)
    weights = np.ones(len(pairs), dtype=np.float64)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, s=pairs[:, 0], t=pairs[:, 1], w=weights, g=groups)
    return Planted(pairs[:, 0], pairs[:, 1], weights, groups)


# --- graph-tool's collection, read from the Debian package without installing it ---------

PACKAGE = "python3-graph-tool"
COLLECTION = "usr/lib/python3/dist-packages/graph_tool/collection"


def collection(cache: Path) -> Path:
    """The `collection/` folder of Debian's python3-graph-tool, downloaded and unpacked (not
    installed) under `cache` on first use."""
    unpacked = cache / "graph-tool"
    folder = unpacked / COLLECTION
    if folder.is_dir():
        return folder
    unpacked.mkdir(parents=True, exist_ok=True)
    download = ["apt-get", "download", PACKAGE]
    if subprocess.run(download, cwd=unpacked, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # a fresh machine: no lists
        subprocess.run(download, cwd=unpacked, check=True, capture_output=True)
    package = next(unpacked.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(package), str(unpacked)], check=True)
    return folder


MAGIC = "⛾ gt".encode()
SCALARS = {0: "?", 1: "h", 2: "i", 3: "q", 4: "d"}  # bool, int16, int32, int64, double
VECTORS = {7: "?", 8: "h", 9: "i", 10: "q", 11: "d"}
STRING, LONG_DOUBLE, VECTOR_LONG_DOUBLE, VECTOR_STRING, PYTHON_OBJECT = 6, 5, 12, 13, 14


@dataclass
class GtGraph:
    directed: bool
    nodes: int
    sources: np.ndarray
    targets: np.ndarray
    vertex_properties: dict[str, list]


class _Reader:
    """Sequential reads of a .gt file's values in its declared byte order."""

    def __init__(self, data: bytes, order: str) -> None:
        self.data, self.pos, self.order = data, 0, order

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        if len(chunk) != size:
            raise ValueError("truncated .gt file")
        self.pos += size
        return chunk

    def number(self, code: str) -> int | float | bool:
        size = struct.calcsize(code)
        return struct.unpack(self.order + code, self.take(size))[0]

    def array(self, code: str, count: int) -> np.ndarray:
        dtype = np.dtype(code).newbyteorder(self.order)
        return np.frombuffer(self.take(dtype.itemsize * count), dtype=dtype)

    def string(self) -> bytes:
        return self.take(self.number("Q"))

    def value(self, kind: int) -> object:
        if kind in SCALARS:
            return self.number(SCALARS[kind])
        if kind in (STRING, PYTHON_OBJECT):
            return self.string().decode("utf-8", "replace")
        if kind == LONG_DOUBLE:
            return self.take(16)  # no portable float128: kept as bytes
        if kind in VECTORS:
            return self.array(VECTORS[kind], self.number("Q")).tolist()
        if kind == VECTOR_LONG_DOUBLE:
            return self.take(16 * self.number("Q"))
        if kind == VECTOR_STRING:
            return [self.string().decode("utf-8", "replace") for _ in range(self.number("Q"))]
        raise ValueError(f"unknown .gt value type {kind}")


def _index_width(nodes: int) -> str:
    """The narrowest unsigned type that holds every node index (0 .. nodes - 1)."""
    for code in ("B", "H", "I"):
        if nodes <= 2 ** (8 * struct.calcsize(code)):
            return code
    return "Q"


def read_gt(path: Path) -> GtGraph:
    """A graph in graph-tool's binary format (gzip- or xz-compressed or plain): the adjacency
    and the vertex properties (graph and edge properties are read past)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    elif raw[:6] == b"\xfd7zXZ\x00":
        raw = lzma.decompress(raw)
    if raw[:6] != MAGIC:
        raise ValueError(f"{path} is not a .gt file")
    reader = _Reader(raw, ">" if raw[7] else "<")
    reader.pos = 8  # magic, version, endianness
    reader.string()  # comment
    directed = bool(reader.number("?"))
    nodes = reader.number("Q")
    width = _index_width(nodes)
    sources, targets = [], []
    for node in range(nodes):
        neighbours = reader.array(width, reader.number("Q"))
        sources.append(np.full(len(neighbours), node, dtype=np.int64))
        targets.append(neighbours.astype(np.int64))
    source = np.concatenate(sources) if sources else np.zeros(0, np.int64)
    target = np.concatenate(targets) if targets else np.zeros(0, np.int64)
    counts = {0: 1, 1: nodes, 2: len(source)}  # graph, vertex, edge
    properties: dict[str, list] = {}
    for _ in range(reader.number("Q")):
        # key (graph/vertex/edge), name, value type: this order, as the files and the
        # format page's own hexdump have it (its prose lists the type before the name)
        key = reader.number("B")
        name = reader.string().decode()
        kind = reader.number("B")
        values = [reader.value(kind) for _ in range(counts[key])]
        if key == 1:
            properties[name] = values
    return GtGraph(directed, nodes, source, target, properties)


def known_groups(cache: Path, name: str, prop: str = "value") -> Planted:
    """A network of graph-tool's collection with its known groups (vertex property `prop`),
    as an undirected graph of unit weights; parallel edges and self-loops dropped."""
    graph = read_gt(collection(cache) / f"{name}.gt.gz")
    low = np.minimum(graph.sources, graph.targets)
    high = np.maximum(graph.sources, graph.targets)
    pairs = np.unique(np.stack([low, high], axis=1)[low != high], axis=0)
    _labels, groups = np.unique(np.array(graph.vertex_properties[prop]), return_inverse=True)
    return Planted(pairs[:, 0], pairs[:, 1], np.ones(len(pairs)), groups.astype(np.int64))
