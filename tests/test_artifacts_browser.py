"""Browser parsers: Chrome/Firefox history from the demo generators, and databases built with
sqlite3 in the browsers' real schemas (History, Login Data, Web Data, places.sqlite,
formhistory.sqlite, Safari History.db), logins.json written with json. Exact UTC times
computed from the stored epochs, passwords never read, broken files fail cleanly."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crossdrive.artifacts import HEAD, recognise
from crossdrive.artifacts.browser import (
    PARSERS,
    parse_chrome,
    parse_firefox,
    parse_safari,
    sniff_chrome,
    sniff_firefox,
)
from crossdrive.artifacts.records import Account, Contact, Event
from crossdrive.demo.formats import browser, phone, sqlite_bytes
from crossdrive.demo.people import Person

MINE = {parser.name for parser in PARSERS}
WEBKIT = datetime(1601, 1, 1, tzinfo=UTC)
COCOA = datetime(2001, 1, 1, tzinfo=UTC)

PEOPLE = [
    Person(
        "P001", "Анна Иванова", "ru_RU", "RU", "member", 0, ["anna.iv@mail.ru"], ["+79161234567"]
    ),
    Person(
        "P002",
        "Γιάννης Παπαδόπουλος",
        "el_GR",
        "GR",
        "member",
        0,
        ["yannis@otenet.gr"],
        ["+306912345678"],
        {"telegram": "yannis_tg"},
    ),
    Person("P003", "李小龙", "zh_CN", "CN", "outsider", None, ["xl@qq.com"], ["+8613123456789"]),
]
WHEN = [
    datetime(2024, 5, 2, 8, 11, 0, tzinfo=UTC),
    datetime(2024, 5, 3, 21, 4, 59, tzinfo=UTC),
    datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC),
]
# The demo's visits, in order: a webmail search for an address, a Telegram profile, a web
# search for a number (percent-encoded, as browsers store them), then benign pages.
DEMO_VISITS = [
    Event(
        "2024-05-02T08:11:00Z",
        "Visited",
        "Search results (https://mail.google.com/mail/u/0/#search/anna.iv@mail.ru)",
        url="https://mail.google.com/mail/u/0/#search/anna.iv%40mail.ru",
    ),
    Event(
        "2024-05-03T21:04:59Z",
        "Visited",
        "Telegram: Contact @yannis_tg (https://t.me/yannis_tg)",
        url="https://t.me/yannis_tg",
    ),
    Event(
        "2023-12-31T23:59:59Z",
        "Visited",
        "+86 131 2345 6789 - Google Search (https://www.google.com/search?q=+86 131 2345 6789)",
        url="https://www.google.com/search?q=%2B86%20131%202345%206789",
    ),
    Event(
        "2024-05-02T08:11:00Z",
        "Visited",
        "BBC News (https://www.bbc.com/news)",
        url="https://www.bbc.com/news",
    ),
    Event(
        "2024-05-03T21:04:59Z",
        "Visited",
        "Logistics - Wikipedia (https://en.wikipedia.org/wiki/Logistics)",
        url="https://en.wikipedia.org/wiki/Logistics",
    ),
    Event(
        "2023-12-31T23:59:59Z",
        "Visited",
        "OpenStreetMap (https://www.openstreetmap.org/#map=12/41.0082/28.9784)",
        url="https://www.openstreetmap.org/#map=12/41.0082/28.9784",
    ),
    Event(
        "2024-05-02T08:11:00Z",
        "Visited",
        "Weather forecast (https://weather.com/)",
        url="https://weather.com/",
    ),
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def claimed(path: str, data: bytes) -> set[str]:
    return {parser.name for parser in recognise(path, data[:HEAD])}


def webkit(moment: datetime) -> int:
    return (moment - WEBKIT) // timedelta(microseconds=1)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_times(data: bytes, tmp_path: Path, query: str) -> list[int]:
    path = write(tmp_path, "probe.sqlite", data)
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute(query)]


# --------------------------------------------------------------------------- Chrome


def test_chrome_demo_history_visits_exact(tmp_path):
    data, _ink = browser.chrome_history(PEOPLE, WHEN)
    found = list(parse_chrome(write(tmp_path, "History", data)))
    assert found == DEMO_VISITS
    stored = stored_times(data, tmp_path, "SELECT visit_time FROM visits ORDER BY id")
    assert [iso(WEBKIT + timedelta(microseconds=v)) for v in stored] == [e.time for e in found]


CHROME_HISTORY_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,
  last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,
  visit_time INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,
  transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,
  visit_duration INTEGER DEFAULT 0 NOT NULL,
  incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit INTEGER,
  originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit INTEGER,
  originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,
  consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,
  visited_link_id INTEGER DEFAULT 0 NOT NULL,app_id TEXT);
CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,
  term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL);
CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,
  current_path LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,
  start_time INTEGER NOT NULL,received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,
  state INTEGER NOT NULL,danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,
  hash BLOB NOT NULL,end_time INTEGER NOT NULL,opened INTEGER NOT NULL,
  last_access_time INTEGER NOT NULL,transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,
  site_url VARCHAR NOT NULL,embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,
  tab_referrer_url VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,
  by_ext_name VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,
  last_modified VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,
  original_mime_type VARCHAR(255) NOT NULL);
CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,
  url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) );
INSERT INTO meta VALUES ('version', '70'), ('last_compatible_version', '16');
"""
SEARCHED = datetime(2024, 3, 9, 14, 30, 5, tzinfo=UTC)
DOWNLOADED = datetime(2024, 3, 9, 14, 41, 17, tzinfo=UTC)


