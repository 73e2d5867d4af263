"""Mail parsers on files made by the real writers: the demo's Thunderbird mbox and .eml (stdlib
`email` + `mailbox`), stdlib Maildir, Apple Mail .emlx (message + plistlib property list).
Outlook .msg has no free writer (olefile only reads): those tests build the compound file with
`cfb()` below, a minimal MS-CFB writer that olefile then reads. No PST writer exists either:
PST tests prove that damaged stores fail cleanly and fast, and check our mapping of libpff's
object model with stand-in objects; no real PST is read."""

from __future__ import annotations

import io
import mailbox
import plistlib
import re
import sqlite3
import struct
import time
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest

from crossdrive import artifacts
from crossdrive.artifacts import mail
from crossdrive.artifacts.records import Account, Embedded, Message
from crossdrive.demo.formats import mail as demo
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message as Draft

IVAN = Person("P1", "Иван Петров", "ru_RU", "RU", "member", 0, ["ivan@example.ru"])
AHMAD = Person("P2", "أحمد علي", "ar_EG", "EG", "member", 0, ["ahmad@example.eg"])
JURGEN = Person("P3", "Jürgen Weiß", "de_DE", "DE", "member", 0, ["jurgen@bücher.de"])
ORG = Organisation([IVAN, AHMAD, JURGEN], [["P1", "P2", "P3"]], [], [], [])
DRAFTS = [
    Draft("M1", "email", None, "P1", ["P2"], ["P3"], datetime(2023, 3, 1, 9, 30, tzinfo=UTC),
          "Привет", "Body one\nFrom the start of a line"),
    Draft("M2", "email", None, "P2", ["P1"], [], datetime(2023, 3, 2, 10, 0, tzinfo=UTC),
          "مرحبا", "Body two"),
    Draft("M3", "email", None, "P1", ["P2", "P3"], [], datetime(2023, 3, 3, 23, 59, 59,
          tzinfo=UTC), "Отчёт", "Body three"),
]  # fmt: skip


def records(parse, path: Path) -> list:
    return list(parse(path))


def messages(found: list) -> list[Message]:
    return [record for record in found if isinstance(record, Message)]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, bytes]:
    data, _ink = demo.mbox(DRAFTS, ORG)
    path = tmp_path_factory.mktemp("thunderbird") / "Inbox"
    path.write_bytes(data)
    return path, data


def plain_mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


# --------------------------------------------------------------------------- mbox


def test_mbox_three_messages_exactly(inbox):
    path, data = inbox
    found = records(mail.parse_mbox, path)
    assert all(isinstance(record, Message) for record in found)
    oracle = list(mailbox.mbox(path))
    assert len(found) == len(oracle) == 3
    # Offsets are those of the "From " separator lines.
    assert [m.file_offset for m in found] == [
        match.start() for match in re.finditer(rb"^From - ", data, re.MULTILINE)
    ]
    assert all(data[m.file_offset :].startswith(b"From - ") for m in found)
    first, second, third = found
    assert first.channel == "email"
    assert (first.sender, first.sender_name) == ("ivan@example.ru", "Иван Петров")
    assert (first.recipients, first.cc, first.bcc) == (
        ["ahmad@example.eg"],
        ["jurgen@bücher.de"],
        [],
    )
    assert first.names == {
        "ivan@example.ru": "Иван Петров",
        "ahmad@example.eg": "أحمد علي",
        "jurgen@bücher.de": "Jürgen Weiß",
    }
    assert [m.subject for m in found] == ["Привет", "مرحبا", "Отчёт"]
    assert [m.time for m in found] == [
        "2023-03-01T09:30:00Z",
        "2023-03-02T10:00:00Z",
        "2023-03-03T23:59:59Z",
    ]
    assert [m.message_id for m in found] == [m["Message-ID"] for m in oracle]
    assert [m.conversation for m in found] == [m.message_id for m in found]
    assert (second.sender, second.sender_name, second.recipients) == (
        "ahmad@example.eg",
        "أحمد علي",
        ["ivan@example.ru"],
    )
    assert third.recipients == ["ahmad@example.eg", "jurgen@bücher.de"]
    assert second.body == "Body two\n"
    assert third.headers == {
        "X-Mailer": oracle[2]["X-Mailer"],
        "X-Mozilla-Status": "0001",
        "Received": "from mx.example.ru (mx.example.ru [198.51.100.4]) by mail.example.net; "
        "Fri, 03 Mar 2023 23:59:59 +0000",
    }
    assert all(m.direction is None for m in found)


