"""Feature scanners: one hyperscan database finds where features may be; exact checks decide.

Hyperscan runs every scanner's *trigger* (a short pattern anchored on a literal: `@`, `://`,
`+digit`, four digits …) over the buffer in one pass, in ASCII/UTF-8 and in UTF-16LE/BE, without
start-of-match tracking (the fast mode). Around each trigger a small window is searched with the
scanner's exact expression (Python `re`, only on those windows), and each candidate is validated
(checksums, phonenumbers, IDN rules) in `validators`. No Python loop ever walks the bytes.

Feature names follow bulk_extractor's feature files (email, url, domain, telephone, ip, ccn,
iban, bitcoin, ether, gps) so exported files read like its output.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

import hyperscan

from crossdrive.sweep import validators
from crossdrive.sweep.decoders import DECODERS, Decoder

NON_ASCII_BYTES = r"\x80-\xff"
# In UTF-16, letters of the scripts IDN domains use; not CJK (ASCII read as UTF-16 decodes to
# CJK) and not Latin-1 (a stray byte beside ASCII UTF-16 decodes to U+00XX).
NON_ASCII_CHARS = "\u0100-\u024f\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u0590-\u05ff" + (
    "\u0600-\u06ff\u0900-\u097f\u10a0-\u10ff"
)
ENCODINGS = ("utf-8", "utf-16le", "utf-16be")


@dataclass(frozen=True)
class Scanner:
    name: str
    trigger: tuple[tuple[str, str], ...]  # (character class, quantifier) atoms
    exact: str  # the whole feature; {U} stands for non-ASCII characters
    back: int  # characters searched before the trigger's end
    forward: int  # and after it
    validate: Callable[[str], str | None]
    caseless: bool = False
    wide: bool = True  # also looked for in UTF-16
    # What the matched text may really be, tried in order (the first that validates is kept):
    # a greedy match can take in bytes that follow the feature.
    readings: Callable[[str], Iterable[str]] = lambda text: (text,)
    derive: Callable[[str], str | None] | None = None  # a `domain` feature from this one

    def trigger_pattern(self, encoding: str) -> bytes:
        if encoding == "utf-8":
            parts = [f"{cls}{q}" for cls, q in self.trigger]
        elif encoding == "utf-16le":
            parts = [f"(?:{cls}\\x00){q}" for cls, q in self.trigger]
        else:
            parts = [f"(?:\\x00{cls}){q}" for cls, q in self.trigger]
        return "".join(parts).encode()

    @cached_property
    def exact_bytes(self) -> re.Pattern[bytes]:
        return re.compile(self.exact.replace("{U}", NON_ASCII_BYTES).encode())

    @cached_property
    def exact_text(self) -> re.Pattern[str]:
        return re.compile(self.exact.replace("{U}", NON_ASCII_CHARS))


def _phone(text: str) -> str | None:
    """International numbers only here: a national one needs the device's region (later).
    Validated once per digit string, whatever its separators: the same number written as
    `+44 20 7946 0958`, `+44.20.7946.0958` and `0044 20 7946 0958` costs one lookup."""
    digits = "".join(c for c in text if c.isdigit())
    return _international("+" + (digits[2:] if text.startswith("00") else digits))


@lru_cache(maxsize=1 << 16)
def _international(number: str) -> str | None:
    found = validators.phone_number(number)
    return found[0] if found else None


def _iban(text: str) -> str | None:
    """A greedy match may run into the next word: cut it to its country's IBAN length."""
    compact = text.replace(" ", "")
    return validators.iban(compact[: validators.IBAN_LENGTHS.get(compact[:2], 0)])


def _ipv6(text: str) -> str | None:
    """Short forms like `a::b` are mostly code (`std::x`, `a::b`): keep ::1 and forms with at
    least four hex digits."""
    if text != "::1" and sum(c not in ":" for c in text) < 4:
        return None
    return validators.ipv6(text)


def _gps(text: str) -> str | None:
    found = validators.gps_coordinate(text)
    return f"{found[0]},{found[1]}" if found else None