def chrome_history_full(extra_visits: int = 0) -> bytes:
    def build(db: sqlite3.Connection) -> None:
        db.executescript(CHROME_HISTORY_SCHEMA)
        search = "https://www.google.com/search?q=bob%40mail.ru&oq=bob%40mail.ru"
        db.execute(
            "INSERT INTO urls(url, title, visit_count, last_visit_time) VALUES (?, ?, 1, ?)",
            [search, "bob@mail.ru - Google Search", webkit(SEARCHED)],
        )
        db.execute("INSERT INTO visits(url, visit_time) VALUES (1, ?)", [webkit(SEARCHED)])
        db.execute("INSERT INTO visits(url, visit_time) VALUES (1, 0)")  # no time: left out
        db.execute("INSERT INTO keyword_search_terms VALUES (2, 1, 'bob@mail.ru', 'bob@mail.ru')")
        db.execute(
            "INSERT INTO downloads VALUES (1, 'guid-1', ?, ?, ?, 52311, 52311, 1, 0, 0, x'', ?,"
            " 0, 0, 0, '', '', '', ?, '', 'GET', '', '', '', '', '', 'application/pdf',"
            " 'application/pdf')",
            [
                "C:\\Users\\anna\\Downloads\\Счёт 12.pdf",
                "C:\\Users\\anna\\Downloads\\Счёт 12.pdf",
                webkit(DOWNLOADED),
                webkit(DOWNLOADED) + 2_000_000,
                "https://mail.example.com/inbox",
            ],
        )
        chain = ["https://mail.example.com/att?id=7", "https://files.example.com/%D0%A1.pdf"]
        for index, url in enumerate(chain):
            db.execute("INSERT INTO downloads_url_chains VALUES (1, ?, ?)", [index, url])
        for number in range(extra_visits):
            db.execute(
                "INSERT INTO urls(url, title, last_visit_time) VALUES (?, ?, ?)",
                [f"https://example.org/page/{number}", f"Page {number}", webkit(SEARCHED)],
            )
            db.execute(
                "INSERT INTO visits(url, visit_time) VALUES (?, ?)",
                [number + 2, webkit(SEARCHED) + number],
            )

    return sqlite_bytes(build)


