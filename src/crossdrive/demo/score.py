"""What the pipeline recovered, measured against the scenario's truth.

Per evidence category: planted items, items recovered (a file at the planted path, in the planted
state, whose content hashes to the planted bytes), planted addresses and international numbers
found by the sweep in the item's own bytes, and numbers written only nationally read as E.164
(with the device's region, or as a number the case holds in full); false positives in the
filler; carved files; planted messages and contact identifiers recovered as artifact records;
identities (B-cubed), links (per evidence state), mentions, groups (NMI), brokers, bulk senders
and device pairs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path, PurePosixPath

import duckdb

from crossdrive.entities.identifiers import normalise

CATEGORIES = [
    "allocated",
    "deleted",
    "unallocated",
    "unpartitioned",
    "archive",
    "compressed",
    "utf16",
    "filler",
]


def name_matches(planted: str, listed: str, state: str) -> bool:
    """A listed path shows a planted one. FAT marks a deleted entry by overwriting the first
    byte of its short name, so without a long name that first character is lost."""
    if planted == listed:
        return True
    a, b = PurePosixPath(planted), PurePosixPath(listed)
    return state == "deleted" and a.parent == b.parent and a.name[1:] == b.name[1:]


def score(db: duckdb.DuckDBPyConnection, truth: dict) -> dict:
    """Recovery per category from the case store."""
    rows = db.execute(
        "SELECT device, fs_offset, path, state, sha256 FROM files WHERE name_type <> 'd'"
    ).fetchall()
    features = db.execute(
        'SELECT device, scanner, feature, "offset", path, place FROM features_located'
        " WHERE scanner IN ('email', 'telephone')"
    ).fetchall()
    listed: dict[tuple[str, int], list[tuple[str, str, str]]] = defaultdict(list)
    for device, fs_offset, path, state, sha256 in rows:
        listed[(device, fs_offset)].append((path.lstrip("/"), state, sha256))
    found: dict[tuple[str, str, str], list[tuple]] = defaultdict(list)
    for device, scanner, feature, offset, path, place in features:
        found[(device, scanner, feature)].append((offset, (path or "").lstrip("/"), place))
    offsets = {
        (d["label"], p["index"]): p["offset"] for d in truth["devices"] for p in d["partitions"]
    }
    resolved = {
        (device, value, written)
        for device, value, written in db.execute(
            "SELECT DISTINCT device, value, written FROM identifiers "
            "WHERE kind = 'phone' AND resolved"
        ).fetchall()
    }
    result = {
        c: {
            "items": 0,
            "listed": 0,
            "content": 0,
            "identifiers": 0,
            "found": 0,
            "national": 0,
            "national_found": 0,
        }
        for c in CATEGORIES
    }
    for item in truth["items"]:
        entry = result[item["category"]]
        entry["items"] += 1
        for ident in item["identifiers"]:
            if ident["kind"] not in SWEPT:
                continue
            if _national_only(ident, item):
                entry["national"] += 1
                entry["national_found"] += any(
                    (item["device"], ident["value"], w) in resolved for w in ident["written"]
                )
                continue
            entry["identifiers"] += 1
            hits = found[(item["device"], SWEPT[ident["kind"]], ident["value"])]
            entry["found"] += any(_in_item(item, *hit) for hit in hits)
        if item["path"] is None:
            continue
        candidates = listed[(item["device"], offsets[(item["device"], item["partition"])])]
        matches = [
            (state, sha)
            for path, state, sha in candidates
            if state == item["state"] and name_matches(item["path"], path, item["state"])
        ]
        entry["listed"] += bool(matches)
        entry["content"] += any(sha == item["sha256"] for _state, sha in matches)
    return {c: {**v, "file_level": c not in REMNANTS} for c, v in result.items()}


def false_positives(db: duckdb.DuckDBPyConnection, truth: dict) -> dict[str, int]:
    """Features found inside the benign filler (prose, random bytes), per scanner: each is a
    false positive, since nothing was planted there."""
    rows = db.execute(
        "SELECT device, scanner, path FROM features_located WHERE path LIKE '%filler/%'"
    ).fetchall()
    filler = {(i["device"], i["path"]) for i in truth["items"] if i["category"] == "filler"}
    counts: dict[str, int] = defaultdict(int)
    for device, scanner, path in rows:
        if (device, path.lstrip("/")) in filler:
            counts[scanner] += 1
    return dict(counts)


SWEPT = {"email": "email", "phone": "telephone"}  # truth kind -> sweep scanner


def _national_only(ident: dict, item: dict) -> bool:
    """A number written only in national form: readable only with the device's region."""
    return ident["kind"] == "phone" and not any(w.startswith(("+", "00")) for w in ident["written"])


