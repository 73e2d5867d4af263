"""Decoders: find encoded or compressed data inside a buffer and hand back what it decodes to.

Each decoder yields (offset in the buffer, name, decoded bytes), where the name is the step of
the forensic path (`GZIP`, `ZLIB`, `ZIP`, `PDF`, `BASE64`, `QP`, `URL`). A decoder does not
search the buffer itself: its marker (a magic number, a keyword) is one more pattern in the
sweep's single hyperscan pass (`scanners.find`), and the decoder gets the end offsets of its
marker. Tar needs no decoder: its members are stored as they are.
Decompression is by zlib (gzip, deflate in zip local entries, PDF FlateDecode); MIME bodies by
binascii. Every output is bounded (`limit` bytes); a stream that would expand beyond it is cut
there and reported, so a decompression bomb costs a warning, not the run. Truncated streams
give what was readable.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

PDF_STREAM = re.compile(rb"<<([^>]{0,400})>>\s*stream\r?\n")
TRANSFER_ENCODING = b"Content-Transfer-Encoding:"
MIME_BODY = re.compile(
    rb"Content-Transfer-Encoding:[ \t]*(base64|quoted-printable)[^\n]*\n(?:[^\n]+\n)*?\r?\n",
    re.IGNORECASE,
)
BASE64_LINES = re.compile(rb"(?:[A-Za-z0-9+/]{4,100}={0,2}\r?\n)+")
MIME_END = re.compile(rb"\r?\n(?:--|From )")


@dataclass
class Budget:
    """Limits of one page's decoding: output per stream, and warnings raised."""

    limit: int = 64 * 1024 * 1024  # one stream's output
    total: int = 256 * 1024 * 1024  # all output of one page, every depth together
    spent: int = 0
    warnings: list[tuple[int, str]] = field(default_factory=list)


PROBE = 4096  # the first input bytes inflated alone: most candidates fail within them


