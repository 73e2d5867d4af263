"""Every time-stamped fact of the case as one timeline: file-system times, messages, events
(visits, downloads, logons, devices), document dates.

`jsonl` is what Timesketch imports: one JSON object per line with `message`, `datetime`
(ISO 8601 UTC), `timestamp` (microseconds) and `timestamp_desc`, plus our provenance fields
(device, partition, path, state, offset, chain, artifact, data_type). `bodyfile` is the TSK 3.x
format mactime reads: the files' own lines, and one line per record with its time in all four
fields (mactime shows it once, as `macb`) and a name saying what it is
(`[mbox] [email] a@x.org -> b@y.org: Subject`). Both are streamed from DuckDB, ordered by time.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from crossdrive.exports.bodyfile import body_line
from crossdrive.exports.rows import epoch, escape_controls, file_rows

FILE_TIMES = {
    "mtime": "Content Modification Time",
    "atime": "Last Access Time",
    "ctime": "Metadata Modification Time",
    "crtime": "Creation Time",
}
PROVENANCE = 'device, partition, path, state, "offset", chain'
FILE_EVENTS = " UNION ALL ".join(
    f"""SELECT {column} AS time, '{desc}' AS timestamp_desc,
               path || CASE WHEN state = 'allocated' THEN '' ELSE ' (' || state || ')' END
               AS message,
               device, partition, path, state, NULL::BIGINT AS "offset", NULL AS chain,
               'filesystem' AS artifact, 'fs:stat' AS data_type
        FROM files WHERE {column} IS NOT NULL"""
    for column, desc in FILE_TIMES.items()
)
RECORD_EVENTS = f"""
SELECT time, 'Message Time' AS timestamp_desc,
       '[' || channel || '] ' || coalesce(sender, '?') || ' -> '
       || coalesce(array_to_string(recipients, ', '), '') || ': '
       || coalesce(subject, left(body, 200), '') AS message,
       {PROVENANCE}, artifact, 'message:' || channel AS data_type
FROM messages WHERE time IS NOT NULL
UNION ALL
SELECT time, kind, description, {PROVENANCE}, artifact, 'event:' || artifact
FROM events WHERE time IS NOT NULL
UNION ALL
SELECT created, 'Document Created', kind || ': ' || coalesce(title, path, '')
       || coalesce(' by ' || author, ''), {PROVENANCE}, artifact, 'document:' || kind
FROM documents WHERE created IS NOT NULL
UNION ALL
SELECT modified, 'Document Modified', kind || ': ' || coalesce(title, path, '')
       || coalesce(' by ' || last_modified_by, ''), {PROVENANCE}, artifact,
       'document:' || kind
FROM documents WHERE modified IS NOT NULL
"""
COLUMNS = (
    "datetime",
    "timestamp_desc",
    "message",
    "device",
    "partition",
    "path",
    "state",
    "offset",
    "chain",
    "artifact",
    "data_type",
)


def write_jsonl(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """Timesketch JSON lines, files and records together, ordered by time."""
    cursor = con.execute(f"SELECT * FROM ({FILE_EVENTS} UNION ALL {RECORD_EVENTS}) ORDER BY 1, 3")
    count = 0
    with open(out, "w", encoding="utf-8") as lines:
        while batch := cursor.fetchmany(5000):
            for values in batch:
                event = dict(zip(COLUMNS, values, strict=True))
                event["timestamp"] = epoch(event["datetime"]) * 1_000_000
                event["message"] = escape_controls(event["message"] or "")
                lines.write(json.dumps(event, ensure_ascii=False) + "\n")
                count += 1
    return count


def write_bodyfile(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """The files' bodyfile lines, then one line per time-stamped record."""
    count = 0
    with open(out, "w", encoding="utf-8") as body:
        for row in file_rows(con):
            body.write(body_line(row) + "\n")
            count += 1
        cursor = con.execute(f"SELECT * FROM ({RECORD_EVENTS}) ORDER BY 1, 3")
        while batch := cursor.fetchmany(5000):
            for values in batch:
                event = dict(zip(COLUMNS, values, strict=True))
                name = f"/{event['device']}/[{event['artifact']}] {event['message']}"
                name = escape_controls(name).replace("|", "\\x7c")
                when = epoch(event["datetime"])
                body.write(f"0|{name}|0|0|0|0|0|{when}|{when}|{when}|{when}\n")
                count += 1
    return count
