"""Desktop chat applications and chat exports: Skype classic's `main.db`, Pidgin (libpurple)
logs, Telegram Desktop exports (JSON and HTML), WhatsApp "Export chat" text files and IRC
client logs (HexChat/XChat, irssi, WeeChat).

On a computer these hold the conversations that never pass through a mail server: who wrote
to whom, when, under which handle, and the owner's own accounts and address book. Every
message becomes a `Message` (channel = the service: skype, xmpp, telegram, whatsapp, irc …),
address-book entries become `Contact`s and the owner's own identities `Account`s.

Times: Skype and Telegram (`date_unixtime`) store Unix times; Pidgin names each log file after
its start time with the UTC offset, which converts its local times to UTC. WhatsApp exports,
IRC logs, Telegram exports without `date_unixtime` and Pidgin logs whose name is lost (carved,
renamed) write the device's local wall-clock time with no zone: those times are kept as
written, labelled UTC, since nothing in the file says the zone (the examiner applies the
device's zone). Line-based logs give each message the byte offset of its first line.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from crossdrive.artifacts.common import (
    column_names,
    iso_utc,
    open_sqlite,
    sqlite_tables,
    table_names,
    unique,
    until_damaged,
)
from crossdrive.artifacts.records import Account, Contact, Message, Parser, Record

MAX_LINE = 1024 * 1024  # a longer "line" is read in pieces (binary junk has no line ends)
JSON_LIMIT = 512 * 1024 * 1024  # result.json is loaded whole: larger ones are refused
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_BIDI = dict.fromkeys(
    map(ord, "\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_STAMP = re.compile(
    r"^(?:(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s+)?"
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:\s?(?P<ap>[AaPp]\.?\s?[Mm]\.?))?$"
)


# --------------------------------------------------------------------------- shared helpers


def markup_text(markup: str) -> str:
    """Text of an HTML/XML fragment as a reader sees it: tags dropped, `<br>` as line breaks,
    entities decoded. Plain text passes through untouched."""
    if "<" not in markup:
        return html.unescape(markup) if "&" in markup else markup
    return BeautifulSoup(_BR.sub("\n", markup), "html.parser").get_text()


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(byte offset, text) of each line of a text file, streamed; invalid UTF-8 replaced."""
    offset = 0
    with open(path, "rb") as handle:
        while raw := handle.readline(MAX_LINE):
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            yield offset, text.lstrip("\ufeff") if offset == 0 else text
            offset += len(raw)


def _junk(line: str) -> bool:
    """A line of binary data inside a text log (control bytes, undecodable bytes): it cannot
    continue a message."""
    return bool(_JUNK.search(line))


def _head_lines(head: bytes, count: int) -> list[str]:
    text = head[:8192].decode("utf-8", "replace").lstrip("\ufeff")
    return [line for line in text.splitlines() if line.strip()][:count]


def _clock(hour: str, minute: str, second: str | None, meridiem: str | None) -> time | None:
    """A time of day from its written parts (12-hour when `meridiem` says AM or PM)."""
    h, m, s = int(hour), int(minute), int(second or 0)
    if meridiem:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if meridiem.strip().lower().startswith("p") else 0)
    try:
        return time(h, m, s)
    except ValueError:
        return None


def _day(written: str, order: str) -> date | None:
    """A date written as three numbers in `order` (ymd, dmy or mdy); two-digit years are 20xx."""
    fields = re.split(r"[./-]", written)
    if len(fields) != 3 or not all(f.isdigit() for f in fields):
        return None
    if len(fields[0]) == 4:
        order = "ymd"
    values = dict(zip(order, map(int, fields), strict=True))
    year = values["y"] + 2000 if values["y"] < 100 else values["y"]
    try:
        return date(year, values["m"], values["d"])
    except ValueError:
        return None


def _utc(moment: datetime | None, offset: timedelta | None) -> str | None:
    """A local wall-clock time as UTC, with the UTC offset when known (else taken as UTC)."""
    if moment is None:
        return None
    if offset is not None:
        moment = moment.replace(tzinfo=timezone(offset))
    return iso_utc(moment)


def _dialog(
    sender: str | None, partner: str | None, owner: str | None
) -> tuple[list[str], str | None]:
    """Recipients and direction of a message: in a one-to-one chat (`partner` known) the other
    party; elsewhere none, with the direction when the owner is known."""
    direction = None
    if owner is not None and sender is not None:
        direction = "outgoing" if sender == owner else "incoming"
    if partner is None or sender is None:
        return [], direction
    if sender == partner:
        return ([owner] if owner else []), "incoming"
    return [partner], "outgoing"


def _pair(title: str | None, senders: Iterable[str]) -> tuple[str | None, str | None]:
    """(partner, owner) of a chat titled by the partner's name: one-to-one when the title is
    among at most two senders; the owner is then the other sender."""
    people = set(senders)
    if title is None or title not in people or len(people) > 2:
        return None, None
    others = people - {title}
    return title, (others.pop() if others else None)


def _names(*pairs: tuple[str | None, str | None]) -> dict[str, str]:
    return {key: value for key, value in pairs if key and value and key != value}


# --------------------------------------------------------------------------- Skype classic

SKYPE_EVENTS = frozenset({2, 4, 10, 12, 13, 15, 30, 39, 70, 110})  # topic, members, calls …
_SPLIT = re.compile(r"[\s,;]+")