def test_mbox_escaped_from_line_is_restored(inbox):
    path, data = inbox
    assert b"\n>From the start of a line" in data  # mailbox escaped it when writing
    first = records(mail.parse_mbox, path)[0]
    # The demo writes this message SMTPUTF8 (its Cc domain is not ASCII), with CRLF lines.
    assert first.body == "Body one\r\nFrom the start of a line\r\n"


def test_mbox_truncated_keeps_earlier_messages(inbox, tmp_path):
    path, data = inbox
    whole = records(mail.parse_mbox, path)
    last = whole[2].file_offset
    truncated = tmp_path / "Inbox"
    for cut in (last + 40, data.index(b"Body three") + 8):  # in the headers, in the body
        truncated.write_bytes(data[:cut])
        found = records(mail.parse_mbox, truncated)
        assert found[:2] == whole[:2]
        assert len(found) == 3 and found[2].file_offset == last
    assert (found[2].sender, found[2].subject, found[2].body) == (
        "ivan@example.ru",
        "Отчёт",
        "Body thr",
    )


def test_mbox_streams(inbox):
    _path, data = inbox
    handle = io.BytesIO(data)
    first = next(mail.mbox_messages(handle))
    assert first[0] == 0
    assert handle.tell() < len(data) // 2  # the rest is not read yet


def test_mbox_sent_folder_gives_outgoing_and_owner_accounts(inbox, tmp_path):
    _path, data = inbox
    sent = tmp_path / "Sent"
    sent.write_bytes(data)
    found = records(mail.parse_mbox, sent)
    accounts = [record for record in found if isinstance(record, Account)]
    assert accounts == [
        Account("email", "ivan@example.ru", "Иван Петров", 0),
        Account("email", "ahmad@example.eg", "أحمد علي", messages(found)[1].file_offset),
    ]
    assert [m.direction for m in messages(found)] == ["outgoing"] * 3
    assert isinstance(found[1], Account)  # right after its message


def test_mbox_bad_message_is_skipped_then_reported(inbox, monkeypatch):
    path, _data = inbox
    real = mail.header_message

    def fails_on_second(message):
        if ".m2@" in message["Message-ID"]:  # the second demo message
            raise IndexError("hostile header")
        return real(message)

    monkeypatch.setattr(mail, "header_message", fails_on_second)
    found, parsing = [], mail.parse_mbox(path)
    with pytest.raises(ValueError, match=r"1 unreadable messages skipped, first at byte \d+"):
        found.extend(parsing)
    assert [m.subject for m in messages(found)] == ["Привет", "Отчёт"]


def test_mbox_separators_as_thunderbird_reads_them(inbox, tmp_path):
    path, data = inbox
    whole = records(mail.parse_mbox, path)
    variant = tmp_path / "Inbox"
    # A writer that left a body line unescaped (mboxcl2): no time and year, no new message.
    variant.write_bytes(data.replace(b">From the start of a line", b"From 9:00 to 17:00 daily"))
    found = records(mail.parse_mbox, variant)
    assert len(found) == 3 and found[0].body == "Body one\r\nFrom 9:00 to 17:00 daily\r\n"
    # A writer that left out the blank line before a separator: the messages stay apart.
    second = whole[1].file_offset
    assert data[second - 2 : second] == b"\n\n"
    variant.write_bytes(data[: second - 1] + data[second:])
    found = records(mail.parse_mbox, variant)
    assert [m.subject for m in found] == [m.subject for m in whole]
    assert [m.file_offset for m in found] == [0, second - 1, whole[2].file_offset - 1]


def test_mbox_without_separators_yields_nothing(tmp_path):
    path = tmp_path / "noise"
    path.write_bytes(b"not a mailbox\n" * 1000 + b"\x00\xff" * 500 + b"\nFrom me to you\n")
    assert records(mail.parse_mbox, path) == []


# --------------------------------------------------------------------------- eml


def test_eml_from_demo(tmp_path):
    data, _ink = demo.eml(DRAFTS[1], ORG)
    path = tmp_path / "00000012345.eml"
    path.write_bytes(data)
    [found] = records(mail.parse_eml, path)
    assert (found.sender, found.sender_name, found.recipients) == (
        "ahmad@example.eg",
        "أحمد علي",
        ["ivan@example.ru"],
    )
    assert (found.subject, found.time, found.body) == (
        "مرحبا",
        "2023-03-02T10:00:00Z",
        "Body two\n",
    )
    assert found.file_offset is None


