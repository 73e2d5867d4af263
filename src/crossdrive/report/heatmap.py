"""The device-similarity heat-map as inline SVG: one cell per pair of devices, darker where
they share rarer identifiers, each cell's tooltip naming the identifiers behind its score."""

from __future__ import annotations

from crossdrive.report.markup import esc
from crossdrive.report.model import Similarity


def heat_colour(share: float) -> str:
    """White (nothing shared) to deep blue (the case's highest score)."""
    share = min(max(share, 0.0), 1.0) ** 0.6
    low, high = (247, 251, 255), (8, 69, 148)
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def similarity_svg(labels: list[str], scores: list[Similarity], cell: int = 52) -> str:
    """The device-similarity matrix: one cell per pair, darker = more shared identifiers."""
    by_pair = {}
    for item in scores:
        by_pair[item.a, item.b] = by_pair[item.b, item.a] = item
    top = max((s.score for s in scores), default=0.0)
    longest = 8 * max((len(label) for label in labels), default=4)  # px, 12 px bold text
    left = 12 + longest
    head = 12 + round(longest * 0.72)  # column names at 45°
    size = len(labels) * cell
    width = left + size + round(longest * 0.72)  # the last column's name leans right
    height = head + size + 10
    parts = [
        f'<svg class="heat" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="device similarity">'
    ]
    for n, label in enumerate(labels):
        y = head + n * cell + cell / 2 + 4
        x = left + n * cell + cell / 2
        parts.append(
            f'<text class="row" x="{left - 8}" y="{y}" text-anchor="end">{esc(label)}</text>'
        )
        parts.append(
            f'<text class="col" transform="translate({x},{head - 8}) rotate(-45)">'
            f"{esc(label)}</text>"
        )
    for row, a in enumerate(labels):
        for col, b in enumerate(labels):
            x, y = left + col * cell, head + row * cell
            parts.append(_heat_cell(a, b, by_pair.get((a, b)), top, x, y, cell))
    parts.append("</svg>")
    return "".join(parts)


def _heat_cell(a: str, b: str, item: Similarity | None, top: float, x, y, cell: int) -> str:
    if a == b:
        return (
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#e0e0e0" '
            f'stroke="#fff"><title>{esc(a)}</title></rect>'
        )
    score = item.score if item else 0.0
    fill = heat_colour(score / top if top else 0.0)
    ink = "#fff" if top and score / top > 0.45 else "#222"
    if item:
        reasons = "\n".join(f"  {ident}  +{value:g}" for ident, value in item.top[:8])
        title = f"{a} ↔ {b}: score {score:.2f}, {item.shared} shared identifiers\n{reasons}"
    else:
        title = f"{a} ↔ {b}: nothing shared"
    text = (
        f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" fill="{ink}">'
        f"{score:.1f}</text>"
        if item
        else ""
    )
    return (
        f'<g class="cell"><rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" '
        f'stroke="#fff"/>{text}<title>{esc(title)}</title></g>'
    )
