"""Mail: the messages people send and keep. mbox folders (Thunderbird, Apple Mail exports,
Evolution), single RFC 5322 messages (.eml, Maildir `cur/`/`new/` files, Apple Mail .emlx,
carved copies), Outlook .msg files and Outlook PST/OST stores.

E-mail is where a person's addresses meet everyone they write to: every message gives its
sender, its recipients (To, Cc, Bcc) with the display names they carry, its time and its thread.
Identifiers are kept as written; RFC 2047 names and raw UTF-8 (SMTPUTF8) headers are decoded,
undecodable bytes replaced. Attachments come back as Embedded files, parsed again by the stage.
One store parser (mbox, PST) skips a message it cannot read, goes on, and raises at the end
naming what it skipped, so the stage records the loss beside everything that was readable.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from email import policy
from email.message import Message as Mime
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

import olefile
import pypff

from crossdrive.artifacts.common import iso_utc
from crossdrive.artifacts.documents import html_text
from crossdrive.artifacts.records import Account, Embedded, Message, Parser, Record

MAX_ATTACHMENT = 64 * 1024 * 1024  # one attachment's bytes; bigger ones are skipped
MAX_MESSAGE = 256 * 1024 * 1024  # one message's bytes read; the rest of a giant one is dropped
LINE_LIMIT = 1024 * 1024  # an mbox is read in lines of at most this many bytes
HEADER_LIMIT = 16 * 1024  # longer header values skip the stdlib's (quadratic) header parser
MAX_NESTING = 5  # messages inside messages (.msg), folders are bounded separately
KEPT_HEADERS = (
    "List-Unsubscribe",  # bulk mail: not a personal contact
    "List-Id",
    "Precedence",
    "Auto-Submitted",
    "X-Mailer",  # the client that wrote it
    "User-Agent",
    "In-Reply-To",  # threads
    "References",
    "Return-Path",
    "X-Mozilla-Status",  # Thunderbird flags: 0x0008 marks a deleted, not yet compacted message
)
SENT_FOLDERS = {"sent", "sent items", "sent messages", "sent mail", "sent-mail"}
_MESSAGE_ID = re.compile(r"<[^<>]*>")
_ADDR_SPEC = re.compile(r"[^\s<>()\[\],;:\"]+@[^\s<>()\[\],;:\"]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")  # an RFC 5322 field name and its colon


def _parse(data: bytes, headers_only: bool = False) -> Mime:
    """The MIME structure, headers kept as raw strings (compat32): the stdlib's modern header
    objects cost a parse on every access, most of the time spent on a mailbox."""
    return BytesParser(policy=policy.compat32).parsebytes(data, headersonly=headers_only)


def _clean(text: str) -> str:
    """Raw header bytes (kept by the parser as surrogate escapes) decoded as UTF-8, bad bytes
    replaced: SMTPUTF8 headers are UTF-8, and anything else has no declared charset."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _words(text: str) -> str:
    """RFC 2047 encoded words decoded by the stdlib's header parser (a value it fails on, or
    one too long for its quadratic parser, stays as written)."""
    if "=?" not in text or len(text) > HEADER_LIMIT:
        return text
    try:
        return _clean(str(policy.default.header_fetch_parse("Subject", text)))
    except Exception:  # the header parser's failure on hostile input: keep the text
        return text


def _raw(mail: Mime, name: str) -> list[str]:
    """Every instance of a header, unfolded, as UTF-8 text; encoded words left in place."""
    wanted = name.lower()
    return [
        _clean(_FOLD.sub("", value)).strip()
        for key, value in mail.raw_items()
        if key.lower() == wanted
    ]


def _values(mail: Mime, name: str) -> list[str]:
    """Every instance of a header, decoded."""
    return [_words(value) for value in _raw(mail, name)]


def _first(mail: Mime, name: str) -> str | None:
    values = _values(mail, name)
    return (values[0] or None) if values else None


def _addresses(mail: Mime, name: str) -> list[tuple[str, str]]:
    """(display name, addr-spec) of every address in every instance of an address header; names
    decoded after the split, so a decoded comma or quote cannot split an address."""
    values = _raw(mail, name)
    try:
        pairs = getaddresses(values)
    except RecursionError:  # comments nested beyond the parser's reach: the bare addresses
        pairs = [("", found) for value in values for found in _ADDR_SPEC.findall(value)]
    found = []
    for display, address in pairs:
        if address.strip():
            found.append((_words(display.strip()), address.strip()))
    return found