def _rows(con: sqlite3.Connection, table: str, wanted: Iterable[str]) -> Iterator[dict]:
    """Rows of `table` as dicts of the `wanted` columns (None for those the schema lacks)."""
    present = column_names(con, table)
    wanted = list(wanted)
    columns = [name for name in wanted if name in present]
    if not columns:
        return
    for values in con.execute(f'SELECT {", ".join(columns)} FROM "{table}"'):
        row = dict.fromkeys(wanted)
        row.update(zip(columns, values, strict=True))
        yield row


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def parse_skype(path: Path) -> Iterator[Record]:
    """Skype classic (4–7) `main.db`: `Accounts` (skypename, fullname, emails,
    liveid_membername, phone_home/office/mobile) → Account records; `Contacts` (skypename,
    fullname, displayname, given_displayname, pstnnumber, phone_*, assigned_phone1–3, emails)
    → Contact records with handle `skype:<skypename>`; `Messages` (author, from_dispname,
    timestamp in Unix seconds, body_xml stripped of Skype's markup, convo_id → `Conversations`
    identity and displayname, recipients from `Participants` or `dialog_partner`, guid) →
    messages of channel "skype". Call, membership and topic events are left out. Any column or
    table may be missing; a table the database cannot read is skipped and its error raised once
    the readable ones are out."""
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        errors: list[Exception] = []
        owners: dict[str, str | None] = {}
        if "accounts" in tables:
            for row in until_damaged(_rows(con, "accounts", _SKYPE_ACCOUNT), errors):
                yield from _skype_accounts(row, owners)
        people: dict[str, str] = {}
        if "contacts" in tables:
            for row in until_damaged(_rows(con, "contacts", _SKYPE_CONTACT), errors):
                contact = _skype_contact(row)
                if contact is not None:
                    if row["skypename"] and row["fullname"]:
                        people.setdefault(row["skypename"], row["fullname"])
                    yield contact
        people.update({name: full for name, full in owners.items() if full})
        if "messages" in tables:
            chats = _skype_chats(con, tables, errors)
            for row in until_damaged(_rows(con, "messages", _SKYPE_MESSAGE), errors):
                message = _skype_message(row, chats, owners, people)
                if message is not None:
                    yield message
        if errors:
            raise errors[0]
    finally:
        con.close()


_SKYPE_PHONES = ("phone_home", "phone_office", "phone_mobile")
_SKYPE_ASSIGNED = ("assigned_phone1", "assigned_phone2", "assigned_phone3")
_SKYPE_ACCOUNT = ("skypename", "fullname", "emails", "liveid_membername", *_SKYPE_PHONES)
_SKYPE_CONTACT = (
    "skypename",
    "fullname",
    "displayname",
    "given_displayname",
    "pstnnumber",
    *_SKYPE_PHONES,
    *_SKYPE_ASSIGNED,
    "emails",
)
_SKYPE_MESSAGE = (
    "convo_id",
    "chatname",
    "author",
    "from_dispname",
    "dialog_partner",
    "timestamp",
    "timestamp__ms",
    "type",
    "body_xml",
    "guid",
)


def _skype_accounts(row: dict, owners: dict[str, str | None]) -> Iterator[Account]:
    name = _text(row["fullname"])
    skypename = _text(row["skypename"])
    if skypename:
        owners[skypename] = name
        yield Account("skype", skypename, name)
    addresses = [*_SPLIT.split(row["emails"] or ""), row["liveid_membername"] or ""]
    for address in unique(a for a in addresses if "@" in a):
        yield Account("email", address, name)
    for number in unique(row[column] for column in _SKYPE_PHONES):
        yield Account("phone", number, name)


def _skype_contact(row: dict) -> Contact | None:
    skypename = _text(row["skypename"])
    contact = Contact(
        names=unique((row["given_displayname"], row["fullname"], row["displayname"])),
        emails=unique(_SPLIT.split(row["emails"] or "")),
        phones=unique(row[c] for c in ("pstnnumber", *_SKYPE_PHONES, *_SKYPE_ASSIGNED)),
        handles=[f"skype:{skypename}"] if skypename else [],
    )
    return contact if contact.names or contact.phones or contact.handles else None


@dataclass
class _SkypeChats:
    """Conversations by id (identity, title) and their members; older databases name their
    chats in `Chats` (name, friendlyname, space-separated participants) instead."""

    titles: dict[object, tuple[str | None, str | None]] = field(default_factory=dict)
    members: dict[object, list[str]] = field(default_factory=dict)


def _skype_chats(con: sqlite3.Connection, tables: set[str], errors: list) -> _SkypeChats:
    chats = _SkypeChats()
    if "conversations" in tables:
        wanted = ("id", "identity", "displayname", "given_displayname")
        for row in until_damaged(_rows(con, "conversations", wanted), errors):
            title = _text(row["displayname"]) or _text(row["given_displayname"])
            chats.titles[row["id"]] = (_text(row["identity"]), title)
    if "participants" in tables:
        for row in until_damaged(_rows(con, "participants", ("convo_id", "identity")), errors):
            people = chats.members.setdefault(row["convo_id"], [])
            identity = _text(row["identity"])
            if identity and identity not in people:
                people.append(identity)
    if "chats" in tables:
        for row in until_damaged(
            _rows(con, "chats", ("name", "friendlyname", "participants")), errors
        ):
            name = _text(row["name"])
            chats.titles[name] = (name, _text(row["friendlyname"]))
            chats.members[name] = unique((row["participants"] or "").split())
    return chats


def _skype_message(
    row: dict, chats: _SkypeChats, owners: dict[str, str | None], people: dict[str, str]
) -> Message | None:
    kind, body = row["type"], row["body_xml"]
    body = (markup_text(body).strip() or None) if isinstance(body, str) else None
    if kind in SKYPE_EVENTS or (body is None and kind not in (60, 61)):
        return None
    author = _text(row["author"])
    chat = row["convo_id"] if row["convo_id"] in chats.titles else _text(row["chatname"])
    identity, title = chats.titles.get(chat, (None, None))
    members = chats.members.get(chat) or unique([_text(row["dialog_partner"]), *owners])
    recipients = [member for member in members if member != author]
    direction = None
    if owners and author:
        direction = "outgoing" if author in owners else "incoming"
    when = iso_utc(row["timestamp"]) or iso_utc(row["timestamp__ms"], "ms")
    guid = row["guid"]
    return Message(
        channel="skype",
        time=when,
        sender=author,
        recipients=recipients,
        sender_name=_text(row["from_dispname"]),
        body=body,
        message_id=guid.hex() if isinstance(guid, bytes) and guid else None,
        conversation=identity or _text(row["chatname"]),
        direction=direction,
        names=_names(
            (author, _text(row["from_dispname"])),
            (identity, title),
            *((member, people.get(member)) for member in recipients),
        ),
    )


