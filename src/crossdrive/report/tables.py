"""HTML building blocks every section uses: tables, chips, evidence lists.

Each helper takes plain values and escapes them itself, so a section cannot forget to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crossdrive.report.markup import UNGROUPED, anchor, esc, number
from crossdrive.report.model import Evidence, Link, Person

MAX_EVIDENCE = 25  # copies listed per link; the rest are in `export links`


class Raw(str):
    """Markup already escaped (a cell that holds a chip, a list, a link)."""


def cell(value: object) -> str:
    """A table cell: Raw markup as it is (wrapped in <td> unless it is one), numbers right-aligned
    with thousands separators, anything else escaped."""
    if isinstance(value, Raw):
        return value if value.startswith("<td") else f"<td>{value}</td>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{esc(number(value))}</td>'
    return f"<td>{esc(value)}</td>"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], css: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = ["<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows]
    klass = f' class="{esc(css)}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def chip(group: str | None, colours: dict[str, str]) -> Raw:
    """A group's coloured mark with its id, linking to the group."""
    if not group:
        return Raw('<span class="muted">–</span>')
    colour = colours.get(group, UNGROUPED)
    return Raw(
        f'<a class="chip" href="#{anchor("group", group)}">'
        f'<span class="dot" style="background:{colour}"></span>{esc(group)}</a>'
    )


def name(person: Person) -> str:
    """A person's name, isolated for direction: an Arabic or Hebrew name beside a Latin one
    keeps its place instead of swapping the two around an arrow."""
    return f"<bdi>{esc(person.label)}</bdi>"


def num(value: float | None, digits: int = 4) -> Raw:
    """A score, right-aligned with a fixed number of decimals."""
    return Raw(f'<td class="num">{esc(number(value, digits))}</td>')


def person_ref(person: Person) -> Raw:
    """A person's name linking to where the report lists them, brokers starred."""
    star = '<span class="star" title="broker">★</span> ' if person.broker else ""
    return Raw(
        f'{star}<a href="#{anchor("person", person.id)}">{name(person)}</a>'
        f' <span class="pid">{esc(person.id)}</span>'
    )


def identifiers(person: Person) -> Raw:
    items = "".join(
        f'<li><span class="kind">{esc(kind)}</span> <code>{esc(value)}</code></li>'
        for kind, value in person.identifiers
    )
    return Raw(f'<ul class="ids">{items}</ul>')


def evidence_table(evidence: list[Evidence]) -> str:
    """Where each copy of the bytes lies: device, state, path, image offset, forensic path."""
    rows = [
        (
            item.device,
            item.state,
            Raw(f'<td class="path">{esc(item.path or "(no path: carved or in free space)")}</td>'),
            Raw(f'<td class="num"><code>{esc(item.offset)}</code></td>'),
            Raw(f"<td><code>{esc(item.chain)}</code></td>"),
            item.artifact,
        )
        for item in evidence[:MAX_EVIDENCE]
    ]
    more = len(evidence) - MAX_EVIDENCE
    note = (
        f'<p class="muted">and {more:,} more copies: '
        "<code>crossdrive export CASE links --format jsonl</code> lists them all</p>"
        if more > 0
        else ""
    )
    headers = ("device", "state", "path", "offset", "forensic path", "artifact")
    return table(headers, rows, "evidence") + note


def link_details(link: Link, persons: dict[str, Person], open_: bool = False) -> str:
    """One link, its summary line and its evidence, collapsible."""
    source, target = persons[link.source], persons[link.target]
    when = " – ".join(dict.fromkeys(t for t in (link.first_seen, link.last_seen) if t))
    channels = f" · {esc(link.channels)}" if link.channels else ""
    summary = (
        f'<span class="kind-tag">{esc(link.kind)}</span> {name(source)} → '
        f"{name(target)} · weight {link.weight:,}{channels}"
        + (f' · <span class="muted">{esc(when)}</span>' if when else "")
        + f' · <span class="muted">{len(link.evidence):,} evidence</span>'
    )
    flag = " open" if open_ else ""
    return f"<details{flag}><summary>{summary}</summary>{evidence_table(link.evidence)}</details>"