def _in_item(item: dict, offset: int, path: str, place: str) -> bool:
    """A feature lies in the planted item: in its file, or within its remnant's bytes."""
    if item["path"] is None:
        return item["offset"] <= offset < item["offset"] + item["length"] and place == item["state"]
    return place in ("allocated", "deleted", "orphan", "slack") and name_matches(
        item["path"], path, item["state"]
    )


REMNANTS = ("unallocated", "unpartitioned")


CONTACT_FORMATS = ("vcard", "android-contacts2")


def _record_place(item: dict, path: str | None, state: str, offset: int | None) -> bool:
    """A record was read from the planted item: its file (or a member of it, for archives and
    compressed files), or a file carved from within the remnant's bytes."""
    if item["path"] is None:
        return (
            state == "carved"
            and offset is not None
            and (item["offset"] <= offset < item["offset"] + item["length"])
        )
    if state != item["state"] or path is None:
        return False
    path = path.lstrip("/")
    return name_matches(item["path"], path, state) or path.startswith(item["path"] + "/")


def artifacts(db: duckdb.DuckDBPyConnection, truth: dict) -> dict:
    """Per category: planted messages recovered as message records (same device, read from the
    item, same time to the second), and planted contact identifiers recovered in contact
    records read from the item (any written form; handles also as `service:handle`)."""
    messages: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for device, time, path, state, offset in db.execute(
        'SELECT device, time, path, state, "offset" FROM messages WHERE time IS NOT NULL'
    ).fetchall():
        messages[(device, time)].append((path, state, offset))
    contacts: dict[str, list[tuple]] = defaultdict(list)
    for device, path, state, offset, values in db.execute(
        'SELECT device, path, state, "offset", list_concat(emails, phones, handles) FROM contacts'
    ).fetchall():
        contacts[device].append((path, state, offset, set(values or [])))
    times = {m["id"]: m["time"] for m in truth["messages"]}
    result = {
        c: {"messages": 0, "messages_found": 0, "contacts": 0, "contacts_found": 0}
        for c in CATEGORIES
    }
    for item in truth["items"]:
        entry = result[item["category"]]
        for message in item.get("messages", []):
            entry["messages"] += 1
            found = messages[(item["device"], times[message])]
            entry["messages_found"] += any(_record_place(item, *where) for where in found)
        if item["format"] not in CONTACT_FORMATS:
            continue
        held = [
            values for *where, values in contacts[item["device"]] if _record_place(item, *where)
        ]
        for ident in item["identifiers"]:
            entry["contacts"] += 1
            forms = {*ident["written"], *(f"{ident['kind']}:{w}" for w in ident["written"])}
            entry["contacts_found"] += any(forms & values for values in held)
    return result


def _truth_value(kind: str, value: str) -> str:
    """A truth identifier in the normal form the entities stage writes (its own rule)."""
    found = normalise(kind, value)
    return found.value if found else value


