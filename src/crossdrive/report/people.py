"""The sections about people: the graph drawn, each group, the brokers, every link's evidence
and the bulk senders kept out of the analysis."""

from __future__ import annotations

from collections import Counter

from crossdrive.report.layout import layout
from crossdrive.report.markup import anchor, esc, number
from crossdrive.report.model import Link, ReportData
from crossdrive.report.svg import PLACE_KINDS, graph_svg, pairs
from crossdrive.report.tables import (
    Raw,
    chip,
    identifiers,
    link_details,
    name,
    num,
    person_ref,
    table,
)

KEY_LINKS = 5  # the strongest links inside a group shown with the group


def graph_section(data: ReportData, colours: dict[str, str]) -> str:
    if not data.drawn:
        return '<p class="muted">No links between persons were found in this case.</p>'
    weights: dict[tuple[str, str], float] = {}
    for pair in pairs(data):
        weights[pair.a, pair.b] = float(pair.weight)
    group_of = {pid: data.persons[pid].community for pid in data.drawn}
    places = layout(data.drawn, group_of, weights)
    note = f"{len(data.drawn):,} persons with links"
    if data.linked_total > len(data.drawn):
        note += (
            f" drawn of {data.linked_total:,}: whole groups, those with the highest PageRank "
            "first (the others are in the exports; --max-persons draws more)"
        )
    if data.bulk_total:
        note += f"; {data.bulk_total:,} bulk senders left out (see Bulk senders)"
    shown = sorted({g for pid in data.drawn if (g := data.persons[pid].community)}, key=_order)
    legend = "".join(f"<li>{chip(g, colours)}</li>" for g in shown)
    kinds = ", ".join(f"{esc(k)} {n:,}" for k, n in data.link_kinds.items())
    dashed = ", ".join(sorted(PLACE_KINDS & set(data.link_kinds)))
    return (
        f'<p class="lead">{esc(note)}. Each colour is a group; node size is PageRank; '
        "<b>★ ringed</b> persons are brokers between groups; line width is the number of "
        "records behind a link"
        + (f", dashed lines are {esc(dashed)} only" if dashed else "")
        + ". Hover for identifiers and scores, click a person or a line for its evidence.</p>"
        f'<div class="figure graph-figure">{graph_svg(data, places, colours)}</div>'
        f'<ul class="legend">{legend}<li><span class="ring"></span> broker</li>'
        '<li><span class="dot" style="background:#9e9e9e"></span> in no group</li></ul>'
        f'<p class="muted">Links in the case, by kind: {kinds or "none"}.</p>'
    )


def _order(group: str) -> tuple[int, str]:
    """c-2 before c-10."""
    digits = group.removeprefix("c-")
    return (int(digits), group) if digits.isdigit() else (1 << 30, group)


def groups_section(data: ReportData, colours: dict[str, str]) -> str:
    if not data.groups:
        return '<p class="muted">No groups were found (no links between persons).</p>'
    inside = _links_inside(data)
    parts = []
    if data.groups_total > len(data.groups):
        parts.append(
            f'<p class="muted">{len(data.groups):,} of {data.groups_total:,} groups shown: '
            "those with a member in the graph above.</p>"
        )
    for group in data.groups:
        parts.append(_group_card(data, group, colours, inside.get(group.id, [])))
    return "".join(parts)


def _links_inside(data: ReportData) -> dict[str, list[Link]]:
    """Each group's internal links, the heaviest first."""
    found: dict[str, list[Link]] = {}
    for link in data.links:
        a, b = data.persons[link.source], data.persons[link.target]
        if a.community and a.community == b.community:
            found.setdefault(a.community, []).append(link)
    for links in found.values():
        links.sort(key=lambda link: (-link.weight, link.kind, link.source, link.target))
    return found


