"""Phone data copied to a PC: SMS Backup & Restore XML files (messages and call logs), Android's
telephony database (`mmssms.db`) and contacts database (`contacts2.db`, `profile.db`),
WhatsApp's `msgstore.db` (legacy and current schema) and `wa.db`, and Apple's Messages database
(`chat.db` on a Mac, `sms.db` in an iPhone backup: one schema).

A phone holds most of a person's conversations and contacts, and people copy it to their PCs:
backup apps, pulled databases, the Mac's synced Messages. Every identifier is kept as the phone
wrote it (national numbers, WhatsApp JIDs, Apple IDs); a message's direction is the one the source
records; the owner's own numbers and accounts become Account records where the source names them.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

from crossdrive.artifacts.common import (
    column_names,
    has_tables,
    iso_utc,
    open_sqlite,
    sqlite_tables,
    table_names,
    unique,
)
from crossdrive.artifacts.records import (
    Account,
    Contact,
    Embedded,
    Event,
    Message,
    Parser,
    Record,
)

# --------------------------------------------------------------------------- shared

SMS_INCOMING = 1  # Android `sms.type` / backup `type`: 1 inbox; 2 sent, 3 draft, 4 outbox,
SMS_OUTGOING = {2, 3, 4, 5, 6}  # 5 failed, 6 queued: all written by the phone's owner
MMS_BOXES = {1: "incoming", 2: "outgoing", 3: "outgoing", 4: "outgoing", 5: "outgoing"}
MMS_FROM, MMS_TO, MMS_CC, MMS_BCC = 137, 151, 130, 129  # PduHeaders address types
MMS_OWN_PLACEHOLDER = "insert-address-token"  # Android's "from" of the owner's own MMS
MMS_MESSAGE_TYPES = {128, 130, 132}  # send_req, notification_ind, retrieve_conf (not reports)


def _text(value: Any) -> str | None:
    """A column or attribute as text: bytes decoded (invalid UTF-8 replaced), numbers written."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fields(con: sqlite3.Connection, table: str, columns: Iterable[str], alias: str = "") -> str:
    """A select list of `columns`, those the table lacks read as NULL: schemas differ between
    app and OS versions, and a parser should read what is there."""
    present = column_names(con, table)
    prefix = f"{alias}." if alias else ""
    return ", ".join(
        f'{prefix}"{name}" AS "{name}"' if name.lower() in present else f'NULL AS "{name}"'
        for name in columns
    )


def _dicts(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def _select(
    con: sqlite3.Connection, table: str, columns: tuple[str, ...], tail: str = ""
) -> Iterator[dict[str, Any]]:
    """The rows of `table` as dicts of `columns` (missing ones None), streamed."""
    yield from _dicts(con.execute(f'SELECT {_fields(con, table, columns)} FROM "{table}" {tail}'))


def _sms(
    address: str | None,
    kind: int | None,
    time: str | None,
    body: str | None,
    **extra: Any,
) -> Message:
    """One SMS. The other party's address is the sender of an incoming message and the recipient
    of an outgoing one; the owner's own number is not recorded, so that side stays empty."""
    message = Message(channel="sms", time=time, sender=None, body=body, **extra)
    party = unique([address])
    if kind == SMS_INCOMING:
        message.direction, message.sender = "incoming", party[0] if party else None
    elif kind in SMS_OUTGOING:
        message.direction, message.recipients = "outgoing", party
    elif party:  # type 0 (all) or an unknown value: which side the address is, is unsaid
        message.headers["address"] = party[0]
    return message


def _mms(
    box: int | None, time: str | None, addresses: list[tuple[str | None, int | None]], **extra: Any
) -> Message:
    """One MMS from its box and its (address, PduHeaders type) list."""
    by_type: dict[int | None, list[str | None]] = {}
    for address, kind in addresses:
        if address != MMS_OWN_PLACEHOLDER:
            by_type.setdefault(kind, []).append(address)
    senders = unique(by_type.get(MMS_FROM, []))
    return Message(
        channel="mms",
        time=time,
        sender=senders[0] if senders else None,
        recipients=unique(by_type.get(MMS_TO, [])),
        cc=unique(by_type.get(MMS_CC, [])),
        bcc=unique(by_type.get(MMS_BCC, [])),
        direction=MMS_BOXES.get(box),
        **extra,
    )


def _own_number(message: Message, seen: set[str]) -> Iterator[Account]:
    """The owner's number, where an outgoing MMS records its real sender address."""
    if message.direction == "outgoing" and message.sender and message.sender not in seen:
        seen.add(message.sender)
        yield Account(service="sms", identifier=message.sender)


def _ms_or_s(value: Any) -> str | None:
    """Android MMS dates are seconds in the database and milliseconds in backups; 1e11 tells
    them apart (1973 in milliseconds, the year 5138 in seconds)."""
    number = _int(value)
    if number is None:
        return None
    return iso_utc(number, "ms" if abs(number) > 1e11 else "s")


# --------------------------------------------------------------------------- SMS Backup & Restore

BACKUP_ROOTS = {"smses", "calls"}
_BACKUP_ROOT = re.compile(rb"<(smses|calls)[\s/>]")
_PROLOG = ((b"<?", b"?>"), (b"<!--", b"-->"))  # declaration, stylesheet, comments
_UTF8_DECLARED = re.compile(rb"""^[^>]*encoding=["']utf-?8["']""", re.IGNORECASE)
_ENCODING_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=", re.IGNORECASE)
_CHAR_REFS = re.compile(rb"(?:&#(?:[xX][0-9a-fA-F]{1,8}|[0-9]{1,10});)+")
_ONE_REF = re.compile(rb"&#([xX]?)([0-9a-fA-F]+);")
_SUSPECT_REF = re.compile(  # references XML forbids: controls, surrogates, U+FFFE/FFFF
    rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5[5-7][0-9]{3}|6553[45])"
    rb"|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]));"
)
_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_CONTROL = re.compile(b"[" + re.escape(_CONTROLS) + b"]")
_TRAILING_REF = re.compile(rb"&(?:#[xX]?[0-9a-fA-F]*;?)?$")
CHUNK = 1 << 16
CALL_TYPES = {
    1: ("incoming call from", True),
    2: ("outgoing call to", True),
    3: ("missed call from", False),
    4: ("voicemail from", True),
    5: ("rejected call from", False),
    6: ("blocked call from", False),
    7: ("incoming call answered elsewhere from", True),
}


