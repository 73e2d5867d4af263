"""Identities: identifiers merged into persons on strong evidence only, each merge explained.

Two identifiers belong to one person when one record names them together:

- a contact entry (its addresses, numbers and handles);
- the account records of one application file (a Skype `Accounts` row, a Telegram export's
  own profile, a phone's profile card), which describe the device user's own identities;
- a sender's signature block: the numbers and addresses a mail's sender writes under "-- "
  are the sender's own;
- last and weakest, a full name: an identifier that is a person of its own (a chat handle
  seen only under a display name) joins the one person carrying the same full name, compared
  folded and transliterated; never on a first name, never when two persons carry the name.

The analyst has the last word: a `merge` decision puts identifiers in one person; a `split`
decision keeps identifiers apart from the rest of the person they were in, and no evidence
merge may join them again; a later merge of identifiers a split kept apart lifts that split.
Decisions are kept in the case (`Case.decisions`), so they hold across re-runs.

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

from crossdrive.entities.identifiers import Key, name_keys
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
UNION ALL
SELECT 'signature', device, path, "offset", chain, artifact, record,
       list_sort(list_append(signed, sender))
FROM (SELECT s.device, s.path, s."offset", s.chain, s.artifact, s.record, s.value AS sender,
             list(DISTINCT v.value) AS signed
      FROM identifiers s JOIN identifiers v ON v.record = s.record AND v.role = 'signature'
      WHERE s.role = 'sender' AND s.resolved AND s.kind IN {PERSON_KINDS}
        AND v.value <> s.value
      GROUP BY ALL)
"""


@dataclass
class Person:
    id: str
    identifiers: list[tuple[str, str]]  # (kind, value)
    name: str | None = None
    devices: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)  # why identifiers were merged
    names: list[str] = field(default_factory=list)  # every name written for it (gazetteer)


class _Union:
    """Union-find whose unions can be refused: `tags` marks values with (split, side), and two
    components holding both sides of one split stay apart."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.tags: dict[str, set[tuple[int, int]]] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> int | None:
        """Join a's and b's components; returns the split that forbids it (None: joined)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        ta, tb = self.tags.get(ra, set()), self.tags.get(rb, set())
        for split, side in ta:
            if (split, 1 - side) in tb:
                return split
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        if ta or tb:
            self.tags[root] = ta | tb
        return None


def _splits(decisions: list[dict]) -> dict[int, tuple[list[str], list[str]]]:
    """Split decisions still in force: number -> (identifiers, the rest they are kept from).
    A later merge that joins both sides of a split lifts it."""
    active: dict[int, tuple[list[str], list[str]]] = {}
    for decision in decisions:
        values = set(decision["identifiers"])
        if decision["kind"] == "split":
            active[decision["number"]] = (decision["identifiers"], decision.get("apart_from", []))
        elif decision["kind"] == "merge":
            for number, (side, rest) in list(active.items()):
                if values & set(side) and values & set(rest):
                    del active[number]
    return active


def resolve(con: duckdb.DuckDBPyConnection, decisions: list[dict] = ()) -> list[Person]:
    """Persons from the `identifiers` table and the analyst's decisions (module docstring)."""
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
    for number, sides in _splits(list(decisions)).items():
        for side, values in enumerate(sides):
            for value in values:
                if value in kinds:
                    union.tags.setdefault(union.find(value), set()).add((number, side))
    merges: dict[str, list[dict]] = defaultdict(list)

    def merge(members: list[str], because: dict) -> None:
        refused = {union.union(members[0], other) for other in members[1:]} - {None}
        if refused:
            because["kept_apart_by"] = sorted(refused)
        merges[members[0]].append(because)

    for decision in decisions:
        members = sorted(v for v in set(decision["identifiers"]) if v in kinds)
        if decision["kind"] == "merge" and len(members) > 1:
            merge(members, {"reason": "analyst", "identifiers": members} | _said(decision))
    for reason, device, path, offset, chain, artifact, _grp, members in con.execute(
        GROUPS
    ).fetchall():
        because = {
            "reason": reason,
            "identifiers": members,
            "device": device,
            "path": path,
            "offset": offset,
            "chain": chain,
            "artifact": artifact,
        }
        merge(members, because)
    names = names_written(con)
    for name, members in _namesakes(union, kinds, names):
        merge(members, {"reason": "name", "name": name, "identifiers": members})
    groups: dict[str, list[str]] = defaultdict(list)
    for value in kinds:
        groups[union.find(value)].append(value)
    persons = []
    for root, values in groups.items():
        values.sort()
        evidence = [e for v in values for e in merges.get(v, []) if not e.get("kept_apart_by")]
        evidence += [
            {"reason": "analyst split", **_said(d)}
            for d in decisions
            if d["kind"] == "split" and set(d["identifiers"]) & set(values)
        ]
        spoken = Counter(n for v in values for n in names.get(v, ()))
        persons.append(
            Person(
                id="p-" + hashlib.sha1(values[0].encode()).hexdigest()[:12],
                identifiers=[(kinds[v], v) for v in values],
                name=spoken.most_common(1)[0][0] if spoken else None,
                devices=sorted({d for v in values for d in devices[v]}),
                evidence=evidence,
                names=sorted(spoken),
            )
        )
        del root
    return sorted(persons, key=lambda p: p.id)


def _namesakes(
    union: _Union, kinds: dict[str, str], names: dict[str, list[str]]
) -> list[tuple[str, list[str]]]:
    """Lone identifiers to attach to the one person who carries the same full name.

    The weakest rule, applied last: a handle seen only in a chat log under a display name
    ("Изяслав Федотов") joins the person whose contact entries give that full name. Only
    identifiers that are persons of their own are attached, and only when at most one person
    of several identifiers carries the name: two such namesakes are two people, and nothing
    is merged. First names alone never match (`name_keys` needs two words).
    """
    holders: dict[Key, set[str]] = defaultdict(set)
    written: dict[Key, str] = {}
    size = Counter(union.find(v) for v in kinds)
    for value in sorted(kinds):
        for name in sorted(set(names.get(value, ()))):
            for key in name_keys(name):
                holders[key].add(union.find(value))
                written.setdefault(key, name)
    found = []
    for key, roots in sorted(holders.items()):
        big = sorted(r for r in roots if size[r] > 1)
        lone = sorted(r for r in roots if size[r] == 1)
        if len(big) <= 1 and len(big) + len(lone) > 1:
            found.append((written[key], big + lone))
    return found


def _said(decision: dict) -> dict:
    """A decision as evidence: who decided, when, why."""
    names = {"number": "decision", "examiner": "examiner", "time": "time", "reason": "note"}
    return {name: decision.get(key) for key, name in names.items()}


def names_written(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
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