def _group_card(data: ReportData, group, colours: dict[str, str], inside: list[Link]) -> str:
    members = [data.persons[m] for m in group.members if m in data.persons]
    rows = [
        (
            Raw(f'<td id="{anchor("person", p.id)}">{person_ref(p)}</td>'),
            identifiers(p),
            ", ".join(p.devices),
            p.degree,
            num(p.pagerank),
            Raw('<td class="yes">broker</td>' if p.broker else "<td></td>"),
        )
        for p in members
    ]
    devices = Counter(d for p in members for d in p.devices)
    where = ", ".join(
        f"{esc(d)} ({n})" for d, n in sorted(devices.items(), key=lambda x: (-x[1], x[0]))
    )
    stability = f"stability {number(group.stability, 2)}" + (
        f" at resolution {number(group.resolution, 3)}" if group.resolution is not None else ""
    )
    evidence = "".join(link_details(link, data.persons) for link in inside[:KEY_LINKS])
    return (
        f'<section class="group" id="{anchor("group", group.id)}">'
        f"<h3>{chip(group.id, colours)} {group.size:,} members "
        f'<span class="muted">· {esc(stability)}</span></h3>'
        + table(("member", "identifiers", "devices", "degree", "PageRank", ""), rows, "members")
        + f"<p><b>Devices where members occur</b> (members): {where or '–'}</p>"
        + (
            f"<p><b>Key evidence</b>: the {min(len(inside), KEY_LINKS)} strongest of "
            f"{len(inside):,} links inside the group</p>{evidence}"
            if inside
            else ""
        )
        + "</section>"
    )


def brokers_section(data: ReportData, colours: dict[str, str]) -> str:
    if not data.brokers:
        return '<p class="muted">No person links two or more groups.</p>'
    rows = []
    for rank, pid in enumerate(data.brokers, 1):
        person = data.persons[pid]
        spans = data.broker_groups.get(pid, {})
        linked = " ".join(f"{chip(g, colours)}&nbsp;×{n}" for g, n in spans.items())
        rows.append(
            (
                rank,
                person_ref(person),
                chip(person.community, colours),
                Raw(linked or '<span class="muted">–</span>'),
                num(person.betweenness),
                num(person.pagerank),
                person.degree,
            )
        )
    note = (
        f'<p class="muted">The {len(data.brokers):,} of {data.brokers_total:,} brokers with the '
        "highest betweenness.</p>"
        if data.brokers_total > len(data.brokers)
        else ""
    )
    headers = (
        "rank",
        "broker",
        "own group",
        "groups linked (links)",
        "betweenness",
        "PageRank",
        "degree",
    )
    return note + table(headers, rows, "brokers")


def links_section(data: ReportData) -> str:
    """Every pair drawn, with each link between them and each link's evidence."""
    by_pair: dict[tuple[str, str], list[Link]] = {}
    for link in data.links:
        by_pair.setdefault(tuple(sorted((link.source, link.target))), []).append(link)
    order = sorted(by_pair, key=lambda k: (-sum(x.weight for x in by_pair[k]), k))
    parts = [
        f'<p class="lead">{len(data.links):,} links between {len(order):,} pairs of persons '
        'drawn, the heaviest first. <button type="button" data-toggle="links">expand all'
        "</button></p>"
    ]
    for a, b in order:
        links = by_pair[a, b]
        first, second = data.persons[a], data.persons[b]
        kinds = ", ".join(
            f"{esc(x.kind)} {x.weight:,}" + (" →" if x.source == a else " ←") for x in links
        )
        parts.append(
            f'<details class="pair" id="{anchor("pair", a + "-" + b)}"><summary>'
            f'<b>{name(first)}</b> <span class="pid">{esc(a)}</span> — <b>{name(second)}</b> '
            f'<span class="pid">{esc(b)}</span> · {kinds}</summary>'
            + "".join(link_details(link, data.persons, open_=True) for link in links)
            + "</details>"
        )
    return f'<div id="links-list">{"".join(parts)}</div>'


def bulk_section(data: ReportData) -> str:
    if not data.bulk:
        return '<p class="muted">No bulk senders were detected.</p>'
    rows = [
        (
            Raw(
                f'<td id="{anchor("person", p.id)}">{name(p)} '
                f'<span class="pid">{esc(p.id)}</span></td>'
            ),
            identifiers(p),
            p.bulk_reason or "–",
            ", ".join(p.devices),
        )
        for p in (data.persons[pid] for pid in data.bulk)
    ]
    note = (
        f'<p class="muted">{len(data.bulk):,} of {data.bulk_total:,} shown.</p>'
        if data.bulk_total > len(data.bulk)
        else ""
    )
    return (
        '<p class="lead">Newsletters, no-reply services, mailing lists and notifiers: kept out of '
        "group detection and out of the graph, so that they do not tie together everyone they "
        "write to.</p>" + note + table(("sender", "identifiers", "why", "devices"), rows, "bulk")
    )