def sniff_backup(head: bytes, _name: str) -> bool:
    """An XML document whose root is `<smses>` or `<calls>` (declaration, comments and the
    stylesheet instruction before it allowed)."""
    head = head[:4096].removeprefix(b"\xef\xbb\xbf")
    at = len(head) - len(head.lstrip())
    while True:
        for opening, closing in _PROLOG:
            if head.startswith(opening, at):
                end = head.find(closing, at + len(opening))
                if end < 0:
                    return False
                at = end + len(closing)
                at += len(head[at:]) - len(head[at:].lstrip())
                break
        else:
            return bool(_BACKUP_ROOT.match(head, at))


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _fix_refs(match: re.Match[bytes]) -> bytes:
    """A run of character references with emoji written as UTF-16 surrogate pairs (the app's
    'store emoji' option: `&#55357;&#56832;`), which XML forbids, rewritten as one reference per
    character; lone surrogates and control characters become U+FFFD."""
    run = match.group(0)
    codes = [int(digits, 16 if x else 10) for x, digits in _ONE_REF.findall(run)]
    if all(_xml_char(code) for code in codes):
        return run
    out, index = [], 0
    while index < len(codes):
        code, index = codes[index], index + 1
        low = codes[index] if index < len(codes) else 0
        if 0xD800 <= code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
            code, index = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), index + 1
        out.append(b"&#%d;" % (code if _xml_char(code) else 0xFFFD))
    return b"".join(out)


def _repair(data: bytes) -> bytes:
    """Cheap checks first: most chunks need nothing."""
    if len(data.translate(None, _CONTROLS)) != len(data):
        data = _CONTROL.sub(b"&#65533;", data)
    if b"&#" in data and _SUSPECT_REF.search(data):
        data = _CHAR_REFS.sub(_fix_refs, data)
    return data


def _cut(data: bytes) -> int:
    """Where to split the stream so that no character reference run is cut: after the last tag
    end, or else before a reference that reaches the end."""
    end = data.rfind(b">") + 1
    if end:
        return end
    cut = len(data)
    while (match := _TRAILING_REF.search(data, max(0, cut - 16), cut)) is not None:
        cut = match.start()
    return cut


def _backup_chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes in chunks, repaired where SMS Backup & Restore writes what XML forbids
    (surrogate references, control characters) and, in a UTF-8 file, invalid UTF-8 replaced."""
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
        utf8 = bool(_UTF8_DECLARED.match(first)) or not _ENCODING_DECLARED.match(first)
        decoder = codecs.getincrementaldecoder("utf-8")("replace") if utf8 else None
        pending, data = b"", first
        while data:
            if decoder is not None:
                data = decoder.decode(data).encode("utf-8")
            data = pending + data
            cut = _cut(data)
            yield _repair(data[:cut])
            pending, data = data[cut:], handle.read(CHUNK)
        if decoder is not None:
            pending += decoder.decode(b"", final=True).encode("utf-8")
        yield _repair(pending)


def _backup_elements(path: Path) -> Iterator[ET.Element]:
    """The root's children one at a time, each complete, then dropped: backups reach hundreds
    of megabytes. A file cut short raises ParseError after the elements before the cut."""
    parser = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    depth = 0
    for chunk in _backup_chunks(path):
        parser.feed(chunk)
        for event, element in parser.read_events():
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if element.tag not in BACKUP_ROOTS:
                        return
                continue
            depth -= 1
            if depth == 1 and root is not None:
                yield element
                root.clear()
    parser.close()


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute, with the app's "null" (and an empty value) read as absent."""
    value = element.get(name)
    return None if value in (None, "", "null") else value


