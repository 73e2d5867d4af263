"""Every identifier the case holds, one row per occurrence, in its normal form.

Sources: message parties (sender, recipients, cc, bcc: their kind follows the channel), contact
entries (emails, phones, `service:handle`s), accounts (the device owner's own identities) and
swept features (email, telephone, handle, xmpp), addresses and handles in document text as
extracted (the sweep's scanners), and on devices whose region is known the numbers quoted in
message bodies and document text (phonenumbers' matcher). A national number
is read with its device's region (see `identifiers.region_of`), found in the device's own
settings records; on every device, one that is a number the case holds in full elsewhere is
read as that number (`national`, `read_by = 'case'`); any other stays unresolved and flagged.
Each occurrence keeps its provenance and the record it belongs to (`record`: a digest of the
record's provenance and content), so links can be built on records and every identifier
traced to its bytes.
Derived: rebuilt from the store each run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import phonenumbers
import pyarrow as pa

from crossdrive.entities import national
from crossdrive.entities.identifiers import Identifier, handle, normalise, region_of
from crossdrive.entities.texts import ReadTexts, read_here
from crossdrive.store.database import insert_rows, registered
from crossdrive.sweep.scanners import scan
from crossdrive.sweep.validators import email_address

E164 = phonenumbers.PhoneNumberFormat.E164

# message channel -> the kind of identifier its parties are written in
CHANNEL_KINDS = {
    "email": "email",
    "sms": "phone",
    "mms": "phone",
    "imessage": "phone",
    "skype": "skype",
    "xmpp": "xmpp",
    "telegram": "telegram",
    "whatsapp": "whatsapp",
}
ACCOUNT_KINDS = {"email": "email", "sms": "phone", "phone": "phone", **CHANNEL_KINDS}
FEATURE_KINDS = {"email": "email", "telephone": "phone", "handle": "handle", "xmpp": "xmpp"}
PROVENANCE = 'path, state, "offset", chain, artifact'
MESSAGE_RECORD = "md5(concat_ws('|', task_id, chain, time, sender, message_id, left(body, 200)))"
DOCUMENT_RECORD = "md5(concat_ws('|', task_id, chain, left(text, 200)))"
CONTACT_RECORD = (
    "md5(concat_ws('|', task_id, chain, array_to_string(names, ','), "
    "array_to_string(emails, ','), array_to_string(phones, ',')))"
)
SOURCES = f"""
WITH m AS (SELECT *, {MESSAGE_RECORD} AS record FROM messages)
SELECT device, channel, sender, 'sender', 'messages', {PROVENANCE}, record FROM m
 WHERE sender IS NOT NULL
UNION ALL SELECT device, channel, unnest(recipients), 'recipient', 'messages', {PROVENANCE},
 record FROM m
UNION ALL SELECT device, channel, unnest(cc), 'cc', 'messages', {PROVENANCE}, record FROM m
UNION ALL SELECT device, channel, unnest(bcc), 'bcc', 'messages', {PROVENANCE}, record FROM m
UNION ALL
SELECT device, kind, value, 'contact', 'contacts', {PROVENANCE}, record FROM (
  SELECT *, pair[1] AS kind, pair[2] AS value FROM (
    SELECT *, {CONTACT_RECORD} AS record,
           unnest(list_concat(list_transform(emails, lambda x: ['email', x]),
                              list_transform(phones, lambda x: ['phone', x]),
                              list_transform(handles, lambda x: ['handle', x]))) AS pair
    FROM contacts))
UNION ALL
SELECT device, service, identifier, 'account', 'accounts', {PROVENANCE},
       md5(concat_ws('|', task_id, chain, service, identifier)) FROM accounts
UNION ALL
SELECT device, scanner, feature, 'feature', 'features', NULL, NULL, "offset", chain, 'sweep',
       NULL FROM features WHERE scanner IN ('handle', 'xmpp')
"""
# The sweep's addresses and numbers are in their normal form already (its validators are the
# ones `identifiers.normalise` uses; E.164 needs no region): copied as they are, in DuckDB.
# Through Python, one normal form per row, 3.4 million features took 35 s.
SWEPT = """
INSERT INTO identifiers (device, written, role, source, path, state, "offset", chain, artifact,
                         record, kind, value, resolved, region)