def test_multipart_with_attachments_and_encodings(tmp_path):
    message = plain_mail(
        From="=?utf-8?b?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.ru>",
        To='"Doe, John" <john@example.org>, ahmad@example.eg',
        Bcc="Secret <hidden@example.net>",
        Subject="Report",
        Date="Tue, 05 Mar 2024 14:00:00 +0300",
        Message_ID="<reply-2@example.ru>",
        In_Reply_To="<reply-1@example.ru>",
        References="<root@example.ru> <reply-1@example.ru>",
        List_Unsubscribe="<mailto:off@example.ru>",
        User_Agent="Mutt/2.2",
    )
    message.set_content("Grüße aus Köln = schön", cte="quoted-printable")
    pdf = bytes(range(256)) * 40
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="Отчёт.pdf")
    note = "Привет мир"
    message.add_attachment(note.encode("koi8-r"), maintype="text", subtype="plain",
                           filename="note.txt")  # fmt: skip
    path = tmp_path / "report.eml"
    path.write_bytes(message.as_bytes())
    found = records(mail.parse_eml, path)
    record, *attached = found
    assert record.time == "2024-03-05T11:00:00Z"
    assert (record.sender, record.sender_name) == ("ivan@example.ru", "Иван Петров")
    assert record.recipients == ["john@example.org", "ahmad@example.eg"]
    assert record.bcc == ["hidden@example.net"]
    assert record.names == {
        "ivan@example.ru": "Иван Петров",
        "john@example.org": "Doe, John",
        "hidden@example.net": "Secret",
    }
    assert record.body == "Grüße aus Köln = schön\n"
    assert record.conversation == "<root@example.ru>"
    assert record.headers == {
        "List-Unsubscribe": "<mailto:off@example.ru>",
        "User-Agent": "Mutt/2.2",
        "In-Reply-To": "<reply-1@example.ru>",
        "References": "<root@example.ru> <reply-1@example.ru>",
    }
    assert attached == [
        Embedded("Отчёт.pdf", pdf, "ATTACHMENT"),
        Embedded("note.txt", note.encode("koi8-r"), "ATTACHMENT"),
    ]


def test_encoded_names_with_commas_and_encoded_filename(tmp_path):
    # The legacy email.mime API writes RFC 2047 words where a modern client writes RFC 2231,
    # as Outlook and Gmail still do for attachment names.
    message = MIMEMultipart()
    message["From"] = formataddr(("Петров, Иван", "ivan@example.ru"), "utf-8")
    message["To"] = ", ".join(
        [formataddr(("Smith, Ann", "ann@example.org")), formataddr(("علي، أحمد", "a@example.eg"))]
    )
    message["Subject"] = Header("Счёт за март", "utf-8").encode()
    message.attach(MIMEText("См. вложение", "plain", "utf-8"))
    sheet = MIMEApplication(b"PK\x03\x04sheet", "octet-stream")
    sheet.add_header(
        "Content-Disposition", "attachment", filename=Header("План.xlsx", "utf-8").encode()
    )
    message.attach(sheet)
    data = message.as_bytes()
    assert b"=?utf-8?b?" in data and "Петров".encode() not in data
    path = tmp_path / "mime.eml"
    path.write_bytes(data)
    record, attached = records(mail.parse_eml, path)
    assert (record.sender, record.sender_name) == ("ivan@example.ru", "Петров, Иван")
    assert record.recipients == ["ann@example.org", "a@example.eg"]
    assert record.names["ann@example.org"] == "Smith, Ann"
    assert record.names["a@example.eg"] == "علي، أحمد"
    assert (record.subject, record.body) == ("Счёт за март", "См. вложение")
    assert attached == Embedded("План.xlsx", b"PK\x03\x04sheet", "ATTACHMENT")


def test_base64_body_in_declared_charset_and_html_only(tmp_path):
    message = plain_mail(From="a@example.org", To="b@example.org", Date="Mon, 1 Jan 2024 00:00 Z")
    message.set_content("Привет мир", charset="koi8-r", cte="base64")
    path = tmp_path / "koi8.eml"
    path.write_bytes(message.as_bytes())
    assert b"base64" in path.read_bytes()
    assert records(mail.parse_eml, path)[0].body == "Привет мир\n"

    html = plain_mail(From="a@example.org", Date="Mon, 1 Jan 2024 00:00 +0000")
    html.set_content(
        "<html><head><style>p {}</style></head><body><p>Hello <b>Anna</b></p>"
        "<script>x()</script><p>مرحبا</p></body></html>",
        subtype="html",
        cte="base64",
    )
    path.write_bytes(html.as_bytes())
    assert records(mail.parse_eml, path)[0].body == "Hello Anna\nمرحبا"  # <b> is inline: no break


