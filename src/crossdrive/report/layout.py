"""Where each person is drawn: every group a cluster of its own, so groups read as groups.

Three steps, all deterministic (networkx's spring layout with a fixed seed, then plain
arithmetic), so the same case always gives the same picture:
1. each group's members are laid out around their group's centre (spring layout on the
   group's own links, weighted), then pushed apart until no two overlap;
2. the groups of each connected part of the graph are laid out the same way, one point per
   group, its links to the other groups as weights, then pushed apart until no two clusters
   overlap;
3. the connected parts (the main network, then small isolated pairs) are packed in rows,
   the largest first.
Units: one unit is the distance wanted between two neighbouring persons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

SEED = 7
GAP = 1.3  # between two persons' centres (names need room beside them)
CLUSTER_GAP = 0.7  # between two clusters' rims
PART_GAP = 0.8  # between two connected parts when packed in rows
ROUNDS = 600  # of pushing apart: the first half also pulls to the middle, the second not
LANDSCAPE = (0.02, 0.06)  # clusters pulled to the middle harder up-down: a picture wider
#                            than tall fits a screen


@dataclass
class Cluster:
    key: str  # the group id, or the person id of a person in no group
    members: list[str]
    centre: tuple[float, float]
    radius: float


@dataclass
class Layout:
    positions: dict[str, tuple[float, float]]
    clusters: list[Cluster]
    width: float
    height: float


def layout(
    persons: list[str], group_of: dict[str, str | None], weights: dict[tuple[str, str], float]
) -> Layout:
    """Positions for `persons` (ids), clustered by `group_of` (a person in no group is a
    cluster of its own); `weights` holds the total link weight of each pair (a, b), a < b."""
    members: dict[str, list[str]] = {}
    for person in sorted(persons):
        members.setdefault(group_of.get(person) or person, []).append(person)
    offsets = {key: _members_offsets(people, weights) for key, people in members.items()}
    radii = {key: _radius(points) for key, points in offsets.items()}
    centres = _cluster_centres(members, radii, weights)
    positions: dict[str, tuple[float, float]] = {}
    clusters = []
    for key in sorted(members, key=lambda k: (-len(members[k]), k)):
        cx, cy = centres[key]
        for person, (dx, dy) in offsets[key].items():
            positions[person] = (round(cx + dx, 4), round(cy + dy, 4))
        clusters.append(Cluster(key, members[key], (cx, cy), radii[key]))
    width = max((c.centre[0] + c.radius for c in clusters), default=0.0)
    height = max((c.centre[1] + c.radius for c in clusters), default=0.0)
    return Layout(positions, clusters, width, height)


def _members_offsets(
    people: list[str], weights: dict[tuple[str, str], float]
) -> dict[str, tuple[float, float]]:
    """Each member's place relative to its cluster's centre."""
    if len(people) == 1:
        return {people[0]: (0.0, 0.0)}
    graph = nx.Graph()
    graph.add_nodes_from(people)
    inside = set(people)
    for (a, b), weight in sorted(weights.items()):
        if a in inside and b in inside:
            graph.add_edge(a, b, weight=math.log1p(weight))
    raw = nx.spring_layout(graph, weight="weight", seed=SEED, iterations=100)
    points = np.array([raw[p] for p in people], dtype=float)
    points -= points.mean(axis=0)
    spread = np.abs(points).max() or 1.0
    points *= 0.6 * math.sqrt(len(people)) / spread  # area grows with the members
    points = _separate(points, np.full(len(people), GAP / 2), 0.0)
    return {p: (float(x), float(y)) for p, (x, y) in zip(people, points, strict=True)}


def _radius(offsets: dict[str, tuple[float, float]]) -> float:
    return max(math.hypot(x, y) for x, y in offsets.values()) + 0.35


def _cluster_centres(
    members: dict[str, list[str]],
    radii: dict[str, float],
    weights: dict[tuple[str, str], float],
) -> dict[str, tuple[float, float]]:
    """Clusters placed per connected part, the parts packed in rows."""
    cluster_of = {person: key for key, people in members.items() for person in people}
    between = nx.Graph()
    between.add_nodes_from(sorted(members))
    for (a, b), weight in sorted(weights.items()):
        ka, kb = cluster_of.get(a), cluster_of.get(b)
        if ka and kb and ka != kb:
            old = between.get_edge_data(ka, kb, default={"weight": 0.0})["weight"]
            between.add_edge(ka, kb, weight=old + weight)
    parts = [sorted(part) for part in nx.connected_components(between)]
    placed = [_part_centres(between.subgraph(part), radii) for part in parts]
    return _pack_rows(placed, radii)


def _part_centres(part: nx.Graph, radii: dict[str, float]) -> dict[str, tuple[float, float]]:
    """One connected part's clusters: spring layout of the clusters, then no overlaps."""
    keys = sorted(part.nodes)
    if len(keys) == 1:
        return {keys[0]: (0.0, 0.0)}
    graph = nx.Graph()
    graph.add_nodes_from(keys)
    for a, b, data in sorted(part.edges(data=True)):
        graph.add_edge(a, b, weight=math.log1p(data["weight"]))
    raw = nx.spring_layout(graph, weight="weight", seed=SEED, iterations=200)
    points = np.array([raw[k] for k in keys], dtype=float)
    sizes = np.array([radii[k] for k in keys])
    points -= points.mean(axis=0)
    spread = np.abs(points).max() or 1.0
    points *= math.sqrt(float((sizes**2).sum())) / spread
    points = _separate(points, sizes, CLUSTER_GAP, LANDSCAPE)
    return {k: (float(x), float(y)) for k, (x, y) in zip(keys, points, strict=True)}