# Local parts as people use them: RFC 5322 also allows / # = % & … but in the wild those
# characters are URL paths, QP escapes and markup stuck to an address.
LOCAL = r"[A-Za-z0-9._+-]{1,64}"
DOMAIN = (
    r"(?:[A-Za-z0-9{U}](?:[A-Za-z0-9{U}-]{0,61}[A-Za-z0-9{U}])?\.)+[A-Za-z{U}][A-Za-z0-9{U}-]{1,62}"
)
GLUED = re.compile(r"\.[a-z]{2,}(?=[A-Z][A-Za-z]*$)")  # `gmail.comSearch`
ASCII_DOMAIN = re.compile(r"[A-Za-z0-9.-]*")


def _email_readings(text: str) -> Iterator[str]:
    """Records pack values side by side (`bob@x.comSearch`: the next value, capitalised, stuck
    to the TLD) and text runs on after an address (`bob@x.org’s`): cut such tails."""
    local, _, domain = text.rpartition("@")
    glued = GLUED.search(domain)
    if glued:
        domain = domain[: glued.end()]
        yield f"{local}@{domain}"
    else:
        yield text
    ascii_part = ASCII_DOMAIN.match(domain).group().rstrip(".-")
    if ascii_part != domain and "." in ascii_part:
        yield f"{local}@{ascii_part}"


TELEGRAM_RESERVED = {"joinchat", "addstickers", "addtheme", "share", "proxy", "socks", "login"}


def _skype(text: str) -> str | None:
    """`skype:NAME` URIs (`?call`, `?chat` after the name are not part of it)."""
    return "skype:" + text[6:].lower()


def _me_link(text: str) -> str | None:
    """t.me / telegram.me links name a Telegram user or channel (5-32 word characters starting
    with a letter); wa.me links carry a WhatsApp number, validated as a phone number."""
    host, _, name = text.rpartition("/")
    if host.lower().endswith("wa.me"):
        number = _international("+" + name.lstrip("+")) if name.lstrip("+").isdigit() else None
        return f"whatsapp:{number}" if number else None
    if not 5 <= len(name) <= 32 or not name[0].isalpha() or name.lower() in TELEGRAM_RESERVED:
        return None
    return f"telegram:@{name.lower()}"


def _url(text: str) -> str | None:
    url = text.rstrip(".,;:)]}")
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unclosed [IPv6] host
        return None
    return url if host and "." in host else None


def _host(url: str) -> str | None:
    return urlsplit(url).hostname


