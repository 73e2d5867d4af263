"""Phone data parsers on files made the way the phone apps make them: the demo generators (SMS
Backup & Restore, Android `mmssms.db` and `contacts2.db`), ElementTree for the backup's MMS and
call logs, sqlite3 with the apps' real schemas (Android telephony and contacts providers,
WhatsApp's msgstore.db and wa.db, Apple's chat.db). Exact values; hostile inputs; sniffs."""

from __future__ import annotations

import base64
import contextlib
import io
import sqlite3
import time
import tracemalloc
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from PIL import Image

from crossdrive.artifacts import phone
from crossdrive.artifacts.records import Account, Contact, Embedded, Event, Message
from crossdrive.demo.formats import browser as demo_browser
from crossdrive.demo.formats import chat as demo_chat
from crossdrive.demo.formats import phone as demo
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message as Sent

OWNER = Person("P001", "Anna Berg", "de_DE", "DE", "member", 0, ["anna.berg@gmx.de"])
OWNER.phones = ["+4915123456789"]
OWNER.handles = {"skype": "anna.berg", "telegram": "anna_tg", "xmpp": "anna@jabber.org"}
BOB = Person("P002", "Bob Stone", "en_GB", "GB", "member", 0, ["bob@outlook.com"])
BOB.phones = ["+447911123456"]
BOB.handles = {"skype": "live:.cid.1a2b3c", "telegram": "bob_tg", "xmpp": "bob@xmpp.jp"}
CARLA = Person("P003", "Carla Ruíz", "es_ES", "ES", "outsider", None, ["carla@gmail.com"])
CARLA.phones = ["+34612345678", "+4917612345678"]
CARLA.handles = {"skype": "carla.r", "telegram": "carla_tg", "xmpp": "carla@404.city"}
ORG = Organisation([OWNER, BOB, CARLA], [["P001", "P002"]], [], ["P003"], [])


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def sms(number: int, sender: str, to: str, when: datetime, body: str) -> Sent:
    return Sent(f"M{number:04d}", "sms", None, sender, [to], [], when, "", body)


TRAFFIC = [  # the owner's SMS; pick() takes Carla's second number for odd message ids
    sms(1, "P002", "P001", at(2024, 5, 2, 8, 11), "Friday?"),
    sms(2, "P001", "P002", at(2024, 5, 2, 8, 12, 30), "Ja, 10:00 <café>"),
    sms(3, "P003", "P001", at(2024, 5, 3, 22, 0, 5), "Llámame 📞"),
    sms(4, "P001", "P003", at(2024, 5, 4, 6, 30), "Ok"),
]
BOB_INTL, BOB_E164 = "+44 7911 123456", "+447911123456"
CARLA_INTL, CARLA_E164, CARLA_2 = "+49 176 12345678", "+34612345678", "+4917612345678"


def unix(moment: datetime, unit: int = 1) -> int:
    return int(moment.timestamp()) * unit


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def sqlite_file(path: Path, schema: str, rows: dict[str, list[dict]], page: int = 4096) -> Path:
    """A database with the application's schema, filled by sqlite3; columns a row leaves out
    take the schema's defaults."""
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA page_size = {page}")
    db.create_collation("PHONEBOOK", lambda a, b: (a > b) - (a < b))  # Android's collator
    db.executescript(schema)
    for table, values in rows.items():
        for row in values:
            names = ", ".join(f'"{name}"' for name in row)
            marks = ", ".join("?" * len(row))
            db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))
    db.commit()
    db.close()
    return path


def brief(record: Message) -> tuple:
    return (record.direction, record.sender, record.recipients, record.body, record.time)


# --------------------------------------------------------------------------- SMS Backup & Restore


def test_backup_demo_sms(tmp_path):
    data, _ = demo.sms_backup_xml(TRAFFIC, OWNER, ORG)
    records = list(phone.parse_backup(write(tmp_path, "sms-20240504063000.xml", data)))
    assert [brief(r) for r in records] == [
        ("incoming", BOB_INTL, [], "Friday?", "2024-05-02T08:11:00Z"),
        ("outgoing", None, [BOB_E164], "Ja, 10:00 <café>", "2024-05-02T08:12:30Z"),
        ("incoming", CARLA_INTL, [], "Llámame 📞", "2024-05-03T22:00:05Z"),
        ("outgoing", None, [CARLA_E164], "Ok", "2024-05-04T06:30:00Z"),
    ]
    assert {r.channel for r in records} == {"sms"}
    assert records[0].names == {BOB_INTL: "Bob Stone"} and records[0].sender_name == "Bob Stone"
    assert records[3].names == {CARLA_E164: "Carla Ruíz"} and records[3].sender_name is None
    assert all(r.subject is None and r.file_offset is None for r in records)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def backup_file(root: ET.Element, path: Path) -> Path:
    """Serialised as the app writes it: UTF-8, declaration, a comment, the stylesheet."""
    with path.open("wb") as out:
        out.write(b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(b"<!--File Created By SMS Backup & Restore v10.20.002 on 04/05/2024 08:00-->\n")
        out.write(b'<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n')
        ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=False)
    return path


def mms(parent: ET.Element, box: int, date_ms: int, parts: list[dict], addrs: list[tuple]) -> None:
    nulls = {k: "null" for k in ("rr", "sub", "read_status", "ct_cls", "resp_txt", "d_tm")}
    element = ET.SubElement(
        parent,
        "mms",
        date=str(date_ms),
        ct_t="application/vnd.wap.multipart.related",
        msg_box=str(box),
        address="~".join(a for a, _ in addrs if a != "insert-address-token"),
        m_id=f"mms-{date_ms}",
        m_type="132" if box == 1 else "128",
        read="1",
        contact_name="(Unknown)",
        **nulls,
    )
    part_list = ET.SubElement(element, "parts")
    for seq, part in enumerate(parts):
        defaults = {k: "null" for k in ("name", "chset", "cd", "fn", "cid", "cl", "text")}
        ET.SubElement(part_list, "part", seq=str(seq), **{**defaults, **part})
    addr_list = ET.SubElement(element, "addrs")
    for address, kind in addrs:
        ET.SubElement(addr_list, "addr", address=address, type=str(kind), charset="106")