def sniff_skype(head: bytes, _name: str) -> bool:
    """Skype's schema: Messages, Conversations and Accounts tables, and its column names."""
    return (
        {"messages", "conversations", "accounts"} <= sqlite_tables(head)
        and b"skypename" in head
        and b"body_xml" in head
    )


# --------------------------------------------------------------------------- Pidgin

PIDGIN_CHANNELS = {"jabber": "xmpp", "gtalk": "xmpp"}
OUTGOING, INCOMING = "#16569E", "#A82F2F"  # libpurple's colours of sent and received messages
_NEUTRAL = {"#062585", "#6C2585", "#FF0000"}  # /me (either way), whisper, error
_PIDGIN_PROTOCOL = re.compile(r" \((?P<protocol>[^()]{1,40})\)\s*$")
_PIDGIN_FILE = re.compile(
    r"(?P<day>\d{4}-\d{2}-\d{2})\.(?P<time>\d{6})(?P<sign>[-+_])(?P<hh>\d{2})(?P<mm>\d{2})"
)
_PIDGIN_HTML = re.compile(
    r'^(?:<font color="(?P<colour>#?\w+)">)?(?:<font size="2">)?'
    r"\((?P<stamp>[^()<>]{4,40})\)(?:</font>)?(?P<rest>.*)$"
)
_PIDGIN_WHO = re.compile(r"^\s*<b>(?P<who>.*?)</b>(?:</font>)?\s?(?P<body>.*)$", re.DOTALL)
_PIDGIN_TXT = re.compile(r"^\((?P<stamp>[^()]{4,40})\) (?P<rest>.*)$")
_HEADER_FORMATS = (
    "%a %d %b %Y %I:%M:%S %p",
    "%a %d %b %Y %H:%M:%S",
    "%a %b %d %H:%M:%S %Y",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
)


@dataclass
class _Header:
    buddy: str
    account: str
    channel: str
    start: datetime | None
    offset: timedelta | None
    at: int = 0  # byte offset of the header line


@dataclass
class _Entry:
    offset: int
    stamp: str
    colour: str | None
    who: str | None  # None: a system line
    body: str
    action: bool = False


def _pidgin_header(path: Path) -> _Header | None:
    """The log's header line and, from the file name Pidgin gave it
    (`YYYY-MM-DD.HHMMSS+ZZZZTZ.ext`, `+` read as `_` in copies made safe), its start and zone."""
    for offset, whole in islice(_lines(path), 5):
        line = whole[:4096]  # a header is short: no regex work on a long hostile line
        found = re.search(r"<title>(.*?)</title>", line) or re.search(r"<h3>(.*?)</h3>", line)
        parts = _header_parts(html.unescape(found.group(1)) if found else line)
        if parts:
            return _header(parts, path.name, offset)
    return None


def _header_parts(line: str) -> tuple[str, str, str, str] | None:
    """(buddy, date, account, protocol) of "Conversation with BUDDY at DATE on ACCOUNT
    (PROTOCOL)", split in linear time (a regex would backtrack on hostile lines)."""
    line = line.strip()
    tail = _PIDGIN_PROTOCOL.search(line) if line.startswith("Conversation with ") else None
    if tail is None:
        return None
    buddy, at, rest = line[len("Conversation with ") : tail.start()].partition(" at ")
    date, on, account = rest.rpartition(" on ")
    if not (at and on and buddy.strip() and date.strip()):
        return None
    return buddy.strip(), date.strip(), account.strip(), tail["protocol"].strip()


def _header(parts: tuple[str, str, str, str], file_name: str, at: int) -> _Header:
    buddy, written, account, protocol = parts
    protocol = protocol.lower()
    channel = PIDGIN_CHANNELS.get(protocol, protocol)
    if channel == "xmpp":
        account = account.split("/", 1)[0]  # the resource names the client, not the account
    start, offset = None, None
    named = _PIDGIN_FILE.search(file_name)
    if named:
        start = datetime.strptime(named["day"] + named["time"], "%Y-%m-%d%H%M%S")
        offset = timedelta(hours=int(named["hh"]), minutes=int(named["mm"]))
        offset = -offset if named["sign"] == "-" else offset
    else:
        start, offset = _header_date(written)
    return _Header(buddy, account, channel, start, offset, at)


def _header_date(written: str) -> tuple[datetime | None, timedelta | None]:
    """The header's date (`%c` of the writer's locale); a trailing zone name is read only when
    it says UTC/GMT, other zones stay unknown."""
    words = written.split()
    zone = None
    if words and words[-1].isalpha() and words[-1].upper() not in ("AM", "PM"):
        zone = words.pop().upper()
    offset = timedelta(0) if zone in ("UTC", "GMT", "Z") else None
    for form in _HEADER_FORMATS:
        try:
            return datetime.strptime(" ".join(words), form), offset
        except ValueError:
            continue
    return None, offset


def _pidgin_entries(path: Path, html_log: bool) -> Iterator[_Entry]:
    """The log's timestamped lines with their continuation lines, in order."""
    entry: _Entry | None = None
    for offset, line in _lines(path):
        found = (_PIDGIN_HTML if html_log else _PIDGIN_TXT).match(line)
        if found is None:
            if entry is not None and not line.startswith("</body>") and not _junk(line):
                entry.body += "\n" + line
            continue
        if entry is not None:
            yield entry
        entry = _pidgin_entry(offset, found, html_log)
    if entry is not None:
        yield entry