def _date(mail: Mime) -> str | None:
    value = _first(mail, "Date")
    if not value:
        return None
    try:
        return iso_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _thread(record: Message) -> str | None:
    """The thread's root: the first id in References, else the one replied to, else this one."""
    for header in ("References", "In-Reply-To"):
        ids = _MESSAGE_ID.findall(record.headers.get(header, ""))
        if ids:
            return ids[0]
    return record.message_id


def header_message(mail: Mime) -> Message:
    """A message record with everything the headers give (no body)."""
    sender, to, cc, bcc = (_addresses(mail, name) for name in ("From", "To", "Cc", "Bcc"))
    headers = {name: "\n".join(_values(mail, name)) for name in KEPT_HEADERS if name in mail}
    if "Received" in mail:
        headers["Received"] = "\n".join(_values(mail, "Received"))
    record = Message(
        channel="email",
        time=_date(mail),
        sender=sender[0][1] if sender else None,
        sender_name=(sender[0][0] or None) if sender else None,
        recipients=[address for _, address in to],
        cc=[address for _, address in cc],
        bcc=[address for _, address in bcc],
        subject=_first(mail, "Subject"),
        message_id=_first(mail, "Message-ID"),
        headers=headers,
        names={address: name for name, address in sender + to + cc + bcc if name},
    )
    record.conversation = _thread(record)
    return record