def test_backup_mms_with_attachment_and_own_number(tmp_path):
    picture = png_bytes()
    root = ET.Element("smses", count="2", backup_set="5e1c", backup_date="1714810000000")
    smil = {"ct": "application/smil", "cid": "<smil>", "text": "<smil><body/></smil>"}
    photo = {"ct": "image/png", "cl": "IMG_0001.png", "data": base64.b64encode(picture).decode()}
    mms(
        root,
        1,
        unix(at(2024, 5, 2, 9, 0, 1), 1000),
        [smil, {"ct": "text/plain", "chset": "106", "text": "Look 👀"}, photo],
        [(BOB_E164, 137), (OWNER.phones[0], 151), (CARLA_2, 151), ("a@b.de", 130)],
    )
    mms(
        root,
        2,
        unix(at(2024, 5, 2, 9, 5), 1000),
        [{"ct": "text/plain", "text": "Thanks"}, {"ct": "video/mp4", "cl": "clip.mp4"}],
        [(OWNER.phones[0], 137), (BOB_E164, 151)],
    )
    records = list(phone.parse_backup(backup_file(root, tmp_path / "sms-1.xml")))
    first, image, second, own = records
    assert (first.channel, first.direction, first.sender) == ("mms", "incoming", BOB_E164)
    assert first.recipients == [OWNER.phones[0], CARLA_2] and first.cc == ["a@b.de"]
    assert (first.body, first.time, first.subject) == ("Look 👀", "2024-05-02T09:00:01Z", None)
    assert first.message_id == "mms-1714640401000"
    assert first.headers == {"attachments": "IMG_0001.png (image/png)"}
    assert image == Embedded("IMG_0001.png", picture, "ATTACHMENT")
    assert (second.direction, second.sender, second.recipients) == (
        "outgoing",
        OWNER.phones[0],
        [BOB_E164],
    )
    assert second.headers == {"attachments": "clip.mp4 (video/mp4)"}  # media left out of backup
    assert own == Account(service="sms", identifier=OWNER.phones[0])


def test_backup_calls(tmp_path):
    root = ET.Element("calls", count="4")
    for number, kind, duration, moment, name in [
        (BOB_E164, 1, 42, at(2024, 5, 2, 7, 0), "Bob Stone"),
        (CARLA_2, 2, 310, at(2024, 5, 2, 7, 30, 9), "(Unknown)"),
        (BOB_E164, 3, 0, at(2024, 5, 3, 23, 59, 59), "Bob Stone"),
        ("", 1, 5, at(2024, 5, 4, 1, 0), "null"),
    ]:
        ET.SubElement(
            root,
            "call",
            number=number,
            duration=str(duration),
            date=str(unix(moment, 1000)),
            type=str(kind),
            presentation="1" if number else "2",
            readable_date="whatever",
            contact_name=name,
        )
    events = list(phone.parse_backup(backup_file(root, tmp_path / "calls-20240504.xml")))
    assert events == [
        Event("2024-05-02T07:00:00Z", "Call", f"incoming call from {BOB_E164} (Bob Stone) (42 s)"),
        Event("2024-05-02T07:30:09Z", "Call", f"outgoing call to {CARLA_2} (310 s)"),
        Event("2024-05-03T23:59:59Z", "Call", f"missed call from {BOB_E164} (Bob Stone)"),
        Event("2024-05-04T01:00:00Z", "Call", "incoming call from an unknown number (5 s)"),
    ]


def test_backup_emoji_stored_as_surrogate_references(tmp_path):
    """The app's 'store emoji' option writes UTF-16 surrogate pairs as character references,
    which XML forbids; they are read as the characters meant."""
    data, _ = demo.sms_backup_xml(TRAFFIC[:1], OWNER, ORG)
    data = data.replace(b'body="Friday?"', b'body="Nice &#55357;&#56846; &#1;x &#xD83D;&#xDE00;!"')
    (record,) = phone.parse_backup(write(tmp_path, "sms-2.xml", data))
    assert record.body == "Nice 😎 \ufffdx 😀!"


def test_backup_invalid_utf8_is_replaced(tmp_path):
    data, _ = demo.sms_backup_xml(TRAFFIC[:2], OWNER, ORG)
    data = data.replace(b'body="Friday?"', b'body="Fri\xe9day?"')
    records = list(phone.parse_backup(write(tmp_path, "sms-3.xml", data)))
    assert [r.body for r in records] == ["Fri\ufffdday?", "Ja, 10:00 <café>"]


def test_backup_cut_mid_element_yields_what_precedes(tmp_path):
    data, _ = demo.sms_backup_xml(TRAFFIC, OWNER, ORG)
    cut = data.index(b"<sms", data.index("Llámame".encode()))  # into the fourth message
    path = write(tmp_path, "sms-4.xml", data[: cut + 40])
    seen = []
    with pytest.raises(ET.ParseError):
        for record in phone.parse_backup(path):
            seen.append(record)
    assert [r.body for r in seen] == ["Friday?", "Ja, 10:00 <café>", "Llámame 📞"]


def big_backup(path: Path, count: int) -> Path:
    """`count` messages: 100 distinct `<sms>` serialised by ElementTree, repeated."""
    elements = []
    for i in range(100):
        element = ET.Element(
            "sms",
            protocol="0",
            address=f"+49151{i:08d}",
            date=str(1_700_000_000_000 + i * 1000),
            type=str(1 + i % 2),
            subject="null",
            body=f"message {i} with an emoji 😀 and <markup> & a\nsecond line",
            toa="null",
            sc_toa="null",
            service_center="null",
            read="1",
            status="-1",
            locked="0",
            date_sent="0",
            sub_id="1",
            readable_date="14 Nov 2023 23:13:20",
            contact_name="(Unknown)",
        )
        elements.append(ET.tostring(element, encoding="unicode").encode() + b"\n")
    block = b"".join(elements)
    with path.open("wb") as out:
        out.write(b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<smses count="{count}" backup_set="x" type="full">\n'.encode())
        for _ in range(count // 100):
            out.write(block)
        out.write(b"</smses>\n")
    return path


def traced_peak(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in phone.parse_backup(path))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_backup_200k_messages_stream_in_bounded_memory(tmp_path):
    path = big_backup(tmp_path / "sms-big.xml", 200_000)
    start = time.perf_counter()
    last = None
    for count, last in enumerate(phone.parse_backup(path), start=1):  # noqa: B007
        pass
    assert count == 200_000 and last.body.startswith("message 99 with an emoji 😀")
    assert time.perf_counter() - start < 60  # about 4 s on an idle core: no hang, nothing quadratic
    # Memory traced on 2,000 and 10,000 messages (tracing all 200,000 is `make bench`): the peak
    # is a few read chunks and one message, and does not grow with the file.
    small, large = big_backup(tmp_path / "s.xml", 2_000), big_backup(tmp_path / "l.xml", 10_000)
    (n_small, peak_small), (n_large, peak_large) = traced_peak(small), traced_peak(large)
    assert (n_small, n_large) == (2_000, 10_000)
    assert peak_large < large.stat().st_size / 3
    assert peak_large < peak_small * 1.25 + 64 * 1024


@pytest.mark.bench
def test_backup_200k_messages_traced(tmp_path):
    path = big_backup(tmp_path / "sms-big.xml", 200_000)
    count, peak = traced_peak(path)
    assert count == 200_000 and peak < path.stat().st_size / 20


def test_backup_large_attachment(tmp_path):
    """A 3 MiB video in one attribute: no tag end for megabytes, read whole and fast."""
    video = bytes(range(256)) * (3 * 4096)
    root = ET.Element("smses", count="1")
    part = {"ct": "video/mp4", "cl": "VID_0001.mp4", "data": base64.b64encode(video).decode()}
    mms(root, 1, unix(at(2024, 5, 5), 1000), [part], [(BOB_E164, 137)])
    start = time.perf_counter()
    message, attachment = phone.parse_backup(backup_file(root, tmp_path / "sms-6.xml"))
    assert time.perf_counter() - start < 5
    assert attachment == Embedded("VID_0001.mp4", video, "ATTACHMENT")
    assert message.body is None and message.headers == {"attachments": "VID_0001.mp4 (video/mp4)"}


def test_backup_entity_bomb_fails_fast(tmp_path):
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY l0 "ha">{levels}]>'
        '<smses><sms address="1" type="1" date="1" body="&l9;"/></smses>'
    )
    start = time.perf_counter()
    with pytest.raises(ET.ParseError):
        list(phone.parse_backup(write(tmp_path, "sms-7.xml", bomb.encode())))
    assert time.perf_counter() - start < 5