def test_attached_message_and_oversized_attachment(tmp_path, monkeypatch):
    inner = plain_mail(From="inner@example.org", Subject="inner", Date="Mon, 1 Jan 2024 00:00 Z")
    inner.set_content("inside")
    outer = plain_mail(From="outer@example.org", Subject="fwd")
    outer.set_content("see attached")
    outer.add_attachment(inner)
    outer.add_attachment(b"x" * 5000, maintype="application", subtype="zip", filename="big.zip")
    outer.add_attachment(b"small", maintype="application", subtype="zip", filename="small.zip")
    path = tmp_path / "fwd.eml"
    path.write_bytes(outer.as_bytes())
    monkeypatch.setattr(mail, "MAX_ATTACHMENT", 1000)
    record, forwarded, small = records(mail.parse_eml, path)
    assert (record.subject, record.body) == ("fwd", "see attached\n")
    assert forwarded.name == "attachment-1.eml"
    assert next(iter(mail.mail_records(forwarded.data))).subject == "inner"
    assert small == Embedded("small.zip", b"small", "ATTACHMENT")


def test_invalid_utf8_header_and_unknown_charset(tmp_path):
    message = plain_mail(From="Anna <anna@example.org>", Subject="Hello", To="b@example.org")
    message.set_content("caf\xe9 ok", charset="latin-1")
    data = message.as_bytes().replace(b"Subject: Hello", b"Subject: Hello \xff\xfe")
    data = data.replace(b"From: Anna", b"From: An\xffna")
    data = data.replace(b'charset="iso-8859-1"', b'charset="x-no-such-charset"')
    path = tmp_path / "bad.eml"
    path.write_bytes(data)
    [found] = records(mail.parse_eml, path)
    assert found.subject == "Hello \ufffd\ufffd"
    assert (found.sender, found.sender_name) == ("anna@example.org", "An\ufffdna")
    assert found.body == "caf\ufffd ok\n"  # undecodable in the UTF-8 fallback: replaced
    assert found.time is None  # no Date header


def test_smtputf8_address(tmp_path):
    message = EmailMessage(policy=policy.SMTPUTF8)
    message["From"] = "Jürgen Weiß <jürgen@bücher.de>"
    message["To"] = "Анна <анна@пример.рф>"
    message["Date"] = "Wed, 10 Jan 2024 08:00:00 -0500"
    message.set_content("Hallo")
    path = tmp_path / "utf8.eml"
    path.write_bytes(message.as_bytes())
    assert "jürgen@bücher.de".encode() in path.read_bytes()
    [found] = records(mail.parse_eml, path)
    assert (found.sender, found.sender_name) == ("jürgen@bücher.de", "Jürgen Weiß")
    assert found.recipients == ["анна@пример.рф"]
    assert found.names["анна@пример.рф"] == "Анна"
    assert found.time == "2024-01-10T13:00:00Z"


def test_maildir_file_and_emlx(tmp_path):
    data, _ink = demo.eml(DRAFTS[0], ORG)
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    entry = mailbox.MaildirMessage(data)
    entry.set_subdir("cur")
    entry.set_flags("S")
    key = box.add(entry)
    [stored] = (tmp_path / "Maildir" / "cur").glob(key + "*")  # e.g. 1700000000.M1P2Q1.host:2,S
    head = stored.read_bytes()[: artifacts.HEAD]
    assert mail.sniff_eml(head, stored.name.lower()) and not mail.sniff_mbox(head, "")
    [found] = records(mail.parse_eml, stored)
    assert (found.sender, found.subject) == ("ivan@example.ru", "Привет")
    assert found.body == "Body one\nFrom the start of a line\n"  # Maildir wrote LF lines

    # Apple Mail .emlx: the byte count, the message, then an XML property list.
    plist = plistlib.dumps({"date-received": 1677663000, "flags": 8590195713})
    emlx = tmp_path / "12345.emlx"
    emlx.write_bytes(f"{len(data)}        \n".encode() + data + plist)
    assert mail.sniff_eml(emlx.read_bytes(), "12345.emlx")
    [found] = records(mail.parse_eml, emlx)
    assert (found.sender, found.file_offset) == ("ivan@example.ru", len(f"{len(data)}        \n"))
    assert found.body == "Body one\r\nFrom the start of a line\r\n"  # as the demo wrote it


