"""Every string that reaches the page passes through here: evidence is hostile.

A path, a name or a subject read from a seized device may hold `<script>`, quotes that end an
attribute, or bidi overrides that make `invoice\u202efdp.exe` read `invoiceexe.pdf`. `esc` makes
control and bidi characters visible escapes, then HTML-escapes the rest (quotes included, so the
result is safe in text and in attribute values alike).
"""

from __future__ import annotations

import html

from crossdrive.exports.rows import escape_controls

PALETTE = (  # group colours: distinct hues, dark enough for white text, light enough to tell
    "#1f77b4",
    "#e6550d",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#3949ab",
    "#00897b",
    "#c2185b",
)
UNGROUPED = "#9e9e9e"


def esc(value: object) -> str:
    """`value` as text safe anywhere in HTML or SVG (element content or attribute value)."""
    if value is None:
        return ""
    return html.escape(escape_controls(str(value)), quote=True)


def short(value: str, limit: int = 24) -> str:
    """At most `limit` characters, an ellipsis marking a cut (escape the result)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def number(value: float | int | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def anchor(prefix: str, key: str) -> str:
    """An element id for `key` (a person or group id from the store): only characters that
    need no escaping in an id or a fragment."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in key)
    return f"{prefix}-{safe}"


def group_colours(group_ids: list[str]) -> dict[str, str]:
    """A colour per group, in the order given (the largest first gets the first colour)."""
    return {gid: PALETTE[n % len(PALETTE)] for n, gid in enumerate(group_ids)}
