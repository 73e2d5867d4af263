"""Links between persons, each with the evidence it rests on.

- communication: a message's sender to each of its recipients (to, cc, bcc), per channel;
- co-recipient: two people addressed together in one message;
- mention: a message's sender to a third person its text names, by number, address or name
  (`entities.mentions`); the message's own parties are not mentions of themselves;
- co-occurrence: two people named together in one document (by name, number or address) or
  listed together in one contact list (an address book file). A list of n people adds
  1 / (n - 1) to each of its pairs' strength, so a small list says more than a big one, and
  lists of more than MAX_LIST people are left out;
- shared-device: two persons whose own accounts are on one device.

Each link counts its messages or lists (one message found in five copies on three devices
counts once: by Message-ID, else channel, time, sender and text), knows when it was first and
last seen, and lists its evidence, every copy (device, path, state, offset, forensic path,
artifact), so every line of the graph leads back to the bytes. Derived from `identifiers`,
`name_mentions` and `person_identifiers`; rebuilt each run.
"""

from __future__ import annotations

import duckdb

from crossdrive.entities.occurrences import MESSAGE_RECORD

MAX_EVIDENCE = 50  # evidence entries kept per link (the count is always exact)
MAX_LIST = 100  # persons in one document or contact list beyond which it is no evidence

PARTIES = f"""
CREATE OR REPLACE TEMP TABLE parties AS
SELECT DISTINCT i.record, i.role, p.person, i.kind, i.device, i.path, i.state, i."offset",
       i.chain, i.artifact, m.time, m.channel, m.said
FROM identifiers i
JOIN person_identifiers p ON p.value = i.value
JOIN (SELECT {MESSAGE_RECORD} AS record, time, channel,
             coalesce(message_id, concat_ws('|', channel, time, sender, left(body, 200))) AS said
      FROM messages) m ON m.record = i.record
WHERE i.source = 'messages'
"""
# Persons named in one document, or listed in one contact list file: one row per (list, person).
LISTED = """
CREATE OR REPLACE TEMP TABLE listed AS
SELECT record, person, device, path, state, min("offset") AS "offset", min(chain) AS chain,
       artifact
FROM (
  SELECT record, person, device, path, state, "offset", chain, artifact
  FROM name_mentions WHERE source = 'documents'
  UNION ALL
  SELECT i.record, p.person, i.device, i.path, i.state, i."offset", i.chain, i.artifact
  FROM identifiers i JOIN person_identifiers p ON p.value = i.value
  WHERE i.source = 'documents'
  UNION ALL
  SELECT md5(concat_ws('|', 'contacts', i.device, i.path, i.state, i.artifact)), p.person,
         i.device, i.path, i.state, i."offset", i.chain, i.artifact
  FROM identifiers i JOIN person_identifiers p ON p.value = i.value
  WHERE i.source = 'contacts'
) GROUP BY record, person, device, path, state, artifact
"""
LISTS = f"""
CREATE OR REPLACE TEMP TABLE lists AS
SELECT record, md5(string_agg(person, ',' ORDER BY person)) AS said, count(*) AS size
FROM listed GROUP BY record HAVING count(*) BETWEEN 2 AND {MAX_LIST}
"""
PAIRS = """
SELECT 'communication' AS kind, s.person AS source, r.person AS target, s.channel,
       s.said, s.time, s.device, s.path, s.state, s."offset", s.chain, s.artifact, 1.0 AS share
FROM parties s JOIN parties r ON r.record = s.record AND r.role IN ('recipient', 'cc', 'bcc')
WHERE s.role = 'sender' AND s.person <> r.person
UNION ALL
SELECT 'co-recipient', least(a.person, b.person), greatest(a.person, b.person), a.channel,
       a.said, a.time, a.device, a.path, a.state, a."offset", a.chain, a.artifact, 1.0
FROM parties a JOIN parties b ON b.record = a.record AND a.person < b.person
WHERE a.role IN ('recipient', 'cc') AND b.role IN ('recipient', 'cc')
UNION ALL
SELECT 'mention', s.person, m.person, s.channel, s.said, s.time, s.device, s.path, s.state,
       s."offset", s.chain, s.artifact, 1.0
FROM parties s JOIN (
  SELECT record, person FROM parties WHERE role = 'mention'
  UNION SELECT record, person FROM name_mentions WHERE source = 'messages'
) m ON m.record = s.record
WHERE s.role = 'sender' AND m.person NOT IN (
  SELECT person FROM parties q WHERE q.record = s.record AND q.role <> 'mention')
UNION ALL
SELECT 'co-occurrence', a.person, b.person, NULL, l.said, NULL, a.device, a.path, a.state,
       a."offset", a.chain, a.artifact, 1.0 / (l.size - 1)
FROM listed a JOIN listed b ON b.record = a.record AND a.person < b.person
JOIN lists l ON l.record = a.record
UNION ALL
SELECT 'shared-device', least(a.person, b.person), greatest(a.person, b.person), NULL,
       NULL, NULL, a.device, NULL, NULL, NULL, NULL, 'accounts', 1.0
FROM (SELECT DISTINCT i.device, p.person FROM identifiers i
      JOIN person_identifiers p ON p.value = i.value WHERE i.source = 'accounts') a
JOIN (SELECT DISTINCT i.device, p.person FROM identifiers i
      JOIN person_identifiers p ON p.value = i.value WHERE i.source = 'accounts') b
  ON a.device = b.device AND a.person < b.person
"""
# Each link's figures from its pairs, in separate aggregates: one query with DISTINCT
# aggregates and the evidence list together took 38 s for 2 million links (7.4 million
# pairs); so, 25 s. Evidence is kept sorted (device, path, offset, ...), so the same
# MAX_EVIDENCE entries are kept every run.
LINKS = f"""
WITH pairs AS MATERIALIZED ({PAIRS}),
said AS (SELECT kind, source, target, max(share) AS share, min(time) AS first_seen,
                max(time) AS last_seen
         FROM pairs GROUP BY kind, source, target, coalesce(said, device)),
totals AS (SELECT kind, source, target, count(*) AS weight, sum(share) AS strength,
                  min(first_seen) AS first_seen, max(last_seen) AS last_seen
           FROM said GROUP BY ALL),
channels AS (SELECT kind, source, target, string_agg(channel, ',' ORDER BY channel) AS channels
             FROM (SELECT DISTINCT kind, source, target, channel FROM pairs
                   WHERE channel IS NOT NULL) GROUP BY ALL),
evidence AS (SELECT kind, source, target,
                    list_sort(list({{'device': device, 'path': path, 'state': state,
                                    'offset': "offset", 'chain': chain,
                                    'artifact': artifact}}))[:{MAX_EVIDENCE}] AS evidence
             FROM (SELECT DISTINCT kind, source, target, device, path, state, "offset", chain,
                          artifact FROM pairs) GROUP BY ALL)
SELECT kind, source, target, channels, weight, strength, first_seen, last_seen, evidence
FROM totals LEFT JOIN channels USING (kind, source, target)
JOIN evidence USING (kind, source, target)
ORDER BY kind, source, target
"""


def build(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the `links` table; returns the number of links. Built inside DuckDB, evidence
    turned to JSON there too: a case of two million links held as Python rows took 11 GB."""
    for statement in (PARTIES, LISTED, LISTS):
        con.execute(statement)
    con.execute("DELETE FROM links")
    return con.execute(
        f"""INSERT INTO links
            SELECT kind, source, target, channels, weight, round(strength, 6), first_seen,
                   last_seen, to_json(evidence)::VARCHAR
            FROM ({LINKS})"""
    ).fetchone()[0]
