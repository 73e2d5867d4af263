"""The page: a header with the case at a glance, a table of contents, then each section.

The picture of the network comes first, where an analyst looks first; the evidence the claims
rest on follows. Nothing on the page depends on the clock, so the same case gives the same file.
"""

from __future__ import annotations

from crossdrive import __version__
from crossdrive.report.evidence import case_section, recovery_section
from crossdrive.report.markup import esc, group_colours
from crossdrive.report.model import ReportData
from crossdrive.report.people import (
    brokers_section,
    bulk_section,
    graph_section,
    groups_section,
    links_section,
)
from crossdrive.report.similarity import similarity_section
from crossdrive.report.style import CSS, SCRIPT


def render(data: ReportData) -> str:
    """The whole report as one HTML document."""
    colours = group_colours([group.id for group in data.groups])
    sections = [
        ("graph", "Person graph", graph_section(data, colours)),
        ("evidence", "Case and evidence", case_section(data)),
        ("recovery", "Recovery per device", recovery_section(data)),
        ("groups", "Groups", groups_section(data, colours)),
        ("brokers", "Brokers", brokers_section(data, colours)),
        ("similarity", "Device similarity", similarity_section(data)),
        ("links", "Links and their evidence", links_section(data)),
        ("bulk", "Bulk senders", bulk_section(data)),
    ]
    toc = "".join(f'<li><a href="#{key}">{esc(title)}</a></li>' for key, title, _body in sections)
    body = "".join(
        f'<section class="part" id="{key}"><h2>{n}. {esc(title)}</h2>{html}</section>'
        for n, (key, title, html) in enumerate(sections, 1)
    )
    name = data.info.get("name") or "case"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="crossdrive {esc(__version__)}">'
        f"<title>{esc(name)}: crossdrive report</title><style>{CSS}</style></head><body>"
        f'<nav class="toc"><div class="brand">crossdrive<small>case report</small></div>'
        f"<ol>{toc}</ol></nav>{_header(data)}<main>{body}</main>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _header(data: ReportData) -> str:
    info, check = data.info, data.verification
    if check.time is None:
        verified = "not verified yet"
    elif check.result == "ok":
        verified = f"images verified {check.time}"
    else:
        verified = f"VERIFY FAILED {check.time}"
    facts = [
        ("examiner", info.get("examiner")),
        ("authority", info.get("authority")),
        ("created", info.get("created")),
        ("devices", f"{len(data.devices):,}"),
        ("persons drawn", f"{len(data.drawn):,}"),
        ("groups", f"{data.groups_total:,}"),
        ("brokers", f"{data.brokers_total:,}"),
        ("", verified),
    ]
    meta = "".join(
        f"<span><b>{esc(k)}</b> {esc(v)}</span>" if k else f"<span>{esc(v)}</span>"
        for k, v in facts
    )
    return (
        f'<header class="top"><h1>{esc(info.get("name") or "case")}</h1>'
        f'<div class="meta">{meta}</div></header>'
    )