def _contact_name(element: ET.Element) -> str | None:
    name = _attr(element, "contact_name")
    return None if name == "(Unknown)" else name


def _backup_sms(element: ET.Element) -> Message:
    address, name = _attr(element, "address"), _contact_name(element)
    message = _sms(
        address,
        _int(element.get("type")),
        iso_utc(_int(element.get("date")), "ms"),
        element.get("body"),
        subject=_attr(element, "subject"),
        names={address: name} if address and name else {},
    )
    if message.sender and name:
        message.sender_name = name
    return message


def _backup_part_name(part: ET.Element, number: int) -> str:
    for key in ("name", "fn", "cl"):
        if value := _attr(part, key):
            return value.strip("<>")
    return f"part-{_attr(part, 'seq') or number}"


def _backup_mms(element: ET.Element) -> Iterator[Message | Embedded]:
    """An `<mms>`: its `<addrs>` give the parties, its text/plain `<part>`s the body, and the
    other parts (base64 in `data`) are attachments, yielded after the message."""
    addresses = [(_attr(addr, "address"), _int(addr.get("type"))) for addr in element.iter("addr")]
    texts, attachments, names = [], [], []
    for number, part in enumerate(element.iter("part")):
        kind = (part.get("ct") or "").lower()
        if kind == "application/smil":
            continue
        if kind == "text/plain" and (text := _attr(part, "text")) is not None:
            texts.append(text)
            continue
        name = _backup_part_name(part, number)
        names.append(f"{name} ({kind})" if kind else name)
        if data := _attr(part, "data"):
            try:
                attachments.append(Embedded(name, base64.b64decode(data), "ATTACHMENT"))
            except (binascii.Error, ValueError):
                continue
    address, contact = _attr(element, "address"), _contact_name(element)
    message = _mms(
        _int(element.get("msg_box")),
        _ms_or_s(element.get("date")),
        addresses,
        subject=_attr(element, "sub"),
        body="\n".join(texts) if texts else None,
        message_id=_attr(element, "m_id"),
        names={address: contact} if address and contact and "~" not in address else {},
        headers={"attachments": "; ".join(names)} if names else {},
    )
    yield message
    yield from attachments


def _backup_call(element: ET.Element) -> Event | None:
    """A `<call>`: an Event at its start time, e.g. "incoming call from +4915… (42 s)"."""
    time = iso_utc(_int(element.get("date")), "ms")
    if time is None:
        return None
    kind = _int(element.get("type"))
    what, answered = CALL_TYPES.get(kind or 0, (f"call (type {kind or '?'}) with", True))
    number = _attr(element, "number") or "an unknown number"
    name = _contact_name(element)
    description = f"{what} {number}" + (f" ({name})" if name else "")
    duration = _int(element.get("duration"))
    if answered and duration is not None:
        description += f" ({duration} s)"
    return Event(time=time, kind="Call", description=description)


def parse_backup(path: Path) -> Iterator[Record]:
    """SMS Backup & Restore (`sms-*.xml`, `calls-*.xml`): `<sms>` (address, date in Unix ms,
    type 1 received / 2 sent / 3–6 draft, outbox, failed, queued; body; contact_name) and
    `<mms>` (msg_box, date, `<addrs>`, `<parts>`) become Messages, MMS parts files of their
    own, `<call>` (number, duration s, date ms, type) a "Call" Event. Streamed."""
    own: set[str] = set()
    for element in _backup_elements(path):
        if element.tag == "sms":
            yield _backup_sms(element)
        elif element.tag == "mms":
            for record in _backup_mms(element):
                yield record
                if isinstance(record, Message):
                    yield from _own_number(record, own)
        elif element.tag == "call" and (event := _backup_call(element)) is not None:
            yield event


# --------------------------------------------------------------------------- Android mmssms.db


