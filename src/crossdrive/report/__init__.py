"""The static HTML report of a case: one self-contained file an analyst opens offline.

data.py reads the store; layout.py places the persons; svg.py draws the graph and the
heat-map; evidence.py, people.py and similarity.py write the sections; page.py assembles them
with style.py's inline CSS and script. Every string from the evidence is escaped (markup.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crossdrive.case import Case


@dataclass
class Written:
    path: Path
    size: int
    persons_drawn: int
    persons_linked: int
    groups: int
    links: int


def write_report(case: Case, output: Path, max_persons: int = 300) -> Written:
    """Write the report of `case` to `output`; at most `max_persons` persons are drawn (those
    with the highest PageRank)."""
    from crossdrive.report.data import load
    from crossdrive.report.page import render

    data = load(case, max_persons)
    text = render(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return Written(
        output,
        len(text.encode("utf-8")),
        len(data.drawn),
        data.linked_total,
        len(data.groups),
        len(data.links),
    )