# --------------------------------------------------------------------------- recognition


def claimed(monkeypatch, path: str, head: bytes) -> list[str]:
    """The mail parsers the registry would run on a file (other families left out)."""
    monkeypatch.setattr(artifacts, "parsers", lambda: mail.PARSERS)
    return [parser.name for parser in artifacts.recognise(path, head)]


def test_recognition_by_content_and_refusals(monkeypatch, inbox, tmp_path):
    _path, data = inbox
    eml, _ink = demo.eml(DRAFTS[0], ORG)
    assert claimed(monkeypatch, "carved/00000012345.bin", data[: artifacts.HEAD]) == ["mbox"]
    assert claimed(monkeypatch, "users/anna/thunderbird/x/mail/local folders/inbox", data) == [
        "mbox"
    ]
    assert claimed(monkeypatch, "home/a/Maildir/cur/1700000000.M1P2.host:2,S", eml) == ["eml"]
    assert claimed(monkeypatch, "carved/f0001", eml) == ["eml"]
    assert claimed(monkeypatch, "users/a/library/mail/inbox.mbox/mbox", b"") == ["mbox"]

    database = tmp_path / "other.sqlite"
    with sqlite3.connect(database) as con:
        con.execute("CREATE TABLE messages (sender TEXT, body TEXT)")
    mhtml = plain_mail(From="<Saved by Blink>", Subject="page", Date="Mon, 1 Jan 2024 00:00 Z")
    mhtml.set_content("<html></html>", subtype="html")
    http = b"HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nFrom: x\r\n\r\n"
    notes = b"From: the desk of Anna\nDate: today\nand then a line that is no header\n\nok"
    refused = {
        "sqlite": database.read_bytes()[: artifacts.HEAD],
        "text": b"Dear Sir,\nFrom: here\nDate: now\n" * 10,
        "notes": notes,
        "html": b"<!DOCTYPE html><html><body>From: a@b.c Date: x</body></html>",
        "mhtml": mhtml.as_bytes(),
        "http": http,
        "pst-pab": b"!BDN\x00\x00\x00\x00AB" + bytes(500),
        "ole-doc": mail.OLE_MAGIC + bytes(504) + "WordDocument".encode("utf-16-le"),
        "empty": b"",
    }
    for label, head in refused.items():
        assert claimed(monkeypatch, f"carved/{label}.bin", head) == [], label


# --------------------------------------------------------------------------- msg