def test_backup_other_xml_yields_nothing(tmp_path):
    path = write(tmp_path, "sms-5.xml", b"<?xml version='1.0'?><rss><sms address='1'/></rss>")
    assert list(phone.parse_backup(path)) == []


# --------------------------------------------------------------------------- Android mmssms.db

MMSSMS_SCHEMA = """
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER,
  date_sent INTEGER DEFAULT 0, msg_box INTEGER, read INTEGER DEFAULT 0, m_id TEXT, sub TEXT,
  sub_cs INTEGER, ct_t TEXT, ct_l TEXT, exp INTEGER, m_cls TEXT, m_type INTEGER, v INTEGER,
  m_size INTEGER, pri INTEGER, rr INTEGER, rpt_a INTEGER, resp_st INTEGER, st INTEGER,
  tr_id TEXT, retr_st INTEGER, retr_txt TEXT, retr_txt_cs INTEGER, read_status INTEGER,
  ct_cls INTEGER, resp_txt TEXT, d_tm INTEGER, d_rpt INTEGER, locked INTEGER DEFAULT 0,
  sub_id INTEGER DEFAULT -1, seen INTEGER DEFAULT 0, creator TEXT, text_only INTEGER DEFAULT 0);
CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, contact_id INTEGER, address TEXT,
  type INTEGER, charset INTEGER);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, seq INTEGER DEFAULT 0,
  ct TEXT, name TEXT, chset INTEGER, cd TEXT, fn TEXT, cid TEXT, cl TEXT, ctt_s INTEGER,
  ctt_t TEXT, _data TEXT, text TEXT);
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER,
  date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0,
  status INTEGER DEFAULT -1, type INTEGER, reply_path_present INTEGER, subject TEXT, body TEXT,
  service_center TEXT, locked INTEGER DEFAULT 0, sub_id INTEGER DEFAULT -1,
  error_code INTEGER DEFAULT 0, creator TEXT, seen INTEGER DEFAULT 0);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0,
  message_count INTEGER DEFAULT 0, recipient_ids TEXT, snippet TEXT, snippet_cs INTEGER DEFAULT 0,
  read INTEGER DEFAULT 1, archived INTEGER DEFAULT 0, type INTEGER DEFAULT 0,
  error INTEGER DEFAULT 0, has_attachment INTEGER DEFAULT 0);
CREATE INDEX typeThreadIdIndex ON sms (type, thread_id);
CREATE TRIGGER part_cleanup DELETE ON pdu BEGIN DELETE FROM part WHERE mid=old._id; END;
"""
MMS_T = unix(at(2024, 5, 2, 8, 53, 20))


def mmssms_full(path: Path) -> Path:
    """Android's telephony database with SMS (one body of invalid UTF-8) and MMS."""
    messaging = "com.google.android.apps.messaging"

    def sms(_id, kind, minute, body, **more):
        date = unix(at(2024, 5, 1, 10, minute), 1000)
        return dict(_id=_id, thread_id=1, address=BOB_E164, date=date, type=kind, read=1,
                    body=body, sub_id=1, creator=messaging, seen=1, **more)  # fmt: skip

    def pdu(_id, thread, offset, box, m_type, sub=None):
        return dict(_id=_id, thread_id=thread, date=MMS_T + offset, msg_box=box, read=1,
                    m_id=f"m{_id}", sub=sub, sub_cs=106 if sub else None, m_type=m_type, v=18,
                    ct_t="application/vnd.wap.multipart.related", tr_id=f"T{_id}", seen=1,
                    creator=messaging)  # fmt: skip

    def addr(msg, address, kind):
        return dict(msg_id=msg, address=address, type=kind, charset=106)

    def part(mid, seq, ct, name, text=None, data=None):
        return dict(mid=mid, seq=seq, ct=ct, name=name, chset=106, cid=f"<{seq}>", cl=name,
                    text=text, _data=data)  # fmt: skip

    app_parts = "/data/user_de/0/com.android.providers.telephony/app_parts/PART_1714.jpg"
    path = sqlite_file(
        path,
        MMSSMS_SCHEMA,
        {
            "canonical_addresses": [dict(_id=1, address=BOB_E164), dict(_id=2, address=CARLA_2)],
            "threads": [dict(_id=1, recipient_ids="1"), dict(_id=2, recipient_ids="1 2")],
            "sms": [
                sms(1, 1, 0, "Hello from Bob", service_center="+447785016005", protocol=0),
                sms(2, 2, 1, None),
                sms(3, 3, 2, "draft text"),
            ],
            "pdu": [
                pdu(1, 2, 0, 1, 132, "Photos"),
                pdu(2, 1, 100, 2, 128),
                pdu(3, 1, 101, 1, 134),  # a delivery report: no message
                pdu(4, 1, 200, 2, 128),
            ],
            "addr": [
                addr(1, BOB_E164, 137),
                addr(1, OWNER.phones[0], 151),
                addr(1, CARLA_2, 151),
                addr(2, "insert-address-token", 137),
                addr(2, BOB_E164, 151),
                addr(4, OWNER.phones[0], 137),
                addr(4, BOB_E164, 151),
            ],
            "part": [
                part(1, -1, "application/smil", "smil.xml", "<smil/>"),
                part(1, 0, "text/plain", "text_0.txt", "Look at this"),
                part(1, 1, "image/jpeg", "IMG_0001.jpg", data=app_parts),
                part(2, 0, "text/plain", "text_0.txt", "Sent MMS"),
                part(4, 0, "text/plain", "text_0.txt", "Second"),
            ],
        },
    )
    with sqlite3.connect(path) as db:  # a body the phone stored with invalid UTF-8
        db.execute("UPDATE sms SET body = CAST(x'636166e920f09f' AS TEXT) WHERE _id = 2")
    return path