def test_chrome_history_visits_downloads_searches(tmp_path):
    data = chrome_history_full()
    found = list(parse_chrome(write(tmp_path, "00000042.sqlite", data)))
    search = "https://www.google.com/search?q=bob%40mail.ru&oq=bob%40mail.ru"
    assert found == [
        Event(
            "2024-03-09T14:30:05Z",
            "Visited",
            "bob@mail.ru - Google Search (https://www.google.com/search?q=bob@mail.ru&oq=bob@mail.ru)",
            url=search,
        ),
        Event(
            "2024-03-09T14:41:17Z",
            "Downloaded",
            "C:\\Users\\anna\\Downloads\\Счёт 12.pdf from https://files.example.com/С.pdf",
            url="https://mail.example.com/inbox",
        ),
        Event(
            "2024-03-09T14:30:05Z",
            "Searched",
            "Searched for bob@mail.ru (https://www.google.com/search?q=bob@mail.ru&oq=bob@mail.ru)",
            url=search,
        ),
    ]


LOGIN_DATA_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE logins (origin_url VARCHAR NOT NULL, action_url VARCHAR, username_element VARCHAR,
  username_value VARCHAR, password_element VARCHAR, password_value BLOB, submit_element VARCHAR,
  signon_realm VARCHAR NOT NULL, date_created INTEGER NOT NULL,
  blacklisted_by_user INTEGER NOT NULL, scheme INTEGER NOT NULL, password_type INTEGER,
  times_used INTEGER, form_data BLOB, display_name VARCHAR, icon_url VARCHAR,
  federation_url VARCHAR, skip_zero_click INTEGER, generation_upload_status INTEGER,
  possible_username_pairs BLOB, id INTEGER PRIMARY KEY AUTOINCREMENT,
  date_last_used INTEGER NOT NULL DEFAULT 0, moving_blocked_for BLOB,
  date_password_modified INTEGER NOT NULL DEFAULT 0, sender_email VARCHAR, sender_name VARCHAR,
  date_received INTEGER, sharing_notification_displayed INTEGER NOT NULL DEFAULT 0,
  keychain_identifier BLOB, sender_profile_image_url VARCHAR,
  date_last_filled INTEGER NOT NULL DEFAULT 0, actor_login_approved INTEGER NOT NULL DEFAULT 0,
  UNIQUE (origin_url, username_element, username_value, password_element, signon_realm));
CREATE TABLE stats (origin_domain VARCHAR NOT NULL, username_value VARCHAR,
  dismissal_count INTEGER, update_time INTEGER NOT NULL, UNIQUE(origin_domain, username_value));
