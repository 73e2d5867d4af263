"""What phones leave on a PC: SMS Backup & Restore XML, Android `mmssms.db` and `contacts2.db`
copies (the Android schemas, columns as the platform names them), and vCards (via vobject)."""

from __future__ import annotations

import quopri
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import vobject

from crossdrive.demo.formats import sqlite_bytes
from crossdrive.demo.ink import Ink, body_text, pick
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message


def _ms(message: Message) -> int:
    return int(message.time.timestamp() * 1000)


def _sms_rows(messages: Sequence[Message], owner: Person, org: Organisation, ink: Ink):
    """(address, type, date ms, body, contact name) per SMS as the owner's phone stored it."""
    for message in messages:
        sent = message.sender == owner.id
        other = org.person(message.to[0] if sent else message.sender)
        address = ink.phone(pick(other.phones, message), "e164" if sent else "international")
        yield address, 2 if sent else 1, _ms(message), body_text(message, org, ink), other.name


def sms_backup_xml(messages: Sequence[Message], owner: Person, org: Organisation):
    """The XML written by the SMS Backup & Restore app (`sms-YYYYMMDDhhmmss.xml`)."""
    ink = Ink()
    root = ET.Element("smses", count=str(len(messages)), backup_set="b1a2", type="full")
    for address, kind, date, body, name in _sms_rows(messages, owner, org, ink):
        ET.SubElement(
            root,
            "sms",
            protocol="0",
            address=address,
            date=str(date),
            type=str(kind),
            subject="null",
            body=body,
            toa="null",
            sc_toa="null",
            service_center="null",
            read="1",
            status="-1",
            locked="0",
            date_sent=str(date),
            sub_id="1",
            contact_name=name,
        )
    tree = ET.ElementTree(root)
    ET.indent(tree)
    with tempfile.TemporaryFile() as out:
        out.write(b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        tree.write(out, encoding="utf-8", xml_declaration=False)
        out.seek(0)
        return out.read(), ink


def mmssms_db(messages: Sequence[Message], owner: Person, org: Organisation):
    """Android's telephony provider database, `threads`, `canonical_addresses` and `sms`."""
    ink = Ink()
    rows = list(_sms_rows(messages, owner, org, ink))

    def build(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
            CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0,
              message_count INTEGER DEFAULT 0, recipient_ids TEXT, snippet TEXT,
              snippet_cs INTEGER DEFAULT 0, read INTEGER DEFAULT 1, type INTEGER DEFAULT 0,
              error INTEGER DEFAULT 0, has_attachment INTEGER DEFAULT 0);
            CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT,
              person INTEGER, date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER,
              read INTEGER DEFAULT 0, status INTEGER DEFAULT -1, type INTEGER,
              reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT,
              locked INTEGER DEFAULT 0, sub_id INTEGER DEFAULT -1, error_code INTEGER DEFAULT 0,
              creator TEXT, seen INTEGER DEFAULT 0);
            """
        )
        threads: dict[str, int] = {}
        for address, kind, date, body, _name in rows:
            if address not in threads:
                cursor = db.execute("INSERT INTO canonical_addresses VALUES (NULL, ?)", [address])
                db.execute(
                    "INSERT INTO threads(recipient_ids, date, snippet) VALUES (?, ?, ?)",
                    [str(cursor.lastrowid), date, body[:40]],
                )
                threads[address] = cursor.lastrowid
            db.execute(
                "INSERT INTO sms(thread_id, address, date, date_sent, protocol, read, type, body,"
                " seen, creator) VALUES (?, ?, ?, ?, 0, 1, ?, ?, 1, 'com.android.messaging')",
                [threads[address], address, date, date, kind, body],
            )
            db.execute(
                "UPDATE threads SET message_count = message_count + 1, date = ? WHERE _id = ?",
                [date, threads[address]],
            )

    return sqlite_bytes(build), ink


def contacts2_db(people: Sequence[Person], owner: Person):
    """Android's contacts provider: `raw_contacts`, `mimetypes` and the `data` rows per field."""
    ink = Ink()
    mimetypes = {
        "name": "vnd.android.cursor.item/name",
        "phone": "vnd.android.cursor.item/phone_v2",
        "email": "vnd.android.cursor.item/email_v2",
    }

    def build(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL);
            CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER,
              contact_id INTEGER, display_name TEXT, display_name_alt TEXT, deleted INTEGER
              NOT NULL DEFAULT 0, times_contacted INTEGER NOT NULL DEFAULT 0,
              last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, package_id INTEGER,
              mimetype_id INTEGER NOT NULL, raw_contact_id INTEGER NOT NULL,
              is_primary INTEGER NOT NULL DEFAULT 0, data1 TEXT, data2 TEXT, data3 TEXT,
              data4 TEXT, data5 TEXT);
            """
        )
        ids = {}
        for kind, mimetype in mimetypes.items():
            ids[kind] = db.execute("INSERT INTO mimetypes VALUES (NULL, ?)", [mimetype]).lastrowid
        for number, person in enumerate(people, start=1):
            raw = db.execute(
                "INSERT INTO raw_contacts(account_id, contact_id, display_name) VALUES (1, ?, ?)",
                [number, person.name],
            ).lastrowid
            first, _, last = person.name.partition(" ")
            db.execute(
                "INSERT INTO data(mimetype_id, raw_contact_id, data1, data2, data3)"
                " VALUES (?, ?, ?, ?, ?)",
                [ids["name"], raw, person.name, first, last],
            )
            for e164 in person.phones:
                style = "national" if person.region == owner.region else "international"
                db.execute(
                    "INSERT INTO data(mimetype_id, raw_contact_id, data1, data2, data4)"
                    " VALUES (?, ?, ?, '2', ?)",
                    [ids["phone"], raw, ink.phone(e164, style), ink.phone(e164)],
                )
            for address in person.emails:
                db.execute(
                    "INSERT INTO data(mimetype_id, raw_contact_id, data1, data2)"
                    " VALUES (?, ?, ?, '1')",
                    [ids["email"], raw, ink.email(address)],
                )

    return sqlite_bytes(build), ink


def vcards(people: Sequence[Person], version: str = "3.0") -> tuple[bytes, Ink]:
    """An address book export: vCard 3.0 (vobject) or 2.1 as Android writes it (UTF-8,
    quoted-printable names)."""
    ink = Ink()
    if version == "2.1":
        lines = []
        for person in people:
            name = quopri.encodestring(person.name.encode()).decode().replace("=\n", "")
            lines += ["BEGIN:VCARD", "VERSION:2.1"]
            lines.append(f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{name}")
            lines += [f"TEL;CELL:{ink.phone(p, 'idd')}" for p in person.phones]
            lines += [f"EMAIL;HOME:{ink.email(e)}" for e in person.emails]
            lines.append("END:VCARD")
        return ("\r\n".join(lines) + "\r\n").encode(), ink
    cards = []
    for person in people:
        card = vobject.vCard()
        card.add("fn").value = person.name
        first, _, last = person.name.partition(" ")
        card.add("n").value = vobject.vcard.Name(family=last, given=first)
        for e164 in person.phones:
            tel = card.add("tel")
            tel.value, tel.type_param = ink.phone(e164, "international"), "CELL"
        for address in person.emails:
            email = card.add("email")
            email.value, email.type_param = ink.email(address), "INTERNET"
        if "skype" in person.handles:
            card.add("x-skype").value = ink.handle("skype", person.handles["skype"])
        cards.append(card.serialize())
    return "".join(cards).encode(), ink
