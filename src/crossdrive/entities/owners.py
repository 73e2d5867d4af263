"""The device owner as the missing party of phone messages.

An SMS backup or an Android `mmssms.db` never writes the phone's own number: a received
message has a sender and no recipient, a sent one recipients and no sender. Without the owner
those messages link nobody. The owner is inferred, and said to be inferred: the backup sits in
a user profile (`Users/NAME/…`, `home/NAME/…`), or on a device without profiles (a removable
drive), whose own accounts (mail, Skype, Pidgin, Telegram records of the device user) all
belong to one person. When they belong to several (a shared profile), nothing is inferred.

The owner is added to `identifiers` as the message's missing sender or recipient, written
`OWNER_WRITTEN` and with the message's own provenance, so a link it makes says on its face that
one end was inferred, and leads to the bytes of the message.
"""

from __future__ import annotations

import duckdb

from crossdrive.entities.identifiers import Identifier
from crossdrive.entities.occurrences import MESSAGE_RECORD, PROVENANCE, occurrence
from crossdrive.store.database import insert_rows

OWNER_WRITTEN = "(device owner, inferred from the profile's accounts)"
PROFILE = r"^/?((?:Users|home|Documents and Settings)/[^/]+)/"
PLACE = f"coalesce(nullif(regexp_extract(path, '{PROFILE}', 1), ''), '')"

# (device, profile) -> the one person owning its accounts; '' is "no profile".
OWNERS = f"""
SELECT i.device, {PLACE.replace("path", "i.path")} AS place, min(p.person) AS person,
       min(p.value) AS value, arg_min(p.kind, p.value) AS kind  -- the kind of that value
FROM identifiers i JOIN person_identifiers p ON p.value = i.value
WHERE i.source = 'accounts'
GROUP BY ALL HAVING count(DISTINCT p.person) = 1
"""
ORPHANS = f"""
SELECT device, {PLACE} AS place, direction, {PROVENANCE}, {MESSAGE_RECORD} AS record
FROM messages
WHERE channel IN ('sms', 'mms') AND (
  (direction = 'incoming' AND len(coalesce(recipients, [])) = 0) OR
  (direction = 'outgoing' AND sender IS NULL))
"""


def attribute(con: duckdb.DuckDBPyConnection) -> int:
    """Add the inferred owner to phone messages missing one party; returns how many."""
    owners = {
        (device, place): (value, kind)
        for device, place, _person, value, kind in con.execute(OWNERS).fetchall()
    }
    profiles = {device for device, place in owners if place}
    rows = []
    for device, place, direction, *where in con.execute(ORPHANS).fetchall():
        if not place and device in profiles:
            continue  # outside every profile of a device that has them: whose is unknown
        owner = owners.get((device, place))
        if owner is None:
            continue
        value, kind = owner
        role = "recipient" if direction == "incoming" else "sender"
        found = Identifier(kind, value)
        rows.append(occurrence(device, [role, "messages", *where], OWNER_WRITTEN, found, None))
    return insert_rows(con, "identifiers", rows)