DIGIT = "[0-9]"
SCANNERS: tuple[Scanner, ...] = (
    Scanner(
        "email",
        # a local-part character, `@`, a domain character (IDN domains start with UTF-8 bytes)
        (('[A-Za-z0-9._+"\\-]', ""), ("@", ""), ("[A-Za-z0-9\\x80-\\xff]", "")),
        rf"(?:\"[^\"\r\n]{{1,62}}\"|{LOCAL})@{DOMAIN}",
        80,
        260,
        validators.email_address,
        readings=_email_readings,
        derive=lambda address: address.rsplit("@", 1)[1],
    ),
    Scanner(
        "url",
        ((":", ""), ("/", ""), ("/", "")),
        r"(?:https?|ftp)://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]{3,1000}",  # RFC 3986
        10,
        1000,
        _url,
        derive=_host,
    ),
    Scanner(
        "telephone",
        (("\\+", ""), ("[1-9]", ""), ("[0-9 ().-]", "")),
        r"(?<![+])\+[1-9][0-9 ().\-/]{5,22}[0-9]",  # records pack values: any byte before
        6,
        32,
        _phone,
    ),
    Scanner(
        "telephone",
        (("[^0-9A-Za-z+]", ""), ("0", ""), ("0", ""), ("[1-9]", "")),
        r"(?<![0-9A-Za-z+])00[1-9][0-9 ().\-/]{5,22}[0-9]",
        10,
        32,
        _phone,
    ),
    Scanner(
        "ip",
        ((DIGIT, ""), ("\\.", ""), (DIGIT, "{1,3}"), ("\\.", ""), (DIGIT, "{1,3}"), ("\\.", "")),
        r"(?<![0-9.])(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
        r"(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(?![0-9]|\.[0-9])",
        16,
        8,
        validators.ipv4,
    ),
    Scanner(
        "ip",
        (("[0-9a-fA-F]", "{1,4}"), (":", ""), (":", "?"), ("[0-9a-fA-F]", "{1,4}"), (":", "")),
        r"(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:.])",
        40,
        40,
        _ipv6,
        wide=False,
    ),
    Scanner(
        "xmpp",
        (("x", ""), ("m", ""), ("p", ""), ("p", ""), (":", "")),
        r"xmpp:[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{3,253}",
        6,
        330,
        lambda text: validators.xmpp_address(text[5:]),
        caseless=True,
    ),
    Scanner(
        "handle",
        (("s", ""), ("k", ""), ("y", ""), ("p", ""), ("e", ""), (":", "")),
        r"(?i:skype:)(?:live:\.cid\.[0-9a-fA-F]{8,20}|live:[A-Za-z][A-Za-z0-9._-]{2,31}"
        r"|[A-Za-z][A-Za-z0-9.,_-]{5,31})",
        6,
        50,
        _skype,
        caseless=True,
    ),
    Scanner(
        "handle",
        (("\\.", ""), ("m", ""), ("e", ""), ("/", ""), ("[A-Za-z0-9_+]", "")),
        r"(?<![A-Za-z0-9.-])(?i:t|telegram|wa)\.me/\+?[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_])",
        16,
        40,
        _me_link,
        caseless=True,
    ),
    Scanner(
        "ccn",
        ((DIGIT, "{4}"), ("[ -]", "?"), (DIGIT, "{4}"), ("[ -]", "?"), (DIGIT, "{4}")),
        # not after `+`: the digits of an E.164 number (+4915123330792) can pass Luhn
        r"(?<![0-9+])[0-9]{4}([ -]?)[0-9]{4}\1[0-9]{4}\1[0-9]{1,7}(?![0-9])"
        r"|(?<![0-9+])3[47][0-9]{2}([ -]?)[0-9]{6}\2[0-9]{5}(?![0-9])",
        24,
        16,
        validators.card_number,
    ),
    Scanner(
        "iban",
        (("[A-Z]", "{2}"), (DIGIT, "{2}"), (" ", "?"), ("[A-Z0-9]", "{4}")),
        r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?",
        12,
        44,
        _iban,
        wide=False,
    ),
    Scanner(
        "bitcoin",
        (("[13]", ""), ("[1-9A-HJ-NP-Za-km-z]", "{25}")),
        r"(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])",
        40,
        12,
        validators.bitcoin_address,
        wide=False,
    ),
    Scanner(
        "bitcoin",
        (("b", ""), ("c", ""), ("1", ""), ("[02-9ac-hj-np-z]", "{8}")),
        r"(?<![A-Za-z0-9])(?:bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87})(?![A-Za-z0-9])",
        12,
        90,
        validators.bitcoin_address,
        caseless=True,
        wide=False,
    ),
    Scanner(
        "ether",
        (("0", ""), ("x", ""), ("[0-9a-fA-F]", "{40}")),
        r"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![0-9a-fA-F])",
        44,
        2,
        validators.ethereum_address,
        wide=False,
    ),
    Scanner(
        "gps",
        ((DIGIT, ""), ("\\.", ""), (DIGIT, "{4}"), (DIGIT, "*"), (",", ""), (" ", "?")),
        r"(?<![0-9.])-?[0-9]{1,2}\.[0-9]{4,9}, ?-?[0-9]{1,3}\.[0-9]{4,9}(?![0-9])",
        16,
        16,
        _gps,
        wide=False,
    ),
)


@dataclass(slots=True)
class Hit:
    scanner: str
    start: int  # byte offset in the buffer
    length: int  # bytes
    written: str  # as found (decoded)
    feature: str  # normalised
    encoding: str


@dataclass
class Found:
    """What one hyperscan pass over a buffer found: the end offsets of each scanner trigger
    (by pattern) and of each decoder's marker (by decoder)."""

    triggers: dict[int, list[int]]
    markers: dict[Decoder, list[int]]


