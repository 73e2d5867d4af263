"""Identities: identifiers merged into persons on strong evidence only, each merge explained.

Two identifiers belong to one person when one record names them together:

- a contact entry (its addresses, numbers and handles);
- the account records of one application file (a Skype `Accounts` row, a Telegram export's
  own profile, a phone's profile card), which describe the device user's own identities.

A shared display name, a first name or a message's signature never merges by itself. Only
communicating identifiers take part: e-mail addresses, resolved phone numbers and messaging
handles. Logins and OS accounts stay attached to devices, not merged into persons. Each
person's id is derived from its smallest identifier, so it stays the same across re-runs while
the evidence does.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import duckdb

from crossdrive.entities.occurrences import CONTACT_RECORD, MESSAGE_RECORD
from crossdrive.store.database import insert_rows

PERSON_KINDS = ("email", "phone", "skype", "xmpp", "telegram")
GROUPS = f"""
SELECT 'contact' AS reason, device, path, "offset", chain, artifact, record AS grp,
       list(DISTINCT value ORDER BY value) AS members
FROM identifiers WHERE source = 'contacts' AND resolved AND kind IN {PERSON_KINDS}
GROUP BY ALL HAVING count(DISTINCT value) > 1
UNION ALL
SELECT 'account', device, path, min("offset"), min(chain), artifact,
       md5(concat_ws('|', device, path, artifact, state)),
       list(DISTINCT value ORDER BY value)
FROM identifiers WHERE source = 'accounts' AND resolved AND kind IN {PERSON_KINDS}
GROUP BY device, path, artifact, state HAVING count(DISTINCT value) > 1
"""


@dataclass
class Person:
    id: str
    identifiers: list[tuple[str, str]]  # (kind, value)
    name: str | None = None
    devices: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)  # why identifiers were merged


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def resolve(con: duckdb.DuckDBPyConnection) -> list[Person]:
    """Persons from the `identifiers` table (see the module docstring for the rule)."""
    kinds: dict[str, str] = {}
    devices: dict[str, set[str]] = defaultdict(set)
    for kind, value, device in con.execute(
        f"SELECT DISTINCT kind, value, device FROM identifiers "
        f"WHERE resolved AND kind IN {PERSON_KINDS}"
    ).fetchall():
        kinds[value] = kind
        devices[value].add(device)
    union = _Union()
    for value in kinds:
        union.find(value)
    merges: dict[str, list[dict]] = defaultdict(list)
    for reason, device, path, offset, chain, artifact, _grp, members in con.execute(
        GROUPS
    ).fetchall():
        for other in members[1:]:
            union.union(members[0], other)
        merges[members[0]].append(
            {
                "reason": reason,
                "identifiers": members,
                "device": device,
                "path": path,
                "offset": offset,
                "chain": chain,
                "artifact": artifact,
            }
        )
    names = _names(con)
    groups: dict[str, list[str]] = defaultdict(list)
    for value in kinds:
        groups[union.find(value)].append(value)
    persons = []
    for root, values in groups.items():
        values.sort()
        evidence = [e for v in values for e in merges.get(v, [])]
        spoken = Counter(n for v in values for n in names.get(v, ()))
        persons.append(
            Person(
                id="p-" + hashlib.sha1(values[0].encode()).hexdigest()[:12],
                identifiers=[(kinds[v], v) for v in values],
                name=spoken.most_common(1)[0][0] if spoken else None,
                devices=sorted({d for v in values for d in devices[v]}),
                evidence=evidence,
            )
        )
        del root
    return sorted(persons, key=lambda p: p.id)


def _names(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Display names written beside each identifier: contact entries' names, and the names
    messages give their parties (`names`), used to name a person, never to merge."""
    found: dict[str, list[str]] = defaultdict(list)
    for value, name in con.execute(
        f"""SELECT i.value, unnest(c.names) FROM identifiers i
            JOIN (SELECT *, {CONTACT_RECORD} AS record FROM contacts) c ON c.record = i.record
            WHERE i.source = 'contacts'"""
    ).fetchall():
        if name:
            found[value].append(name)
    for value, written, names in con.execute(
        f"""SELECT DISTINCT i.value, i.written, m.names FROM identifiers i
            JOIN (SELECT *, {MESSAGE_RECORD} AS record FROM messages) m ON m.record = i.record
            WHERE i.source = 'messages' AND m.names IS NOT NULL"""
    ).fetchall():
        name = json.loads(names).get(written)
        if name and name != written:
            found[value].append(name)
    return found


def store(con: duckdb.DuckDBPyConnection, persons: list[Person]) -> None:
    """Replace `persons` and `person_identifiers`."""
    con.execute("DELETE FROM persons")
    con.execute("DELETE FROM person_identifiers")
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "devices": p.devices,
            "evidence": json.dumps(p.evidence, ensure_ascii=False) if p.evidence else None,
        }
        for p in persons
    ]
    links = [{"person": p.id, "kind": k, "value": v} for p in persons for k, v in p.identifiers]
    for name, batch in (("persons", rows), ("person_identifiers", links)):
        insert_rows(con, name, batch)