def _pidgin_entry(offset: int, found: re.Match, html_log: bool) -> _Entry:
    rest = found["rest"]
    stamp = found["stamp"]
    if html_log:
        colour = (found["colour"] or "").upper() or None
        who = _PIDGIN_WHO.match(rest)
        name = html.unescape(who["who"]).strip() if who else ""
        if who is None or (not name.endswith(":") and not name.startswith("***")):
            return _Entry(offset, stamp, colour, None, rest)  # a system line
        if name.startswith("***"):
            return _Entry(offset, stamp, colour, name[3:].strip(), who["body"], True)
        name = re.sub(r"\s*<(?:AUTO-REPLY|whisper)>$", "", name[:-1].strip())
        return _Entry(offset, stamp, colour, name, who["body"])
    if rest.startswith("***"):
        return _Entry(offset, stamp, None, None, rest[3:], True)
    who, sep, body = rest.partition(": ")
    if not sep:
        return _Entry(offset, stamp, None, None, rest)
    return _Entry(offset, stamp, None, who.removesuffix(" <AUTO-REPLY>"), body)


def _pidgin_roles(entries: Iterable[_Entry], header: _Header) -> dict[str, str | None]:
    """Direction of each alias: from the colours libpurple gives sent and received lines, else
    from the alias being the account's or the buddy's id (whole, bare or local part), else the
    opposite of the other party's in a two-party log."""
    roles: dict[str, str | None] = {}
    for entry in entries:
        if entry.who is None or entry.action or roles.get(entry.who):
            continue
        roles[entry.who] = _colour_role(entry.colour)
        if len(roles) > 10_000:
            break
    for alias, role in roles.items():
        roles[alias] = role or _id_role(alias, header)
    known = [role for role in roles.values() if role]
    if len(roles) == 2 and len(known) == 1:
        other = INCOMING if known[0] == "outgoing" else OUTGOING
        for alias, role in roles.items():
            roles[alias] = role or _colour_role(other)
    return roles


def _colour_role(colour: str | None) -> str | None:
    if colour is None or colour in _NEUTRAL:
        return None
    return "outgoing" if colour == OUTGOING else "incoming"  # chats give nicks other colours


def _id_role(alias: str, header: _Header) -> str | None:
    wanted = alias.strip().lower()
    forms = {wanted, wanted.split("/", 1)[0]}
    for role, ident in (("outgoing", header.account), ("incoming", header.buddy)):
        bare = ident.lower().split("/", 1)[0]
        if forms & {ident.lower(), bare, bare.split("@", 1)[0]}:
            return role
    return None


@dataclass
class _Walk:
    """Message stamps walked through the log's days: a time of day alone follows the last
    date (the next day when it goes back, past midnight); a full stamp sets the date."""

    moment: datetime | None
    offset: timedelta | None
    order: str = "mdy"  # how the log writes dates (see `_DateOrder`)

    def at(self, stamp: str) -> str | None:
        found = _STAMP.match(stamp.strip())
        if found is None:
            return None
        clock = _clock(found["h"], found["m"], found["s"], found["ap"])
        if clock is None:
            return None
        if found["date"]:
            days = [_day(found["date"], order) for order in (self.order, "mdy", "dmy", "ymd")]
            day = next((d for d in days if d is not None), None)
            if day is None:
                return None
            moment = datetime.combine(day, clock)
        elif self.moment is None:
            return None
        else:
            moment = datetime.combine(self.moment.date(), clock)
            if moment < self.moment - timedelta(hours=1):  # past midnight (not a DST step)
                moment += timedelta(days=1)
        self.moment = moment
        return _utc(moment, self.offset)


@dataclass
class _DateOrder:
    """How one log writes dates (libpurple's `%x`, which follows the locale): day first when
    a first field exceeds 12 or the fields are dotted, month first when a second field exceeds
    12, else month first (the C and en_US locales). One order for the whole log: choosing per
    line would read 09/06 as June in one place and September in another. Learnt while the log
    is read for its aliases' roles, so the file is not read once more for it."""

    order: str = "mdy"
    settled: bool = False

    def watch(self, entries: Iterable[_Entry]) -> Iterator[_Entry]:
        for entry in entries:
            if not self.settled:
                self._learn(entry.stamp)
            yield entry

    def _learn(self, stamp: str) -> None:
        found = _STAMP.match(stamp.strip())
        if not found or not found["date"]:
            return
        fields = re.split(r"[./-]", found["date"])
        if len(fields) != 3 or not all(f.isdigit() for f in fields) or len(fields[0]) == 4:
            return
        if "." in found["date"] or int(fields[0]) > 12:
            self.order, self.settled = "dmy", True
        elif int(fields[1]) > 12:
            self.order, self.settled = "mdy", True