@lru_cache(maxsize=1)
def database() -> tuple[hyperscan.Database, list[tuple[int, str]], list[Decoder]]:
    """One compiled database: every trigger of every scanner in every encoding, then every
    decoder's marker."""
    expressions, flags, meaning = [], [], []
    for index, scanner in enumerate(SCANNERS):
        for encoding in ENCODINGS if scanner.wide else ENCODINGS[:1]:
            expressions.append(scanner.trigger_pattern(encoding))
            flags.append(hyperscan.HS_FLAG_CASELESS if scanner.caseless else 0)
            meaning.append((index, encoding))
    for decoder in DECODERS:
        expressions.append(decoder.marker.encode())
        flags.append(hyperscan.HS_FLAG_CASELESS if decoder.caseless else 0)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=expressions, ids=list(range(len(expressions))), flags=flags)
    return db, meaning, list(DECODERS)


def find(buffer: bytes, end: int | None = None) -> Found:
    """One pass of the compiled database over `buffer` (up to `end`)."""
    db, meaning, decoders = database()
    ends: dict[int, list[int]] = {}

    def on_match(pattern: int, _start: int, end: int, _flags: int, _ctx: object) -> int:
        if pattern in ends:
            ends[pattern].append(end)
        else:
            ends[pattern] = [end]
        return 0

    db.scan(buffer if end is None else memoryview(buffer)[:end], match_event_handler=on_match)
    markers = {decoder: ends.pop(len(meaning) + n, []) for n, decoder in enumerate(decoders)}
    return Found(ends, markers)


EMAIL = next(i for i, scanner in enumerate(SCANNERS) if scanner.name == "email")
SHARED = {
    i
    for i, scanner in enumerate(SCANNERS)
    if sum(other.name == scanner.name for other in SCANNERS) > 1
}
LOCAL_REVERSED = re.compile(LOCAL.encode())
DOMAIN_AT = re.compile(("@" + DOMAIN).replace("{U}", NON_ASCII_BYTES).encode())


def scan(buffer: bytes, found: Found | None = None) -> list[Hit]:
    """Every validated feature in `buffer`, each once, in no particular order (`found`: the
    buffer's hyperscan pass when the caller already made it)."""
    _db, meaning, _decoders = database()
    found = found or find(buffer)
    hits: list[Hit] = []
    shared: list[Hit] = []  # of scanners that share a name: two of them may find one feature
    wide: list[Hit] = []
    for pattern, positions in found.triggers.items():
        index, encoding = meaning[pattern]
        out = wide if encoding != "utf-8" else shared if index in SHARED else hits
        check(index, encoding, buffer, positions, out)
    seen: set[tuple[str, int]] = set()
    for hit in shared:
        key = (hit.scanner, hit.start)
        if key not in seen:
            seen.add(key)
            hits.append(hit)
    hits.extend(_one_reading(wide))
    return hits


def check(index: int, encoding: str, buffer: bytes, positions: list[int], out: list[Hit]) -> None:
    """One scanner's exact check and validation at its trigger positions in one encoding."""
    if encoding == "utf-8" and index == EMAIL:
        _emails_at(buffer, positions, out)
    else:
        _windowed(index, encoding, buffer, positions, out)


def _one_reading(hits: list[Hit]) -> Iterator[Hit]:
    """UTF-16 text read one byte off (LE as BE or back) yields the same feature one byte away,
    or one a character shorter (the true reading's last character is lost) or longer (a byte
    after the text joins in; the glued-word cut usually removes it). Keep the longest feature;
    between equals, the far more common little-endian reading."""
    taken: set[tuple[str, int]] = set()
    for hit in sorted(hits, key=lambda h: (-len(h.feature), h.encoding != "utf-16le")):
        if not any((hit.scanner, hit.start + d) in taken for d in (-1, 0, 1)):
            taken.add((hit.scanner, hit.start))
            yield hit


def _windows(positions: list[int], back: int, forward: int, size: int) -> Iterator[tuple[int, int]]:
    """Sorted trigger positions merged into disjoint windows."""
    start = end = None
    for position in positions:
        lo, hi = max(0, position - back), min(size, position + forward)
        if end is not None and lo <= end:
            end = max(end, hi)
            continue
        if start is not None:
            yield start, end
        start, end = lo, hi
    if start is not None:
        yield start, end