def _inflate(
    data: bytes | memoryview, wbits: int, budget: Budget, where: int, name: str
) -> bytes | None:
    """Inflate up to `budget.limit` bytes. The first PROBE bytes go alone: handing zlib a
    64 MiB input costs half a millisecond even when it fails at the third byte, and random data
    holds a zlib header every 16 KiB."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data[:PROBE], budget.limit)
        room = budget.limit - len(out)
        if len(data) > PROBE and not inflater.eof and not inflater.unconsumed_tail and room > 0:
            out += inflater.decompress(data[PROBE:], room)
    except zlib.error:
        return None
    if inflater.unconsumed_tail:
        budget.warnings.append(
            (where, f"{name} stream expands beyond {budget.limit:,} bytes: cut there")
        )
    return out or None


Found = Iterator[tuple[int, str, bytes]]


def gzip_streams(buffer: bytes, budget: Budget, ends: list[int]) -> Found:
    for end in ends:
        start = end - 3
        out = _inflate(memoryview(buffer)[start : start + budget.limit], 31, budget, start, "GZIP")
        if out:
            yield start, "GZIP", out


def zlib_streams(buffer: bytes, budget: Budget, ends: list[int]) -> Found:
    """Raw zlib streams (header 78 01/5E/9C/DA): git objects, PDF object streams, application
    data. A PDF stream is left to `pdf_streams` (it knows the filters), and short outputs of
    random bytes that happen to inflate are ignored."""
    for end in ends:
        start = end - 2
        if buffer[max(0, start - 8) : start].rstrip(b"\r\n").endswith(b"stream"):
            continue
        out = _inflate(memoryview(buffer)[start : start + budget.limit], 15, budget, start, "ZLIB")
        if out and len(out) >= 16:
            yield start, "ZLIB", out


def zip_entries(buffer: bytes, budget: Budget, ends: list[int]) -> Found:
    """Local file entries (stored or deflated), read from their 30-byte headers, so members of
    partial or carved archives are found without a central directory."""
    for end in ends:
        start = end - 4
        header = buffer[start : start + 30]
        if len(header) < 30:
            continue
        _sig, _ver, flags, method, _t, _d, _crc, size, _usize, name_len, extra_len = struct.unpack(
            "<IHHHHHIIIHH", header
        )
        data_start = start + 30 + name_len + extra_len
        end = len(buffer) if flags & 0x08 or size == 0 else data_start + size
        data = memoryview(buffer)[data_start : min(end, data_start + budget.limit)]
        if method == 8:
            out = _inflate(data, -15, budget, start, "ZIP")
        elif method == 0 and not flags & 0x08:
            out = bytes(data)
        else:
            continue
        if out:
            yield start, "ZIP", out


def pdf_streams(buffer: bytes, budget: Budget, ends: list[int]) -> Found:
    """PDF streams with FlateDecode, ASCII85Decode or both (in the order the filters list)."""
    for end in ends:  # the marker is `stream` and its line end: the dictionary lies before it
        match = PDF_STREAM.search(buffer, max(0, end - 440), end)
        while match and match.end() != end:
            match = PDF_STREAM.search(buffer, match.start() + 1, end)
        if not match:
            continue
        filters = match.group(1)
        if b"FlateDecode" not in filters and b"ASCII85Decode" not in filters:
            continue
        start = match.end()
        data: bytes | memoryview | None = memoryview(buffer)[start : start + budget.limit]
        for name in re.findall(rb"/(ASCII85Decode|FlateDecode)", filters):
            if name == b"ASCII85Decode":
                end = bytes(data[: 4 * budget.limit // 5]).find(b"~>")
                try:
                    data = base64.a85decode(bytes(data[: end if end >= 0 else None]))
                except ValueError:
                    data = None
            else:
                data = _inflate(data, 15, budget, start, "PDF")
            if not data:
                break
        if data:
            yield start, "PDF", bytes(data)


def mime_bodies(buffer: bytes, budget: Budget, ends: list[int]) -> Found:
    """Base64 and quoted-printable bodies of MIME messages (mail stores, .eml, remnants)."""
    for end in ends:
        match = MIME_BODY.match(buffer, end - len(TRANSFER_ENCODING))
        if not match:
            continue
        start = match.end()
        if match.group(1).lower() == b"base64":
            lines = BASE64_LINES.match(buffer, start)
            if not lines:
                continue
            try:
                out = binascii.a2b_base64(lines.group())
            except binascii.Error:
                continue
            yield start, "BASE64", out[: budget.limit]
        else:
            end = MIME_END.search(buffer, start, start + budget.limit)
            body = buffer[start : end.start() if end else start + budget.limit]
            yield start, "QP", binascii.a2b_qp(body)


URL_CHARS = re.compile(rb"[^\s\"'<>\x00-\x1f]{0,200}%(?:40|2[Bb])[^\s\"'<>\x00-\x1f]{0,200}")


def percent_encoded(buffer: bytes, budget: Budget, ends: list[int]) -> Found:
    """URLs and form data with a percent-encoded `@` or `+` (`q=bob%40mail.ru`): decoded, so
    the addresses and numbers in browser histories and logs are found. The literal marks are
    found first; the surrounding URL is matched only around them."""
    covered = -1
    for end in ends:
        if end - 3 < covered:
            continue
        for match in URL_CHARS.finditer(buffer, max(0, end - 203), end + 200):
            if match.start() <= end - 3 < match.end():  # the run of URL text around this mark
                covered = match.end()
                yield match.start(), "URL", unquote_to_bytes(match.group())
                break


@dataclass(frozen=True)
class Decoder:
    marker: str  # a hyperscan expression; the decoder gets the end offset of each match
    caseless: bool
    decode: Callable[[bytes, Budget, list[int]], Found]


DECODERS = (
    Decoder(r"\x1f\x8b\x08", False, gzip_streams),
    Decoder(r"PK\x03\x04", False, zip_entries),
    Decoder(r"\x78[\x01\x5e\x9c\xda]", False, zlib_streams),
    Decoder(r">>\s*stream\r?\n", False, pdf_streams),
    Decoder(TRANSFER_ENCODING.decode(), True, mime_bodies),
    Decoder(r"%(?:40|2[Bb])", False, percent_encoded),
)