def parse_pidgin(path: Path) -> Iterator[Record]:
    """Pidgin/libpurple conversation logs, HTML or TXT (`.purple/logs/<protocol>/<account>/
    <buddy>/<start>.html`). The header "Conversation with BUDDY at DATE on ACCOUNT (PROTOCOL)"
    gives the partner, the owner's account (→ Account; the XMPP resource dropped) and the
    channel (jabber → xmpp). Each "(time) Alias: text" line is a message; its time of day
    follows the start date and time zone in the file name (dates after midnight roll over,
    full "(date time)" stamps set the date). The alias is mapped to the account or the buddy
    by the colours of sent (#16569E) and received (#A82F2F) lines, or by matching their ids;
    in a chat room (several received aliases) other senders keep their alias."""
    header = _pidgin_header(path)
    if header is None:
        return
    with open(path, "rb") as handle:
        html_log = handle.read(512).lstrip().lower().startswith(b"<html")
    dates = _DateOrder()
    roles = _pidgin_roles(dates.watch(_pidgin_entries(path, html_log)), header)
    room = sum(role == "incoming" for role in roles.values()) > 1
    owner_aliases = [alias for alias, role in roles.items() if role == "outgoing"]
    yield Account(
        header.channel,
        header.account,
        owner_aliases[0] if len(owner_aliases) == 1 else None,
        file_offset=header.at,
    )
    walk = _Walk(header.start, header.offset, dates.order)
    known = sorted(roles, key=len, reverse=True)
    for entry in _pidgin_entries(path, html_log):
        when = walk.at(entry.stamp)
        alias, body = entry.who, entry.body
        if entry.action and alias is None:  # TXT "***Alias text": the alias is a known one
            alias = next((a for a in known if body.startswith(a + " ")), None)
            body = body[len(alias) + 1 :] if alias else body
        if alias is None:
            continue
        text = (markup_text(body.removesuffix("<br/>")) if html_log else body).strip()
        yield _pidgin_message(header, alias, roles.get(alias), room, entry, when, text)


def _pidgin_message(
    header: _Header,
    alias: str,
    role: str | None,
    room: bool,
    entry: _Entry,
    when: str | None,
    text: str,
) -> Message:
    sender, recipients = alias, []
    if role == "outgoing":
        sender, recipients = header.account, [header.buddy]
    elif role == "incoming":
        sender = alias if room else header.buddy
        recipients = [header.account]
    return Message(
        channel=header.channel,
        time=when,
        sender=sender,
        recipients=recipients,
        sender_name=alias,
        body=("/me " + text if entry.action else text) or None,
        conversation=header.buddy,
        direction=role,
        names=_names((sender, alias)),
        file_offset=entry.offset,
    )


def sniff_pidgin(head: bytes, _name: str) -> bool:
    """A libpurple conversation log: its whole header line, as the HTML title or the first
    line of a text log."""
    if not head.lstrip(b"\xef\xbb\xbf")[:17].lower().startswith((b"<html>", b"conversation with")):
        return False
    start = head[:1024].decode("utf-8", "replace").lstrip("\ufeff")
    if start[:6].lower() == "<html>":
        title = re.search(r"<title>(.*?)</title>", start)
        line = html.unescape(title.group(1)) if title else ""
    else:
        line = start.split("\n", 1)[0].rstrip("\r")
    return _header_parts(line) is not None


# --------------------------------------------------------------------------- Telegram Desktop

TELEGRAM_CHAT_TYPES = (
    "personal_chat|bot_chat|saved_messages|private_group|private_supergroup|public_supergroup"
    "|private_channel|public_channel"
)
_TG_SECTIONS = (
    "personal_information|profile_pictures|contacts|frequent_contacts|sessions|web_sessions"
    "|other_data|chats|left_chats|stories"
)
_JSON_STRING = r'"(?:[^"\\]|\\.)*"'
_TG_FULL = re.compile(rf'^\{{\s*"about":\s*{_JSON_STRING},\s*"(?:{_TG_SECTIONS})":')
_TG_SINGLE = re.compile(
    rf'^\{{\s*"name":\s*(?:{_JSON_STRING}|null),\s*"type":\s*"(?:{TELEGRAM_CHAT_TYPES})",'
    r'\s*"id":\s*-?\d+,\s*"messages":\s*\['
)
_TG_TITLE = re.compile(
    r"^(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4}) (?P<t>\d{2}:\d{2}:\d{2})"
    r"(?: UTC(?P<sign>[+-])(?P<hh>\d{2}):(?P<mm>\d{2}))?$"
)


def parse_telegram(path: Path) -> Iterator[Record]:
    """Telegram Desktop's "Export chat history" / "Export Telegram data", machine-readable
    (`result.json`) or HTML (`messages*.html`).

    JSON: `personal_information` → Accounts (service telegram: "user<user_id>", the phone
    number, the @username); `contacts.list` → Contacts (first_name, last_name, phone_number,
    handle `telegram:user<user_id>`); each chat (a single-chat export, or `chats.list` and
    `left_chats.list` of a full one) → its entries of type "message": `date_unixtime` (else
    `date`, local time without zone, kept as UTC), `from`, `from_id` ("user123" as written,
    the sender), `text` (a string or a list of entities, joined). Chat id → conversation;
    in personal chats the partner is "user<chat id>" and the owner the account's id (or the
    other sender). The file is loaded whole (up to JSON_LIMIT bytes).

    HTML: each `div.message.default`: `div.from_name` (absent on a "joined" follow-up: the
    previous sender), `div.date[title]` ("dd.MM.yyyy hh:mm:ss", with " UTC+hh:mm" in newer
    versions), `div.text`; the page header names the chat."""
    with open(path, "rb") as handle:
        start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        yield from _telegram_json(path)
    else:
        yield from _telegram_html(path)


def _telegram_json(path: Path) -> Iterator[Record]:
    if path.stat().st_size > JSON_LIMIT:
        raise ValueError(f"Telegram export over {JSON_LIMIT:,} bytes: not loaded")
    data = json.loads(path.read_bytes().decode("utf-8", "replace"))
    if not isinstance(data, dict):
        raise ValueError("not a Telegram export: the JSON is not an object")
    owner = None
    me = data.get("personal_information")
    if isinstance(me, dict):
        owner = f"user{me['user_id']}" if me.get("user_id") else None
        yield from _telegram_accounts(me, owner)
    for entry in _section(data, "contacts"):
        contact = _telegram_contact(entry)
        if contact is not None:
            yield contact
    chats = [data] if isinstance(data.get("messages"), list) else []
    chats += [*_section(data, "chats"), *_section(data, "left_chats")]
    for chat in chats:
        yield from _telegram_chat(chat, owner)