def test_mmssms_demo(tmp_path):
    data, _ = demo.mmssms_db(TRAFFIC, OWNER, ORG)
    records = list(phone.parse_mmssms(write(tmp_path, "mmssms.db", data)))
    assert [brief(r) for r in records] == [
        ("incoming", BOB_INTL, [], "Friday?", "2024-05-02T08:11:00Z"),
        ("outgoing", None, [BOB_E164], "Ja, 10:00 <café>", "2024-05-02T08:12:30Z"),
        ("incoming", CARLA_INTL, [], "Llámame 📞", "2024-05-03T22:00:05Z"),
        ("outgoing", None, [CARLA_E164], "Ok", "2024-05-04T06:30:00Z"),
    ]
    assert [r.conversation for r in records] == [BOB_INTL, BOB_E164, CARLA_INTL, CARLA_E164]
    assert {r.channel for r in records} == {"sms"}


def test_mmssms_full_schema(tmp_path):
    records = list(phone.parse_mmssms(mmssms_full(tmp_path / "mmssms.db")))
    texts, multimedia = records[:3], records[3:]
    assert [brief(r) for r in texts] == [
        ("incoming", BOB_E164, [], "Hello from Bob", "2024-05-01T10:00:00Z"),
        ("outgoing", None, [BOB_E164], "caf\ufffd \ufffd", "2024-05-01T10:01:00Z"),
        ("outgoing", None, [BOB_E164], "draft text", "2024-05-01T10:02:00Z"),
    ]
    assert {r.conversation for r in texts} == {BOB_E164}
    first, sent, second, own = multimedia
    assert (first.channel, first.direction, first.sender, first.subject) == (
        "mms",
        "incoming",
        BOB_E164,
        "Photos",
    )
    assert first.recipients == [OWNER.phones[0], CARLA_2]
    assert (first.body, first.time, first.message_id) == (
        "Look at this",
        "2024-05-02T08:53:20Z",
        "m1",
    )
    assert first.conversation == f"{BOB_E164}, {CARLA_2}"
    assert first.headers == {"attachments": "IMG_0001.jpg (image/jpeg)"}
    assert brief(sent) == ("outgoing", None, [BOB_E164], "Sent MMS", "2024-05-02T08:55:00Z")
    assert brief(second) == (
        "outgoing",
        OWNER.phones[0],
        [BOB_E164],
        "Second",
        "2024-05-02T08:56:40Z",
    )
    assert own == Account(service="sms", identifier=OWNER.phones[0])


# --------------------------------------------------------------------------- Android contacts2.db

CONTACTS2_SCHEMA = """
CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_name TEXT,
  account_type TEXT, data_set TEXT);
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL);
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER
  REFERENCES accounts(_id), sourceid TEXT, backup_id TEXT, raw_contact_is_read_only INTEGER NOT
  NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1, dirty INTEGER NOT NULL DEFAULT 0, deleted
  INTEGER NOT NULL DEFAULT 0, metadata_dirty INTEGER NOT NULL DEFAULT 0, contact_id INTEGER
  REFERENCES contacts(_id), aggregation_mode INTEGER NOT NULL DEFAULT 0, aggregation_needed
  INTEGER NOT NULL DEFAULT 1, custom_ringtone TEXT, send_to_voicemail INTEGER NOT NULL DEFAULT 0,
  times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER, starred INTEGER NOT
  NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0, display_name TEXT, display_name_alt TEXT,
  display_name_source INTEGER NOT NULL DEFAULT 0, phonetic_name TEXT, phonetic_name_style TEXT,
  sort_key TEXT COLLATE PHONEBOOK, phonebook_label TEXT, phonebook_bucket INTEGER, sort_key_alt
  TEXT COLLATE PHONEBOOK, phonebook_label_alt TEXT, phonebook_bucket_alt INTEGER, name_verified
  INTEGER NOT NULL DEFAULT 0, sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 TEXT);
CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, package_id INTEGER REFERENCES
  package(_id), mimetype_id INTEGER REFERENCES mimetype(_id) NOT NULL, raw_contact_id INTEGER
  REFERENCES raw_contacts(_id) NOT NULL, hash_id TEXT, is_read_only INTEGER NOT NULL DEFAULT 0,
  is_primary INTEGER NOT NULL DEFAULT 0, is_super_primary INTEGER NOT NULL DEFAULT 0,
  data_version INTEGER NOT NULL DEFAULT 0, data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT,
  data5 TEXT, data6 TEXT, data7 TEXT, data8 TEXT, data9 TEXT, data10 TEXT, data11 TEXT,
  data12 TEXT, data13 TEXT, data14 TEXT, data15 TEXT, data_sync1 TEXT, data_sync2 TEXT,
  data_sync3 TEXT, data_sync4 TEXT, carrier_presence INTEGER NOT NULL DEFAULT 0);
CREATE INDEX raw_contact_sort_key1_index ON raw_contacts (sort_key);
CREATE INDEX data_raw_contact_id ON data (raw_contact_id);
"""
MIMETYPES = ["name", "phone_v2", "email_v2", "im", "organization", "note", "nickname", "photo"]
PROFILE = phone.PROFILE_MIN_ID
MIME = "vnd.android.cursor.item/"