def identities(db: duckdb.DuckDBPyConnection, truth: dict) -> dict:
    """Identity resolution against the true people: B-cubed precision and recall over the
    identifiers found in records (messages, contacts, accounts, documents), and recall over
    every identifier found, the sweep's too (an address the sweep alone finds in raw bytes
    carries nothing that ties it to anyone, so it stays a person of its own); and the true
    communication pairs (sender, recipient) of the planted messages found as links."""
    owner = {
        _truth_value(i["kind"], i["value"]): p["id"]
        for p in truth["people"]
        for i in p["identifiers"]
    }
    predicted = dict(db.execute("SELECT value, person FROM person_identifiers").fetchall())
    found = [v for v in owner if v in predicted]
    in_records = {
        v
        for (v,) in db.execute(
            "SELECT DISTINCT value FROM identifiers WHERE source <> 'features'"
        ).fetchall()
    }
    clusters: dict[str, set[str]] = defaultdict(set)
    for value in found:
        clusters[predicted[value]].add(value)
    precision, recall = _b_cubed([v for v in found if v in in_records], owner, predicted)
    _precision_all, recall_all = _b_cubed(found, owner, predicted)
    majority: dict[str, str] = {}
    for person, values in clusters.items():
        majority[person] = max(
            sorted({owner[v] for v in values}), key=lambda t: sum(owner[v] == t for v in values)
        )
    linked = {
        (majority.get(a), majority.get(b))
        for a, b in db.execute(
            "SELECT source, target FROM links WHERE kind = 'communication'"
        ).fetchall()
    }
    planted = {m for item in truth["items"] for m in item.get("messages", [])}
    pairs = {
        (m["sender"], r) for m in truth["messages"] if m["id"] in planted for r in m["to"] + m["cc"]
    }
    flagged = {
        majority.get(pid) for (pid,) in db.execute("SELECT id FROM persons WHERE bulk").fetchall()
    }
    groups = _groups(db, truth, majority)
    return {
        **groups,
        "links_by_state": _links_by_state(db, truth, majority),
        "mentions": _mentions(db, truth, majority),
        "bulk_senders": len(truth["bulk_senders"]),
        "bulk_flagged": len(flagged & set(truth["bulk_senders"])),
        "bulk_wrongly_flagged": len(flagged - set(truth["bulk_senders"])),
        "identifiers": len(owner),
        "identifiers_found": len(found),
        "persons": len(clusters),
        "identifiers_in_records": sum(v in in_records for v in found),
        "b_cubed_precision": precision,
        "b_cubed_recall": recall,
        "b_cubed_recall_all": recall_all,
        "communication_pairs": len(pairs),
        "communication_pairs_found": len(pairs & linked),
    }


def _b_cubed(
    values: list[str], owner: dict[str, str], predicted: dict[str, str]
) -> tuple[float | None, float | None]:
    """B-cubed precision and recall of the persons over `values` (identifiers found)."""
    if not values:
        return None, None
    clusters: dict[str, set[str]] = defaultdict(set)
    people: dict[str, set[str]] = defaultdict(set)
    for value in values:
        clusters[predicted[value]].add(value)
        people[owner[value]].add(value)

    def share(value: str, group: set[str], same) -> float:
        return sum(same(other) for other in group) / len(group)

    precision = [
        share(v, clusters[predicted[v]], lambda o, v=v: owner[o] == owner[v]) for v in values
    ]
    recall = [
        share(v, people[owner[v]], lambda o, v=v: predicted[o] == predicted[v]) for v in values
    ]
    return round(sum(precision) / len(values), 3), round(sum(recall) / len(values), 3)


def _links_by_state(db: duckdb.DuckDBPyConnection, truth: dict, majority: dict) -> dict:
    """Link recall per evidence state: of the true (sender, recipient) pairs of the messages
    planted in each category, those found as communication links with evidence read from
    that category's items (a record of the pair's message in the planted file, member or
    remnant)."""
    evidence: dict[tuple, list[tuple]] = defaultdict(list)
    for source, target, entries in db.execute(
        "SELECT source, target, evidence FROM links WHERE kind = 'communication'"
    ).fetchall():
        pair = (majority.get(source), majority.get(target))
        for e in json.loads(entries):
            evidence[pair].append((e["device"], e["path"], e["state"], e["offset"]))
    messages = {m["id"]: m for m in truth["messages"]}
    result = {}
    for category in CATEGORIES:
        pairs, found = set(), set()
        for item in (i for i in truth["items"] if i["category"] == category):
            for mid in item.get("messages", []):
                message = messages[mid]
                for recipient in message["to"] + message["cc"]:
                    pair = (message["sender"], recipient)
                    pairs.add(pair)
                    if any(
                        device == item["device"] and _record_place(item, path, state, offset)
                        for device, path, state, offset in evidence.get(pair, ())
                    ):
                        found.add(pair)
        if pairs:
            result[category] = {"pairs": len(pairs), "found": len(found)}
    return result