def _section(data: dict, key: str) -> list[dict]:
    section = data.get(key)
    entries = section.get("list") if isinstance(section, dict) else None
    return (
        [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    )


def _full_name(entry: dict) -> str | None:
    parts = (_string(entry.get("first_name")), _string(entry.get("last_name")))
    return " ".join(part for part in parts if part) or None


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _telegram_accounts(me: dict, owner: str | None) -> Iterator[Account]:
    name = _full_name(me)
    for identifier in unique((owner, _string(me.get("phone_number")), _string(me.get("username")))):
        yield Account("telegram", identifier, name)


def _telegram_contact(entry: dict) -> Contact | None:
    user_id = _string(entry.get("user_id"))
    contact = Contact(
        names=unique([_full_name(entry)]),
        phones=unique([_string(entry.get("phone_number"))]),
        handles=[f"telegram:user{user_id}"] if user_id and user_id != "0" else [],
    )
    return contact if contact.names or contact.phones or contact.handles else None


def _telegram_chat(chat: dict, owner: str | None) -> Iterator[Message]:
    entries = chat.get("messages")
    if not isinstance(entries, list):
        return
    messages = [m for m in entries if isinstance(m, dict) and m.get("type") == "message"]
    chat_id = _string(chat.get("id"))
    title = _string(chat.get("name"))
    partner = None
    if chat.get("type") in ("personal_chat", "bot_chat") and chat_id:
        partner = f"user{chat_id}"
        senders = (_string(m.get("from_id")) for m in messages)
        owner = owner or next((s for s in senders if s and s != partner), None)
    conversation = chat_id or title
    for entry in messages:
        sender = _string(entry.get("from_id"))
        recipients, direction = _dialog(sender, partner, owner)
        yield Message(
            channel="telegram",
            time=_telegram_time(entry),
            sender=sender,
            recipients=recipients,
            sender_name=_string(entry.get("from")),
            body=_telegram_text(entry.get("text")),
            message_id=_string(entry.get("id")),
            conversation=conversation,
            direction=direction,
            names=_names((sender, _string(entry.get("from"))), (conversation, title)),
        )


def _telegram_time(entry: dict) -> str | None:
    unix = entry.get("date_unixtime")
    if isinstance(unix, str | int) and str(unix).isdigit():
        return iso_utc(int(unix))
    written = entry.get("date")
    try:
        return iso_utc(datetime.fromisoformat(written)) if isinstance(written, str) else None
    except ValueError:
        return None


def _telegram_text(text: object) -> str | None:
    if isinstance(text, list):
        text = "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in text
            if isinstance(part, str | dict)
        )
    return (text.strip() or None) if isinstance(text, str) else None


def _telegram_html(path: Path) -> Iterator[Message]:
    soup = BeautifulSoup(path.read_bytes().decode("utf-8", "replace"), "html.parser")
    header = soup.find("div", class_="page_header")
    title = _tag_text(header.find("div", class_="text") if isinstance(header, Tag) else None)
    parsed = []
    sender = None
    for block in soup.find_all("div", class_="message"):
        body = _child(block, "body")
        if "default" not in (block.get("class") or ()) or body is None:
            continue  # service lines: dates, joins, calls
        sender = _tag_text(_child(body, "from_name")) or sender
        date_tag = _child(body, "date")
        text = _child(body, "text") or _child(_child(body, "forwarded", "body"), "text")
        number = str(block.get("id", "")).removeprefix("message") or None
        when = _tg_title_time(date_tag.get("title") if date_tag else None)
        parsed.append((sender, when, _tag_text(text), number))
    partner, owner = _pair(title, (s for s, *_ in parsed if s))
    for sender, when, text, number in parsed:
        recipients, direction = _dialog(sender, partner, owner)
        yield Message(
            channel="telegram",
            time=when,
            sender=sender,
            recipients=recipients,
            sender_name=sender,
            body=text,
            message_id=number,
            conversation=title,
            direction=direction,
        )


def _child(tag: Tag | None, *names: str) -> Tag | None:
    """The first `div` directly under `tag` that has all the classes `names` (a forwarded
    message's text sits one level deeper, in `div.forwarded.body`)."""
    if tag is None:
        return None
    wanted = set(names)
    for child in tag.children:
        if isinstance(child, Tag) and child.name == "div" and wanted <= set(child.get("class", ())):
            return child
    return None


def _tag_text(tag: object) -> str | None:
    if not isinstance(tag, Tag):
        return None
    for br in tag.find_all("br"):
        br.replace_with("\n")
    return "\n".join(line.strip() for line in tag.get_text().strip().splitlines()) or None


def _tg_title_time(stamp: object) -> str | None:
    found = _TG_TITLE.match(stamp.strip()) if isinstance(stamp, str) else None
    if found is None:
        return None
    try:
        moment = datetime.strptime(
            f"{found['y']}-{found['m']}-{found['d']} {found['t']}", "%Y-%m-%d %H:%M:%S"
        )
    except ValueError:
        return None
    offset = None
    if found["sign"]:
        offset = timedelta(hours=int(found["hh"]), minutes=int(found["mm"]))
        offset = -offset if found["sign"] == "-" else offset
    return _utc(moment, offset)


def sniff_telegram(head: bytes, _name: str) -> bool:
    """A Telegram Desktop export: result.json (a full export's "about" and sections, or a
    single chat's name, type, id and messages) or an HTML page of its chat history."""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"<"):
        return False
    start = head[:4096].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if start.startswith("{"):
        return bool(_TG_FULL.match(start) or _TG_SINGLE.match(start))
    return (
        "<title>Exported Data</title>" in start
        and 'class="page_wrap"' in start
        and "chat_page" in start
    )


# --------------------------------------------------------------------------- WhatsApp

