"""Bulk senders: newsletters, no-reply services, mailing lists and notifiers, flagged so they
stay visible but out of group detection (one newsletter would otherwise tie together
everybody it mails).

A person is flagged `bulk` when nobody ever wrote to them (never replied to) and either:

- a message they sent carries a bulk header (List-Unsubscribe, List-Id,
  `Precedence: bulk|list|junk`, `Auto-Submitted` other than `no`); or
- one of their addresses is a no-reply or notification address (`noreply@`, `no-reply@`,
  `donotreply@`, `notifications@`, `newsletter@`, `mailer-daemon@`).

Each flag keeps its reason.
"""

from __future__ import annotations

import duckdb

from crossdrive.entities.occurrences import MESSAGE_RECORD

AUTOMATED_LOCAL = r"^(no-?reply|do-?not-?reply|notifications?|newsletters?|mailer-daemon)[.+@-]"
BULK = f"""
WITH m AS (SELECT {MESSAGE_RECORD} AS record, headers FROM messages),
sent AS (
  SELECT p.person,
         count(*) FILTER (WHERE json_extract_string(m.headers, '$."List-Unsubscribe"') IS NOT NULL
           OR json_extract_string(m.headers, '$."List-Id"') IS NOT NULL
           OR lower(json_extract_string(m.headers, '$."Precedence"')) IN ('bulk', 'list', 'junk')
           OR coalesce(lower(json_extract_string(m.headers, '$."Auto-Submitted"')), 'no') <> 'no'
         ) AS bulk_headers,
         count(*) AS sent
  FROM identifiers i JOIN person_identifiers p ON p.value = i.value
  JOIN m ON m.record = i.record
  WHERE i.source = 'messages' AND i.role = 'sender' GROUP BY p.person),
received AS (
  SELECT DISTINCT p.person FROM identifiers i JOIN person_identifiers p ON p.value = i.value
  WHERE i.source = 'messages' AND i.role IN ('recipient', 'cc', 'bcc')),
automated AS (
  SELECT DISTINCT person FROM person_identifiers
  WHERE kind = 'email' AND regexp_matches(value, '{AUTOMATED_LOCAL}'))
SELECT s.person,
       CASE WHEN s.bulk_headers > 0
            THEN 'bulk headers on ' || s.bulk_headers || ' of ' || s.sent || ' messages sent'
            ELSE 'a no-reply or notification address' END
FROM sent s LEFT JOIN received r USING (person)
WHERE r.person IS NULL AND (s.bulk_headers > 0 OR s.person IN (SELECT person FROM automated))
"""


def flag(con: duckdb.DuckDBPyConnection) -> int:
    """Set `bulk` and `bulk_reason` on the persons table; returns how many are bulk."""
    flagged = con.execute(BULK).fetchall()
    con.execute("UPDATE persons SET bulk = false, bulk_reason = NULL")
    for person, reason in flagged:
        con.execute(
            "UPDATE persons SET bulk = true, bulk_reason = ? WHERE id = ?", [reason, person]
        )
    return len(flagged)