def contacts2_full(path: Path) -> Path:
    rows: list[dict] = []

    def data(contact, mimetype, *values):
        kind = MIMETYPES.index(mimetype) + 1
        fields = {f"data{n}": value for n, value in enumerate(values, start=1)}
        rows.append(dict(mimetype_id=kind, raw_contact_id=contact, **fields))

    def raw(_id, account, name):
        return dict(_id=_id, account_id=account, contact_id=_id, display_name=name,
                    display_name_alt=name, display_name_source=40, sort_key=name,
                    phonebook_label=name[0], phonebook_bucket=1)  # fmt: skip

    data(1, "name", "Bob Stone", "Bob", "Stone")
    data(1, "nickname", "Bobby")
    data(1, "phone_v2", "07911 123456", "2")
    data(2, "name", "Carla Ruíz", "Carla", "Ruíz")
    data(1, "email_v2", "bob@outlook.com", "1")
    data(1, "im", "live:.cid.1a2b3c", "3", None, None, "3")  # data5 3: Skype
    data(1, "im", "bob.stone", "3", None, None, "-1", "Threema")  # custom protocol
    data(1, "organization", "Stone Logistics Ltd", "1", None, "CEO")
    data(1, "note", "met at the port")
    data(1, "photo", None)
    data(2, "phone_v2", "+34 612 34 56 78", "2")
    data(2, "phone_v2", "+49 176 12345678", "2")
    data(2, "im", "carla@404.city", "3", None, None, "7")  # Jabber
    data(PROFILE, "name", "Anna Berg")
    data(PROFILE, "phone_v2", "01512 3456789", "2")
    data(PROFILE, "email_v2", "anna.berg@gmx.de", "1")
    return sqlite_file(
        path,
        CONTACTS2_SCHEMA,
        {
            "accounts": [
                dict(_id=1),
                dict(_id=2, account_name="anna.berg@gmail.com", account_type="com.google"),
                dict(
                    _id=3,
                    account_name="vnd.sec.contact.phone",
                    account_type="vnd.sec.contact.phone",
                ),
                dict(_id=4, account_name="+4915123456789", account_type="com.whatsapp"),
            ],
            "mimetypes": [dict(_id=n, mimetype=MIME + m) for n, m in enumerate(MIMETYPES, 1)],
            "raw_contacts": [
                raw(1, 2, "Bob Stone"),
                raw(2, 3, "Carla Ruíz"),
                raw(3, 3, "Dora Only-Name"),
                raw(PROFILE, 1, "Anna Berg"),
            ],
            "data": rows,
        },
    )


def test_contacts2_demo(tmp_path):
    data, _ = demo.contacts2_db([BOB, CARLA], OWNER)
    records = list(phone.parse_contacts2(write(tmp_path, "contacts2.db", data)))
    assert records == [
        Contact(names=["Bob Stone"], emails=["bob@outlook.com"], phones=[BOB_INTL]),
        Contact(
            names=["Carla Ruíz"],
            emails=["carla@gmail.com"],
            phones=["+34 612 34 56 78", "+49 176 12345678"],
        ),
    ]


def test_contacts2_full_schema(tmp_path):
    records = list(phone.parse_contacts2(contacts2_full(tmp_path / "contacts2.db")))
    assert records == [
        Account(service="google", identifier="anna.berg@gmail.com"),
        Account(service="whatsapp", identifier="+4915123456789"),
        Contact(
            names=["Bob Stone", "Bobby"],
            emails=["bob@outlook.com"],
            phones=["07911 123456"],
            handles=["skype:live:.cid.1a2b3c", "threema:bob.stone"],
            organisation="Stone Logistics Ltd",
            note="met at the port",
        ),
        Contact(
            names=["Carla Ruíz"],
            phones=["+34 612 34 56 78", "+49 176 12345678"],
            handles=["xmpp:carla@404.city"],
        ),
        Account(service="sms", identifier="01512 3456789", name="Anna Berg"),
        Account(service="email", identifier="anna.berg@gmx.de", name="Anna Berg"),
        Contact(names=["Dora Only-Name"]),
    ]


# --------------------------------------------------------------------------- WhatsApp

WA_MODERN_SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT
  NULL, agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden
  INTEGER, subject TEXT, created_timestamp INTEGER, display_message_row_id INTEGER,
  last_message_row_id INTEGER, last_read_message_row_id INTEGER, archived INTEGER,
  sort_timestamp INTEGER, group_type INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
  from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
  broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER,
  origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, receipt_server_timestamp
  INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER,
  sort_id INTEGER NOT NULL DEFAULT 0, message_add_on_flags INTEGER, view_mode INTEGER);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
  autotransfer_retry_enabled INTEGER, multicast_id TEXT, media_job_uuid TEXT, transferred
  INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER, suspicious_content INTEGER,
  trim_from INTEGER, trim_to INTEGER, face_x INTEGER, face_y INTEGER, media_key BLOB,
  media_key_timestamp INTEGER, width INTEGER, height INTEGER, has_streaming_sidecar INTEGER,
  gif_attribution INTEGER, thumbnail_height_width_ratio REAL, direct_path TEXT,
  first_scan_sidecar BLOB, first_scan_length INTEGER, message_url TEXT, mime_type TEXT,
  file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count
  INTEGER, enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT,
  is_animated_sticker INTEGER, original_file_hash TEXT, mute_video INTEGER DEFAULT 0,
  media_caption TEXT, media_upload_handle TEXT);
CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
CREATE TABLE props (_id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, value TEXT);
"""
ANNA_JID, BOB_JID, GROUP_JID = (
    "4915123456789@s.whatsapp.net",
    "447911123456@s.whatsapp.net",
    "120363041234567890@g.us",
)
WA_T = unix(at(2024, 5, 2, 12, 0), 1000)


def wa_modern(path: Path) -> Path:
    def message(_id, chat, from_me, sender, offset, kind, text):
        return dict(_id=_id, chat_row_id=chat, from_me=from_me, key_id=f"3EB0{_id:04X}",
                    sender_jid_row_id=sender, status=13 if from_me else 0, timestamp=WA_T + offset,
                    received_timestamp=WA_T + offset + 900, receipt_server_timestamp=-1,
                    message_type=kind, text_data=text, sort_id=_id)  # fmt: skip

    def jid(_id, user, server, raw):
        return dict(_id=_id, user=user, server=server, agent=0, device=0, raw_string=raw)

    return sqlite_file(
        path,
        WA_MODERN_SCHEMA,
        {
            "jid": [
                jid(1, "447911123456", "s.whatsapp.net", BOB_JID),
                jid(2, "120363041234567890", "g.us", GROUP_JID),
                jid(3, "34612345678", "s.whatsapp.net", None),
            ],
            "chat": [
                dict(_id=1, jid_row_id=1, hidden=0, created_timestamp=WA_T),
                dict(_id=2, jid_row_id=2, hidden=0, subject="Trip ✈️", group_type=1),
            ],
            "message": [
                message(1, 1, 0, 0, 0, 0, "Hallo Anna"),
                message(2, 1, 1, 0, 60_000, 0, "Hi Bob!"),
                message(3, 2, 0, 3, 120_000, 0, "Group hello"),
                message(4, 2, 1, 0, 180_000, 1, "our car"),
                message(5, 2, 0, 3, 240_000, 7, None),  # a participant joined: system event
            ],
            "message_media": [
                dict(
                    message_row_id=4,
                    chat_row_id=2,
                    file_path="Media/IMG-20240502-WA0001.jpg",
                    mime_type="image/jpeg",
                    file_size=81234,
                )
            ],
            "message_system": [dict(message_row_id=5, action_type=12)],
            "props": [dict(key="user_push_name", value="Anna")],
        },
    )


def test_whatsapp_modern(tmp_path):
    records = list(phone.parse_whatsapp(wa_modern(tmp_path / "msgstore.db")))
    assert [brief(r) for r in records] == [
        ("incoming", BOB_JID, [], "Hallo Anna", "2024-05-02T12:00:00Z"),
        ("outgoing", None, [BOB_JID], "Hi Bob!", "2024-05-02T12:01:00Z"),
        (
            "incoming",
            "34612345678@s.whatsapp.net",
            [GROUP_JID],
            "Group hello",
            "2024-05-02T12:02:00Z",
        ),
        ("outgoing", None, [GROUP_JID], "our car", "2024-05-02T12:03:00Z"),
    ]
    assert {r.channel for r in records} == {"whatsapp"}
    assert [r.conversation for r in records] == [BOB_JID, BOB_JID, GROUP_JID, GROUP_JID]
    assert records[2].names == {GROUP_JID: "Trip ✈️"} and records[0].names == {}
    assert records[3].headers == {"media": "Media/IMG-20240502-WA0001.jpg (image/jpeg)"}
    assert [r.message_id for r in records] == ["3EB00001", "3EB00002", "3EB00003", "3EB00004"]


WA_LEGACY_SCHEMA = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
  key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,
  timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size
  INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin
  INTEGER, latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT,
  received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp INTEGER,
  receipt_device_timestamp INTEGER, read_device_timestamp INTEGER, played_device_timestamp
  INTEGER, raw_data BLOB, recipient_count INTEGER, participant_hash TEXT, starred INTEGER,
  quoted_row_id INTEGER, mentioned_jids TEXT, multicast_id TEXT, edit_version INTEGER,
  media_enc_hash TEXT, payment_transaction_id TEXT, forwarded INTEGER, preview_type INTEGER,
  send_count INTEGER);
CREATE UNIQUE INDEX messages_key_index on messages (key_remote_jid, key_from_me, key_id);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
  message_table_id INTEGER, subject TEXT, creation INTEGER, last_read_message_table_id INTEGER,
  last_read_receipt_sent_message_table_id INTEGER, archived INTEGER, sort_timestamp INTEGER,
  mod_tag INTEGER, gen REAL, my_messages INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL,
  jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
"""