_WA_LINE = re.compile(
    r"^[\u200e\u200f\ufeff]*(?P<open>\[)?"
    r"(?P<date>\d{1,4}(?P<sep>[./-])\d{1,2}(?P=sep)\d{1,4}),?\s"
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:\s?(?P<ap>[AaPp]\.?\s?[Mm]\.?))?"
    r"(?(open)\]\s|\s[-\u2013]\s)(?P<rest>.*)$"
)
_WA_NOTICE = "end-to-end encrypted"
_WA_FILE = re.compile(
    r"^whatsapp[ _]chat[ _](?:with[ _]|-[ _])(?P<name>.+?)(?:[ _]\(\d+\))?\.txt$", re.IGNORECASE
)


@dataclass
class _WhatsAppForm:
    """What the export's dates say about their order, and who wrote in it."""

    first_max: int = 0
    second_max: int = 0
    meridiem: bool = False
    senders: set[str] = field(default_factory=set)

    def add(self, found: re.Match) -> None:
        first, second, _rest = re.split(r"[./-]", found["date"])
        if found["sep"] == "/" and len(first) < 4:
            self.first_max = max(self.first_max, int(first))
            self.second_max = max(self.second_max, int(second))
        self.meridiem = self.meridiem or bool(found["ap"])
        said = _wa_said(found["rest"])
        if said and len(self.senders) < 1000:
            self.senders.add(said[0])

    def order(self, sep: str) -> str:
        """Day first unless slashes and the numbers (or a 12-hour clock) say month first."""
        if sep != "/" or self.first_max > 12:
            return "dmy"
        return "mdy" if self.second_max > 12 or self.meridiem else "dmy"


def parse_whatsapp(path: Path) -> Iterator[Message]:
    """WhatsApp's "Export chat" text (`WhatsApp Chat with NAME.txt`, iOS `_chat.txt`): lines
    "DATE, TIME - Name: text" (Android) or "[DATE, TIME] Name: text" (iOS), dates d/m/y, m/d/y
    (told apart by the file's numbers, else by a 12-hour clock), d.m.y or y-m-d, times with or
    without seconds and AM/PM (also with narrow no-break spaces). Lines that do not start
    a message continue the previous one; lines without "Name:" (notices) are skipped. The
    export has no time zone: the phone's local time is kept as if it were UTC. The chat name
    comes from the file name (its spaces read back from a copy's underscores); in a chat of
    two it tells the partner from the owner."""
    form = _WhatsAppForm()
    for _offset, line in _lines(path):
        found = _WA_LINE.match(line)
        if found:
            form.add(found)
    named = _WA_FILE.match(path.name)
    title = named["name"].replace("_", " ").strip() if named else None
    partner, owner = _pair(title, form.senders)
    for offset, when, sender, text in _whatsapp_messages(path, form):
        recipients, direction = _dialog(sender, partner, owner)
        yield Message(
            channel="whatsapp",
            time=iso_utc(when) if when else None,
            sender=sender,
            recipients=recipients,
            sender_name=sender,
            body=text.strip() or None,
            conversation=title,
            direction=direction,
            file_offset=offset,
        )


def _whatsapp_messages(
    path: Path, form: _WhatsAppForm
) -> Iterator[tuple[int, datetime | None, str, str]]:
    """(offset, local time, sender, text) of each message, its continuation lines joined."""
    current: tuple[int, datetime | None, str] | None = None
    text: list[str] = []
    for offset, line in _lines(path):
        found = _WA_LINE.match(line)
        if found is None:
            if not _junk(line):
                text.append(line)
            continue
        if current is not None:
            yield (*current, "\n".join(text))
        said = _wa_said(found["rest"])
        day = _day(found["date"], form.order(found["sep"]))
        clock = _clock(found["h"], found["m"], found["s"], found["ap"])
        when = datetime.combine(day, clock) if day and clock else None
        current, text = ((offset, when, said[0]), [said[1]]) if said else (None, [])
    if current is not None:
        yield (*current, "\n".join(text))


def _wa_said(rest: str) -> tuple[str, str] | None:
    """(sender, text) of a message line's rest, None for a notice: no "Name:", or iOS's
    encryption notice, written under the chat's name with a left-to-right mark."""
    sender, sep, text = rest.partition(": ")
    if not sep or (text.startswith("\u200e") and _WA_NOTICE in text):
        return None
    return sender.translate(_BIDI).strip(), text.lstrip("\u200e")


def sniff_whatsapp(head: bytes, name: str) -> bool:
    """Named like a WhatsApp export, or starting with its dated lines (the first and at least
    one more of the first ten)."""
    if _WA_FILE.match(name):
        return True
    if not head[:1].isdigit() and not head.startswith((b"[", b"\xef\xbb\xbf", b"\xe2\x80\x8e")):
        return False
    lines = _head_lines(head, 10)
    return (
        bool(lines and _WA_LINE.match(lines[0]))
        and sum(bool(_WA_LINE.match(line)) for line in lines) >= 2
    )


# --------------------------------------------------------------------------- IRC logs

