"""Where the names go in the graph: beside each person, away from its group's centre, moved to
another side when that spot is taken by a name or a node already placed, left out (to the
tooltip) when every side is taken. The persons with the highest PageRank are placed first, so
theirs are the names that stay. Also the box that everything drawn fits in: the SVG's viewBox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LETTER = 7.0  # px: about the advance of one letter of a 12 px sans-serif
BOLD_LETTER = 7.6


@dataclass
class Bounds:
    """The box that everything drawn fits in (the SVG's viewBox)."""

    left: float = math.inf
    top: float = math.inf
    right: float = -math.inf
    bottom: float = -math.inf

    def add(self, left: float, top: float, right: float, bottom: float) -> None:
        self.left, self.top = min(self.left, left), min(self.top, top)
        self.right, self.bottom = max(self.right, right), max(self.bottom, bottom)

    def view_box(self, pad: float = 8.0) -> tuple[float, float, float, float]:
        if self.left > self.right:
            return 0.0, 0.0, 1.0, 1.0
        return (
            round(self.left - pad, 1),
            round(self.top - pad, 1),
            round(self.right - self.left + 2 * pad, 1),
            round(self.bottom - self.top + 2 * pad, 1),
        )


@dataclass
class Placer:
    """Places names one after another, each where it overlaps no name placed before."""

    bounds: Bounds
    taken: list[tuple[float, float, float, float]] = field(default_factory=list)

    def occupy(self, x: float, y: float, radius: float) -> None:
        """A node's disc: no name goes over it."""
        box = (x - radius, y - radius, x + radius, y + radius)
        self.taken.append(box)
        self.bounds.add(*box)

    def place(
        self, x: float, y: float, radius: float, outward: tuple[float, float], text: str, bold: bool
    ) -> tuple[float, float, str] | None:
        """x, y and text-anchor for `text` beside a node of `radius` at (x, y); None where
        every side is taken (the name is then in the node's tooltip only)."""
        wide = len(text) * (BOLD_LETTER if bold else LETTER)
        for spot in _spots(x, y, radius, outward):
            box = _box(spot, wide)
            if not any(_overlap(box, taken) for taken in self.taken):
                self.taken.append(box)
                self.bounds.add(*box)
                return spot
        return None


def _spots(
    x: float, y: float, radius: float, outward: tuple[float, float]
) -> list[tuple[float, float, str]]:
    """Candidate places, the preferred first: right of a node on the right of its group, left
    of one on the left, above or below one at the top or bottom; then the other sides, then
    the four corners, those on the outward side first."""
    right = (round(x + radius + 4, 1), round(y + 4, 1), "start")
    left = (round(x - radius - 4, 1), round(y + 4, 1), "end")
    above = (x, round(y - radius - 5, 1), "middle")
    below = (x, round(y + radius + 13, 1), "middle")
    corner = radius * 0.7 + 2
    dx, dy = outward
    if abs(dx) >= 0.5:
        order = [right, left] if dx > 0 else [left, right]
        order += [below, above] if dy >= 0 else [above, below]
    else:
        order = [above, below] if dy < 0 else [below, above]
        order += [right, left] if dx >= 0 else [left, right]
    corners = sorted(
        ((sx, sy) for sx in (1, -1) for sy in (1, -1)), key=lambda c: -(c[0] * dx + c[1] * dy)
    )
    for sx, sy in corners:
        side = "start" if sx > 0 else "end"
        order.append(
            (round(x + sx * corner, 1), round(y + sy * corner + (11 if sy > 0 else -2), 1), side)
        )
    return order


def _box(spot: tuple[float, float, str], wide: float) -> tuple[float, float, float, float]:
    tx, ty, side = spot
    start = {"start": tx, "end": tx - wide, "middle": tx - wide / 2}[side]
    return start, ty - 12, start + wide, ty + 3


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