INSERT INTO meta VALUES ('version', '43'), ('last_compatible_version', '40');
"""
SAVED = datetime(2023, 11, 20, 9, 15, 42, tzinfo=UTC)
USED = datetime(2024, 4, 1, 18, 0, 1, tzinfo=UTC)
SECRET = b"v10\x8f\x01TOP-SECRET-PASSWORD"


def login_data() -> bytes:
    rows = [
        ("https://accounts.google.com/signin/v2/", "anna.iv@gmail.com", SAVED, USED, 0),
        ("https://vk.com/", "", SAVED, None, 1),  # "Never" for this site
        ("android://Zm9v@com.skype.raider/", "live:.cid.4f2a9c0e11d3", USED, None, 0),
    ]

    def build(db: sqlite3.Connection) -> None:
        db.executescript(LOGIN_DATA_SCHEMA)
        for origin, user, created, used, never in rows:
            db.execute(
                "INSERT INTO logins(origin_url, action_url, username_element, username_value,"
                " password_element, password_value, signon_realm, date_created,"
                " blacklisted_by_user, scheme, date_last_used) VALUES"
                " (?, ?, 'identifier', ?, 'Passwd', ?, ?, ?, ?, 0, ?)",
                [
                    origin,
                    origin,
                    user,
                    SECRET,
                    origin,
                    webkit(created),
                    never,
                    webkit(used) if used else 0,
                ],
            )

    return sqlite_bytes(build)


def test_chrome_login_data_accounts_and_events_never_passwords(tmp_path):
    data = login_data()
    found = list(parse_chrome(write(tmp_path, "Login Data", data)))
    assert found == [
        Account(service="login:accounts.google.com", identifier="anna.iv@gmail.com"),
        Event(
            "2023-11-20T09:15:42Z",
            "Login saved",
            "Login saved for accounts.google.com: anna.iv@gmail.com",
            url="https://accounts.google.com/signin/v2/",
        ),
        Event(
            "2024-04-01T18:00:01Z",
            "Login used",
            "Login used for accounts.google.com: anna.iv@gmail.com",
            url="https://accounts.google.com/signin/v2/",
        ),
        Event(
            "2023-11-20T09:15:42Z",
            "Login never saved",
            "Never save a login for vk.com",
            url="https://vk.com/",
        ),
        Account(service="login:com.skype.raider", identifier="live:.cid.4f2a9c0e11d3"),
        Event(
            "2024-04-01T18:00:01Z",
            "Login saved",
            "Login saved for com.skype.raider: live:.cid.4f2a9c0e11d3",
            url="android://Zm9v@com.skype.raider/",
        ),
    ]
    assert "TOP-SECRET" not in repr(found)


WEB_DATA_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE autofill (name VARCHAR, value VARCHAR, value_lower VARCHAR,
  date_created INTEGER DEFAULT 0, date_last_used INTEGER DEFAULT 0, count INTEGER DEFAULT 1,
  PRIMARY KEY (name, value));
CREATE TABLE keywords (id INTEGER PRIMARY KEY,short_name VARCHAR NOT NULL,
  keyword VARCHAR NOT NULL,favicon_url VARCHAR NOT NULL,url VARCHAR NOT NULL,
  safe_for_autoreplace INTEGER,originating_url VARCHAR,date_created INTEGER DEFAULT 0,
  usage_count INTEGER DEFAULT 0,input_encodings VARCHAR,suggest_url VARCHAR,
  prepopulate_id INTEGER DEFAULT 0,created_by_policy INTEGER DEFAULT 0,
  last_modified INTEGER DEFAULT 0,sync_guid VARCHAR,alternate_urls VARCHAR,image_url VARCHAR,
  search_url_post_params VARCHAR,suggest_url_post_params VARCHAR,
  image_url_post_params VARCHAR,new_tab_url VARCHAR,last_visited INTEGER DEFAULT 0,
  created_from_play_api INTEGER DEFAULT 0, is_active INTEGER DEFAULT 0,
  starter_pack_id INTEGER DEFAULT 0, enforced_by_policy INTEGER DEFAULT 0,
  featured_by_policy INTEGER DEFAULT 0, url_hash BLOB);
INSERT INTO meta VALUES ('version', '147'), ('last_compatible_version', '147');
"""
FIRST = datetime(2024, 1, 5, 10, 0, 0, tzinfo=UTC)
LAST = datetime(2024, 2, 6, 11, 30, 0, tzinfo=UTC)


def web_data() -> bytes:
    rows = [
        ("email", "anna.iv@mail.ru", 4),
        ("username", "a.ivanova@yandex.ru", 1),
        ("phone", "+7 916 123-45-67", 2),
        ("tel-national", "8 (916) 123-45-67", 1),
        ("phone", "call me maybe", 1),
        ("q", "cheap flights istanbul", 9),
        ("name", "Anna", 3),
    ]

    def build(db: sqlite3.Connection) -> None:
        db.executescript(WEB_DATA_SCHEMA)
        for name, value, count in rows:
            db.execute(
                "INSERT INTO autofill VALUES (?, ?, ?, ?, ?, ?)",
                [name, value, value.lower(), int(FIRST.timestamp()), int(LAST.timestamp()), count],
            )

    return sqlite_bytes(build)


def test_chrome_web_data_autofill_contacts(tmp_path):
    found = list(parse_chrome(write(tmp_path, "Web Data", web_data())))
    times = "first 2024-01-05T10:00:00Z, last 2024-02-06T11:30:00Z"
    assert found == [
        Contact(
            emails=["anna.iv@mail.ru"],
            note=f"Chrome autofill form field 'email', used 4 times, {times}",
        ),
        Contact(
            emails=["a.ivanova@yandex.ru"],
            note=f"Chrome autofill form field 'username', used 1 times, {times}",
        ),
        Contact(
            phones=["+7 916 123-45-67"],
            note=f"Chrome autofill form field 'phone', used 2 times, {times}",
        ),
        Contact(
            phones=["8 (916) 123-45-67"],
            note=f"Chrome autofill form field 'tel-national', used 1 times, {times}",
        ),
    ]