def _emails_at(buffer: bytes, positions: list[int], out: list[Hit]) -> None:
    """UTF-8 addresses read outwards from each `@` the trigger found: the local part by one
    match on the reversed bytes before it, the domain by one match after it. Running the full
    expression over a window would try every position of every word in dense text."""
    for end in positions:  # hyperscan reports ends in order, each once
        at = end - 2  # the trigger is a local-part character, `@` and one domain character
        if buffer[at - 1] == 0x22:  # a quoted local part: the full expression
            _windowed(EMAIL, "utf-8", buffer, [end], out)
            continue
        local = LOCAL_REVERSED.match(buffer[max(0, at - 64) : at][::-1])
        domain = DOMAIN_AT.match(buffer, at)
        if not local or not domain:
            continue
        start = at - local.end()
        try:
            written = buffer[start : domain.end()].decode("utf-8")
        except UnicodeDecodeError:
            continue
        _validated(EMAIL, written, start, domain.end() - start, "utf-8", out)


def _windowed(index: int, encoding: str, buffer: bytes, positions: list[int], out: list[Hit]):
    """The scanner's full expression over the windows around its triggers."""
    scanner = SCANNERS[index]
    width = 1 if encoding == "utf-8" else 2
    for lo, hi in _windows(positions, scanner.back * width, scanner.forward * width, len(buffer)):
        if width == 1:
            _matches_in(index, buffer, positions, lo, hi, out)
            continue
        # UTF-16 is decoded at the alignments (byte offset modulo 2) of this window's triggers
        inside = positions[bisect.bisect_left(positions, lo) : bisect.bisect_right(positions, hi)]
        for parity in {p % 2 for p in inside}:
            start = lo + ((parity - lo) % 2)
            text = buffer[start:hi].decode(encoding, "replace")
            for match in scanner.exact_text.finditer(text):
                found = match.group()
                _validated(index, found, start + 2 * match.start(), 2 * len(found), encoding, out)


def _matches_in(
    index: int, buffer: bytes, positions: list[int], lo: int, hi: int, out: list[Hit]
) -> None:
    """The exact expression's matches in one UTF-8 window. Every match holds a trigger and
    starts at most `back` bytes before the trigger's end, so after a match the search goes on
    from `back` before the next trigger past it, or stops: a URL's window reaches 1,000 bytes
    past its trigger, and scanning all of that after each URL was most of the cost of URLs."""
    scanner = SCANNERS[index]
    pattern, back = scanner.exact_bytes, scanner.back
    at = lo
    while match := pattern.search(buffer, at, hi):
        start, end = match.span()
        try:
            written = match.group().decode("utf-8")
        except UnicodeDecodeError:
            written = None
        if written is not None:
            _validated(index, written, start, end - start, "utf-8", out)
        following = bisect.bisect_right(positions, end)
        if following == len(positions) or positions[following] - back >= hi:
            return
        at = max(end, positions[following] - back)


@lru_cache(maxsize=1 << 16)
def _resolve(index: int, written: str) -> tuple[str, str, str, str | None] | None:
    """The first reading of the matched text that validates: (scanner name, reading, feature,
    derived domain). Validation is the costly step (phonenumbers above all) and the same address or
    number recurs all over a disk: each distinct text is resolved once per process."""
    scanner = SCANNERS[index]
    for reading in scanner.readings(written):
        feature = scanner.validate(reading)
        if feature:
            domain = scanner.derive(feature) if scanner.derive else None
            return scanner.name, reading, feature, domain.lower() if domain else None
    return None


def _validated(
    index: int, written: str, start: int, length: int, encoding: str, out: list[Hit]
) -> None:
    """The matched text as a hit (and its domain) when a reading of it validates."""
    resolved = _resolve(index, written)
    if resolved is None:
        return
    name, reading, feature, domain = resolved
    if reading != written:  # a cut reading: its own length
        length = len(reading.encode()) if encoding == "utf-8" else 2 * len(reading)
    out.append(Hit(name, start, length, reading, feature, encoding))
    if domain:
        out.append(Hit("domain", start, length, reading, domain, encoding))
