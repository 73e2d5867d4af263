"""Identifiers as written → identifiers as compared: one normal form per kind.

- email: lower case, IDN domains in NFC Unicode (`validators.email_address`, the sweep's rule);
- phone: E.164 (phonenumbers). A number written nationally (`8 912 330-82-46`, `0151 …`)
  is read with its device's region when the device says where it is (locale, calling code or
  time zone of its own settings); without one it is kept unresolved (`?` + its digits) and
  flagged, never guessed;
- handles: `skype:name`, `xmpp:bare-jid`, `telegram:@name` or `telegram:user123`, lower case;
  a WhatsApp JID (`491511234567@s.whatsapp.net`) is the phone number it is made of;
- accounts of other services: `service:identifier` as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers
from anyascii import anyascii

from crossdrive.sweep import validators
from crossdrive.text import index_form

HANDLE_SERVICES = ("skype", "xmpp", "telegram", "whatsapp")
JID_NUMBER = re.compile(r"^(\d{6,15})@(?:s\.whatsapp\.net|c\.us)$")
ZONE_TABLES = (Path("/usr/share/zoneinfo/zone.tab"), Path("/usr/share/zoneinfo/zone1970.tab"))


@dataclass(frozen=True)
class Identifier:
    kind: str  # email | phone | skype | xmpp | telegram | account
    value: str  # the normal form
    resolved: bool = True  # False: a national number without a region to read it in


TELEGRAM_ID = re.compile(r"user\d+")
PHONE_LIKE = re.compile(r"\+[\d ().-]{6,}$")


def normalise(kind: str, written: str, region: str | None = None) -> Identifier | None:
    """The normal form of `written`, an identifier of `kind` (email, phone, skype, xmpp,
    telegram, whatsapp, or a service name for accounts); None when it is not one."""
    text = written.strip()
    if not text:
        return None
    if kind == "email" or (kind == "phone" and "@" in text and not JID_NUMBER.match(text)):
        address = validators.email_address(text.removeprefix("mailto:"))
        return Identifier("email", address) if address else None
    if kind in ("phone", "whatsapp"):
        return _phone(text.removeprefix("whatsapp:"), region)
    if kind == "xmpp":
        jid = validators.xmpp_address(text.removeprefix("xmpp:"))
        return Identifier("xmpp", f"xmpp:{jid}") if jid else None
    if kind in ("skype", "telegram") and PHONE_LIKE.match(text.partition(":")[2] or text):
        return _phone(text.partition(":")[2] or text, region)  # an account's number: a phone
    if kind == "skype":
        name = text.removeprefix("skype:").lower()
        return Identifier("skype", f"skype:{name}") if name else None
    if kind == "telegram":
        name = text.removeprefix("telegram:").lower()
        if not name.startswith("@") and not TELEGRAM_ID.fullmatch(name):
            name = "@" + name  # a username written bare (t.me/name, a profile field)
        return Identifier("telegram", f"telegram:{name}") if name else None
    return Identifier("account", f"{kind}:{text}")


def handle(written: str, region: str | None = None) -> Identifier | None:
    """A `service:handle` as contact books and the sweep write them."""
    service, colon, rest = written.partition(":")
    service = service.lower()
    if colon and service in HANDLE_SERVICES:
        return normalise(service, rest, region)
    if colon and service in ("jabber", "gtalk"):
        return normalise("xmpp", rest, region)
    return normalise("account", written, region) if colon else None


def _phone(text: str, region: str | None) -> Identifier | None:
    jid = JID_NUMBER.match(text)
    if jid:
        text = "+" + jid.group(1)
    found = validators.phone_number(text, region)
    if found:
        return Identifier("phone", found[0])
    digits = "".join(c for c in text if c.isdigit())
    if text.lstrip().startswith(("+", "00")) or len(digits) < 6:
        return None  # international but invalid, or too short to be a number
    return Identifier("phone", f"?{digits}", resolved=False)


def region_of(settings: dict[str, str]) -> str | None:
    """The country a device's own settings point to: the locale's country (`de_DE`,
    `ru-RU.UTF-8`), else the calling code Windows keeps, else the time zone's country
    (tzdata's zone.tab). Windows zone names ("W. Europe Standard Time") name no country."""
    locale = settings.get("locale") or ""
    found = re.search(r"[_-]([A-Za-z]{2})(?:[.@]|$)", locale)
    if found and found.group(1).upper() in phonenumbers.SUPPORTED_REGIONS:
        return found.group(1).upper()
    code = settings.get("calling_code") or ""
    if code.isdigit():
        country = phonenumbers.region_code_for_country_code(int(code))
        if country in phonenumbers.SUPPORTED_REGIONS:
            return country
    return _zone_countries().get(settings.get("timezone") or "")


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    zones: dict[str, str] = {}
    for table in ZONE_TABLES:
        if not table.exists():
            continue
        for line in table.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) < 3:
                continue
            country = fields[0].split(",")[0]
            zones.setdefault(fields[2], country)
    return zones


WORDS = re.compile(r"\w+")
MIN_WORDS, MAX_WORDS = 2, 5
Key = tuple[str, ...]


def name_keys(name: str) -> set[Key]:
    """The word sequences a full name is compared by: folded (`text.index_form`), and also
    transliterated to Latin letters when it is written in another script. Empty for what is not
    a full name: fewer than two words, digits, an address."""
    if any(c.isdigit() or c == "@" for c in name):
        return set()
    folded = index_form(name)
    found = {tuple(WORDS.findall(folded))}
    if not folded.isascii():
        found.add(tuple(WORDS.findall(anyascii(folded).casefold())))
    return {
        key
        for key in found
        if MIN_WORDS <= len(key) <= MAX_WORDS
        and sum(map(len, key)) >= 4
        and any(map(str.isalpha, key))
    }