SELECT f.device, f.feature, 'feature', 'features', NULL, NULL, f."offset", f.chain, 'sweep',
       NULL, CASE f.scanner WHEN 'email' THEN 'email' ELSE 'phone' END, f.feature, true,
       r.region
FROM features f LEFT JOIN device_regions r ON r.device = f.device
WHERE f.scanner IN ('email', 'telephone')
"""
COLUMNS = (
    "device",
    "hint",
    "written",
    "role",
    "source",
    "path",
    "state",
    "offset",
    "chain",
    "artifact",
    "record",
)


def device_regions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each device's region from its own settings records (locale, calling code, zone)."""
    settings: dict[str, dict[str, str]] = {}
    for device, meta in con.execute(
        "SELECT device, meta FROM documents WHERE kind = 'system-settings' AND meta IS NOT NULL"
        " ORDER BY device, path"
    ).fetchall():
        values = json.loads(meta)
        for key in ("locale", "calling_code", "timezone"):
            if values.get(key):
                settings.setdefault(device, {}).setdefault(key, str(values[key]))
    regions = {device: region_of(values) for device, values in settings.items()}
    return {device: region for device, region in regions.items() if region}


def build(con: duckdb.DuckDBPyConnection, read_texts: ReadTexts = read_here) -> int:
    """Replace the `identifiers` table; returns the number of occurrences. Message and
    document text is read by `read_texts` (in this process, or by the run's tasks)."""
    regions = device_regions(con)
    con.execute("DELETE FROM identifiers")
    schema = pa.schema([("device", pa.string()), ("region", pa.string())])
    known = pa.table({"device": list(regions), "region": list(regions.values())}, schema=schema)
    with registered(con, "device_regions", known):
        total = con.execute(SWEPT).fetchone()[0]
    cursor = con.cursor().execute(SOURCES)  # its own cursor: the inserts below would end it
    while batch := cursor.fetchmany(50_000):
        total += _insert(con, list(_normalised(batch, regions)))
    forms = national.known_forms(con)  # the case's numbers in full, as written nationally
    context = TextContext(regions, forms)
    total += read_texts(con, BODIES, in_bodies, context, "identifiers")
    total += read_texts(con, DOCUMENT_TEXTS, in_documents, context, "identifiers")
    cursor = con.cursor().execute(SIGNED)
    while batch := cursor.fetchmany(1000):
        total += _insert(con, list(_signed(batch, regions)))
    national.resolve_records(con, forms)
    return total


@dataclass(frozen=True)
class TextContext:
    """What reading numbers in text needs from the whole case: each device's region, and the
    national forms of the case's numbers (`national.known_forms`)."""

    regions: dict[str, str]
    forms: dict[str, str]


def in_bodies(batch: list[tuple], context: TextContext) -> list[dict]:
    """The numbers quoted in `BODIES` rows."""
    return list(_quoted(batch, context.regions, context.forms))


def in_documents(batch: list[tuple], context: TextContext) -> list[dict]:
    """The numbers, addresses and handles in `DOCUMENT_TEXTS` rows, each text read once."""
    regions = context.regions
    return [*_quoted(batch, regions, context.forms), *_written_in(batch, regions)]


# Mail whose body ends in a signature block ("-- " on a line of its own, RFC 3676 4.3).
SIGNED = f"""
SELECT device, body, 'signature', 'messages', {PROVENANCE}, {MESSAGE_RECORD} FROM messages
 WHERE sender IS NOT NULL AND regexp_matches(body, '(^|\n)-- ?\r?\n')
"""
SIGNATURE = re.compile(r"(?:^|\n)-- ?\r?\n")
ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
MAX_SIGNATURE = 1000  # characters: a block longer than this is not a signature


def _signed(batch: list[tuple], regions: dict[str, str]) -> Iterator[dict]:
    """The numbers and addresses in a message's signature block: the sender's own, written by
    the sender (role `signature`; `entities.identities` merges them with the sender)."""
    for device, body, *where in batch:
        block = SIGNATURE.split(body)[-1]
        if len(block) > MAX_SIGNATURE:
            continue
        region = regions.get(device)
        found = [
            Identifier("phone", phonenumbers.format_number(m.number, E164))
            for m in phonenumbers.PhoneNumberMatcher(block, region or "ZZ")
        ]
        found += [Identifier("email", a) for w in ADDRESS.findall(block) if (a := email_address(w))]
        for identifier in found:
            yield occurrence(device, where, identifier.value, identifier, region)