END, FREE, FAT_SECTOR, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(files: dict[str, bytes]) -> bytes:
    """A compound file (MS-CFB version 3: 512-byte sectors, streams under 4096 bytes in the
    mini stream) holding `files`, keyed by "storage/…/stream" paths."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "kids": [], "data": b""}]
    index: dict[tuple[str, ...], int] = {(): 0}
    for path, data in files.items():
        parts = tuple(path.split("/"))
        for depth in range(1, len(parts) + 1):
            if parts[:depth] not in index:
                index[parts[:depth]] = len(entries)
                entries[index[parts[: depth - 1]]]["kids"].append(len(entries))
                kind = 2 if depth == len(parts) else 1
                entries.append({"name": parts[depth - 1], "type": kind, "kids": [], "data": data})
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(table: list[int], blocks: list[bytes]) -> int:
        start = len(table)
        for number in range(len(blocks)):
            table.append(start + number + 1 if number < len(blocks) - 1 else END)
        return start if blocks else END

    def place(data: bytes) -> int:
        blocks = [data[at : at + 512].ljust(512, b"\0") for at in range(0, len(data), 512)]
        start = chain(fat, blocks)
        sectors.extend(blocks)
        return start

    mini, minifat = bytearray(), []
    for entry in entries[1:]:
        data = entry["data"]
        if entry["type"] != 2:
            entry["start"], entry["size"] = 0, 0
        elif len(data) < 4096:
            blocks = [data[at : at + 64].ljust(64, b"\0") for at in range(0, len(data), 64)]
            entry["start"], entry["size"] = chain(minifat, blocks), len(data)
            mini += b"".join(blocks)
        else:
            entry["start"], entry["size"] = place(data), len(data)
    entries[0]["start"], entries[0]["size"] = place(bytes(mini)), len(mini)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_start = place(minifat_bytes) if minifat else END
    for entry in entries:  # siblings as a right-leaning chain in (length, upper case) order
        kids = sorted(
            entry["kids"], key=lambda k: (len(entries[k]["name"]), entries[k]["name"].upper())
        )
        entry["child"] = kids[0] if kids else NONE
        for left, right in pairwise([*kids, NONE]):
            entries[left]["right"] = right
    directory = b"".join(
        struct.pack(
            "<64sHBBIII16sIQQIQ",
            (entry["name"] + "\0").encode("utf-16-le"),
            len(entry["name"]) * 2 + 2,
            entry["type"],
            1,
            NONE,
            entry.get("right", NONE),
            entry["child"],
            bytes(16),
            0,
            0,
            0,
            entry["start"],
            entry["size"],
        )
        for entry in entries
    )
    directory_start = place(directory)
    count = 1
    while len(sectors) + count > count * 128:
        count += 1
    fat_sectors = list(range(len(sectors), len(sectors) + count))
    fat += [FAT_SECTOR] * count
    table = struct.pack(f"<{len(fat)}I", *fat) + b"\xff" * 4 * (count * 128 - len(fat))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        mail.OLE_MAGIC, bytes(16), 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, count, directory_start,
        0, 4096, minifat_start, (len(minifat_bytes) + 511) // 512, END, 0,
    ) + struct.pack("<109I", *fat_sectors, *[FREE] * (109 - count))  # fmt: skip
    return header + b"".join(sectors) + table


def filetime(moment: datetime) -> int:
    return int((moment.timestamp() + 11644473600) * 10**7)


def properties(header: int, values: dict[int, tuple[int, int]]) -> bytes:
    """A `__properties_version1.0` stream: `header` bytes, then (tag, flags, value) entries."""
    return bytes(header) + b"".join(
        struct.pack("<IIQ", pid << 16 | kind, 6, value) for pid, (kind, value) in values.items()
    )


def string(pid: int, text: str, ansi: bool = False) -> tuple[str, bytes]:
    """A string property's stream: UTF-16LE (001F), or `ansi` in the code page 1251 (001E)."""
    if ansi:
        return f"__substg1.0_{pid:04X}001E", text.encode("cp1251")
    return f"__substg1.0_{pid:04X}001F", text.encode("utf-16-le")


def recipient(number: int, kind: int, address: str, name: str, ansi: bool = False) -> dict:
    """A recipient storage (an `ansi` name is in the message's code page)."""
    folder = f"__recip_version1.0_#{number:08X}"
    streams = [string(0x39FE, address), string(0x3001, name, ansi)]
    return {
        f"{folder}/__properties_version1.0": properties(8, {0x0C15: (0x0003, kind)}),
        **{f"{folder}/{stream}": data for stream, data in streams},
    }


SUBMITTED = datetime(2024, 2, 29, 23, 15, 7, tzinfo=UTC)
EARLIER = datetime(2023, 12, 31, 22, 0, 0, tzinfo=UTC)
ATTACHED = "__attach_version1.0_#00000002/__substg1.0_3701000D"
BIG = bytes(range(256)) * 20  # 5,120 bytes: a regular-sector stream


def outlook_msg(transport_headers: str | None = None) -> bytes:
    files = {
        "__properties_version1.0": properties(
            32, {0x0039: (0x0040, filetime(SUBMITTED)), 0x3FDE: (0x0003, 1251)}
        ),
        "__substg1.0_0037001F": "Встреча в пятницу".encode("utf-16-le"),
        "__substg1.0_1000001F": "Добрый день!\r\nДо встречи.".encode("utf-16-le"),
        "__substg1.0_5D01001F": "ivan@example.ru".encode("utf-16-le"),
        "__substg1.0_0C1A001E": "Иван Петров".encode("cp1251"),  # ANSI: the message's code page
        "__substg1.0_1035001F": "<outlook-1@example.ru>".encode("utf-16-le"),
        **recipient(0, 1, "ahmad@example.eg", "أحمد علي"),
        **recipient(1, 2, "jurgen@example.de", "Jürgen Weiß"),
        **recipient(2, 3, "boss@example.ru", "Начальник", ansi=True),
        "__attach_version1.0_#00000000/__properties_version1.0": properties(8, {}),
        "__attach_version1.0_#00000000/__substg1.0_3707001F": "план.xlsx".encode("utf-16-le"),
        "__attach_version1.0_#00000000/__substg1.0_37010102": BIG,
        "__attach_version1.0_#00000001/__properties_version1.0": properties(8, {}),
        "__attach_version1.0_#00000001/__substg1.0_37010102": b"tiny",
        # An attached message: a storage of its own, read in place.
        f"{ATTACHED}/__properties_version1.0": properties(
            24, {0x0E06: (0x0040, filetime(EARLIER))}
        ),
        f"{ATTACHED}/__substg1.0_0037001F": "Fwd: план".encode("utf-16-le"),
        f"{ATTACHED}/__substg1.0_0C1F001F": "anna@example.org".encode("utf-16-le"),
        f"{ATTACHED}/__substg1.0_10130102": b"<html><body><p>Hi <b>Ivan</b></p></body></html>",
    }
    if transport_headers:
        files["__substg1.0_007D001F"] = transport_headers.encode("utf-16-le")
    return cfb(files)


