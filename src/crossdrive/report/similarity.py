"""The cross-drive section: which devices belong together, and the identifiers that say so."""

from __future__ import annotations

from crossdrive.report.heatmap import similarity_svg
from crossdrive.report.markup import esc
from crossdrive.report.model import ReportData
from crossdrive.report.tables import Raw, table

TOP_REASONS = 6  # identifiers listed per pair below the matrix


def similarity_section(data: ReportData) -> str:
    labels = [device.label for device in data.devices]
    if len(labels) < 2:
        return '<p class="muted">One device only: nothing to compare.</p>'
    if not data.similarity:
        return '<p class="muted">No two devices share an identifier.</p>'
    rows = []
    for item in data.similarity:
        reasons = "".join(
            f'<li><code>{esc(ident)}</code> <span class="muted">+{value:g}</span></li>'
            for ident, value in item.top[:TOP_REASONS]
        )
        more = len(item.top) - TOP_REASONS
        if more > 0:
            reasons += f'<li class="muted">… {more} more</li>'
        rows.append(
            (
                item.a,
                item.b,
                round(item.score, 2),
                item.shared,
                Raw(f'<ul class="ids">{reasons}</ul>'),
            )
        )
    return (
        '<p class="lead">score(A, B) = Σ over identifiers found on both devices of 1 / (number '
        "of devices carrying it); identifiers on most devices are stop-listed. Darker cells: "
        "devices that share rare identifiers, likely the same owner or the same group. Hover a "
        "cell for the identifiers behind its score.</p>"
        f'<div class="figure heat-figure">{similarity_svg(labels, data.similarity)}</div>'
        + table(
            ("device A", "device B", "score", "shared identifiers", "contributing most"),
            rows,
            "similarity",
        )
    )