def occurrence(
    device: str, where: list, written: str, found: Identifier, region: str | None
) -> dict:
    """An `identifiers` row found in a record's text; `where` is the record's (role, source,
    path, state, offset, chain, artifact, record) as the queries above select them."""
    role, source, path, state, offset, chain, artifact, record = where
    return {
        "device": device,
        "written": written,
        "role": role,
        "source": source,
        "path": path,
        "state": state,
        "offset": offset,
        "chain": chain,
        "artifact": artifact,
        "record": record,
        "kind": found.kind,
        "value": found.value,
        "resolved": found.resolved,
        "region": region,
    }


def _insert(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> int:
    return insert_rows(con, "identifiers", rows)


# Text that may quote numbers in national form: message bodies, and document text
# (`DOCUMENT_TEXTS`, read with the documents' addresses).
BODIES = f"""
SELECT device, body AS text, 'mention', 'messages', {PROVENANCE}, {MESSAGE_RECORD} FROM messages
 WHERE body IS NOT NULL
"""
MENTION_TEXT = 65536  # characters of one text searched for numbers


def _mentioned(batch: list[tuple], regions: dict[str, str]) -> Iterator[dict]:
    """Numbers quoted in message bodies and document text, read with the device's region by
    phonenumbers' own matcher (national forms included)."""
    for device, text, *where in batch:
        region = regions[device]
        for match in phonenumbers.PhoneNumberMatcher(text[:MENTION_TEXT], region):
            number = Identifier("phone", phonenumbers.format_number(match.number, E164))
            yield occurrence(device, where, match.raw_string, number, region)


def _quoted(batch: list[tuple], regions: dict[str, str], forms: dict[str, str]) -> Iterator[dict]:
    """Numbers quoted in message bodies and document text: read with the device's region
    (`_mentioned`), and on every device those written nationally that are the case's numbers
    written in full elsewhere (`national`), unless the region read them already."""
    for row in batch:
        device, text, *where = row
        read = list(_mentioned([row], regions)) if device in regions else []
        yield from read
        known = {found["value"] for found in read}
        for written, value in national.find(text, forms):
            if value not in known:
                found = occurrence(device, where, written, Identifier("phone", value), None)
                yield found | {"read_by": "case"}


# Document text as extracted: numbers on devices whose region is known (`_mentioned`), and
# addresses and handles everywhere (`_written_in`): a PDF drawn in a subset font stores glyph
# ids, so the sweep finds no byte of the addresses it shows; the extracted text holds them.
DOCUMENT_TEXTS = f"""
SELECT device, text, 'document', 'documents', {PROVENANCE}, {DOCUMENT_RECORD} FROM documents
 WHERE text IS NOT NULL
"""
TEXT_SCANNERS = ("email", "handle", "xmpp")  # numbers: `_mentioned`, with the device's region


def _written_in(batch: list[tuple], regions: dict[str, str]) -> Iterator[dict]:
    """Addresses and handles in document text, found by the sweep's own scanners."""
    for device, text, *where in batch:
        region = regions.get(device)
        for hit in scan(text.encode("utf-8", "surrogatepass")):
            if hit.scanner in TEXT_SCANNERS:
                found = _identify(hit.scanner, "features", hit.feature, region)
                if found is not None:
                    yield occurrence(device, where, hit.written, found, region)


def _normalised(batch: list[tuple], regions: dict[str, str]) -> Iterator[dict]:
    for values in batch:
        row = dict(zip(COLUMNS, values, strict=True))
        if not row["written"]:
            continue
        region = regions.get(row["device"])
        found = _identify(row.pop("hint"), row["source"], row["written"], region)
        if found is None:
            continue
        row.update(kind=found.kind, value=found.value, resolved=found.resolved, region=region)
        yield row


@lru_cache(maxsize=1 << 18)
def _identify(hint: str, source: str, written: str, region: str | None) -> Identifier | None:
    if hint == "handle":
        return handle(written, region)
    if source == "messages":
        return normalise(CHANNEL_KINDS.get(hint, hint), written, region)
    if source == "accounts":
        return normalise(ACCOUNT_KINDS.get(hint, hint), written, region)
    return normalise(FEATURE_KINDS.get(hint, hint), written, region)