def test_msg_from_properties(tmp_path):
    path = tmp_path / "Встреча.msg"
    path.write_bytes(outlook_msg())
    assert mail.sniff_msg(path.read_bytes()[: artifacts.HEAD], "0001.bin")
    record, big, tiny, attached = records(mail.parse_msg, path)
    assert record == Message(
        channel="email",
        time="2024-02-29T23:15:07Z",
        sender="ivan@example.ru",
        sender_name="Иван Петров",
        recipients=["ahmad@example.eg"],
        cc=["jurgen@example.de"],
        bcc=["boss@example.ru"],
        subject="Встреча в пятницу",
        body="Добрый день!\r\nДо встречи.",
        message_id="<outlook-1@example.ru>",
        conversation="<outlook-1@example.ru>",
        names={
            "ivan@example.ru": "Иван Петров",
            "ahmad@example.eg": "أحمد علي",
            "jurgen@example.de": "Jürgen Weiß",
            "boss@example.ru": "Начальник",
        },
    )
    assert big == Embedded("план.xlsx", BIG, "ATTACHMENT")
    assert tiny == Embedded("attachment-1", b"tiny", "ATTACHMENT")
    assert attached == Message(
        channel="email",
        time="2023-12-31T22:00:00Z",  # PR_MESSAGE_DELIVERY_TIME
        sender="anna@example.org",
        subject="Fwd: план",
        body="Hi Ivan",  # the HTML body, as text
    )


def test_msg_transport_headers_take_precedence(tmp_path):
    headers = (
        "Received: from mx.example.ru by mx.example.eg; Fri, 1 Mar 2024 02:15:07 +0300\r\n"
        "From: =?utf-8?b?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.p@example.ru>\r\n"
        "To: Ahmad <ahmad@example.eg>\r\n"
        "Date: Fri, 1 Mar 2024 02:15:00 +0300\r\n"
        "Message-ID: <header-id@example.ru>\r\n"
        "References: <root@example.ru>\r\n\r\n"
    )
    path = tmp_path / "received.msg"
    path.write_bytes(outlook_msg(headers))
    record = records(mail.parse_msg, path)[0]
    assert (record.sender, record.sender_name) == ("ivan.p@example.ru", "Иван Петров")
    assert (record.recipients, record.cc, record.bcc) == (["ahmad@example.eg"], [], [])
    assert (record.time, record.message_id) == ("2024-02-29T23:15:00Z", "<header-id@example.ru>")
    assert record.conversation == "<root@example.ru>"
    assert record.subject == "Встреча в пятницу"  # not in the headers: from the properties
    assert record.headers["Received"].startswith("from mx.example.ru")


def test_msg_property_stream_decoding():
    stream = properties(32, {0x0039: (0x0040, filetime(SUBMITTED)), 0x0C15: (0x0003, 2)})
    assert mail.msg_fixed_properties(stream + b"\x01\x02", 32) == {
        0x0039: (0x0040, filetime(SUBMITTED).to_bytes(8, "little")),
        0x0C15: (0x0003, (2).to_bytes(8, "little")),
    }
    assert mail.msg_fixed_properties(b"short", 32) == {}


