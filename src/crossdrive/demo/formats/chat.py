"""Desktop chat data: Skype classic `main.db`, Pidgin (libpurple) logs, Telegram Desktop exports.

Schemas and layouts are those the applications write (Skype's Accounts/Contacts/Conversations/
Messages tables, Pidgin's per-buddy HTML and TXT logs, Telegram's `result.json`)."""

from __future__ import annotations

import html
import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from crossdrive.demo.formats import sqlite_bytes
from crossdrive.demo.ink import Ink, body_text
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message


def _partner(message: Message, owner: Person) -> str:
    return message.to[0] if message.sender == owner.id else message.sender


def by_partner(messages: Sequence[Message], owner: Person) -> dict[str, list[Message]]:
    conversations: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        conversations[_partner(message, owner)].append(message)
    return dict(conversations)


def skype_main_db(messages: Sequence[Message], owner: Person, org: Organisation):
    """Skype classic's `main.db` for the owner's account."""
    ink = Ink()

    def build(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE Accounts (id INTEGER NOT NULL PRIMARY KEY, skypename TEXT,
              fullname TEXT, emails TEXT, phone_mobile TEXT, country TEXT);
            CREATE TABLE Contacts (id INTEGER NOT NULL PRIMARY KEY, skypename TEXT,
              fullname TEXT, phone_mobile TEXT, emails TEXT, is_permanent INTEGER);
            CREATE TABLE Conversations (id INTEGER NOT NULL PRIMARY KEY, identity TEXT,
              type INTEGER, displayname TEXT, creation_timestamp INTEGER);
            CREATE TABLE Participants (id INTEGER NOT NULL PRIMARY KEY, convo_id INTEGER,
              identity TEXT);
            CREATE TABLE Messages (id INTEGER NOT NULL PRIMARY KEY, convo_id INTEGER,
              chatname TEXT, author TEXT, from_dispname TEXT, dialog_partner TEXT,
              timestamp INTEGER, type INTEGER, chatmsg_type INTEGER, body_xml TEXT);
            """
        )
        me = ink.handle("skype", owner.handles["skype"])
        db.execute(
            "INSERT INTO Accounts(skypename, fullname, emails, phone_mobile, country)"
            " VALUES (?, ?, ?, ?, ?)",
            [me, owner.name, ink.email(owner.emails[0]), ink.phone(owner.phones[0]), owner.region],
        )
        for pid, convo in by_partner(messages, owner).items():
            partner = org.person(pid)
            handle = ink.handle("skype", partner.handles["skype"])
            db.execute(
                "INSERT INTO Contacts(skypename, fullname, phone_mobile, is_permanent)"
                " VALUES (?, ?, ?, 1)",
                [handle, partner.name, ink.phone(partner.phones[0], "international")],
            )
            convo_id = db.execute(
                "INSERT INTO Conversations(identity, type, displayname, creation_timestamp)"
                " VALUES (?, 1, ?, ?)",
                [handle, partner.name, int(convo[0].time.timestamp())],
            ).lastrowid
            for identity in (me, handle):
                db.execute("INSERT INTO Participants VALUES (NULL, ?, ?)", [convo_id, identity])
            for message in convo:
                author = org.person(message.sender)
                db.execute(
                    "INSERT INTO Messages(convo_id, chatname, author, from_dispname,"
                    " dialog_partner, timestamp, type, chatmsg_type, body_xml)"
                    " VALUES (?, ?, ?, ?, ?, ?, 61, 3, ?)",
                    [
                        convo_id,
                        f"#{me}/${handle};{convo_id:016x}",
                        author.handles["skype"],
                        author.name,
                        handle,
                        int(message.time.timestamp()),
                        html.escape(body_text(message, org, ink)),
                    ],
                )

    return sqlite_bytes(build), ink


def pidgin_logs(messages: Sequence[Message], owner: Person, org: Organisation, form: str):
    """Pidgin's logs, one file per buddy: (relative path, bytes, ink), `form` "html" or "txt"."""
    me = owner.handles["xmpp"]
    logs = []
    for pid, convo in by_partner(messages, owner).items():
        ink = Ink()
        partner = org.person(pid)
        buddy = ink.handle("xmpp", partner.handles["xmpp"])
        ink.handle("xmpp", me)
        start = convo[0].time
        stamp = start.strftime("%a %d %b %Y %I:%M:%S %p UTC")
        title = f"Conversation with {buddy} at {stamp} on {me}/ (jabber)"
        if form == "html":
            lines = [
                '<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8">',
                f"<title>{html.escape(title)}</title></head><body><h3>{html.escape(title)}</h3>",
            ]
        else:
            lines = [title]
        for message in convo:
            alias = org.person(message.sender).name
            # libpurple writes the date too when a message is not of the log's day
            same_day = message.time.date() == start.date()
            when = message.time.strftime("%I:%M:%S %p" if same_day else "%m/%d/%Y %I:%M:%S %p")
            text = body_text(message, org, ink)
            if form == "html":
                colour = "#16569E" if message.sender == owner.id else "#A82F2F"
                lines.append(
                    f'<font color="{colour}"><font size="2">({when})</font> '
                    f"<b>{html.escape(alias)}:</b></font> "
                    f"{html.escape(text).replace(chr(10), '<br/>')}<br/>"
                )
            else:
                lines.append(f"({when}) {alias}: {text}")
        if form == "html":
            lines.append("</body></html>")
        name = f"{buddy}/{start.strftime('%Y-%m-%d.%H%M%S')}+0000UTC.{form}"
        logs.append((name, ("\n".join(lines) + "\n").encode(), ink))
    return logs


def telegram_export(messages: Sequence[Message], owner: Person, org: Organisation):
    """Telegram Desktop's "Export chat history" in machine-readable form (`result.json`)."""
    ink = Ink()
    chats, contacts = [], []
    for pid, convo in by_partner(messages, owner).items():
        partner = org.person(pid)
        first, _, last = partner.name.partition(" ")
        contacts.append(
            {
                "first_name": first,
                "last_name": last,
                "phone_number": ink.phone(partner.phones[0], "international"),
                "date": convo[0].time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        )
        entries = []
        for number, message in enumerate(convo, start=1):
            author = org.person(message.sender)
            entries.append(
                {
                    "id": number,
                    "type": "message",
                    "date": message.time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "date_unixtime": str(int(message.time.timestamp())),
                    "from": author.name,
                    "from_id": f"user{int(author.id[1:]) * 7919 + 100000}",
                    "text": body_text(message, org, ink),
                }
            )
        chats.append(
            {
                "name": partner.name,
                "type": "personal_chat",
                "id": int(partner.id[1:]) * 7919 + 100000,
                "messages": entries,
            }
        )
    first, _, last = owner.name.partition(" ")
    export = {
        "about": "Here is the data you requested. Remember: Telegram is ad free, it doesn't use "
        "your data for ad targeting and doesn't sell it to others.",
        "personal_information": {
            "user_id": int(owner.id[1:]) * 7919 + 100000,
            "first_name": first,
            "last_name": last,
            "phone_number": ink.phone(owner.phones[0], "international"),
            "username": "@" + ink.handle("telegram", owner.handles["telegram"]),
        },
        "contacts": {"about": "", "list": contacts},
        "chats": {"about": "", "list": chats},
    }
    return json.dumps(export, ensure_ascii=False, indent=1).encode(), ink