def wa_legacy(path: Path) -> Path:
    def message(_id, chat, from_me, status, data, offset, **more):
        stamp = 0 if offset is None else WA_T + offset
        return dict(_id=_id, key_remote_jid=chat, key_from_me=from_me, key_id=f"K{_id}",
                    status=status, needs_push=0, data=data, timestamp=stamp, **more)  # fmt: skip

    def chat(_id, jid, subject):
        return dict(_id=_id, key_remote_jid=jid, subject=subject, creation=WA_T, archived=0)

    image = dict(media_wa_type="1", media_name="IMG-1.jpg", media_mime_type="image/jpeg")
    return sqlite_file(
        path,
        WA_LEGACY_SCHEMA,
        {
            "messages": [
                message(1, "-1", 0, -1, None, None),  # the table's placeholder row
                message(2, BOB_JID, 0, 0, "Moin", 0, media_wa_type="0"),
                message(3, GROUP_JID, 0, 6, None, 1000, remote_resource=BOB_JID),  # created
                message(4, GROUP_JID, 0, 0, "Wer fährt?", 60_000, remote_resource=BOB_JID),
                message(5, GROUP_JID, 1, 13, None, 120_000, **image),
            ],
            "chat_list": [chat(1, BOB_JID, None), chat(2, GROUP_JID, "Fahrt")],
            "group_participants": [
                dict(gjid=GROUP_JID, jid=BOB_JID, admin=1, pending=0),
                dict(gjid=GROUP_JID, jid="", admin=0, pending=0),
            ],
        },
    )


def test_whatsapp_legacy(tmp_path):
    records = list(phone.parse_whatsapp(wa_legacy(tmp_path / "msgstore.db")))
    assert [brief(r) for r in records] == [
        ("incoming", BOB_JID, [], "Moin", "2024-05-02T12:00:00Z"),
        ("incoming", BOB_JID, [GROUP_JID], "Wer fährt?", "2024-05-02T12:01:00Z"),
        ("outgoing", None, [GROUP_JID], None, "2024-05-02T12:02:00Z"),
    ]
    assert records[1].names == {GROUP_JID: "Fahrt"} and records[1].conversation == GROUP_JID
    assert records[2].headers == {"media": "IMG-1.jpg (image/jpeg)"}
    assert [r.message_id for r in records] == ["K2", "K4", "K5"]


WA_CONTACTS_SCHEMA = """
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL,
  is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT,
  raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT,
  unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER,
  given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, company TEXT,
  title TEXT, status_autodownload_disabled INTEGER, keep_timestamp INTEGER, is_spam_reported
  INTEGER, is_sidelist_synced BOOLEAN DEFAULT 0, is_business_synced BOOLEAN DEFAULT 0,
  disappearing_mode_duration INTEGER, disappearing_mode_timestamp LONG,
  history_sync_initial_phash TEXT, is_starred BOOLEAN);
CREATE TABLE wa_vnames (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, serial
  INTEGER NOT NULL, issuer TEXT NOT NULL, expires INTEGER, verified_name TEXT NOT NULL);
"""


def wa_contacts(path: Path) -> Path:
    def contact(jid, number=None, display=None, wa_name=None, company=None):
        return dict(jid=jid, is_whatsapp_user=1, number=number, display_name=display,
                    wa_name=wa_name, company=company)  # fmt: skip

    return sqlite_file(
        path,
        WA_CONTACTS_SCHEMA,
        {
            "wa_contacts": [
                contact(BOB_JID, "07911 123456", "Bob Stone", "Bob 🚚", "Stone Logistics"),
                contact(GROUP_JID, display="Trip"),
                contact("status@broadcast"),
                contact("34612345678@s.whatsapp.net", wa_name="Carla"),
            ]
        },
    )


def test_whatsapp_contacts(tmp_path):
    assert list(phone.parse_wa_contacts(wa_contacts(tmp_path / "wa.db"))) == [
        Contact(
            names=["Bob Stone", "Bob 🚚"],
            phones=["07911 123456"],
            handles=[f"whatsapp:{BOB_JID}"],
            organisation="Stone Logistics",
        ),
        Contact(names=["Carla"], handles=["whatsapp:34612345678@s.whatsapp.net"]),
    ]


# --------------------------------------------------------------------------- Apple Messages

CHAT_DB_SCHEMA = """
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country
  TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id,
  service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style
  INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name
  TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle
  TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query
  INTEGER);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text
  TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject
  TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0,
  service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER,
  date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER
  DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT
  0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT
  0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0,
  has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER
  DEFAULT 0, was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0,
  cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT, was_data_detected INTEGER
  DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0, is_played
  INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER
  DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER
  DEFAULT 0, share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state
  INTEGER DEFAULT 0, message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT
  0, PRIMARY KEY (chat_id, message_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT,
  mime_type TEXT, transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, user_info
  BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE
  CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE,
  UNIQUE(message_id, attachment_id));
"""
COCOA = 978_307_200  # 2001-01-01 in Unix seconds