def test_chrome_damaged_table_costs_only_its_section(tmp_path):
    def build(db: sqlite3.Connection) -> None:
        db.executescript(CHROME_HISTORY_SCHEMA.split("CREATE TABLE downloads ")[0])
        db.execute("CREATE TABLE downloads (id INTEGER PRIMARY KEY, full_path TEXT)")
        db.execute("CREATE TABLE downloads_url_chains (id INTEGER, chain_index INTEGER, url)")
        db.execute(
            "INSERT INTO urls(url, title, last_visit_time) VALUES ('https://a.org/', 'A', 1)"
        )
        db.execute("INSERT INTO visits(url, visit_time) VALUES (1, ?)", [webkit(SEARCHED)])

    path = write(tmp_path, "History", sqlite_bytes(build))
    found = []
    with pytest.raises(sqlite3.DatabaseError):
        for record in parse_chrome(path):
            found.append(record)
    assert found == [
        Event("2024-03-09T14:30:05Z", "Visited", "A (https://a.org/)", "https://a.org/")
    ]


def test_chrome_truncated_history_gives_what_is_there_then_fails_fast(tmp_path):
    data = chrome_history_full(extra_visits=4000)
    started = time.monotonic()
    found = []
    with pytest.raises(sqlite3.DatabaseError):
        for record in parse_chrome(write(tmp_path, "History", data[: len(data) // 2])):
            found.append(record)
    visited = [event for event in found if event.kind == "Visited"]
    assert 500 < len(visited) < 4001  # the visits before the cut, in order
    assert visited[0].url == "https://www.google.com/search?q=bob%40mail.ru&oq=bob%40mail.ru"
    last = len(visited) - 2
    assert visited[-1].description == f"Page {last} (https://example.org/page/{last})"
    assert found[-1].kind == "Searched"  # a later table, still readable, is read too
    with pytest.raises(sqlite3.DatabaseError):
        list(parse_chrome(write(tmp_path, "g", b"SQLite format 3\x00" + b"\x07" * 9000)))
    with pytest.raises(sqlite3.DatabaseError):
        list(parse_chrome(write(tmp_path, "h", b"not a database at all" * 100)))
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- Firefox


def test_firefox_demo_places_visits_exact(tmp_path):
    data, _ink = browser.firefox_places(PEOPLE, WHEN)
    found = list(parse_firefox(write(tmp_path, "places.sqlite", data)))
    assert found == DEMO_VISITS
    stored = stored_times(data, tmp_path, "SELECT visit_date FROM moz_historyvisits ORDER BY id")
    unix = datetime(1970, 1, 1, tzinfo=UTC)
    assert [iso(unix + timedelta(microseconds=v)) for v in stored] == [e.time for e in found]


PLACES_SCHEMA = """
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
  rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,
  typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,
  last_visit_date INTEGER, guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL,
  url_hash INTEGER DEFAULT 0 NOT NULL, description TEXT, preview_image_url TEXT,
  site_name TEXT, origin_id INTEGER REFERENCES moz_origins(id),
  recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER,
  recalc_alt_frecency INTEGER NOT NULL DEFAULT 0);
CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER,
  visit_date INTEGER, visit_type INTEGER, session INTEGER, source INTEGER DEFAULT 0 NOT NULL,
  triggeringPlaceId INTEGER);
CREATE TABLE moz_anno_attributes (id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);
CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL,
  anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0,
  expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0,
  lastModified INTEGER DEFAULT 0);
PRAGMA user_version = 77;
"""


def us(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000


def places_with_download() -> bytes:
    def build(db: sqlite3.Connection) -> None:
        db.executescript(PLACES_SCHEMA)
        db.execute(
            "INSERT INTO moz_places(id, url, title, rev_host, guid) VALUES"
            " (1, 'https://vk.com/id12345?w=wall%40anna', 'Анна | ВКонтакте', 'moc.kv.', 'g1'),"
            " (2, 'https://files.example.org/tool%20kit.zip', 'tool kit.zip', 'gro.e.', 'g2')"
        )
        db.execute(
            "INSERT INTO moz_historyvisits(from_visit, place_id, visit_date, visit_type)"
            " VALUES (0, 1, ?, 1), (0, 2, ?, 7)",
            [us(SEARCHED), us(DOWNLOADED)],
        )
        db.execute(
            "INSERT INTO moz_anno_attributes VALUES (1, 'downloads/destinationFileURI'),"
            " (2, 'downloads/metaData')"
        )
        db.execute(
            "INSERT INTO moz_annos(place_id, anno_attribute_id, content, dateAdded, type)"
            " VALUES (2, 1, 'file:///home/anna/Downloads/tool%20kit.zip', ?, 3),"
            ' (2, 2, \'{"state":1,"endTime":1710000000000,"fileSize":1024}\', ?, 3)',
            [us(DOWNLOADED) + 1500, us(DOWNLOADED) + 1500],
        )

    return sqlite_bytes(build)


def test_firefox_places_visits_and_downloads(tmp_path):
    found = list(parse_firefox(write(tmp_path, "00000001.sqlite", places_with_download())))
    assert found == [
        Event(
            "2024-03-09T14:30:05Z",
            "Visited",
            "Анна | ВКонтакте (https://vk.com/id12345?w=wall@anna)",
            url="https://vk.com/id12345?w=wall%40anna",
        ),
        Event(
            "2024-03-09T14:41:17Z",
            "Visited",
            "tool kit.zip (https://files.example.org/tool kit.zip)",
            url="https://files.example.org/tool%20kit.zip",
        ),
        Event(
            "2024-03-09T14:41:17Z",
            "Downloaded",
            "file:///home/anna/Downloads/tool kit.zip from https://files.example.org/tool kit.zip",
            url="https://files.example.org/tool%20kit.zip",
        ),
    ]


FORMHISTORY_SCHEMA = """
CREATE TABLE moz_formhistory (id INTEGER PRIMARY KEY, fieldname TEXT NOT NULL,
  value TEXT NOT NULL, timesUsed INTEGER, firstUsed INTEGER, lastUsed INTEGER, guid TEXT);
CREATE TABLE moz_deleted_formhistory (id INTEGER PRIMARY KEY, timeDeleted INTEGER, guid TEXT);
CREATE TABLE moz_sources (id INTEGER PRIMARY KEY, source TEXT NOT NULL);
CREATE TABLE moz_history_to_sources (history_id INTEGER, source_id INTEGER,
  PRIMARY KEY (history_id, source_id));
CREATE INDEX moz_formhistory_index ON moz_formhistory (fieldname);
PRAGMA user_version = 5;
"""


def formhistory() -> bytes:
    rows = [
        ("login_email", "yannis@otenet.gr", 3),
        ("searchbar-history", "γιάννης παπαδόπουλος", 2),
        ("mobilePhone", "+30 691 234 5678", 1),
    ]

    def build(db: sqlite3.Connection) -> None:
        db.executescript(FORMHISTORY_SCHEMA)
        for number, (field, value, uses) in enumerate(rows):
            db.execute(
                "INSERT INTO moz_formhistory(fieldname, value, timesUsed, firstUsed, lastUsed,"
                " guid) VALUES (?, ?, ?, ?, ?, ?)",
                [field, value, uses, us(FIRST), us(LAST), f"guid{number}"],
            )

    return sqlite_bytes(build)


def test_firefox_formhistory_contacts(tmp_path):
    found = list(parse_firefox(write(tmp_path, "formhistory.sqlite", formhistory())))
    times = "first 2024-01-05T10:00:00Z, last 2024-02-06T11:30:00Z"
    assert found == [
        Contact(
            emails=["yannis@otenet.gr"],
            note=f"Firefox form field 'login_email', used 3 times, {times}",
        ),
        Contact(
            phones=["+30 691 234 5678"],
            note=f"Firefox form field 'mobilePhone', used 1 times, {times}",
        ),
    ]


ENCRYPTED_USER = "MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECJGL0cXOAIm5BBCuZVmHqs4="


def logins_json() -> bytes:
    created = int(SAVED.timestamp() * 1000) + 123
    logins = {
        "nextId": 3,
        "logins": [
            {
                "id": 1,
                "hostname": "https://mail.protonmail.com",
                "httpRealm": None,
                "formSubmitURL": "https://mail.protonmail.com",
                "usernameField": "username",
                "passwordField": "password",
                "encryptedUsername": ENCRYPTED_USER,
                "encryptedPassword": "MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECP1nZ2Vy",
                "guid": "{5ad4b3c6-1b0c-4d5a-9a3e-2f8b7c6d5e4f}",
                "encType": 1,
                "timeCreated": created,
                "timeLastUsed": int(USED.timestamp() * 1000),
                "timePasswordChanged": created,
                "timesUsed": 4,
            },
            {
                "id": 2,
                "hostname": "imap://imap.mail.ru",
                "httpRealm": "imap://imap.mail.ru",
                "formSubmitURL": None,
                "encryptedUsername": ENCRYPTED_USER,
                "timeCreated": created,
                "timeLastUsed": created,
            },
            "not a login",
        ],
        "potentiallyVulnerablePasswords": [],
        "dismissedBreachAlertsByLoginGUID": {},
        "version": 3,
    }
    return json.dumps(logins, separators=(",", ":")).encode()


def test_firefox_logins_json_events_without_username(tmp_path):
    found = list(parse_firefox(write(tmp_path, "logins.json", logins_json())))
    assert found == [
        Event(
            "2023-11-20T09:15:42Z",
            "Login saved",
            "Login saved for mail.protonmail.com",
            url="https://mail.protonmail.com",
        ),
        Event(
            "2024-04-01T18:00:01Z",
            "Login used",
            "Login used for mail.protonmail.com",
            url="https://mail.protonmail.com",
        ),
        Event(
            "2023-11-20T09:15:42Z",
            "Login saved",
            "Login saved for imap.mail.ru",
            url="imap://imap.mail.ru",
        ),
    ]
    assert ENCRYPTED_USER not in repr(found)


def test_firefox_broken_files_fail_cleanly(tmp_path):
    data = logins_json()
    with pytest.raises(ValueError):
        list(parse_firefox(write(tmp_path, "logins.json", data[: len(data) // 2])))
    odd = b'{"nextId":1,"logins":{"a":1}}'
    assert list(parse_firefox(write(tmp_path, "odd.json", odd))) == []
    with pytest.raises(sqlite3.DatabaseError):
        list(parse_firefox(write(tmp_path, "places.sqlite", b"SQLite format 3\x00" + b"\0" * 99)))


# --------------------------------------------------------------------------- Safari

SAFARI_SCHEMA = """
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,
  domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,
  weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,
  should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL,
  status_code INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,
  history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,
  visit_time REAL NOT NULL,title TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,
  http_non_get BOOLEAN NOT NULL DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,
  redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,
  redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,
  origin INTEGER NOT NULL DEFAULT 0,generation INTEGER NOT NULL DEFAULT 0,
  attributes INTEGER NOT NULL DEFAULT 0,score INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_tombstones (id INTEGER PRIMARY KEY AUTOINCREMENT,start_time REAL NOT NULL,
  end_time REAL NOT NULL,url TEXT,generation INTEGER NOT NULL DEFAULT 0, udid TEXT,
  attributes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE metadata (key TEXT NOT NULL UNIQUE, value);
"""


def safari_history() -> bytes:
    def build(db: sqlite3.Connection) -> None:
        db.executescript(SAFARI_SCHEMA)
        db.execute(
            "INSERT INTO history_items(url, domain_expansion, visit_count, daily_visit_counts,"
            " should_recompute_derived_visit_counts, visit_count_score) VALUES"
            " ('https://www.facebook.com/search/top?q=kemal%20y%C4%B1lmaz', 'facebook', 2, x'',"
            " 0, 100), ('https://www.apple.com/', 'apple', 1, x'', 0, 100)"
        )
        seconds = (SEARCHED - COCOA).total_seconds() + 0.734
        db.execute(
            "INSERT INTO history_visits(history_item, visit_time, title) VALUES"
            " (1, ?, 'kemal yılmaz | Facebook'), (1, ?, NULL), (2, ?, 'Apple')",
            [seconds, seconds + 61.5, (DOWNLOADED - COCOA).total_seconds()],
        )

    return sqlite_bytes(build)


def test_safari_history_visits_exact(tmp_path):
    data = safari_history()
    found = list(parse_safari(write(tmp_path, "History.db", data)))
    url = "https://www.facebook.com/search/top?q=kemal%20y%C4%B1lmaz"
    assert found == [
        Event(
            "2024-03-09T14:30:05Z",
            "Visited",
            "kemal yılmaz | Facebook (https://www.facebook.com/search/top?q=kemal yılmaz)",
            url=url,
        ),
        Event(
            "2024-03-09T14:31:07Z",
            "Visited",
            "https://www.facebook.com/search/top?q=kemal yılmaz",
            url=url,
        ),
        Event(
            "2024-03-09T14:41:17Z",
            "Visited",
            "Apple (https://www.apple.com/)",
            url="https://www.apple.com/",
        ),
    ]
    stored = stored_times(data, tmp_path, "SELECT visit_time FROM history_visits ORDER BY id")
    assert [iso(COCOA + timedelta(seconds=v)) for v in stored] == [e.time for e in found]


# --------------------------------------------------------------------------- recognition


def test_sniffs_claim_own_files_only(tmp_path):
    samples = {
        "chrome": [
            browser.chrome_history(PEOPLE, WHEN)[0],
            chrome_history_full(),
            login_data(),
            web_data(),
        ],
        "firefox": [
            browser.firefox_places(PEOPLE, WHEN)[0],
            places_with_download(),
            formhistory(),
            logins_json(),
            json.dumps(json.loads(logins_json()), indent=2).encode(),
        ],
        "safari": [safari_history()],
    }
    for owner, datas in samples.items():
        for data in datas:
            assert claimed("carved/00000012345.sqlite", data) & MINE == {owner}
    foreign = [
        phone.contacts2_db(PEOPLE, PEOPLE[0])[0],
        phone.vcards(PEOPLE, "3.0")[0],
        b'{"nextId": "x", "items": []}',
        b'{"logins": [], "nextId": 1}',
        b"SQLite format 3\x00" + b"\0" * 200,
        b"CREATE TABLE urls(id) CREATE TABLE visits(id) CREATE TABLE meta(k)",
    ]
    for data in foreign:
        assert not claimed("carved/x.bin", data) & MINE
    assert not sniff_chrome(places_with_download()[:HEAD], "x")
    assert not sniff_firefox(chrome_history_full()[:HEAD], "x")


def test_globs_claim_profile_files_whatever_their_state():
    empty = b""
    for path in (
        "users/anna/appdata/local/google/chrome/user data/default/history",
        "users/anna/appdata/local/microsoft/edge/user data/profile 1/login data",
        "home/anna/.config/google-chrome/default/web data",
        "users/anna/library/application support/bravesoftware/brave-browser/default/history",
        "users/anna/appdata/roaming/opera software/opera stable/history",
    ):
        assert "chrome" in claimed(path, empty), path
    for path in (
        "home/anna/.mozilla/firefox/k2j3h4.default-release/places.sqlite",
        "users/anna/appdata/roaming/mozilla/firefox/profiles/k2j3h4.default/logins.json",
        "users/anna/appdata/roaming/thunderbird/profiles/x1.default/logins.json",
    ):
        assert "firefox" in claimed(path, empty), path
    assert not claimed("home/anna/.bash_history", empty) & MINE
    assert not claimed("home/anna/notes/history", empty) & MINE
