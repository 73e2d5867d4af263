"""Browsers: what the owner looked at, looked for, downloaded, signed in to and typed into
forms. Chrome and its relatives (Edge, Chromium, Brave, Opera, Vivaldi: `History`, `Login
Data`, `Web Data`), Firefox (`places.sqlite`, the older `downloads.sqlite`, `formhistory.sqlite`,
`logins.json`) and Safari (`History.db`).

Browsing links people too: a webmail search for an address, a profile page of a handle, a
web search for a number. Identifiers sit percent-encoded in URLs (`?q=bob%40mail.ru`): each
Event keeps `url` as stored (the sweep decodes it) and its `description` shows the URL decoded.
Every time goes through `iso_utc` from the browser's own epoch. Saved passwords are never read.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from crossdrive.artifacts.common import (
    column_names,
    has_tables,
    iso_utc,
    open_sqlite,
    sections,
    sqlite_tables,
    table_names,
)
from crossdrive.artifacts.records import Account, Contact, Event, Parser, Record

MAX_JSON = 64 * 1024 * 1024  # bytes of logins.json read at most (real ones are kilobytes)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_FIELD = re.compile(r"phone|\btel|mobile|msisdn|cell", re.IGNORECASE)
_PHONE_VALUE = re.compile(r"^\+?[\d\s().\-/]{5,30}$")


# --------------------------------------------------------------------------- shared


def _decoded(url: str) -> str:
    """A URL with its percent-escapes decoded (`%40` → `@`), for people to read."""
    return unquote(url, errors="replace")


def _visits(rows: Iterable[tuple], unit: str) -> Iterator[Event]:
    """A "Visited" event per (time, url, title) row, the time in its browser's epoch `unit`:
    "title (decoded url)", or the decoded URL alone when untitled. Rows without a time or a
    URL give nothing."""
    for when, url, title in rows:
        time = iso_utc(when, unit)
        if time is None or not isinstance(url, str) or not url:
            continue
        shown = _decoded(url)
        description = f"{title} ({shown})" if isinstance(title, str) and title else shown
        yield Event(time=time, kind="Visited", description=description, url=url)


def _host(url: Any) -> str:
    """The host a saved login belongs to (`https://mail.example.com/login` → mail.example.com)."""
    if not isinstance(url, str):
        return ""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _form_contacts(rows: Iterable[tuple], unit: str, source: str) -> Iterator[Contact]:
    """Contacts from values typed into web forms, (field name, value, uses, first, last) rows.

    A value shaped like an e-mail address (in any field) becomes a Contact with that address;
    a value shaped like a phone number in a field named like a phone (phone, tel, mobile,
    cell, msisdn) one with that number. One Contact per value: values typed on different
    sites are not one person. The note says where it was typed and when (times in `unit`)."""
    for field, value, uses, first, last in rows:
        if not isinstance(value, str) or not isinstance(field, str):
            continue
        value = value.strip()
        contact = Contact()
        if _EMAIL.match(value):
            contact.emails.append(value)
        elif _PHONE_FIELD.search(field) and _PHONE_VALUE.match(value):
            contact.phones.append(value)
        else:
            continue
        times = ", ".join(
            f"{label} {stamp}"
            for label, stamp in (("first", iso_utc(first, unit)), ("last", iso_utc(last, unit)))
            if stamp
        )
        contact.note = f"{source} form field '{field}', used {uses or 0} times" + (
            f", {times}" if times else ""
        )
        yield contact


# --------------------------------------------------------------------------- Chrome

_CHROME_HISTORY = ("urls", "visits", "meta")
_CHROME_LOGINS = ("logins", "meta")
_CHROME_WEB_DATA = ("autofill", "keywords", "meta")
# Profile folders of Chromium browsers on Windows ("User Data/<profile>"), Linux
# (~/.config/<browser>/<profile>) and macOS (Application Support/<vendor>/<browser>/<profile>).
_CHROME_DIRS = (
    "*/user data/*/",
    "*/.config/google-chrome*/*/",
    "*/.config/chromium/*/",
    "*/.config/bravesoftware/brave-browser*/*/",
    "*/.config/microsoft-edge*/*/",
    "*/application support/google/chrome*/*/",
    "*/application support/chromium/*/",
    "*/application support/bravesoftware/brave-browser*/*/",
    "*/application support/microsoft edge*/*/",
    "*/opera software/opera*/",
)
_CHROME_FILES = ("history", "archived history", "login data", "login data for account", "web data")


def sniff_chrome(head: bytes, _name: str) -> bool:
    """Chromium's `History` (urls, visits, meta), `Login Data` (logins, meta; the logins table
    with its password_element column) or `Web Data` (autofill, keywords, meta)."""
    tables = sqlite_tables(head)
    if not tables:
        return False
    if set(_CHROME_LOGINS) <= tables:
        return b"password_element" in head
    return set(_CHROME_HISTORY) <= tables or set(_CHROME_WEB_DATA) <= tables


def parse_chrome(path: Path) -> Iterator[Record]:
    """A Chromium browser's databases (Chrome, Edge, Chromium, Brave, Opera, Vivaldi); times
    are WebKit microseconds since 1601 unless said otherwise.

    `History`: every row of `visits` joined to `urls` → Event "Visited" (visit_time, "title
    (url)"); `downloads` → Event "Downloaded" (start_time; target_path and the last URL of
    `downloads_url_chains`; `url` the tab's page, else that download URL); `keyword_search_terms`
    → Event "Searched" (term, at the searched URL's last_visit_time).
    `Login Data`: `logins` → Account(service "login:<host>", identifier username_value) and
    Event "Login saved" (date_created), "Login used" (date_last_used, when later); sites the
    user refused to save (blacklisted_by_user) → Event "Login never saved". The
    password_value column is never read.
    `Web Data`: `autofill` (name, value, count, date_created/date_last_used in Unix seconds)
    → Contact per typed e-mail address or phone number (see `_form_contacts`)."""
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        parts: list[Iterable[Record]] = []
        if {"urls", "visits"} <= tables:
            parts.append(_chrome_visits(con))
            if {"downloads", "downloads_url_chains"} <= tables:
                parts.append(_chrome_downloads(con))
            if "keyword_search_terms" in tables:
                parts.append(_chrome_searches(con))
        if "logins" in tables:
            parts.append(_chrome_logins(con))
        if "autofill" in tables:
            parts.append(_chrome_autofill(con))
        yield from sections(*parts)
    finally:
        con.close()


def _chrome_visits(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute(
        "SELECT v.visit_time, u.url, u.title FROM visits v JOIN urls u ON u.id = v.url"
        " ORDER BY v.id"
    )
    yield from _visits(rows, "webkit")


def _chrome_autofill(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute("SELECT name, value, count, date_created, date_last_used FROM autofill")
    yield from _form_contacts(rows, "s", "Chrome autofill")


def _chrome_downloads(con: sqlite3.Connection) -> Iterator[Record]:
    chains: dict[int, str] = {}
    for download, url in con.execute(
        "SELECT id, url FROM downloads_url_chains ORDER BY id, chain_index"
    ):
        chains[download] = url  # the last link of the chain: where the bytes came from
    tab = "tab_url" if "tab_url" in column_names(con, "downloads") else "NULL"  # Chrome 30+
    for download, path, when, tab_url in con.execute(
        f"SELECT id, target_path, start_time, {tab} FROM downloads ORDER BY id"
    ):
        source = chains.get(download)
        time = iso_utc(when, "webkit")
        if time is None:
            continue
        description = f"{path or '?'} from {_decoded(source)}" if source else f"{path or '?'}"
        yield Event(time, "Downloaded", description, url=tab_url or source or None)


def _chrome_searches(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute(
        "SELECT k.term, u.url, u.last_visit_time FROM keyword_search_terms k"
        " JOIN urls u ON u.id = k.url_id"
    )
    for term, url, when in rows:
        time = iso_utc(when, "webkit")
        if time is not None and term:
            yield Event(time, "Searched", f"Searched for {term} ({_decoded(url)})", url=url)


def _chrome_logins(con: sqlite3.Connection) -> Iterator[Record]:
    columns = column_names(con, "logins")
    last_used = "date_last_used" if "date_last_used" in columns else "0"
    blocked = "blacklisted_by_user" if "blacklisted_by_user" in columns else "0"
    rows = con.execute(
        f"SELECT origin_url, signon_realm, username_value, date_created, {last_used},"
        f" {blocked} FROM logins"
    )
    for origin, realm, username, created, used, never in rows:
        host = _host(origin) or _host(realm)
        user = username if isinstance(username, str) and username else None
        saved, used_at = iso_utc(created, "webkit"), iso_utc(used, "webkit")
        url = origin or None
        if never:
            if saved is not None:
                yield Event(saved, "Login never saved", f"Never save a login for {host}", url=url)
            continue
        whom = f"{host}: {user}" if user else host
        if user:
            yield Account(service=f"login:{host}", identifier=user)
        if saved is not None:
            yield Event(saved, "Login saved", f"Login saved for {whom}", url=url)
        if used_at is not None and used_at != saved:
            yield Event(used_at, "Login used", f"Login used for {whom}", url=url)


# --------------------------------------------------------------------------- Firefox

_FIREFOX_PLACES = ("moz_places", "moz_historyvisits")
_FIREFOX_DOWNLOADS = ("moz_downloads",)
_FIREFOX_FORMS = ("moz_formhistory",)
_DESTINATION = "downloads/destinationFileURI"
# Profile folders of Firefox (Windows and macOS: "Firefox/Profiles/<profile>", Linux:
# ~/.mozilla/firefox/<profile>) and of Thunderbird, which keeps logins.json the same way.
_FIREFOX_DIRS = (
    "*/firefox/profiles/*/",
    "*/.mozilla/firefox/*/",
    "*/thunderbird/profiles/*/",
    "*/.thunderbird/*/",
)
_FIREFOX_FILES = ("places.sqlite", "downloads.sqlite", "formhistory.sqlite", "logins.json")


def sniff_firefox(head: bytes, _name: str) -> bool:
    """Firefox's `places.sqlite` (moz_places, moz_historyvisits), `downloads.sqlite`
    (moz_downloads), `formhistory.sqlite` (moz_formhistory), or `logins.json` (a JSON object
    opening with "nextId" and holding "logins", as Firefox and Thunderbird write it)."""
    tables = sqlite_tables(head)
    if tables:
        return any(
            set(need) <= tables for need in (_FIREFOX_PLACES, _FIREFOX_DOWNLOADS, _FIREFOX_FORMS)
        )
    start = re.sub(rb"\s+", b"", head[:64])
    return start.startswith(b'{"nextId":') and b'"logins":' in head


def parse_firefox(path: Path) -> Iterator[Record]:
    """Firefox's profile files; times are Unix microseconds (PRTime) unless said otherwise.

    `places.sqlite`: every `moz_historyvisits` row joined to `moz_places` → Event "Visited"
    (visit_date, "title (url)"); downloads (Firefox 26+), the `moz_annos` rows whose
    `moz_anno_attributes` name is "downloads/destinationFileURI" → Event "Downloaded"
    (dateAdded, the destination file and the place's URL).
    `downloads.sqlite` (before Firefox 26): `moz_downloads` → Event "Downloaded" (startTime,
    target, source).
    `formhistory.sqlite`: `moz_formhistory` (fieldname, value, timesUsed, firstUsed, lastUsed)
    → Contact per typed e-mail address or phone number (see `_form_contacts`).
    `logins.json`: each login → Event "Login saved" (timeCreated, Unix milliseconds) and
    "Login used" (timeLastUsed, when later) with the hostname only: Firefox stores the
    username encrypted, so no Account can be made from it."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.lstrip().startswith(b"{"):
        yield from _firefox_logins(path)
        return
    con = open_sqlite(path)
    try:
        tables = table_names(con)
        parts: list[Iterable[Record]] = []
        if set(_FIREFOX_PLACES) <= tables:
            parts.append(_firefox_visits(con))
            if {"moz_annos", "moz_anno_attributes"} <= tables:
                parts.append(_firefox_downloads(con))
        if set(_FIREFOX_DOWNLOADS) <= tables:
            parts.append(_firefox_old_downloads(con))
        if set(_FIREFOX_FORMS) <= tables:
            parts.append(_firefox_forms(con))
        yield from sections(*parts)
    finally:
        con.close()


def _firefox_forms(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute(
        "SELECT fieldname, value, timesUsed, firstUsed, lastUsed FROM moz_formhistory"
    )
    yield from _form_contacts(rows, "us", "Firefox")


def _firefox_visits(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute(
        "SELECT v.visit_date, p.url, p.title FROM moz_historyvisits v"
        " JOIN moz_places p ON p.id = v.place_id ORDER BY v.id"
    )
    yield from _visits(rows, "us")


def _firefox_downloads(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute(
        "SELECT a.dateAdded, a.content, p.url FROM moz_annos a"
        " JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id"
        " JOIN moz_places p ON p.id = a.place_id WHERE n.name = ? ORDER BY a.id",
        [_DESTINATION],
    )
    yield from _downloads(rows, "us")


def _firefox_old_downloads(con: sqlite3.Connection) -> Iterator[Record]:
    rows = con.execute("SELECT startTime, target, source FROM moz_downloads ORDER BY id")
    yield from _downloads(rows, "us")


def _downloads(rows: Iterable[tuple], unit: str) -> Iterator[Record]:
    """(time, destination file URI, source URL) rows → "Downloaded" events."""
    for when, destination, url in rows:
        time = iso_utc(when, unit)
        if time is None:
            continue
        target = _decoded(destination) if isinstance(destination, str) else "?"
        source = _decoded(url) if isinstance(url, str) else "?"
        yield Event(time, "Downloaded", f"{target} from {source}", url=url or None)


def _firefox_logins(path: Path) -> Iterator[Record]:
    if path.stat().st_size > MAX_JSON:
        raise ValueError(f"logins.json of {path.stat().st_size:,} bytes: too large")
    data = json.loads(path.read_bytes().decode("utf-8", "replace"))
    logins = data.get("logins") if isinstance(data, dict) else None
    for login in logins if isinstance(logins, list) else []:
        if not isinstance(login, dict):
            continue
        hostname = login.get("hostname")
        host = _host(hostname)
        created = iso_utc(_number(login.get("timeCreated")), "ms")
        used = iso_utc(_number(login.get("timeLastUsed")), "ms")
        url = hostname if isinstance(hostname, str) else None
        if created is not None:
            yield Event(created, "Login saved", f"Login saved for {host}", url=url)
        if used is not None and used != created:
            yield Event(used, "Login used", f"Login used for {host}", url=url)


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


# --------------------------------------------------------------------------- Safari


def parse_safari(path: Path) -> Iterator[Record]:
    """Safari's `History.db`: every `history_visits` row joined to `history_items` → Event
    "Visited" (visit_time, Cocoa seconds since 2001; the visit's own title, "title (url)")."""
    con = open_sqlite(path)
    try:
        rows = con.execute(
            "SELECT v.visit_time, i.url, v.title FROM history_visits v"
            " JOIN history_items i ON i.id = v.history_item ORDER BY v.id"
        )
        yield from _visits(rows, "cocoa")
    finally:
        con.close()


def _globs(folders: Iterable[str], files: Iterable[str]) -> tuple[str, ...]:
    return tuple(folder + name for folder in folders for name in files)


PARSERS: tuple[Parser, ...] = (
    Parser("chrome", parse_chrome, _globs(_CHROME_DIRS, _CHROME_FILES), sniff_chrome),
    Parser(
        "firefox",
        parse_firefox,
        _globs(_FIREFOX_DIRS, _FIREFOX_FILES),
        sniff_firefox,
    ),
    Parser("safari", parse_safari, sniff=has_tables("history_items", "history_visits")),
)
