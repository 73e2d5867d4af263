"""Contacts: the address books people keep and export. vCard files (2.1, 3.0 and 4.0, several
cards per file, carved fragments included), Thunderbird's SQLite address books, and the CSV
exports of Google Contacts, Outlook and Thunderbird.

An address book ties a person's names to their e-mail addresses, phone numbers and messenger
handles: the links an examiner follows from one seized device to another. Every identifier is
kept as the source writes it (national numbers stay national); handles are written
`service:handle` (`skype:anna.k`, `xmpp:anna@jabber.org`), IMPP URIs as written.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import io
import quopri
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import charset_normalizer
from vobject.base import ContentLine, getLogicalLines, parseLine, textLineToContentLine
from vobject.icalendar import stringToTextValues
from vobject.vcard import splitFields

from crossdrive.artifacts.common import has_tables, open_sqlite
from crossdrive.artifacts.records import Contact, Parser, Record

# --------------------------------------------------------------------------- shared

# Messenger names as address books spell them → the service written before a bare handle.
IM_SERVICES = {
    "skype": "skype",
    "jabber": "xmpp",
    "xmpp": "xmpp",
    "google talk": "xmpp",
    "googletalk": "xmpp",
    "gtalk": "xmpp",
    "hangouts": "xmpp",
    "telegram": "telegram",
    "aim": "aim",
    "icq": "icq",
    "msn": "msn",
    "windows live": "msn",
    "yahoo": "yahoo",
    "qq": "qq",
    "irc": "irc",
}


def _add(values: list[str], value: Any) -> None:
    """Append a non-empty text value once, as written (surrounding blanks aside)."""
    if isinstance(value, str):
        value = value.strip()
        if value and value not in values:
            values.append(value)


def _handle(service: str, value: Any) -> str | None:
    """`service:handle` for a bare handle; a value already prefixed with its service as is."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if value.lower().startswith(f"{service}:"):
        return value
    return f"{service}:{value}"


def _im_service(label: str) -> str:
    """The service a messenger label names ("Google Talk" → xmpp), else the label itself."""
    label = " ".join(re.findall(r"\w+", label.lower()))  # "* Google Talk" → "google talk"
    return IM_SERVICES.get(label, label.replace(" ", "") or "im")


def _filled(contact: Contact) -> bool:
    return bool(
        contact.names
        or contact.emails
        or contact.phones
        or contact.handles
        or contact.organisation
        or contact.note
    )


# --------------------------------------------------------------------------- vCard

