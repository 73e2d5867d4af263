"""Browser history: Chrome/Edge `History` and Firefox `places.sqlite`, with the schemas (and time
bases: WebKit microseconds since 1601, Unix microseconds) the browsers use.

The owner looks people up: webmail searches for an address, a profile page for a handle, a web
search for a number, so identifiers sit percent-encoded inside URLs, as they do on real disks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from crossdrive.demo.formats import sqlite_bytes
from crossdrive.demo.ink import Ink
from crossdrive.demo.people import Person

BENIGN = [
    ("https://www.bbc.com/news", "BBC News"),
    ("https://en.wikipedia.org/wiki/Logistics", "Logistics - Wikipedia"),
    ("https://www.openstreetmap.org/#map=12/41.0082/28.9784", "OpenStreetMap"),
    ("https://weather.com/", "Weather forecast"),
]
WEBKIT_EPOCH_OFFSET = 11_644_473_600  # seconds from 1601-01-01 to 1970-01-01


def visits(contacts: Sequence[Person], when: Sequence[datetime], ink: Ink) -> list[tuple]:
    """(url, title, time) of the owner's lookups of their contacts, plus benign browsing."""
    rows = []
    for number, (person, time) in enumerate(zip(contacts, when, strict=False)):
        if number % 3 == 0 and person.emails:
            address = ink.email(person.emails[0])
            url = f"https://mail.google.com/mail/u/0/#search/{quote(address)}"
            rows.append((url, "Search results", time))
        elif number % 3 == 1 and person.handles:
            handle = ink.handle("telegram", person.handles["telegram"])
            rows.append((f"https://t.me/{handle}", f"Telegram: Contact @{handle}", time))
        elif person.phones:
            written = ink.phone(person.phones[0], "international")
            url = f"https://www.google.com/search?q={quote(written)}"
            rows.append((url, f"{written} - Google Search", time))
    for number, (url, title) in enumerate(BENIGN):
        rows.append((url, title, when[number % len(when)]))
    return rows


def chrome_history(contacts: Sequence[Person], when: Sequence[datetime]) -> tuple[bytes, Ink]:
    ink = Ink()
    rows = visits(contacts, when, ink)

    def build(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
            CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR,
              title LONGVARCHAR, visit_count INTEGER DEFAULT 0 NOT NULL,
              typed_count INTEGER DEFAULT 0 NOT NULL, last_visit_time INTEGER NOT NULL,
              hidden INTEGER DEFAULT 0 NOT NULL);
            CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER NOT NULL,
              visit_time INTEGER NOT NULL, from_visit INTEGER, transition INTEGER DEFAULT 0
              NOT NULL, segment_id INTEGER, visit_duration INTEGER DEFAULT 0 NOT NULL);
            INSERT INTO meta VALUES ('version', '67'), ('last_compatible_version', '16');
            """
        )
        for url, title, time in rows:
            webkit = int((time.timestamp() + WEBKIT_EPOCH_OFFSET) * 1_000_000)
            url_id = db.execute(
                "INSERT INTO urls(url, title, visit_count, last_visit_time) VALUES (?, ?, 1, ?)",
                [url, title, webkit],
            ).lastrowid
            db.execute(
                "INSERT INTO visits(url, visit_time, transition) VALUES (?, ?, 805306369)",
                [url_id, webkit],
            )

    return sqlite_bytes(build), ink


def firefox_places(contacts: Sequence[Person], when: Sequence[datetime]) -> tuple[bytes, Ink]:
    ink = Ink()
    rows = visits(contacts, when, ink)

    def build(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
              rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT
              NULL, typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,
              last_visit_date INTEGER, guid TEXT, url_hash INTEGER DEFAULT 0 NOT NULL);
            CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER,
              place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER);
            """
        )
        for number, (url, title, time) in enumerate(rows):
            micros = int(time.timestamp() * 1_000_000)
            host = url.split("/")[2]
            place = db.execute(
                "INSERT INTO moz_places(url, title, rev_host, visit_count, last_visit_date, guid)"
                " VALUES (?, ?, ?, 1, ?, ?)",
                [url, title, host[::-1] + ".", micros, f"guid{number:08d}"],
            ).lastrowid
            db.execute(
                "INSERT INTO moz_historyvisits(from_visit, place_id, visit_date, visit_type,"
                " session) VALUES (0, ?, ?, 1, 0)",
                [place, micros],
            )

    return sqlite_bytes(build), ink
