"""The person graph as inline SVG: groups as clusters, brokers ringed, names placed clear.

Plain SVG elements with `<title>` tooltips, so the page needs no script library and prints as
it shows. Coordinates are rounded to 0.1 px so the same case writes the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from crossdrive.report.labels import Bounds, Placer
from crossdrive.report.layout import Layout
from crossdrive.report.markup import UNGROUPED, anchor, esc, number, short
from crossdrive.report.model import Person, ReportData

GRAPH_WIDTH = 900  # px for the clusters; names reach out beyond: about the page's width
MAX_UNIT = 92  # px per layout unit (about the distance of two neighbours), at most
MIN_UNIT = 50  # px per unit, at least: a large graph grows (and scrolls) instead of shrinking
SHRINK = 0.8  # the page may shrink the drawing to this share of its size, no further
LABEL_ALL_UP_TO = 120  # persons; beyond, only brokers and the highest PageRank are labelled
LABELLED_BEYOND = 60
PLACE_KINDS = {"shared-device"}  # links that say where people are, not that they talk: dashed


@dataclass
class Pair:
    """All links between two drawn persons, whatever their kind."""

    a: str
    b: str
    kinds: dict[str, int] = field(default_factory=dict)  # kind -> weight

    @property
    def weight(self) -> int:
        return sum(self.kinds.values())


def pairs(data: ReportData) -> list[Pair]:
    """The links of the drawing folded per unordered pair of persons, in a fixed order."""
    folded: dict[tuple[str, str], Pair] = {}
    for link in data.links:
        a, b = sorted((link.source, link.target))
        pair = folded.setdefault((a, b), Pair(a, b))
        pair.kinds[link.kind] = pair.kinds.get(link.kind, 0) + link.weight
    return [folded[key] for key in sorted(folded)]


def node_radius(person: Person, top_pagerank: float) -> float:
    share = (person.pagerank or 0.0) / top_pagerank if top_pagerank > 0 else 0.0
    return 6.0 + 12.0 * math.sqrt(max(share, 0.0))


def person_title(person: Person) -> str:
    lines = [f"{person.label} ({person.id})"]
    lines += [f"{kind}: {value}" for kind, value in person.identifiers]
    lines.append(f"group {person.community or '–'}" + (" · BROKER" if person.broker else ""))
    lines.append(
        f"degree {number(person.degree)} · betweenness {number(person.betweenness)} · "
        f"PageRank {number(person.pagerank, 4)}"
    )
    lines.append("devices: " + ", ".join(person.devices))
    return "\n".join(lines)


def graph_svg(data: ReportData, places: Layout, colours: dict[str, str]) -> str:
    """The person graph: nodes coloured by group, sized by PageRank, brokers ringed."""
    unit = max(MIN_UNIT, min(MAX_UNIT, GRAPH_WIDTH / max(places.width, 1.0)))

    def at(x: float, y: float) -> tuple[float, float]:
        return round(x * unit, 1), round(y * unit, 1)

    persons = [data.persons[pid] for pid in data.drawn]
    top = max((p.pagerank or 0.0 for p in persons), default=0.0)
    labelled = _labelled(data)
    directions = _outward(places)
    placer = Placer(Bounds())
    parts = _cluster_marks(places, colours, at, unit, placer)
    for person in persons:  # every disc first, so that no name is put over one
        x, y = at(*places.positions[person.id])
        placer.occupy(x, y, node_radius(person, top) + (4.5 if person.broker else 0.0))
    parts.append('<g class="edges">')
    parts += [_edge(pair, data, places, colours, at) for pair in pairs(data)]
    parts.append('</g><g class="nodes">')
    for person in persons:
        x, y = at(*places.positions[person.id])
        outward = directions[person.id] if person.id in labelled else None
        parts.append(_node(person, x, y, node_radius(person, top), colours, outward, placer))
    parts.append("</g></svg>")
    left, top_, width, height = placer.bounds.view_box()
    head = (
        f'<svg class="graph" viewBox="{left} {top_} {width} {height}" '
        f'style="max-width:{round(width)}px;min-width:{round(width * SHRINK)}px" role="img" '
        'aria-label="person graph">'
    )
    return head + "".join(parts)


def _outward(places: Layout) -> dict[str, tuple[float, float]]:
    """Each person's unit direction from its cluster's centre ((0, 1): straight down, for a
    person alone or at the centre)."""
    directions = {}
    for cluster in places.clusters:
        cx, cy = cluster.centre
        for person in cluster.members:
            x, y = places.positions[person]
            length = math.hypot(x - cx, y - cy)
            directions[person] = ((x - cx) / length, (y - cy) / length) if length > 0.2 else (0, 1)
    return directions


def _labelled(data: ReportData) -> set[str]:
    if len(data.drawn) <= LABEL_ALL_UP_TO:
        return set(data.drawn)
    brokers = {pid for pid in data.drawn if data.persons[pid].broker}
    return brokers | set(data.drawn[:LABELLED_BEYOND])  # drawn is highest PageRank first


def _cluster_marks(places: Layout, colours, at, unit: float, placer: Placer) -> list[str]:
    """A faint disc behind each group of two or more, with the group's id at its rim."""
    marks = ['<g class="clusters">']
    for cluster in places.clusters:
        if len(cluster.members) < 2:
            continue
        colour = colours.get(cluster.key, UNGROUPED)
        x, y = at(*cluster.centre)
        radius = round(cluster.radius * unit + 14, 1)
        placer.bounds.add(x - radius, y - radius, x + radius, y + radius)
        tx, ty = round(x - radius * 0.7, 1), round(y - radius * 0.7, 1)
        placer.taken.append((tx, ty - 13, tx + 8 * len(cluster.key), ty + 3))
        marks.append(
            f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{colour}" fill-opacity="0.07" '
            f'stroke="{colour}" stroke-opacity="0.35" stroke-dasharray="3 4"/>'
            f'<text class="cluster-label" x="{tx}" y="{ty}" fill="{colour}">'
            f"{esc(cluster.key)}</text>"
        )
    marks.append("</g>")
    return marks