def _mentions(db: duckdb.DuckDBPyConnection, truth: dict, majority: dict) -> dict:
    """Planted mentions (a message quoting a third person's number or address, with the
    name) found as mention links from the sender to that person."""
    linked = {
        (majority.get(a), majority.get(b))
        for a, b in db.execute("SELECT source, target FROM links WHERE kind = 'mention'").fetchall()
    }
    planted = {m for item in truth["items"] for m in item.get("messages", [])}
    pairs = {
        (m["sender"], m["mention"])
        for m in truth["messages"]
        if m.get("mention") and m["id"] in planted and m["mention"] != m["sender"]
    }
    return {"pairs": len(pairs), "found": len(pairs & linked)}


def _groups(db: duckdb.DuckDBPyConnection, truth: dict, majority: dict[str, str]) -> dict:
    """Groups found against the true groups (NMI over the members found), and where the true
    brokers rank by betweenness."""
    from crossdrive.graph.communities import nmi

    true_group = {m: n for n, members in enumerate(truth["groups"]) for m in members}
    rows = db.execute(
        "SELECT id, community, betweenness, broker FROM persons WHERE community IS NOT NULL"
    ).fetchall()
    members = [
        (c, true_group[majority[p]]) for p, c, _b, _k in rows if majority.get(p) in true_group
    ]
    ranked = sorted(rows, key=lambda row: -(row[2] or 0))
    rank: dict[str, int] = {}
    for position, (pid, _c, _b, _k) in enumerate(ranked, 1):
        rank.setdefault(majority.get(pid, pid), position)
    flagged = {majority.get(pid) for pid, _c, _b, broker in rows if broker}
    return {
        "group_members_found": len(members),
        "groups_nmi": round(nmi([c for c, _t in members], [t for _c, t in members]), 3)
        if members
        else None,
        "broker_ranks": sorted(rank.get(b, 0) for b in truth["brokers"]),
        "persons_ranked": len(ranked),
        "brokers_flagged": len(flagged & set(truth["brokers"])),
        "brokers": len(truth["brokers"]),
    }


def device_pairs(db: duckdb.DuckDBPyConnection, truth: dict) -> dict:
    """Cross-drive analysis: for each device, whether the device it scores highest with
    belongs to an owner of the same true group (the devices that belong together)."""
    group = {m: n for n, members in enumerate(truth["groups"]) for m in members}
    owners = {d["label"]: {group.get(o) for o in d["owners"]} - {None} for d in truth["devices"]}
    best: dict[str, tuple[float, str]] = {}
    for a, b, score in db.execute("SELECT a, b, score FROM device_similarity").fetchall():
        for one, other in ((a, b), (b, a)):
            if score > best.get(one, (0.0, ""))[0]:
                best[one] = (score, other)
    return {
        "devices_with_a_partner": len(best),
        "partner_of_the_same_group": sum(
            bool(owners.get(d, set()) & owners.get(other, set())) for d, (_s, other) in best.items()
        ),
    }


def carved_counts(db: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Carved files per kind and place (e.g. "eml unpartitioned": 7)."""
    rows = db.execute("SELECT kind, place, count(*) FROM carved GROUP BY ALL ORDER BY ALL")
    return {f"{kind} {place}": n for kind, place, n in rows.fetchall()}


def write_score(case_dir: Path, truth_path: Path, out: Path) -> dict:
    truth = json.loads(Path(truth_path).read_text())
    with duckdb.connect(str(Path(case_dir) / "store.duckdb"), read_only=True) as db:
        measured = {
            "recovery": score(db, truth),
            "filler_false_positives": false_positives(db, truth),
            "filler_bytes": sum(i["length"] for i in truth["items"] if i["category"] == "filler"),
            "carved": carved_counts(db),
            "artifacts": artifacts(db, truth),
            "identities": identities(db, truth),
            "devices": device_pairs(db, truth),
        }
    out.write_text(json.dumps(measured, indent=1) + "\n")
    return measured