def _threads(con: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    """Thread id → its parties' addresses ("+4915…, +4917…"), from `threads.recipient_ids`
    (space-separated `canonical_addresses` ids)."""
    if not {"threads", "canonical_addresses"} <= tables:
        return {}
    canonical = {
        row["_id"]: _text(row["address"])
        for row in _select(con, "canonical_addresses", ("_id", "address"))
    }
    threads = {}
    for row in _select(con, "threads", ("_id", "recipient_ids")):
        ids = (_text(row["recipient_ids"]) or "").split()
        parties = unique(canonical.get(_int(i)) for i in ids)
        if parties:
            threads[row["_id"]] = ", ".join(parties)
    return threads


def _conversation(threads: dict[int, str], thread_id: Any) -> str | None:
    if thread_id is None:
        return None
    return threads.get(thread_id) or f"thread {thread_id}"


def _android_sms(con: sqlite3.Connection, threads: dict[int, str]) -> Iterator[Message]:
    columns = ("_id", "thread_id", "address", "date", "type", "subject", "body")
    for row in _select(con, "sms", columns, "ORDER BY _id"):
        yield _sms(
            _text(row["address"]),
            _int(row["type"]),
            iso_utc(_int(row["date"]), "ms"),
            _text(row["body"]),
            subject=_text(row["subject"]),
            conversation=_conversation(threads, row["thread_id"]),
        )


def _grouped(rows: Iterator[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _android_mms(con: sqlite3.Connection, threads: dict[int, str]) -> Iterator[Record]:
    """MMS from `pdu` (msg_box, date in seconds, sub, m_id), `addr` (address, type) and `part`
    (ct, text; other parts are files on the phone, named in the headers)."""
    addrs = _grouped(_select(con, "addr", ("msg_id", "address", "type"), "ORDER BY _id"), "msg_id")
    parts = _grouped(
        _select(con, "part", ("mid", "seq", "ct", "name", "fn", "cl", "text"), "ORDER BY mid, seq"),
        "mid",
    )
    columns = ("_id", "thread_id", "date", "msg_box", "sub", "m_id", "m_type")
    own: set[str] = set()
    for row in _select(con, "pdu", columns, "ORDER BY _id"):
        if row["m_type"] is not None and _int(row["m_type"]) not in MMS_MESSAGE_TYPES:
            continue
        texts, files = [], []
        for part in parts.get(row["_id"], []):
            kind = (_text(part["ct"]) or "").lower()
            if kind == "text/plain" and part["text"] is not None:
                texts.append(_text(part["text"]))
            elif kind != "application/smil":
                name = _text(part["name"] or part["fn"] or part["cl"]) or f"part-{part['seq']}"
                files.append(f"{name} ({kind})")
        message = _mms(
            _int(row["msg_box"]),
            _ms_or_s(row["date"]),
            [(_text(a["address"]), _int(a["type"])) for a in addrs.get(row["_id"], [])],
            subject=_text(row["sub"]),
            body="\n".join(t for t in texts if t is not None) if texts else None,
            message_id=_text(row["m_id"]),
            conversation=_conversation(threads, row["thread_id"]),
            headers={"attachments": "; ".join(files)} if files else {},
        )
        yield message
        yield from _own_number(message, own)


def parse_mmssms(path: Path) -> Iterator[Record]:
    """Android's telephony provider database (`mmssms.db`): `sms` (address, date in Unix ms,
    type 1 inbox / 2 sent / 3–6 draft, outbox, failed, queued; body; thread_id) and MMS from
    `pdu`/`addr`/`part`; a thread's addresses (`threads`, `canonical_addresses`) name its
    conversation."""
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        threads = _threads(con, tables)
        if "sms" in tables:
            yield from _android_sms(con, threads)
        if {"pdu", "addr", "part"} <= tables:
            yield from _android_mms(con, threads)
    finally:
        con.close()


# --------------------------------------------------------------------------- Android contacts2.db

MIME = "vnd.android.cursor.item/"
PROFILE_MIN_ID = 9223372034707292160  # ContactsContract.Profile.MIN_ID: the owner's own card
IM_PROTOCOLS = {  # CommonDataKinds.Im.PROTOCOL_* → the service written before the handle
    0: "aim",
    1: "msn",
    2: "yahoo",
    3: "skype",
    4: "qq",
    5: "xmpp",  # Google Talk
    6: "icq",
    7: "xmpp",  # Jabber
    8: "netmeeting",
}
ACCOUNT_TYPES = {  # Android account types → service
    "com.google": "google",
    "com.whatsapp": "whatsapp",
    "com.skype.contacts.sync": "skype",
    "com.skype.raider": "skype",
    "org.telegram.messenger": "telegram",
    "org.thoughtcrime.securesms": "signal",
    "com.viber.voip": "viber",
    "com.viber.voip.account": "viber",
    "com.facebook.auth.login": "facebook",
    "com.android.exchange": "exchange",
    "com.google.android.gm.exchange": "exchange",
    "com.microsoft.office.outlook.user_account": "outlook",
    "com.osp.app.signin": "samsung",
    "com.android.email": "email",
    "com.samsung.android.email": "email",
}
LOCAL_ACCOUNT = re.compile(r"^(vnd\.sec\.contact\.|primary\.sim|com\.android\.(localphone|sim))")


def _im_handle(row: dict[str, Any]) -> str | None:
    handle = _text(row["data1"])
    if not handle or not handle.strip():
        return None
    protocol = _int(row["data5"])
    service = IM_PROTOCOLS.get(protocol) if protocol is not None else None
    if service is None:  # -1 custom: the label the user typed (data6)
        label = (_text(row["data6"]) or "").strip().lower()
        service = re.sub(r"\W+", "", label) or "im"
    return f"{service}:{handle.strip()}"


def _android_contact(display_name: str | None, rows: list[dict[str, Any]]) -> Contact:
    """One raw contact from its `data` rows, each typed by its mimetype."""
    names, phones, emails, handles = [display_name], [], [], []
    organisation = note = None
    for row in rows:
        kind, value = row["mimetype"], _text(row["data1"])
        if kind in (MIME + "name", MIME + "nickname"):
            names.append(value)
        elif kind == MIME + "phone_v2":
            phones.append(value)
        elif kind == MIME + "email_v2":
            emails.append(value)
        elif kind == MIME + "im":
            handles.append(_im_handle(row))
        elif kind == MIME + "sip_address" and value:
            handles.append(f"sip:{value.strip()}")
        elif kind == MIME + "vnd.com.whatsapp.profile" and value:
            handles.append(f"whatsapp:{value.strip()}")
        elif kind == MIME + "organization" and value and organisation is None:
            organisation = value.strip()
        elif kind == MIME + "note" and value and value.strip():
            note = value.strip()
    return Contact(
        names=unique(names),
        emails=unique(emails),
        phones=unique(phones),
        handles=unique(handles),
        organisation=organisation,
        note=note,
    )


def _profile_accounts(contact: Contact) -> Iterator[Account]:
    """The owner's own card (the profile's raw contacts) as their accounts."""
    name = contact.names[0] if contact.names else None
    for phone in contact.phones:
        yield Account(service="sms", identifier=phone, name=name)
    for email in contact.emails:
        yield Account(service="email", identifier=email, name=name)
    for handle in contact.handles:
        service, _, identifier = handle.partition(":")
        yield Account(service=service, identifier=identifier, name=name)


def _android_accounts(con: sqlite3.Connection, tables: set[str]) -> Iterator[Account]:
    """The sync accounts of `accounts` (account_name, account_type): the owner's Google,
    WhatsApp, Skype… identities. The phone's and SIM's local books are no identity."""
    if "accounts" not in tables:
        return
    seen = set()
    for row in _select(con, "accounts", ("account_name", "account_type"), "ORDER BY _id"):
        name, kind = _text(row["account_name"]), _text(row["account_type"]) or ""
        if not name or name == kind or LOCAL_ACCOUNT.match(kind) or LOCAL_ACCOUNT.match(name):
            continue
        account = Account(
            service=ACCOUNT_TYPES.get(kind.lower(), kind or "android"), identifier=name
        )
        if (account.service, name) not in seen:
            seen.add((account.service, name))
            yield account


def parse_contacts2(path: Path) -> Iterator[Record]:
    """Android's contacts provider (`contacts2.db`, and `profile.db`, the owner's card):
    `raw_contacts` (display_name) and their `data` rows by `mimetypes.mimetype`: name,
    nickname, phone_v2, email_v2, im (data5 protocol, data6 custom label), sip_address,
    organization, note, WhatsApp profile → one Contact per raw contact; profile raw contacts
    (ids from Profile.MIN_ID) and `accounts` → Accounts."""
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        yield from _android_accounts(con, tables)
        mimetypes = {
            row["_id"]: _text(row["mimetype"])
            for row in _select(con, "mimetypes", ("_id", "mimetype"))
        }
        raw = {
            row["_id"]: _text(row["display_name"])
            for row in _select(con, "raw_contacts", ("_id", "display_name"))
        }
        columns = ("raw_contact_id", "mimetype_id", "data1", "data5", "data6")
        rows = _select(con, "data", columns, "ORDER BY raw_contact_id, _id")
        seen: set[Any] = set()
        for raw_id, group in groupby(rows, key=lambda row: row["raw_contact_id"]):
            seen.add(raw_id)
            typed = [dict(row, mimetype=mimetypes.get(row["mimetype_id"])) for row in group]
            yield from _raw_contact(raw_id, raw.get(raw_id), typed)
        for raw_id, name in raw.items():
            if raw_id not in seen and name:
                yield from _raw_contact(raw_id, name, [])
    finally:
        con.close()


def _raw_contact(raw_id: Any, name: str | None, rows: list[dict[str, Any]]) -> Iterator[Record]:
    contact = _android_contact(name, rows)
    if (_int(raw_id) or 0) >= PROFILE_MIN_ID:
        yield from _profile_accounts(contact)
    elif contact.names or contact.emails or contact.phones or contact.handles:
        yield contact


# --------------------------------------------------------------------------- WhatsApp

WA_SYSTEM_TYPE = 7  # message.message_type of group events, security notices…
WA_SYSTEM_STATUS = 6  # messages.status of the same in the legacy schema
WA_GROUPS = ("@g.us", "@broadcast")  # chats whose messages name their sender (participant)


def _wa_message(
    chat: str | None,
    from_me: Any,
    participant: str | None,
    subject: str | None,
    **extra: Any,
) -> Message:
    """A WhatsApp message in `chat` (a JID). In a group (`…@g.us`) the sender is the
    participant and the group is the recipient; in a one-to-one chat the chat's JID is the
    other party. The owner's own JID is not in the database."""
    group = bool(chat) and chat.endswith(WA_GROUPS)
    message = Message(channel="whatsapp", sender=None, conversation=chat, **extra)
    if _int(from_me):
        message.direction, message.recipients = "outgoing", unique([chat])
    else:
        message.direction = "incoming"
        message.sender = participant if group and participant else chat
        message.recipients = unique([chat]) if group else []
    if chat and subject:
        message.names[chat] = subject
    return message


def _wa_media(name: Any, mime: Any) -> dict[str, str]:
    described = " ".join(x for x in (_text(name), f"({_text(mime)})" if mime else None) if x)
    return {"media": described} if described else {}


def _wa_modern(con: sqlite3.Connection, tables: set[str]) -> Iterator[Message]:
    """The current schema: `message` (chat_row_id, from_me, key_id, sender_jid_row_id,
    timestamp ms, message_type, text_data), `chat` (jid_row_id, subject), `jid` (raw_string),
    `message_media` (file_path, mime_type, media_caption)."""
    jids = {
        row["_id"]: _text(row["raw_string"])
        or (f"{row['user']}@{row['server']}" if row["user"] else None)
        for row in _select(con, "jid", ("_id", "raw_string", "user", "server"))
    }
    chats = {
        row["_id"]: (jids.get(row["jid_row_id"]), _text(row["subject"]))
        for row in _select(con, "chat", ("_id", "jid_row_id", "subject"))
    }
    media: dict[Any, dict[str, Any]] = {}
    if "message_media" in tables:
        columns = ("message_row_id", "file_path", "mime_type", "media_caption")
        media = {row["message_row_id"]: row for row in _select(con, "message_media", columns)}
    columns = (
        "_id",
        "chat_row_id",
        "from_me",
        "key_id",
        "sender_jid_row_id",
        "timestamp",
        "message_type",
        "text_data",
    )
    for row in _select(con, "message", columns, "ORDER BY _id"):
        if _int(row["message_type"]) == WA_SYSTEM_TYPE:
            continue
        chat, subject = chats.get(row["chat_row_id"], (None, None))
        extra = media.get(row["_id"], {})
        yield _wa_message(
            chat,
            row["from_me"],
            jids.get(row["sender_jid_row_id"]),
            subject,
            time=iso_utc(_int(row["timestamp"]), "ms"),
            body=_text(row["text_data"]) or _text(extra.get("media_caption")),
            message_id=_text(row["key_id"]),
            headers=_wa_media(extra.get("file_path"), extra.get("mime_type")),
        )


def _wa_legacy(con: sqlite3.Connection, tables: set[str]) -> Iterator[Message]:
    """The legacy schema: `messages` (key_remote_jid, key_from_me, key_id, data, timestamp ms,
    remote_resource = a group message's sender, media_*), `chat_list` (subject)."""
    columns = ("key_remote_jid", "subject")
    subjects = {
        r["key_remote_jid"]: _text(r["subject"]) for r in _select(con, "chat_list", columns)
    }
    columns = (
        "_id",
        "key_remote_jid",
        "key_from_me",
        "key_id",
        "status",
        "data",
        "timestamp",
        "media_wa_type",
        "media_name",
        "media_mime_type",
        "media_caption",
        "remote_resource",
    )
    for row in _select(con, "messages", columns, "ORDER BY _id"):
        chat = _text(row["key_remote_jid"])
        if chat == "-1" or _int(row["status"]) == WA_SYSTEM_STATUS:
            continue
        media = _int(row["media_wa_type"])
        yield _wa_message(
            chat,
            row["key_from_me"],
            _text(row["remote_resource"]),
            subjects.get(row["key_remote_jid"]),
            time=iso_utc(_int(row["timestamp"]), "ms"),
            body=_text(row["data"]) or _text(row["media_caption"]),
            message_id=_text(row["key_id"]),
            headers=_wa_media(row["media_name"], row["media_mime_type"]) if media else {},
        )


def _wa_has_modern(con: sqlite3.Connection, tables: set[str]) -> bool:
    """Versions of 2021–22 keep both tables; `message` then holds everything."""
    if not {"message", "chat", "jid"} <= tables:
        return False
    return "messages" not in tables or bool(con.execute("SELECT 1 FROM message LIMIT 1").fetchone())


def sniff_whatsapp(head: bytes, _name: str) -> bool:
    """msgstore.db: legacy `messages` + `chat_list`, or current `message` + `chat` + `jid`
    (Apple's chat.db has message and chat too, but no jid)."""
    tables = sqlite_tables(head)
    return {"messages", "chat_list"} <= tables or (
        {"message", "chat", "jid"} <= tables and "chat_message_join" not in tables
    )


def parse_whatsapp(path: Path) -> Iterator[Record]:
    """WhatsApp for Android's message store (`msgstore.db`, decrypted), either schema: one
    Message per chat message (channel whatsapp, JIDs as written, time Unix ms); system
    events (group changes, security notices) are left out."""
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        if _wa_has_modern(con, tables):
            yield from _wa_modern(con, tables)
        elif {"messages", "chat_list"} <= tables:
            yield from _wa_legacy(con, tables)
    finally:
        con.close()


def parse_wa_contacts(path: Path) -> Iterator[Record]:
    """WhatsApp's contact list (`wa.db`, `wa_contacts`: jid, display_name, wa_name, nickname,
    number, company): one Contact per person, the JID as handle `whatsapp:<jid>`; groups and
    broadcast lists are left out."""
    con = open_sqlite(path)
    try:
        columns = ("jid", "display_name", "wa_name", "nickname", "number", "company")
        for row in _select(con, "wa_contacts", columns, "ORDER BY _id"):
            jid = (_text(row["jid"]) or "").strip()
            if not jid or jid.endswith(("@g.us", "@broadcast")):
                continue
            yield Contact(
                names=unique(_text(row[key]) for key in ("display_name", "wa_name", "nickname")),
                phones=unique([_text(row["number"])]),
                handles=[f"whatsapp:{jid}"],
                organisation=_text(row["company"]),
            )
    finally:
        con.close()


# --------------------------------------------------------------------------- Apple Messages

_ACCOUNT_PREFIX = re.compile(r"^[ep]:", re.IGNORECASE)


def _apple_id(value: Any) -> str | None:
    """An account as the Messages database writes it ("e:anna@icloud.com", "P:+1555…") without
    its kind prefix."""
    text = _ACCOUNT_PREFIX.sub("", (_text(value) or "").strip())
    return text or None


def attributed_text(blob: Any) -> str | None:
    """The plain text of an `attributedBody` (a typedstream-archived NSAttributedString, which
    macOS 13+ writes instead of `text`): the NSString's bytes after its `+` type tag, whose length
    is one byte, or 0x81 + 2 or 0x82 + 4 bytes little-endian. Best effort: None if not found."""
    if not isinstance(blob, bytes):
        return None
    start = blob.find(b"NSString")
    plus = blob.find(b"+", start + 8, start + 24) if start >= 0 else -1
    if plus < 0 or plus + 1 >= len(blob):
        return None
    tag, at = blob[plus + 1], plus + 2
    width = {0x81: 2, 0x82: 4}.get(tag, 0)
    length = int.from_bytes(blob[at : at + width], "little") if width else tag
    at += width
    return blob[at : at + length].decode("utf-8", "replace")


def _apple_chats(con: sqlite3.Connection, tables: set[str], handles: dict) -> dict[Any, dict]:
    """Chat id → identifier, display name, the owner's login in it, and its members' ids."""
    columns = ("ROWID", "chat_identifier", "display_name", "account_login", "last_addressed_handle")
    chats = {row["ROWID"]: dict(row, members=[]) for row in _select(con, "chat", columns)}
    if "chat_handle_join" in tables:
        for row in _select(con, "chat_handle_join", ("chat_id", "handle_id")):
            if row["chat_id"] in chats and (handle := handles.get(row["handle_id"])):
                chats[row["chat_id"]]["members"].append(handle)
    return chats


def _apple_rows(con: sqlite3.Connection, tables: set[str]) -> Iterator[dict[str, Any]]:
    """The messages with their (first) chat and their attachments' file names, joined through
    grouped subqueries so that SQLite indexes them once instead of scanning per message."""
    columns = ("ROWID", "guid", "text", "attributedBody", "subject", "date", "is_from_me")
    columns += ("service", "handle_id", "account")
    attachments = "NULL"
    joins = (
        " LEFT JOIN (SELECT message_id, MIN(chat_id) AS chat_id FROM chat_message_join"
        " GROUP BY message_id) j ON j.message_id = m.ROWID"
    )
    if {"message_attachment_join", "attachment"} <= tables:
        attachments = "a.files"
        joins += (
            " LEFT JOIN (SELECT x.message_id, group_concat(f.filename, '; ') AS files"
            " FROM message_attachment_join x JOIN attachment f ON f.ROWID = x.attachment_id"
            " GROUP BY x.message_id) a ON a.message_id = m.ROWID"
        )
    query = f"SELECT {_fields(con, 'message', columns, 'm')}, j.chat_id AS chat_id, "
    yield from _dicts(
        con.execute(f"{query}{attachments} AS files FROM message m{joins} ORDER BY m.ROWID")
    )


def _apple_message(row: dict[str, Any], handles: dict, chats: dict) -> Message:
    chat = chats.get(row["chat_id"], {})
    members = chat.get("members", [])
    other = handles.get(row["handle_id"])
    own = _apple_id(row["account"]) or _apple_id(chat.get("last_addressed_handle"))
    own = own or _apple_id(chat.get("account_login"))
    service = (_text(row["service"]) or "iMessage").strip().lower()
    body = _text(row["text"])
    message = Message(
        channel=service or "imessage",
        time=iso_utc(_int(row["date"]), "cocoa"),
        sender=None,
        subject=_text(row["subject"]),
        body=body if body is not None else attributed_text(row["attributedBody"]),
        message_id=_text(row["guid"]),
        conversation=_text(chat.get("chat_identifier")),
        headers={"attachments": _text(row["files"])} if row["files"] else {},
    )
    if _int(row["is_from_me"]):
        message.direction, message.sender = "outgoing", own
        message.recipients = unique(members or [other])
    else:
        message.direction, message.sender = "incoming", other
        message.recipients = unique([m for m in members if m != other] + [own])
    title = _text(chat.get("display_name"))
    if message.conversation and title:
        message.names[message.conversation] = title
    return message


def parse_imessage(path: Path) -> Iterator[Record]:
    """Apple Messages (`chat.db`, iOS `sms.db`): `message` (text, or the attributedBody's text;
    date in Cocoa seconds or nanoseconds since 2001; is_from_me; service iMessage/SMS/RCS →
    channel; account = the owner's Apple ID or number), `handle.id` (the other party), `chat`
    (chat_identifier, display_name) via `chat_message_join`, group members via
    `chat_handle_join`. The owner's own ids become Accounts."""
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        handles = {
            row["ROWID"]: _text(row["id"]) for row in _select(con, "handle", ("ROWID", "id"))
        }
        chats = _apple_chats(con, tables, handles)
        own: set[tuple[str, str]] = set()
        for row in _apple_rows(con, tables):
            message = _apple_message(row, handles, chats)
            yield message
            mine = message.sender if message.direction == "outgoing" else None
            if mine and (message.channel, mine) not in own:
                own.add((message.channel, mine))
                yield Account(service=message.channel, identifier=mine)
    finally:
        con.close()


# --------------------------------------------------------------------------- registry


# SQLite sniffs read the schema in the first 64 KiB. A database created table by table whose
# schema outgrew page 1 keeps the rest of it in pages allocated after the tables' roots, often
# beyond that (a real chat.db or msgstore.db): such a copy is found by its path, not its bytes.
PARSERS: tuple[Parser, ...] = (
    Parser(
        "sms-backup-xml",
        parse_backup,
        ("sms-*.xml", "*/sms-*.xml", "calls-*.xml", "*/calls-*.xml"),
        sniff_backup,
    ),
    Parser(
        "android-mmssms",
        parse_mmssms,
        ("mmssms.db", "*/mmssms.db"),
        has_tables("sms", "threads", "canonical_addresses"),
    ),
    Parser(
        "android-contacts2",
        parse_contacts2,
        ("contacts2.db", "*/contacts2.db", "*/com.android.providers.contacts/databases/profile.db"),
        has_tables("raw_contacts", "data", "mimetypes"),
    ),
    Parser("whatsapp-msgstore", parse_whatsapp, ("msgstore.db", "*/msgstore.db"), sniff_whatsapp),
    Parser("whatsapp-contacts", parse_wa_contacts, ("wa.db", "*/wa.db"), has_tables("wa_contacts")),
    Parser(
        "imessage",
        parse_imessage,
        ("*/library/messages/chat.db", "*/library/sms/sms.db"),
        has_tables("message", "handle", "chat", "chat_message_join"),
    ),
)