def test_msg_damaged_fails_cleanly(tmp_path):
    data = outlook_msg()
    path = tmp_path / "cut.msg"
    for cut in (8, 512, len(data) // 2):
        path.write_bytes(data[:cut])
        started = time.monotonic()
        with pytest.raises(OSError):
            records(mail.parse_msg, path)
        assert time.monotonic() - started < 2


# --------------------------------------------------------------------------- pst


@pytest.mark.parametrize(
    "data",
    [
        b"!BDN",
        b"!BDN\x00\x00\x00\x00SM\x17\x00\x13\x00\x01\x01" + bytes(500),
        b"!BDN\x00\x00\x00\x00SM\x17\x00" + bytes(range(256)) * 300,
    ],
)
def test_pst_damaged_fails_cleanly(tmp_path, data):
    path = tmp_path / "archive.pst"
    path.write_bytes(data)
    assert mail.sniff_pst(data, "x") == (len(data) > 10)
    started = time.monotonic()
    with pytest.raises(OSError):
        records(mail.parse_pst, path)
    assert time.monotonic() - started < 2


class Item:
    """A stand-in for a libpff item (no PST writer exists): checks our mapping of libpff's
    object model (record sets of property entries), not libpff."""

    def __init__(self, properties: dict[int, object] | None = None, **attributes: object):
        entries = [
            SimpleNamespace(
                entry_type=pid,
                get_data_as_string=lambda v=value: v,
                get_data_as_integer=lambda v=value: v,
            )
            for pid, value in (properties or {}).items()
        ]
        self.record_sets = [SimpleNamespace(entries=entries)]
        self.__dict__.update(attributes)

    def get_sub_message(self, index: int):
        if self.messages[index] is None:
            raise OSError("unable to retrieve item")  # as libpff reports a damaged item
        return self.messages[index]

    def get_sub_folder(self, index: int):
        return self.folders[index]

    def get_attachment(self, index: int):
        return self.attachments[index]


def pff_folder(name: str, messages: list, folders: list = ()) -> Item:
    return Item(name=name, messages=messages, number_of_sub_messages=len(messages),
                folders=list(folders), number_of_sub_folders=len(folders))  # fmt: skip


def pff_message(headers: str | None, properties: dict, recipients: list, attachments: list):
    return Item(
        properties,
        transport_headers=headers,
        recipients=SimpleNamespace(record_sets=[Item(r).record_sets[0] for r in recipients]),
        subject="\x01\x04RE: Angebot",
        sender_name="Anna K",
        client_submit_time=datetime(2024, 1, 2, 3, 4, 5),  # libpff: naive, UTC
        delivery_time=None,
        plain_text_body=b"Hallo\x00",
        html_body=None,
        attachments=attachments,
        number_of_attachments=len(attachments),
    )


def test_pst_mapping_of_libpff_items():
    received = pff_message(
        "From: Bob <bob@example.org>\r\nTo: anna@example.org\r\n"
        "Date: Tue, 2 Jan 2024 10:00:00 +0100\r\nSubject: Angebot\r\n\r\n",
        {},
        [],
        [],
    )
    attachment = Item({0x3704: "ANGEBOT.PDF"}, long_filename=None, size=4)
    attachment.read_buffer = lambda size: b"%PDF"[:size]
    sent = pff_message(
        None,
        {0x5D01: "anna@example.org", 0x1035: "<a1@example.org>"},
        [{0x0C15: 1, 0x39FE: "bob@example.org", 0x3001: "Bob"}, {0x0C15: 2, 0x3003: "c@x.org"}],
        [attachment],
    )
    root = pff_folder(
        "", [], [pff_folder("Inbox", [received, None]), pff_folder("Sent Items", [sent])]
    )
    found, failed = [], []
    found.extend(mail._pst_folder(root, failed))
    inbox, outgoing, owner, embedded = found
    assert (inbox.sender, inbox.sender_name, inbox.recipients) == (
        "bob@example.org",
        "Bob",
        ["anna@example.org"],
    )
    assert (inbox.time, inbox.subject, inbox.body) == ("2024-01-02T09:00:00Z", "Angebot", "Hallo")
    assert (outgoing.sender, outgoing.sender_name, outgoing.direction) == (
        "anna@example.org",
        "Anna K",
        "outgoing",
    )
    assert (outgoing.recipients, outgoing.cc, outgoing.subject) == (
        ["bob@example.org"],
        ["c@x.org"],
        "RE: Angebot",
    )
    assert (outgoing.time, outgoing.message_id) == ("2024-01-02T03:04:05Z", "<a1@example.org>")
    assert owner == Account("email", "anna@example.org", "Anna K")
    assert embedded == Embedded("ANGEBOT.PDF", b"%PDF", "ATTACHMENT")
    assert failed == ["in folder 'Inbox' item 1: OSError: unable to retrieve item"]