VCARD_BEGIN = b"BEGIN:VCARD"
VCARD_END = b"END:VCARD"
MAX_LINE = 1 << 20  # bytes read as one line at most (a file without line breaks)
MAX_CARD = 1 << 20  # bytes of one card given to vobject (binary properties left out first)
BOM = b"\xef\xbb\xbf"
# Properties whose values are pictures, sounds or keys: nothing an address book links by.
_BINARY = re.compile(rb"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
# The 8-bit code pages of vCards that do not name theirs (Windows and KOI8 Cyrillic).
LEGACY_CODEPAGES = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1257", "koi8_r", "koi8_u")
_CHARSET = re.compile(rb"CHARSET=\"?([\w.:-]+)", re.IGNORECASE)
# vCard 2.1/3.0 messenger properties (Apple, Android, KDE, Evolution) → service.
X_HANDLES = {
    "X-SKYPE": "skype",
    "X-SKYPE-USERNAME": "skype",
    "X-JABBER": "xmpp",
    "X-GOOGLE-TALK": "xmpp",
    "X-GTALK": "xmpp",
    "X-TELEGRAM": "telegram",
    "X-AIM": "aim",
    "X-ICQ": "icq",
    "X-MSN": "msn",
    "X-YAHOO": "yahoo",
    "X-QQ": "qq",
}


def sniff_vcard(head: bytes, _name: str) -> bool:
    """A vCard file starts (after an optional BOM and blanks) with BEGIN:VCARD."""
    return head[:256].removeprefix(BOM).lstrip()[: len(VCARD_BEGIN)].upper() == VCARD_BEGIN


def parse_vcard(path: Path) -> Iterator[Record]:
    """Every card of a vCard file (2.1, 3.0, 4.0) as a Contact, with the card's byte offset.

    The file is cut into BEGIN:VCARD…END:VCARD blocks here (streamed, line by line) and each
    block is read by vobject on its own (see `vcard_contact`): what vobject cannot read in one
    card costs nothing elsewhere, and a card with nothing readable is skipped. A card cut short
    (carved, truncated, or followed by another BEGIN) is closed and read too. PHOTO, LOGO,
    SOUND and KEY data are left out before reading (they can be megabytes of base64).
    Read: FN, N and NICKNAME (names), EMAIL, TEL (as written; a `tel:` URI scheme dropped),
    IMPP (URI as written), X-SKYPE/X-JABBER/X-TELEGRAM/X-AIM/X-ICQ/X-MSN/… (as
    `service:handle`), ORG, NOTE. Encodings: quoted-printable and base64 values with their
    CHARSET, folded lines, raw 8-bit text in the declared or detected charset."""
    with open(path, "rb") as handle:
        for offset, block in _card_blocks(handle):
            contact = vcard_contact(_decode_card(block), offset)
            if contact is not None:
                yield contact


def vcard_contact(text: str, file_offset: int | None = None) -> Contact | None:
    """One vCard's text as a Contact; None when it holds no name, address, number or handle.

    vobject reads the card line by line (folded lines, quoted-printable soft breaks,
    parameters, quoted-printable values in their CHARSET): a line it cannot read costs that
    line only, so a damaged 2.1 card still gives its other fields. Values are then decoded
    here without vobject's per-property behaviours, which would keep only the text before the
    first comma of a 2.1 value (2.1 does not escape commas)."""
    logical = getLogicalLines(io.StringIO(text), allowQP=True)
    lines = (_content_line(line, number) for line, number in logical)
    contact = _card_contact(line for line in lines if line is not None)
    contact.file_offset = file_offset
    return contact if _filled(contact) else None


def _content_line(text: str, number: int) -> Any | None:
    """One logical line as vobject's ContentLine, None when vobject cannot read it. A
    quoted-printable value whose bytes are not in its CHARSET (UTF-8 when none is named, as
    old phones write cp1251 without saying so) is decoded in the charset detected instead."""
    try:
        return textLineToContentLine(text, number)
    except (UnicodeError, LookupError):
        pass
    except Exception:  # ParseError: not a property line
        return None
    try:
        name, params, value, group = parseLine(text, number)
    except Exception:
        return None
    plain = [p for p in params if not any(v.upper() == "QUOTED-PRINTABLE" for v in p)]
    decoded = _guess_text(quopri.decodestring(value.encode("utf-8", "replace")))
    return ContentLine(name, plain, decoded, group, encoded=True)


def _card_blocks(handle: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(offset of BEGIN, bytes) of every card in a stream, binary properties left out."""
    offset, start = 0, None
    lines: list[bytes] = []
    size, in_binary = 0, False
    while line := handle.readline(MAX_LINE):
        at, offset = offset, offset + len(line)
        if at == 0 and line.startswith(BOM):
            line, at = line[len(BOM) :], len(BOM)
        bare = line.strip().upper()
        if bare == VCARD_BEGIN:
            if start is not None:
                yield start, _closed(lines)
            start = at + len(line) - len(line.lstrip())
            lines, size, in_binary = [VCARD_BEGIN + b"\r\n"], 0, False
        elif start is None:
            continue
        elif bare == VCARD_END:
            yield start, b"".join(lines) + VCARD_END + b"\r\n"
            start = None
        elif in_binary and (line[:1] in b" \t" or (bare and b":" not in bare)):
            continue  # base64 of a picture: folded, or (2.1) unfolded lines without a colon
        elif in_binary and not bare:
            in_binary = False  # the blank line that ends 2.1 base64 data
        elif _BINARY.match(line):
            in_binary = True
        elif size + len(line) <= MAX_CARD:
            in_binary = False
            lines.append(line)
            size += len(line)
    if start is not None:
        yield start, _closed(lines)


def _closed(lines: list[bytes]) -> bytes:
    """A card cut short, closed: a blank line ends any value left open, then END:VCARD."""
    return b"".join(lines) + b"\r\n" + VCARD_END + b"\r\n"


def _decode_card(block: bytes) -> str:
    """A card's text: UTF-8 (vCard 3.0/4.0 and most 2.1), else the charset it declares, else
    the legacy code page detected. Quoted-printable and base64 values stay encoded here:
    vobject decodes them with their own CHARSET."""
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(block)
    if declared:
        try:
            return block.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return _guess_text(block)


def _guess_text(data: bytes) -> str:
    """8-bit text of an unnamed charset, as old phones and address books wrote a name: the
    legacy code page charset-normalizer finds likeliest (only those: on a few bytes it would
    otherwise pick a CJK charset), else UTF-8 with replacement characters."""
    best = charset_normalizer.from_bytes(data, cp_isolation=list(LEGACY_CODEPAGES)).best()
    return str(best) if best is not None else data.decode("utf-8", "replace")


def _card_contact(lines: Iterable[Any]) -> Contact:
    contact = Contact()
    for line in lines:
        name = line.name.upper()
        if name == "N":
            _add(contact.names, _structured_name(_raw(line)))
        elif name in ("FN", "NICKNAME"):
            _add(contact.names, _text(line))
        elif name == "EMAIL":
            _add(contact.emails, _text(line))
        elif name == "TEL":
            _add(contact.phones, re.sub(r"^\s*tel:", "", _text(line), flags=re.IGNORECASE))
        elif name == "IMPP":
            _add(contact.handles, _impp(line))
        elif name in X_HANDLES:
            _add(contact.handles, _handle(X_HANDLES[name], _text(line)))
        elif name == "ORG" and not contact.organisation:
            parts = (_join(part).strip() for part in splitFields(_raw(line)))
            contact.organisation = ", ".join(part for part in parts if part) or None
        elif name == "NOTE" and not contact.note:
            contact.note = _text(line) or None
    return contact


def _raw(line: Any) -> str:
    """A property's value before unescaping: quoted-printable already decoded by vobject with
    its CHARSET, base64 (ENCODING=b, ENCODING=BASE64, or a bare BASE64) decoded here."""
    encoding = {e.upper() for e in line.params.get("ENCODING", [])}
    encoding.update(p.upper() for p in line.singletonparams)
    if not {"B", "BASE64"} & encoding:
        return str(line.value)
    try:
        data = base64.b64decode(str(line.value), validate=False)
    except (binascii.Error, ValueError):
        return ""
    charset = line.params.get("CHARSET", ["utf-8"])[0]
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _text(line: Any) -> str:
    """A text property's value, backslash escapes undone. Read unsplit: 2.1 cards write commas
    bare, and vobject's own reading would keep only the text before the first one."""
    return stringToTextValues(_raw(line), listSeparator=None)[0]


def _structured_name(raw: str) -> str:
    """N (family;given;additional;prefix;suffix) as people write a name: "prefix given
    additional family suffix"."""
    family, given, additional, prefix, suffix = ([*splitFields(raw), "", "", "", "", ""])[:5]
    parts = (_join(part).strip() for part in (prefix, given, additional, family, suffix))
    return " ".join(part for part in parts if part)


def _join(part: Any) -> str:
    return " ".join(part) if isinstance(part, list) else str(part or "")


def _impp(line: Any) -> str | None:
    """An IMPP URI as written (`xmpp:a@b`, `skype:x`); Apple's placeholder scheme `x-apple:`
    replaced by the service its X-SERVICE-TYPE names; a bare value prefixed with that service."""
    value = _text(line).strip()
    service = line.params.get("X-SERVICE-TYPE", [""])[0]
    if service and value.lower().startswith("x-apple:"):
        return _handle(_im_service(service), value[len("x-apple:") :])
    if service and ":" not in value:
        return _handle(_im_service(service), value)
    return value or None


# --------------------------------------------------------------------------- Thunderbird

# Thunderbird's card properties (the `properties` table's `name` column) by what they hold.
TB_NAMES = ("DisplayName", "NickName")
TB_EMAILS = ("PrimaryEmail", "SecondEmail")
TB_PHONES = ("CellularNumber", "HomePhone", "WorkPhone", "FaxNumber", "PagerNumber")
TB_HANDLES = {
    "_Skype": "skype",
    "_JabberId": "xmpp",
    "_GoogleTalk": "xmpp",
    "_AimScreenName": "aim",
    "_ICQ": "icq",
    "_MSN": "msn",
    "_Yahoo": "yahoo",
    "_QQ": "qq",
    "_IRC": "irc",
}


def parse_thunderbird_abook(path: Path) -> Iterator[Record]:
    """Thunderbird's address books, `abook.sqlite` (Personal) and `history.sqlite` (Collected
    Addresses): table `properties` (card, name, value), one row per field of a card. Read:
    DisplayName, FirstName + LastName, NickName, PrimaryEmail, SecondEmail, CellularNumber,
    HomePhone, WorkPhone, FaxNumber, PagerNumber, Company, Notes and the messenger fields
    (_Skype, _JabberId, _GoogleTalk, _AimScreenName, _ICQ, _MSN, _Yahoo, _QQ, _IRC). Since
    Thunderbird 102 the card itself is a vCard 4.0 in `_vCard`: read as a vCard, the other
    properties added. Mailing lists (`lists`) hold no identifiers of their own. Rows are read
    in stored order and grouped by card; a damaged file gives the cards read before the damage,
    then its error."""
    cards: dict[Any, dict[str, Any]] = {}
    con = open_sqlite(path)  # a truncated copy is read up to its end (writable_schema)
    try:
        for card, name, value in con.execute("SELECT card, name, value FROM properties"):
            cards.setdefault(card, {})[name] = value
    except sqlite3.DatabaseError:
        yield from _thunderbird_contacts(cards.values())  # the cards read before the damage
        raise
    finally:
        con.close()
    yield from _thunderbird_contacts(cards.values())


def _thunderbird_contacts(cards: Iterable[dict[str, Any]]) -> Iterator[Contact]:
    for props in cards:
        contact = _thunderbird_contact(props)
        if contact is not None:
            yield contact


def _thunderbird_contact(props: dict[str, Any]) -> Contact | None:
    vcard = props.get("_vCard")
    contact = (vcard_contact(vcard) if isinstance(vcard, str) else None) or Contact()
    full = " ".join(
        p.strip() for p in (props.get("FirstName"), props.get("LastName")) if isinstance(p, str)
    )
    for name in (props.get("DisplayName"), full, props.get("NickName")):
        _add(contact.names, name)
    for key in TB_EMAILS:
        _add(contact.emails, props.get(key))
    for key in TB_PHONES:
        _add(contact.phones, props.get(key))
    for key, service in TB_HANDLES.items():
        _add(contact.handles, _handle(service, props.get(key)))
    if not contact.organisation and isinstance(props.get("Company"), str):
        contact.organisation = props["Company"].strip() or None
    if not contact.note and isinstance(props.get("Notes"), str):
        contact.note = props["Notes"] or None
    return contact if _filled(contact) else None


# --------------------------------------------------------------------------- CSV exports

MULTI = " ::: "  # Google's separator of several values in one cell
CSV_SAMPLE = 1 << 20  # bytes read to choose a CSV file's encoding
DELIMITERS = (",", ";", "\t")
_GOOGLE_VALUE = re.compile(r"^(?:E-mail|Phone|IM) \d+ - Value$")
# Columns only contact exports have (Outlook, Google's older export, Thunderbird).
_EXPORT_COLUMNS = {
    "E-mail Address",
    "Mobile Phone",
    "Business Phone",
    "Home Phone",
    "Group Membership",
    "Primary Email",
}
_EMAIL_COLUMN = re.compile(
    r"^(?:E-mail(?: \d+)?(?: - Value| Address)|Primary Email|Secondary Email)$", re.IGNORECASE
)
_PHONE_COLUMN = re.compile(
    r"\b(?:phone|fax|pager|mobile)\b(?! \d+ - (?:Type|Label)$)|^(?:Callback|ISDN|Telex)$",
    re.IGNORECASE,
)
_IM_VALUE = re.compile(r"^IM (\d+) - Value$")


def sniff_contacts_csv(head: bytes, _name: str) -> bool:
    """The header line of a Google, Outlook or Thunderbird contacts export: first and last
    name columns plus e-mail/phone columns named as only those exports name them."""
    sample = head[:8192]
    if b"Name" not in sample and "Name".encode("utf-16-le") not in sample:
        return False
    return _csv_header(_decode_head(sample).partition("\n")[0]) is not None


def parse_contacts_csv(path: Path) -> Iterator[Record]:
    """Google Contacts CSV (older: "Name, Given Name, …, E-mail 1 - Value, Phone 1 - Value,
    IM 1 - Service, IM 1 - Value, Organization 1 - Name"; newer: "First Name, Middle Name,
    Last Name, …, E-mail 1 - Value, Phone 1 - Value, Organization Name"), Outlook CSV ("First
    Name", "Last Name", "E-mail Address", "E-mail 2 Address", "Mobile Phone", "Business Phone",
    "Home Phone", … "Company", "Notes") and Thunderbird CSV ("Display Name", "Primary Email",
    "Work Phone", "Mobile Number"): one Contact per row. Several values in one cell are split
    at " ::: ". Encoding: the BOM's (UTF-8, UTF-16 as Outlook writes), else UTF-8, else
    the one charset-normalizer detects."""
    with open(path, "rb") as raw:
        encoding = _csv_encoding(raw.read(CSV_SAMPLE))
    with open(path, encoding=encoding, errors="replace", newline="") as text:
        found = _csv_header(text.readline().rstrip("\r\n"))
        if found is None:
            return
        delimiter, columns = found
        plan = _CsvPlan(columns)
        for row in csv.reader(text, delimiter=delimiter):
            contact = plan.contact(row)
            if contact is not None:
                yield contact


def _decode_head(sample: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if sample.startswith(bom):
            return sample[len(bom) :].decode(encoding, "ignore")
    return sample.removeprefix(BOM).decode("utf-8", "replace")


def _csv_header(line: str) -> tuple[str, list[str]] | None:
    """(delimiter, column names) of a contacts export's header line, else None."""
    for delimiter in DELIMITERS:
        if delimiter not in line:
            continue
        try:
            columns = [c.strip() for c in next(csv.reader([line], delimiter=delimiter))]
        except (csv.Error, StopIteration):
            continue
        names = set(columns)
        named = {"First Name", "Last Name"} <= names or {"Given Name", "Family Name"} <= names
        if named and (names & _EXPORT_COLUMNS or any(map(_GOOGLE_VALUE.match, columns))):
            return delimiter, columns
    return None


def _csv_encoding(sample: bytes) -> str:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.startswith(BOM):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(sample).best()
        return best.encoding if best is not None else "cp1252"


class _CsvPlan:
    """Which columns of an export hold names, addresses, numbers, handles, company, notes."""

    def __init__(self, columns: list[str]) -> None:
        index = {name: number for number, name in reversed(list(enumerate(columns)))}

        def pick(*names: str) -> list[int]:
            return [index[name] for name in names if name in index]

        self.full = pick("Name", "Display Name")
        self.parts = pick("First Name", "Given Name", "Middle Name", "Additional Name")
        self.parts += pick("Last Name", "Family Name")
        self.nicknames = pick("Nickname")
        self.emails = [n for n, c in enumerate(columns) if _EMAIL_COLUMN.match(c)]
        self.phones = [n for n, c in enumerate(columns) if _PHONE_COLUMN.search(c)]
        self.ims: list[tuple[int | None, int]] = []  # (service column or None, value column)
        for number, name in enumerate(columns):
            match = _IM_VALUE.match(name)
            if match:
                self.ims.append((index.get(f"IM {match.group(1)} - Service"), number))
        self.organisation = pick("Organization 1 - Name", "Organization Name", "Company")
        self.notes = pick("Notes")

    def contact(self, row: list[str]) -> Contact | None:
        def cells(numbers: Iterable[int]) -> Iterator[str]:
            for number in numbers:
                if number < len(row) and row[number].strip():
                    yield from row[number].split(MULTI)

        contact = Contact()
        for name in cells(self.full):
            _add(contact.names, name)
        _add(contact.names, " ".join(part.strip() for part in cells(self.parts)))
        for name in cells(self.nicknames):
            _add(contact.names, name)
        for address in cells(self.emails):
            if "@" in address:  # Outlook's Exchange entries hold an X.500 DN instead
                _add(contact.emails, address)
        for number in cells(self.phones):
            _add(contact.phones, number)
        for service_column, value_column in self.ims:
            services = list(cells([service_column])) if service_column is not None else []
            for number, handle in enumerate(cells([value_column])):
                label = services[min(number, len(services) - 1)] if services else ""
                _add(contact.handles, _handle(_im_service(label), handle))
        contact.organisation = next((o.strip() for o in cells(self.organisation)), None)
        contact.note = next(cells(self.notes), None)
        return contact if _filled(contact) else None


PARSERS: tuple[Parser, ...] = (
    Parser("vcard", parse_vcard, globs=("*.vcf", "*.vcard"), sniff=sniff_vcard),
    Parser(
        "thunderbird-abook",
        parse_thunderbird_abook,
        sniff=has_tables("cards", "properties", "lists", "list_cards"),
    ),
    Parser("contacts-csv", parse_contacts_csv, sniff=sniff_contacts_csv),
)