def _separate(
    points: np.ndarray, radii: np.ndarray, gap: float, pull: tuple[float, float] = (0.03, 0.03)
) -> np.ndarray:
    """Push apart every two circles closer than the sum of their radii plus `gap`, with a
    slight pull to the middle (per axis) so that what is pushed out does not drift away."""
    points = points.copy()
    count = len(points)
    if count < 2:
        return points
    need = radii[:, None] + radii[None, :] + gap
    np.fill_diagonal(need, 0.0)
    # coincident points are split in a fixed direction each, not a random one
    nudge = np.stack([np.cos(np.arange(count)), np.sin(np.arange(count))], axis=1) * 1e-3
    for round_ in range(ROUNDS):
        delta = points[:, None, :] - points[None, :, :]
        distance = np.sqrt((delta**2).sum(axis=2))
        overlap = np.clip(need - distance, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        settling = round_ >= ROUNDS // 2  # the second half only separates: no overlap left
        if overlap.max() < 1e-3 and settling:
            break
        safe = np.where(distance > 1e-9, distance, 1.0)
        direction = np.where(distance[:, :, None] > 1e-9, delta / safe[:, :, None], nudge[:, None])
        points += 0.5 * (direction * overlap[:, :, None]).sum(axis=1)
        if not settling:
            points -= np.array(pull) * (points - points.mean(axis=0))
    return points


def _pack_rows(
    parts: list[dict[str, tuple[float, float]]], radii: dict[str, float]
) -> dict[str, tuple[float, float]]:
    """Connected parts in rows, left to right, the largest first; the row width is that of the
    largest part or of a landscape rectangle of the total area, whichever is wider."""
    boxes = []
    for part in parts:
        left = min(x - radii[k] for k, (x, _) in part.items())
        top = min(y - radii[k] for k, (_, y) in part.items())
        right = max(x + radii[k] for k, (x, _) in part.items())
        bottom = max(y + radii[k] for k, (_, y) in part.items())
        boxes.append((right - left, bottom - top, left, top, part))
    boxes.sort(key=lambda box: (-box[0] * box[1], min(box[4])))
    area = sum((w + PART_GAP) * (h + PART_GAP) for w, h, *_ in boxes)
    row_width = max(boxes[0][0] if boxes else 0.0, math.sqrt(area * 2.2))
    centres: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for width, height, left, top, part in boxes:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height + PART_GAP, 0.0
        for key, (px, py) in part.items():
            centres[key] = (px - left + x, py - top + y)
        x += width + PART_GAP
        row_height = max(row_height, height)
    return centres
