"""Artifacts: parsers that turn application files into typed records (see records.py).

Each source family is one module exposing `PARSERS`; this registry gathers them and answers
which parsers recognise a file, by its path or by its first bytes. Every specific parser that
claims a file runs; a generic one (HTML page, plain text, archive) runs only when no specific
one claims it, and then only the first generic one that does.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from crossdrive.artifacts.common import SQLITE_MAGIC, schema_text
from crossdrive.artifacts.records import Parser

FAMILIES = (
    "mail",
    "chat",
    "phone",
    "contacts",
    "browser",
    "system",
    "documents",
    "carved",
    "archives",
)
HEAD = 64 * 1024  # bytes a parser's `sniff` sees (SQLite schemas sit in the first pages)


@lru_cache(maxsize=1)
def parsers() -> tuple[Parser, ...]:
    """Every registered parser, specific ones first."""
    found: list[Parser] = []
    for family in FAMILIES:
        try:
            module = import_module(f"crossdrive.artifacts.{family}")
        except ModuleNotFoundError as exc:
            if exc.name != f"crossdrive.artifacts.{family}":
                raise
            continue  # a family not written yet
        found.extend(module.PARSERS)
    return tuple(sorted(found, key=lambda parser: parser.generic))


def recognise(path: str, head: bytes) -> list[Parser]:
    """The parsers that claim a file: by a glob on its path, or by sniffing its first bytes."""
    lower = path.lower()
    name = lower.rsplit("/", 1)[-1]
    specific, generic = [], []
    for parser in parsers():
        claims = any(fnmatchcase(lower, glob) for glob in parser.globs) or (
            parser.sniff is not None and parser.sniff(head, name)
        )
        if claims:
            (generic if parser.generic else specific).append(parser)
    return specific or generic[:1]


def head_of(path: Path) -> bytes:
    """What sniffs see of a file: its first HEAD bytes and, for an SQLite database, its schema
    (the CREATE statements), which in a large database lies beyond its first pages."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD)
    if head.startswith(SQLITE_MAGIC):
        head += b"\n" + schema_text(path)
    return head


def needs_schema(head: bytes) -> bool:
    """Whether recognising this file needs its whole copy first (see `head_of`)."""
    return head.startswith(SQLITE_MAGIC)