def _decode(data: bytes, charset: str | None) -> str:
    """Text in its declared charset; undeclared (or "ascii" over 8-bit bytes): UTF-8 when it
    is, else Windows-1252, what such mail mostly is."""
    if charset in (None, "us-ascii", "ascii"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            charset = "cp1252"
    try:
        return data.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace")


def _leaves(part: Mime, depth: int = 0) -> Iterator[Mime]:
    """The parts that hold content, in order (an attached message is one part)."""
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart" and isinstance(payload, list) and depth < 50:
        for sub in payload:
            yield from _leaves(sub, depth + 1)
    else:
        yield part


def _body_part(leaves: list[Mime]) -> Mime | None:
    """The body as a mail client shows it: the first text/plain part that is not an
    attachment, else the first text/html one."""
    texts = [
        part
        for part in leaves
        if part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment"
    ]
    for subtype in ("plain", "html"):
        for part in texts:
            if part.get_content_subtype() == subtype:
                return part
    return None


def _body(part: Mime | None) -> str | None:
    """The text of the body part: decoded with its charset, HTML made text."""
    payload = part.get_payload(decode=True) if part is not None else None
    if not isinstance(payload, bytes):
        return None
    text = _decode(payload, part.get_content_charset())
    return html_text(text) if part.get_content_subtype() == "html" else text


def _attachment(part: Mime, index: int, offset: int | None) -> Embedded | None:
    """A part with a file name or an attachment disposition (or an attached message) as a file;
    None for other parts and for those over MAX_ATTACHMENT."""
    name = part.get_filename()
    attached_message = part.get_content_type() == "message/rfc822"
    if not (name or attached_message or part.get_content_disposition() == "attachment"):
        return None
    if attached_message:
        inner = part.get_payload()
        data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
    else:
        encoded = part.get_payload()
        if isinstance(encoded, str) and len(encoded) * 3 // 4 > MAX_ATTACHMENT:
            return None  # decoding it would exceed the limit: not even decoded
        data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or len(data) > MAX_ATTACHMENT:
        return None
    fallback = f"attachment-{index}" + (".eml" if attached_message else "")
    name = _words(_clean(str(name))) if name else fallback  # RFC 2047 names, as clients write
    return Embedded(name=name, data=data, step="ATTACHMENT", file_offset=offset)


def mail_records(data: bytes, offset: int | None = None) -> Iterator[Record]:
    """One RFC 5322 message: its Message record, then its attachments as Embedded files."""
    try:
        mail = _parse(data)
    except RecursionError:  # MIME nested beyond the parser's reach: the headers still count
        mail = _parse(data, headers_only=True)
    record = header_message(mail)
    leaves = list(_leaves(mail))
    body = _body_part(leaves)
    record.body = _body(body)
    record.file_offset = offset
    yield record
    for index, part in enumerate(leaves):
        if part is not body and (found := _attachment(part, index, offset)):
            yield found


def _with_owner(records: Iterable[Record], sent: bool, seen: set[str]) -> Iterator[Record]:
    """The records, and after each message of a Sent folder its sender as the owner's Account."""
    for record in records:
        yield record
        if sent and isinstance(record, Message):
            yield from _owner(record, seen)


def _owner(record: Message, seen: set[str]) -> Iterator[Account]:
    """The sender of a message in a Sent folder is the mailbox owner: one Account per address."""
    record.direction = "outgoing"
    if record.sender and record.sender not in seen:
        seen.add(record.sender)
        yield Account("email", record.sender, record.sender_name, record.file_offset)


def _raise_skipped(failed: list[str], what: str) -> None:
    if failed:
        raise ValueError(f"{len(failed)} unreadable {what} skipped, first {failed[0]}")


# --------------------------------------------------------------------------- mbox

# A separator, as Thunderbird recognises one: "From ", a sender, then a date with a time and a
# year ("From - Mon Jan  2 10:00:00 2023", "From MAILER-DAEMON Fri Jul  8 12:08:34 2011"), with
# or without a blank line before it; a body line a writer left unescaped ("From 9:00 to 17:00")
# does not split a message.
_SEPARATOR = re.compile(rb"From \S+ +\S.*\d:\d\d.*\d{4}")
_BLANK = (b"\n", b"\r\n")
_MBOX_FIELDS = (b"from:", b"received:", b"return-path:", b"x-mozilla-status", b"message-id:")


def _unescape(line: bytes) -> bytes:
    """mboxrd quoting: one '>' taken from a body line '>From ', '>>From ' …"""
    return line[1:] if line.startswith(b">") and line.lstrip(b">").startswith(b"From ") else line


def mbox_messages(handle: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(offset of the "From " line, message bytes) of each message, streamed line by line.
    Bytes before the first separator are not a message; a message's bytes past MAX_MESSAGE are
    dropped; the blank line that ends each message belongs to the separator."""
    start: int | None = None
    lines: list[bytes] = []
    offset = size = 0
    for line in iter(lambda: handle.readline(LINE_LIMIT), b""):
        if line.startswith(b"From ") and _SEPARATOR.match(line):
            if start is not None:
                yield start, _message_bytes(lines)
            start, lines, size = offset, [], 0
        elif start is not None and size < MAX_MESSAGE:
            lines.append(_unescape(line))
            size += len(line)
        offset += len(line)
    if start is not None:
        yield start, _message_bytes(lines)


def _message_bytes(lines: list[bytes]) -> bytes:
    if lines and lines[-1] in _BLANK:
        lines.pop()
    return b"".join(lines)


def parse_mbox(path: Path) -> Iterator[Record]:
    """An mbox folder, one message at a time (files of many GB are never read whole; the stdlib
    `mailbox.mbox` reads everything first and splits on any "From " line). Each message's
    `file_offset` is its "From " line. In a folder named Sent (Sent Items, Sent Messages …)
    messages are outgoing and their senders are the owner's Accounts."""
    sent = path.name.lower() in SENT_FOLDERS
    seen: set[str] = set()
    failed: list[str] = []
    with open(path, "rb") as handle:
        for offset, data in mbox_messages(handle):
            try:
                yield from _with_owner(mail_records(data, offset), sent, seen)
            except TimeoutError:
                raise
            except Exception as exc:  # one hostile message: the others still count
                failed.append(f"at byte {offset}: {type(exc).__name__}: {exc}")
    _raise_skipped(failed, "messages")


def sniff_mbox(head: bytes, _name: str) -> bool:
    """A "From " separator line, then header lines naming mail fields."""
    if not head.startswith(b"From "):
        return False
    first, _, rest = head.partition(b"\n")
    if not (_SEPARATOR.match(first) and _FIELD.match(rest)):
        return False
    fields = b"\n" + rest[:8192].lower()
    return any(b"\n" + field in fields for field in _MBOX_FIELDS)


# --------------------------------------------------------------------------- eml

_EMLX_COUNT = re.compile(rb"(\d{1,12})[ \t]*\r?\n")  # Apple Mail .emlx: the message's length


def parse_eml(path: Path) -> Iterator[Record]:
    """One RFC 5322 message (.eml, a Maildir file, a carved copy; Apple Mail's .emlx, whose first
    line counts the message's bytes before its property list): the message and its attachments."""
    with open(path, "rb") as handle:
        count = _EMLX_COUNT.match(handle.read(32))
        offset = count.end() if count else 0
        handle.seek(offset)
        data = handle.read(min(int(count.group(1)), MAX_MESSAGE) if count else MAX_MESSAGE)
    yield from mail_records(data, offset or None)


def sniff_eml(head: bytes, _name: str) -> bool:
    """Header lines only up to the first blank line, with a From that holds an address and a
    Date or Message-ID (not an mbox, which starts with "From ", nor a saved web page: MHTML is
    "From: <Saved by Blink>")."""
    count = _EMLX_COUNT.match(head)
    block = head[count.end() :] if count else head
    if not _FIELD.match(block):
        return False
    end = re.search(rb"\r?\n\r?\n", block)
    lines = block[: end.start()].splitlines() if end else block.splitlines()[:-1]
    if not all(_FIELD.match(line) or line[:1] in (b" ", b"\t") for line in lines):
        return False
    fields = {}
    for line in lines:
        if _FIELD.match(line):
            name, _, value = line.partition(b":")
            fields.setdefault(name.strip().lower(), value)
    return b"@" in fields.get(b"from", b"") and bool(fields.keys() & {b"date", b"message-id"})


# --------------------------------------------------------------------------- MAPI (msg, pst)

# MAPI property ids (MS-OXPROPS) that .msg files and PST stores share.
PR_TRANSPORT_HEADERS = 0x007D
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENT_REPRESENTING_NAME = 0x0042
PR_SENT_REPRESENTING_EMAIL = 0x0065
PR_SENDER_NAME = 0x0C1A
PR_SENDER_EMAIL = 0x0C1F
PR_RECIPIENT_TYPE = 0x0C15
PR_DELIVERY_TIME = 0x0E06
PR_BODY = 0x1000
PR_HTML = 0x1013
PR_INTERNET_MESSAGE_ID = 0x1035
PR_INTERNET_REFERENCES = 0x1039
PR_IN_REPLY_TO = 0x1042
PR_DISPLAY_NAME = 0x3001
PR_EMAIL_ADDRESS = 0x3003
PR_SMTP_ADDRESS = 0x39FE
PR_ATTACH_DATA = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_LONG_FILENAME = 0x3707
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_SENT_REPRESENTING_SMTP = 0x5D02
RECIPIENT_KINDS = {1: "recipients", 2: "cc", 3: "bcc"}  # PR_RECIPIENT_TYPE & 0xF

Recipient = tuple[int | None, str | None, str | None]  # (recipient type, address, display name)


def mapi_message(
    headers: str | None,
    prop: Callable[[int], str | None],
    recipients: Iterable[Recipient],
    time: str | None,
) -> Message:
    """A message from MAPI properties: the transport headers (received mail keeps them) parsed as
    RFC 5322, the properties filling what they lack (sent mail and drafts have none)."""
    if headers:
        record = header_message(_parse(headers.encode("utf-8", "replace"), headers_only=True))
    else:
        record = Message(channel="email", time=None, sender=None)
    record.time = record.time or time
    record.subject = record.subject or prop(PR_SUBJECT)
    record.message_id = record.message_id or prop(PR_INTERNET_MESSAGE_ID)
    if not record.sender:
        record.sender = (
            prop(PR_SENDER_SMTP_ADDRESS)
            or prop(PR_SENDER_EMAIL)
            or prop(PR_SENT_REPRESENTING_SMTP)
            or prop(PR_SENT_REPRESENTING_EMAIL)
        )
        record.sender_name = prop(PR_SENDER_NAME) or prop(PR_SENT_REPRESENTING_NAME)
        if record.sender and record.sender_name:
            record.names[record.sender] = record.sender_name
    if not (record.recipients or record.cc or record.bcc):
        for kind, address, name in recipients:
            if address:
                field = RECIPIENT_KINDS.get((kind or 1) & 0xF, "recipients")
                getattr(record, field).append(address)
                if name:
                    record.names.setdefault(address, name)
    for header, pid in (("In-Reply-To", PR_IN_REPLY_TO), ("References", PR_INTERNET_REFERENCES)):
        value = prop(pid)
        if value and header not in record.headers:
            record.headers[header] = value
    record.conversation = _thread(record)
    return record


def _codec(codepage: int) -> str:
    """The Python codec of a Windows code page (cp1252 when unknown)."""
    known = {65001: "utf-8", 20127: "ascii", 28591: "latin-1", 1200: "utf-16-le"}
    name = known.get(codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"


# --------------------------------------------------------------------------- msg

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_SUBSTG = "__substg1.0_".encode("utf-16-le")
PT_LONG, PT_SYSTIME = 0x0003, 0x0040
MSG_HEADER = 32  # bytes before the property entries: the message's own stream
EMBEDDED_HEADER = 24  # an attached message's
CHILD_HEADER = 8  # a recipient's or an attachment's


def msg_fixed_properties(stream: bytes, header: int) -> dict[int, tuple[int, bytes]]:
    """The `__properties_version1.0` stream (MS-OXMSG 2.4): after `header` bytes, 16-byte
    entries of property tag (type in the low 16 bits, id in the high), flags and an 8-byte value
    (fixed-size values in place; variable ones live in `__substg1.0_` streams).
    Returns {property id: (type, value bytes)}."""
    found = {}
    for at in range(header, len(stream) - 15, 16):
        tag = int.from_bytes(stream[at : at + 4], "little")
        found[tag >> 16] = (tag & 0xFFFF, stream[at + 8 : at + 16])
    return found


class MsgStorage:
    """One MS-OXMSG property storage: the message, a recipient, an attachment, or a message
    attached to it. String properties are `__substg1.0_IIII001F` (UTF-16LE) or `…001E` (the
    message's code page, which recipients and attachments inherit) streams, binary ones
    `…0102`; fixed ones are in the properties stream."""

    def __init__(
        self, ole: olefile.OleFileIO, path: tuple[str, ...], header: int, codec: str = "cp1252"
    ) -> None:
        self.ole, self.path = ole, path
        self.fixed = msg_fixed_properties(self._read("__properties_version1.0") or b"", header)
        page = self.integer(PR_MESSAGE_CODEPAGE) or self.integer(PR_INTERNET_CPID)
        self.codec = _codec(page) if page else codec

    def _read(self, name: str, limit: int = MAX_ATTACHMENT) -> bytes | None:
        entry = [*self.path, name]
        if self.ole.get_type(entry) != olefile.STGTY_STREAM or self.ole.get_size(entry) > limit:
            return None
        return self.ole.openstream(entry).read()

    def string(self, pid: int) -> str | None:
        for kind, codec in (("001F", "utf-16-le"), ("001E", self.codec)):
            data = self._read(f"__substg1.0_{pid:04X}{kind}")
            if data is not None:
                return data.decode(codec, "replace").rstrip("\x00") or None
        return None

    def binary(self, pid: int) -> bytes | None:
        return self._read(f"__substg1.0_{pid:04X}0102")

    def integer(self, pid: int) -> int | None:
        """A PT_LONG property."""
        kind, value = self.fixed.get(pid, (None, b""))
        return int.from_bytes(value[:4], "little") if kind == PT_LONG else None

    def time(self, pid: int) -> str | None:
        """A PT_SYSTIME property: FILETIME, 100 ns since 1601."""
        kind, value = self.fixed.get(pid, (None, b""))
        return (
            iso_utc(int.from_bytes(value, "little") // 10, "webkit") if kind == PT_SYSTIME else None
        )

    def children(self, prefix: str) -> list[MsgStorage]:
        """The storages directly inside this one whose names start with `prefix`."""
        depth = len(self.path) + 1
        paths = sorted(
            tuple(found)
            for found in self.ole.listdir(streams=False, storages=True)
            if len(found) == depth
            and tuple(found[:-1]) == self.path
            and found[-1].lower().startswith(prefix)
        )
        return [MsgStorage(self.ole, path, CHILD_HEADER, self.codec) for path in paths]


def _msg_records(store: MsgStorage, depth: int = 0) -> Iterator[Record]:
    recipients = [
        (
            each.integer(PR_RECIPIENT_TYPE),
            each.string(PR_SMTP_ADDRESS) or each.string(PR_EMAIL_ADDRESS),
            each.string(PR_DISPLAY_NAME),
        )
        for each in store.children("__recip_version1.0_")
    ]
    time = store.time(PR_CLIENT_SUBMIT_TIME) or store.time(PR_DELIVERY_TIME)
    record = mapi_message(store.string(PR_TRANSPORT_HEADERS), store.string, recipients, time)
    html = store.binary(PR_HTML) or store.string(PR_HTML)
    record.body = store.string(PR_BODY) or (html_text(html) if html else None)
    yield record
    for index, attach in enumerate(store.children("__attach_version1.0_")):
        data = attach.binary(PR_ATTACH_DATA)
        inner = (*attach.path, f"__substg1.0_{PR_ATTACH_DATA:04X}000D")
        if data is not None:
            name = (
                attach.string(PR_ATTACH_LONG_FILENAME)
                or attach.string(PR_ATTACH_FILENAME)
                or attach.string(PR_DISPLAY_NAME)
                or f"attachment-{index}"
            )
            yield Embedded(name=name, data=data, step="ATTACHMENT")
        elif depth < MAX_NESTING and store.ole.get_type(list(inner)) == olefile.STGTY_STORAGE:
            inner_store = MsgStorage(store.ole, inner, EMBEDDED_HEADER, store.codec)
            yield from _msg_records(inner_store, depth + 1)


def parse_msg(path: Path) -> Iterator[Record]:
    """An Outlook .msg file (MS-OXMSG in an OLE2 compound file, read with olefile): sender,
    To/Cc/Bcc from the recipient storages, subject, body (PR_BODY, else the HTML body as text),
    time (PR_CLIENT_SUBMIT_TIME, else PR_MESSAGE_DELIVERY_TIME, FILETIME), Message-ID; the
    transport headers of received mail, when kept, take precedence. Attached files are Embedded;
    attached messages are read in place as further Message records."""
    with olefile.OleFileIO(str(path)) as ole:
        yield from _msg_records(MsgStorage(ole, (), MSG_HEADER))


def sniff_msg(head: bytes, name: str) -> bool:
    """An OLE2 compound file whose directory names `__substg1.0_` streams (or named .msg)."""
    return head.startswith(OLE_MAGIC) and (_SUBSTG in head or name.endswith(".msg"))


# --------------------------------------------------------------------------- pst

PFF_MAGIC = b"!BDN"
PFF_CLIENTS = (b"SM", b"SO")  # PST and OST stores (not PAB address books, "AB")
MAX_FOLDER_DEPTH = 64


def _attempt(read: Callable[[], Any]) -> Any:
    """A libpff value, or None where the store is damaged there."""
    try:
        return read()
    except (OSError, ValueError, OverflowError):
        return None


def _pff_entries(record_set: Any) -> dict[int, Any]:
    """{property id: record entry} of one record set (an item's properties)."""
    entries = _attempt(lambda: list(record_set.entries)) or []
    return {entry.entry_type: entry for entry in entries}


def _pff_string(entries: dict[int, Any]) -> Callable[[int], str | None]:
    def read(pid: int) -> str | None:
        entry = entries.get(pid)
        return _pff_text(_attempt(entry.get_data_as_string)) if entry is not None else None

    return read


def _pff_reader(item: Any) -> Callable[[int], str | None]:
    """The string properties of an item (a message, an attachment): its first record set."""
    sets = _attempt(lambda: list(item.record_sets)) or []
    return _pff_string(_pff_entries(sets[0]) if sets else {})


def _pff_text(value: Any) -> str | None:
    """A libpff string or body (bodies come as UTF-8 bytes), NULs at the end dropped."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return (value.rstrip("\x00") or None) if isinstance(value, str) else None


def _pst_recipients(message: Any) -> Iterator[Recipient]:
    recipients = _attempt(lambda: message.recipients)
    sets = (_attempt(lambda: list(recipients.record_sets)) if recipients else None) or []
    for each in sets:
        entries = _pff_entries(each)
        read = _pff_string(entries)
        kind = entries.get(PR_RECIPIENT_TYPE)
        kind_value = _attempt(kind.get_data_as_integer) if kind is not None else None
        yield kind_value, read(PR_SMTP_ADDRESS) or read(PR_EMAIL_ADDRESS), read(PR_DISPLAY_NAME)


def _pst_attachments(message: Any) -> Iterator[Embedded]:
    for index in range(_attempt(lambda: message.number_of_attachments) or 0):
        attachment = _attempt(lambda i=index: message.get_attachment(i))
        size = _attempt(lambda a=attachment: a.size) if attachment else None
        if not size or size > MAX_ATTACHMENT:
            continue
        data = _attempt(lambda a=attachment, s=size: a.read_buffer(s))
        if isinstance(data, bytes):
            read = _pff_reader(attachment)
            name = (
                _pff_text(_attempt(lambda a=attachment: a.long_filename))
                or read(PR_ATTACH_FILENAME)
                or read(PR_DISPLAY_NAME)
                or f"attachment-{index}"
            )
            yield Embedded(name=name, data=data, step="ATTACHMENT")


def _pst_message(message: Any) -> Iterator[Record]:
    read = _pff_reader(message)
    moment = _attempt(lambda: message.client_submit_time) or _attempt(lambda: message.delivery_time)
    headers = _pff_text(_attempt(lambda: message.transport_headers)) or read(PR_TRANSPORT_HEADERS)
    record = mapi_message(headers, read, list(_pst_recipients(message)), iso_utc(moment))
    subject = record.subject or _pff_text(_attempt(lambda: message.subject))
    # A PST keeps a subject's prefix length in a control code before it: "\x01\x05RE: …"
    record.subject = subject[2:] if subject and subject.startswith("\x01") else subject
    record.sender_name = record.sender_name or _pff_text(_attempt(lambda: message.sender_name))
    html = _attempt(lambda: message.html_body)
    plain = _pff_text(_attempt(lambda: message.plain_text_body))
    record.body = plain or (html_text(html) if html else None)
    yield record
    yield from _pst_attachments(message)


def _pst_folder(folder: Any, failed: list[str], depth: int = 0) -> Iterator[Record]:
    name = _pff_text(_attempt(lambda: folder.name)) or ""
    sent = name.lower() in SENT_FOLDERS
    seen: set[str] = set()
    for index in range(_attempt(lambda: folder.number_of_sub_messages) or 0):
        try:
            yield from _with_owner(_pst_message(folder.get_sub_message(index)), sent, seen)
        except TimeoutError:
            raise
        except Exception as exc:  # a damaged item: the others still count
            failed.append(f"in folder {name!r} item {index}: {type(exc).__name__}: {exc}")
    for index in range(_attempt(lambda: folder.number_of_sub_folders) or 0):
        sub = _attempt(lambda i=index: folder.get_sub_folder(i))
        if sub is None:
            failed.append(f"in folder {name!r}: sub-folder {index}")
        elif depth < MAX_FOLDER_DEPTH:
            yield from _pst_folder(sub, failed, depth + 1)


def parse_pst(path: Path) -> Iterator[Record]:
    """An Outlook PST/OST store (libpff): every folder, every message: sender and recipients (from
    the transport headers when kept, else the MAPI properties), subject, plain-text body (else
    the HTML body as text), client submit or delivery time, attachments as Embedded. Messages in
    a folder named Sent Items are outgoing and give the owner's Accounts."""
    store = pypff.file()
    with open(path, "rb") as handle:
        store.open_file_object(handle)
        try:
            failed: list[str] = []
            root = store.get_root_folder()
            if root is not None:
                yield from _pst_folder(root, failed)
            _raise_skipped(failed, "items")
        finally:
            store.close()


def sniff_pst(head: bytes, _name: str) -> bool:
    """The PFF header: "!BDN", then the client magic of a PST or OST."""
    return head.startswith(PFF_MAGIC) and head[8:10] in PFF_CLIENTS


PARSERS = (
    Parser("mbox", parse_mbox, globs=("*.mbox", "*.mbox/mbox", "*.mbx"), sniff=sniff_mbox),
    Parser("eml", parse_eml, globs=("*.eml", "*.emlx"), sniff=sniff_eml),
    Parser("msg", parse_msg, sniff=sniff_msg),
    Parser("pst", parse_pst, sniff=sniff_pst),
)
