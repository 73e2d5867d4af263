"""Links between persons, each with the evidence it rests on.

- communication: a message's sender to each of its recipients (to, cc, bcc), per channel;
- co-recipient: two people addressed together in one message;
- mention: a message's sender to a person whose number or address its body quotes;
- shared-device: two persons whose own accounts are on one device.

Each link counts its messages (one message found in five copies on three devices counts once:
by Message-ID, else channel, time, sender and text), knows when it was first and last seen, and
lists its evidence, every copy (device, path, state, offset, forensic path, artifact), so every
line of the graph leads back to the bytes. Derived from `identifiers` and `person_identifiers`;
rebuilt each run.
"""

from __future__ import annotations

import json

import duckdb

from crossdrive.entities.occurrences import MESSAGE_RECORD
from crossdrive.store.database import insert_rows

MAX_EVIDENCE = 50  # evidence entries kept per link (the count is always exact)

PARTIES = f"""
CREATE OR REPLACE TEMP VIEW parties AS
SELECT DISTINCT i.record, i.role, p.person, i.kind, i.device, i.path, i.state, i."offset",
       i.chain, i.artifact, m.time, m.channel, m.said
FROM identifiers i
JOIN person_identifiers p ON p.value = i.value
JOIN (SELECT {MESSAGE_RECORD} AS record, time, channel,
             coalesce(message_id, concat_ws('|', channel, time, sender, left(body, 200))) AS said
      FROM messages) m ON m.record = i.record
WHERE i.source = 'messages'
"""
PAIRS = """
SELECT 'communication' AS kind, s.person AS source, r.person AS target, s.channel,
       s.said, s.time, s.device, s.path, s.state, s."offset", s.chain, s.artifact
FROM parties s JOIN parties r ON r.record = s.record AND r.role IN ('recipient', 'cc', 'bcc')
WHERE s.role = 'sender' AND s.person <> r.person
UNION ALL
SELECT 'co-recipient', least(a.person, b.person), greatest(a.person, b.person), a.channel,
       a.said, a.time, a.device, a.path, a.state, a."offset", a.chain, a.artifact
FROM parties a JOIN parties b ON b.record = a.record AND a.person < b.person
WHERE a.role IN ('recipient', 'cc') AND b.role IN ('recipient', 'cc')
UNION ALL
SELECT 'mention', s.person, m.person, s.channel, s.said, s.time, s.device, s.path, s.state,
       s."offset", s.chain, s.artifact
FROM parties s JOIN parties m ON m.record = s.record AND m.role = 'mention'
WHERE s.role = 'sender' AND s.person <> m.person
UNION ALL
SELECT 'shared-device', least(a.person, b.person), greatest(a.person, b.person), NULL,
       NULL, NULL, a.device, NULL, NULL, NULL, NULL, 'accounts'
FROM (SELECT DISTINCT i.device, p.person FROM identifiers i
      JOIN person_identifiers p ON p.value = i.value WHERE i.source = 'accounts') a
JOIN (SELECT DISTINCT i.device, p.person FROM identifiers i
      JOIN person_identifiers p ON p.value = i.value WHERE i.source = 'accounts') b
  ON a.device = b.device AND a.person < b.person
"""
LINKS = f"""
SELECT kind, source, target, string_agg(DISTINCT channel, ',' ORDER BY channel) AS channels,
       count(DISTINCT coalesce(said, device)) AS weight, min(time) AS first_seen,
       max(time) AS last_seen,
       list(DISTINCT {{'device': device, 'path': path, 'state': state, 'offset': "offset",
                       'chain': chain, 'artifact': artifact}})[:{MAX_EVIDENCE}] AS evidence
FROM ({PAIRS}) GROUP BY kind, source, target ORDER BY kind, source, target
"""


def build(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the `links` table; returns the number of links."""
    con.execute(PARTIES)
    rows = [
        {
            "kind": kind,
            "source": source,
            "target": target,
            "channels": channels,
            "weight": weight,
            "first_seen": first,
            "last_seen": last,
            "evidence": json.dumps(evidence, ensure_ascii=False),
        }
        for kind, source, target, channels, weight, first, last, evidence in con.execute(
            LINKS
        ).fetchall()
    ]
    con.execute("DELETE FROM links")
    return insert_rows(con, "links", rows)