def typedstream(text: str) -> bytes:
    """An NSAttributedString archived as Messages on macOS 13+ writes `attributedBody`
    (typedstream: header, class chain, the NSString with its length, then the attributes)."""
    raw = text.encode()
    size = bytes([len(raw)]) if len(raw) < 0x80 else b"\x81" + len(raw).to_bytes(2, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84"
        b"\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+" + size + raw
        + b"\x86\x84\x02iI\x01" + bytes([len(text)]) + b"\x92\x84\x84\x84\x0cNSDictionary\x00\x94"
        b"\x84\x01i\x01\x92\x84\x96\x96\x1d__kIMMessagePartAttributeName\x86\x92\x84\x84\x84"
        b"\x08NSNumber\x00\x84\x84\x07NSValue\x00\x94\x84\x01*\x84\x99\x99\x00\x86\x86\x86"
    )  # fmt: skip


LONG_TEXT = "Packliste: " + "Zelt, Schlafsack, Kocher; " * 8


def chat_db(path: Path) -> Path:
    def message(rowid, text, body, handle, service, account, date, from_me):
        return dict(ROWID=rowid, guid=f"GUID-{rowid}", text=text, attributedBody=body,
                    handle_id=handle, service=service, account=account, date=date,
                    is_from_me=from_me, is_finished=1, is_sent=from_me)  # fmt: skip

    def ns(moment: datetime) -> int:
        return (unix(moment) - COCOA) * 1_000_000_000

    def chat(rowid, identifier, style, service, login, own, name=None):
        return dict(ROWID=rowid, guid=f"{service};{'+' if style == 43 else '-'};{identifier}",
                    style=style, state=3, chat_identifier=identifier, service_name=service,
                    account_login=login, last_addressed_handle=own, display_name=name)  # fmt: skip

    apple_id, group = "e:anna.berg@icloud.com", "chat123456789012345678"
    photo = "~/Library/Messages/Attachments/4f/15/AT-1/IMG_0001.jpeg"
    path = sqlite_file(
        path,
        CHAT_DB_SCHEMA,
        {
            "_SqliteDatabaseProperties": [dict(key="_ClientVersion", value="17000")],
            "handle": [
                dict(ROWID=1, id=BOB_E164, country="gb", service="iMessage"),
                dict(ROWID=2, id="carla@icloud.com", country="es", service="iMessage"),
                dict(ROWID=3, id=BOB_E164, country="gb", service="SMS"),
            ],
            "chat": [
                chat(1, BOB_E164, 45, "iMessage", "E:anna.berg@icloud.com", "anna.berg@icloud.com"),
                chat(2, group, 43, "iMessage", "E:anna.berg@icloud.com", None, "Camping ⛺"),
                chat(3, BOB_E164, 45, "SMS", "P:+4915123456789", "+4915123456789"),
            ],
            "message": [
                message(1, "Hi Anna", None, 1, "iMessage", apple_id, ns(at(2024, 5, 2, 8, 11)), 0),
                message(
                    2,
                    None,
                    typedstream("Sure, see you 😊"),
                    1,
                    "iMessage",
                    apple_id,
                    ns(at(2024, 5, 2, 8, 12, 7)),
                    1,
                ),
                message(
                    3,
                    "Who's driving?",
                    None,
                    0,
                    "iMessage",
                    "E:anna.berg@icloud.com",
                    ns(at(2024, 5, 3, 18, 0)),
                    1,
                ),
                message(
                    4,
                    None,
                    typedstream(LONG_TEXT),
                    2,
                    "iMessage",
                    apple_id,
                    ns(at(2024, 5, 3, 18, 1)),
                    0,
                ),
                message(
                    5,
                    "\ufffc",
                    None,
                    3,
                    "SMS",
                    "p:+4915123456789",
                    unix(at(2012, 6, 30, 23, 59, 59)) - COCOA,
                    0,
                ),  # seconds: older macOS
            ],
            "chat_message_join": [
                dict(chat_id=chat_id, message_id=message_id)
                for chat_id, message_id in [(1, 1), (1, 2), (2, 3), (2, 4), (3, 5)]
            ],
            "chat_handle_join": [
                dict(chat_id=chat_id, handle_id=handle_id)
                for chat_id, handle_id in [(1, 1), (2, 1), (2, 2), (3, 3)]
            ],
            "attachment": [
                dict(
                    ROWID=1,
                    guid="AT-1",
                    filename=photo,
                    uti="public.jpeg",
                    mime_type="image/jpeg",
                    transfer_state=5,
                    transfer_name="IMG_0001.jpeg",
                    total_bytes=81234,
                )
            ],
            "message_attachment_join": [dict(message_id=5, attachment_id=1)],
        },
        page=8192,  # keeps this schema subset in page 1, which a sniff sees (see phone.PARSERS)
    )
    return path


def test_imessage(tmp_path):
    records = list(phone.parse_imessage(chat_db(tmp_path / "chat.db")))
    me, group = "anna.berg@icloud.com", "chat123456789012345678"
    messages = [r for r in records if isinstance(r, Message)]
    assert [brief(r) for r in messages] == [
        ("incoming", BOB_E164, [me], "Hi Anna", "2024-05-02T08:11:00Z"),
        ("outgoing", me, [BOB_E164], "Sure, see you 😊", "2024-05-02T08:12:07Z"),
        ("outgoing", me, [BOB_E164, "carla@icloud.com"], "Who's driving?", "2024-05-03T18:00:00Z"),
        ("incoming", "carla@icloud.com", [BOB_E164, me], LONG_TEXT, "2024-05-03T18:01:00Z"),
        ("incoming", BOB_E164, ["+4915123456789"], "\ufffc", "2012-06-30T23:59:59Z"),
    ]
    assert [r.channel for r in messages] == ["imessage"] * 4 + ["sms"]
    assert [r.conversation for r in messages] == [BOB_E164, BOB_E164, group, group, BOB_E164]
    assert messages[2].names == {group: "Camping ⛺"} and messages[0].names == {}
    assert messages[4].headers == {
        "attachments": "~/Library/Messages/Attachments/4f/15/AT-1/IMG_0001.jpeg"
    }
    assert [r.message_id for r in messages] == [f"GUID-{n}" for n in range(1, 6)]
    assert [r for r in records if isinstance(r, Account)] == [
        Account(service="imessage", identifier=me)
    ]
    assert records.index(Account(service="imessage", identifier=me)) == 2  # after its message