_IRC_SESSION = re.compile(
    r"^(?:\*\*\*\* (?:BEGIN|ENDING) LOGGING AT|--- (?:Log opened|Log closed|Day changed))"
    r" (?P<when>.+)$"
)
_HEXCHAT = re.compile(
    r"^(?P<mon>[A-Za-z]{3}) (?P<day>[ \d]?\d) (?P<hms>\d{2}:\d{2}:\d{2}) (?P<rest>.*)$"
)
_IRSSI = re.compile(r"^(?P<hms>\d{2}:\d{2}(?::\d{2})?) (?P<rest>.*)$")
_ISO = re.compile(
    r"^(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?P<tz>Z|[+-]\d{2}:?\d{2})?[\t ](?P<rest>.*)$"
)
_NICK_LINE = re.compile(r"^<[ @+%&~!]?(?P<nick>[^>\s]+)>[\t ](?P<text>.*)$")
_WEECHAT_NICK = re.compile(r"^[@+%&~!]?(?P<nick>[A-Za-z\[\]\\`_^{|}][^\s]*)$")
_JOINED = re.compile(r"(?:[Nn]ow talking on|has joined) (?P<chan>[#&][^\s,]*)")
_MONTHS = {
    month: number
    for number, month in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


@dataclass
class _IrcState:
    conversation: str | None
    day: date | None = None
    year: int | None = None
    month: int = 0

    def session(self, written: str) -> None:
        for form in ("%a %b %d %H:%M:%S %Y", "%a %b %d %Y"):
            try:
                moment = datetime.strptime(written.strip(), form)
            except ValueError:
                continue
            self.day, self.year, self.month = moment.date(), moment.year, moment.month
            return

    def hexchat(self, found: re.Match) -> datetime | None:
        month = _MONTHS.get(found["mon"].lower())
        if month is None or self.year is None:
            return None
        if month < self.month:  # the log went on into the next year
            self.year += 1
        self.month = month
        try:
            return datetime.strptime(
                f"{self.year}-{month}-{found['day'].strip()} {found['hms']}", "%Y-%m-%d %H:%M:%S"
            )
        except ValueError:
            return None

    def irssi(self, found: re.Match) -> datetime | None:
        hour, minute, *second = found["hms"].split(":")
        clock = _clock(hour, minute, second[0] if second else None, None)
        return datetime.combine(self.day, clock) if self.day and clock else None


def parse_irc(path: Path) -> Iterator[Message]:
    """IRC client logs: HexChat/XChat ("**** BEGIN LOGGING AT <ctime>", lines "Mon DD HH:MM:SS
    <nick>\\ttext", the year from the session line, rolling over at New Year; or ISO stamps),
    irssi ("--- Log opened/Day changed" and "HH:MM <nick> text") and WeeChat
    ("YYYY-MM-DD HH:MM:SS\\tnick\\ttext"). Channel messages only (joins, parts, actions and
    notices are left out); the channel name comes from "Now talking on"/"has joined" lines,
    else from the file name. Clients write local time without a zone: kept as if UTC."""
    state = _IrcState(_irc_name(path.name))
    for offset, line in _lines(path):
        session = _IRC_SESSION.match(line)
        if session:
            state.session(session["when"])
            continue
        said = _irc_line(line, state)
        if said is None:
            joined = _JOINED.search(line)
            if joined:
                state.conversation = joined["chan"]
            continue
        yield _irc_message(offset, *said, state.conversation)


def _irc_line(line: str, state: _IrcState) -> tuple[str | None, str, str] | None:
    """(time, nick, text) of a channel message line, None for any other line."""
    if found := _ISO.match(line):
        when, rest = _iso_stamp(found["iso"], found["tz"]), found["rest"]
        prefix, tab, text = rest.partition("\t")
        weechat = _WEECHAT_NICK.match(prefix) if tab else None
        if weechat and not _NICK_LINE.match(rest):
            return when, weechat["nick"], text
    elif found := _HEXCHAT.match(line):
        when, rest = iso_utc(state.hexchat(found)), found["rest"]
    elif found := _IRSSI.match(line):
        when, rest = iso_utc(state.irssi(found)), found["rest"]
    else:
        return None
    said = _NICK_LINE.match(rest)
    return (when, said["nick"], said["text"]) if said else None


def _iso_stamp(written: str, zone: str | None) -> str | None:
    try:
        moment = datetime.fromisoformat(written.replace(" ", "T") + (zone or ""))
    except ValueError:
        return None
    return iso_utc(moment)


def _irc_name(file_name: str) -> str | None:
    stem = re.sub(r"\.(?:log|txt|weechatlog)$", "", file_name, flags=re.IGNORECASE)
    weechat = (
        re.match(r"^irc\.[^.]+\.(?P<chan>.+)$", stem) if file_name.endswith(".weechatlog") else None
    )
    return (weechat["chan"] if weechat else stem) or None


def _irc_message(offset: int, when: str | None, nick: str, text: str, chan: str | None) -> Message:
    recipients = [chan] if chan and (chan[0] in "#&" or chan != nick) else []
    return Message(
        channel="irc",
        time=when,
        sender=nick,
        recipients=recipients,
        sender_name=nick,
        body=text.strip() or None,
        conversation=chan,
        file_offset=offset,
    )


def sniff_irc(head: bytes, name: str) -> bool:
    """A HexChat/XChat or irssi log (their session line first), or a WeeChat log by name and
    first line."""
    start = head[:256].lstrip(b"\r\n")
    if start.startswith((b"**** BEGIN LOGGING AT ", b"--- Log opened ")):
        return True
    if not name.endswith(".weechatlog"):
        return False
    lines = _head_lines(head, 1)
    return bool(lines and _ISO.match(lines[0]))


PARSERS: tuple[Parser, ...] = (
    Parser("skype", parse_skype, ("*skype/*/main.db",), sniff_skype),
    Parser("pidgin", parse_pidgin, ("*.purple/logs/*.html", "*.purple/logs/*.txt"), sniff_pidgin),
    Parser(
        "telegram",
        parse_telegram,
        ("*chatexport*/result.json", "*dataexport*/result.json", "*chatexport*/messages*.html"),
        sniff_telegram,
    ),
    Parser(
        "whatsapp-txt",
        parse_whatsapp,
        ("*whatsapp chat with *.txt", "*whatsapp chat - *.txt"),
        sniff_whatsapp,
    ),
    Parser(
        "irc-log",
        parse_irc,
        (
            "*hexchat/logs/*.log",
            "*xchat2/xchatlogs/*.log",
            "*irclogs/*.log",
            "*weechat/logs/*.weechatlog",
        ),
        sniff_irc,
    ),
)
