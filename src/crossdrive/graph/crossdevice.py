"""Cross-drive analysis (Garfinkel, 2006): which devices belong together, and why.

score(A, B) = Σ over the identifiers found on both A and B of 1 / (number of devices carrying
the identifier). An address on two devices of fifty says much; one on every device (a vendor's
support address, the examiner's own test account) says nothing. Identifiers carried by more
than half of the case's devices (when it has four or more) are stop-listed. Every score keeps
the identifiers that contribute most, so it is explained, not asserted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations

import duckdb

from crossdrive.store.database import insert_rows

KINDS = ("email", "phone", "skype", "xmpp", "telegram")
TOP = 10  # contributing identifiers kept per pair


def build(con: duckdb.DuckDBPyConnection) -> int:
    """Replace `device_similarity`; returns the number of device pairs that share anything."""
    carriers: dict[str, set[str]] = defaultdict(set)
    for value, device in con.execute(
        f"SELECT DISTINCT value, device FROM identifiers WHERE resolved AND kind IN {KINDS}"
    ).fetchall():
        carriers[value].add(device)
    devices = {d for (d,) in con.execute("SELECT label FROM devices").fetchall()}
    devices |= {d for found in carriers.values() for d in found}
    limit = len(devices) / 2 if len(devices) >= 4 else len(devices)
    pairs: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for value, found in carriers.items():
        if len(found) < 2 or len(found) > limit:
            continue
        weight = 1 / len(found)
        for a, b in combinations(sorted(found), 2):
            pairs[a, b].append((weight, value))
    rows = []
    for (a, b), shared in sorted(pairs.items()):
        shared.sort(key=lambda item: (-item[0], item[1]))
        rows.append(
            {
                "a": a,
                "b": b,
                "score": round(sum(w for w, _v in shared), 4),
                "shared": len(shared),
                "top": json.dumps([[v, round(w, 4)] for w, v in shared[:TOP]]),
            }
        )
    con.execute("DELETE FROM device_similarity")
    return insert_rows(con, "device_similarity", rows)
