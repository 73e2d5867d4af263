"""What the report shows, as plain dataclasses: read from the store by data.py and media.py,
drawn and written by the other modules, which never query the store themselves."""

from __future__ import annotations

from dataclasses import dataclass, field

from crossdrive.store.summary import Recovery


@dataclass(frozen=True)
class Evidence:
    """Where one copy of the bytes behind a link lies."""

    device: str | None
    path: str | None
    state: str | None
    offset: int | None
    chain: str | None
    artifact: str | None


@dataclass
class Device:
    label: str
    format: str
    size: int
    md5: str
    sha1: str
    sha256: str
    stored: dict[str, str]  # hashes the container itself records (EWF): kind -> value
    images: list[tuple[str, int]]  # segment paths and sizes, in order
    added_at: str
    added_by: str


@dataclass
class Person:
    id: str
    name: str | None
    identifiers: list[tuple[str, str]]  # (kind, value), sorted
    devices: list[str]
    community: str | None
    degree: int | None
    betweenness: float | None
    pagerank: float | None
    broker: bool
    bulk: bool
    bulk_reason: str | None

    @property
    def label(self) -> str:
        """The name shown: the person's name, else its first identifier, else its id."""
        if self.name:
            return self.name
        return self.identifiers[0][1] if self.identifiers else self.id


@dataclass
class Link:
    kind: str
    source: str
    target: str
    channels: str | None
    weight: int
    first_seen: str | None
    last_seen: str | None
    evidence: list[Evidence]


@dataclass
class Group:
    id: str
    size: int
    stability: float | None
    resolution: float | None
    partition_stability: float | None
    members: list[str]


@dataclass
class Similarity:
    a: str
    b: str
    score: float
    shared: int
    top: list[tuple[str, float]]  # (identifier, contribution), the largest first


@dataclass
class Verification:
    """The last `crossdrive verify` recorded in the audit log, and the chain's state now."""

    time: str | None  # None: never verified
    result: str | None
    chain_problems: list[str]
    last_processed: str | None

    def device_problems(self, label: str) -> list[str]:
        if not self.result or not self.result.startswith("FAILED: "):
            return []
        problems = self.result.removeprefix("FAILED: ").split("; ")
        return [p for p in problems if p.startswith(f"{label}: ")]


@dataclass
class ReportData:
    info: dict
    devices: list[Device]
    recovery: list[Recovery]
    verification: Verification
    persons: dict[str, Person]  # every person any section names
    drawn: list[str]  # persons in the graph, highest PageRank first
    linked_total: int  # persons with links, bulk senders left out (drawn ≤ this)
    links: list[Link]  # links between drawn persons
    groups: list[Group]  # groups with a drawn member
    groups_total: int
    brokers: list[str]  # highest betweenness first
    broker_groups: dict[str, dict[str, int]]  # broker -> other group -> links into it
    brokers_total: int
    bulk: list[str]
    bulk_total: int
    similarity: list[Similarity]
    link_kinds: dict[str, int] = field(default_factory=dict)  # every kind in the case