def test_attributed_text_is_best_effort():
    assert phone.attributed_text(typedstream("Ünïcødé ✓")) == "Ünïcødé ✓"
    assert phone.attributed_text(b"bplist00\x00garbage") is None
    blob = typedstream("cut here")
    assert phone.attributed_text(blob[: blob.index(b"cut here") + 5]) == "cut h"
    assert phone.attributed_text(None) is None


# --------------------------------------------------------------------------- hostile input, sniffs


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    """One file per parser, under meaningless names (as carved or renamed copies are)."""
    tmp_path = tmp_path_factory.mktemp("samples")
    backup, _ = demo.sms_backup_xml(TRAFFIC, OWNER, ORG)
    chrome, _ = demo_browser.chrome_history([BOB, CARLA], [at(2024, 5, 1), at(2024, 5, 2)])
    skype, _ = demo_chat.skype_main_db(
        [Sent("M0005", "chat", "skype", "P002", ["P001"], [], at(2024, 5, 1), "", "hey")],
        OWNER,
        ORG,
    )
    return {
        "sms-backup-xml": write(tmp_path, "00000012345.xml", backup),
        "android-mmssms": mmssms_full(tmp_path / "00000000001.sqlite"),
        "android-contacts2": contacts2_full(tmp_path / "00000000002.sqlite"),
        "whatsapp-msgstore": wa_modern(tmp_path / "00000000003.sqlite"),
        "whatsapp-legacy": wa_legacy(tmp_path / "00000000004.sqlite"),
        "whatsapp-contacts": wa_contacts(tmp_path / "00000000005.sqlite"),
        "imessage": chat_db(tmp_path / "00000000006.sqlite"),
        "chrome": write(tmp_path, "00000000007.sqlite", chrome),
        "skype": write(tmp_path, "00000000008.sqlite", skype),
        "text": write(
            tmp_path, "00000000009.txt", b"Notes: the backup app writes <smses count=1>\n"
        ),
        "html": write(tmp_path, "00000000011.html", b"<!DOCTYPE html><html><body><calls/></body>"),
        "rss": write(tmp_path, "00000000010.xml", b"<?xml version='1.0'?>\n<rss><calls/></rss>"),
    }


def test_sniffs_claim_their_own_files_only(samples):
    claims = {name: [name] for name in (p.name for p in phone.PARSERS)}
    claims["whatsapp-legacy"] = ["whatsapp-msgstore"]
    for kind, path in samples.items():
        head, name = path.read_bytes()[: 64 * 1024], path.name
        claimed = [p.name for p in phone.PARSERS if p.sniff and p.sniff(head, name)]
        assert claimed == claims.get(kind, []), kind


def test_backup_sniff_reads_the_prolog_in_linear_time():
    start = time.perf_counter()
    for head in (b"<!-- x -->" * 6000, b"<?" * 32768, b"<!--" + b"-" * 65000):
        assert not phone.sniff_backup(head, "x.xml")
    assert time.perf_counter() - start < 0.5
    prolog = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- by SMS Backup -->\n<?xml-stylesheet?>\n'
    assert phone.sniff_backup(prolog + b'<calls count="0"/>', "x")
    assert not phone.sniff_backup(prolog + b"<callsx/>", "x")


def test_globs_match_where_phones_and_backups_put_the_files():
    where = {
        "users/anna/documents/phone/sms-20240504063000.xml": "sms-backup-xml",
        "users/anna/documents/calls-20240504063000.xml": "sms-backup-xml",
        "phonebackup/data/data/com.android.providers.telephony/databases/mmssms.db": (
            "android-mmssms"
        ),
        "phonebackup/databases/contacts2.db": "android-contacts2",
        "sdcard/whatsapp/databases/msgstore.db": "whatsapp-msgstore",
        "data/data/com.whatsapp/databases/wa.db": "whatsapp-contacts",
        "users/anna/library/messages/chat.db": "imessage",
        "users/anna/library/sms/sms.db": "imessage",
        "users/anna/documents/chat.db": None,
    }
    for path, expected in where.items():
        claimed = [p.name for p in phone.PARSERS if any(fnmatchcase(path, g) for g in p.globs)]
        assert claimed == ([expected] if expected else []), path


@pytest.mark.parametrize(
    ("kind", "parse"),
    [
        ("android-mmssms", phone.parse_mmssms),
        ("android-contacts2", phone.parse_contacts2),
        ("whatsapp-msgstore", phone.parse_whatsapp),
        ("whatsapp-legacy", phone.parse_whatsapp),
        ("whatsapp-contacts", phone.parse_wa_contacts),
        ("imessage", phone.parse_imessage),
    ],
)
def test_truncated_database_fails_cleanly(samples, tmp_path, kind, parse):
    """The first 8 KiB of the database: sqlite3's error, or the records those pages hold."""
    data = samples[kind].read_bytes()
    assert len(data) > 8192
    complete = list(parse(samples[kind]))
    path = write(tmp_path, f"{kind}-cut.db", data[:8192])
    start = time.perf_counter()
    try:
        readable = list(parse(path))
    except sqlite3.DatabaseError:
        readable = []
    assert all(record in complete for record in readable)
    assert time.perf_counter() - start < 2


def test_truncated_mmssms_raises(samples, tmp_path):
    path = write(tmp_path, "cut.db", samples["android-mmssms"].read_bytes()[:8192])
    with pytest.raises(sqlite3.DatabaseError):
        list(phone.parse_mmssms(path))


@pytest.mark.parametrize(
    "parse",
    [
        phone.parse_mmssms,
        phone.parse_contacts2,
        phone.parse_whatsapp,
        phone.parse_wa_contacts,
        phone.parse_imessage,
    ],
)
def test_other_databases_and_garbage(samples, tmp_path, parse):
    """A database of another app yields nothing or fails with sqlite3's error; random bytes
    fail with it."""
    for other in ("chrome", "skype"):
        with contextlib.suppress(sqlite3.DatabaseError):
            assert list(parse(samples[other])) == []
    garbage = write(tmp_path, "garbage.db", b"SQLite format 3\x00" + bytes(range(256)) * 40)
    with pytest.raises(sqlite3.DatabaseError):
        list(parse(garbage))


def test_missing_columns_are_read_as_absent(tmp_path):
    """An older Android with fewer `sms` columns: what is there is read."""
    path = sqlite_file(
        tmp_path / "old.db",
        "CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER, type INTEGER,"
        " body TEXT); CREATE TABLE threads (_id INTEGER PRIMARY KEY);"
        " CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY, address TEXT);",
        {"sms": [dict(_id=1, address="5556", date=1262304000000, type=1, body="old phone")]},
    )
    (record,) = phone.parse_mmssms(path)
    assert brief(record) == ("incoming", "5556", [], "old phone", "2010-01-01T00:00:00Z")
    assert record.conversation is None