def _edge(pair: Pair, data: ReportData, places: Layout, colours, at) -> str:
    a, b = data.persons[pair.a], data.persons[pair.b]
    x1, y1 = at(*places.positions[pair.a])
    x2, y2 = at(*places.positions[pair.b])
    inside = a.community is not None and a.community == b.community
    colour = colours.get(a.community or "", UNGROUPED) if inside else "#555"
    opacity = "0.55" if inside else "0.45"
    stroke = round(min(1.0 + 1.2 * math.log2(1 + pair.weight), 7.0), 1)
    dash = ' stroke-dasharray="5 4"' if set(pair.kinds) <= PLACE_KINDS else ""
    kinds = ", ".join(f"{kind} {weight}" for kind, weight in sorted(pair.kinds.items()))
    title = f"{a.label} — {b.label}: {kinds}"
    return (
        f'<a href="#{anchor("pair", pair.a + "-" + pair.b)}">'
        f'<line class="edge" data-a="{esc(pair.a)}" data-b="{esc(pair.b)}" x1="{x1}" y1="{y1}" '
        f'x2="{x2}" y2="{y2}" stroke="{colour}" stroke-opacity="{opacity}" '
        f'stroke-width="{stroke}"{dash}><title>{esc(title)}</title></line></a>'
    )


def _node(
    person: Person,
    x: float,
    y: float,
    radius: float,
    colours: dict[str, str],
    outward: tuple[float, float] | None,
    placer: Placer,
) -> str:
    """One person: a disc (a ring around it for a broker), its name (when `outward` says
    which way it goes) and a tooltip."""
    colour = colours.get(person.community or "", UNGROUPED)
    classes = "node broker" if person.broker else "node"
    ring = (
        f'<circle class="broker-ring" cx="{x}" cy="{y}" r="{round(radius + 4.5, 1)}" '
        'fill="none" stroke="#111" stroke-width="2.5"/>'
        if person.broker
        else ""
    )
    text = ""
    if outward is not None:
        name = ("★ " if person.broker else "") + short(person.label)
        outer = radius + (4.5 if person.broker else 0.0)
        spot = placer.place(x, y, outer, outward, name, person.broker)
        if spot:
            tx, ty, side = spot
            text = f'<text x="{tx}" y="{ty}" text-anchor="{side}">{esc(name)}</text>'
    body = (
        f'<g class="{classes}" data-id="{esc(person.id)}">{ring}'
        f'<circle cx="{x}" cy="{y}" r="{round(radius, 1)}" fill="{colour}" '
        f'stroke="#fff" stroke-width="1.5"/>{text}<title>{esc(person_title(person))}</title></g>'
    )
    if person.community or person.broker:
        return f'<a href="#{anchor("person", person.id)}">{body}</a>'
    return body
