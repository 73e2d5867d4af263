"""One file through the artifact parsers: records with provenance, embedded files recursed.

A record's provenance is its file's (device, partition, path, state) plus where its bytes lie:
`offset` is the absolute image offset of the record's first byte when the parser knows where
in the file it starts and the file's byte runs say where that is (else of the file's first
byte); `chain` is the forensic path, as the sweep writes it. A record inside an embedded file
(an archive member, a gzip'd mailbox, an attachment) keeps `offset` at the outermost data and
extends the chain: `81920-ZIP-0` is the first byte of the member whose zip data starts at
image offset 81920.

Hostile files are expected: a parser's exception is an error row with the file's location;
each file has a time limit; embedded files are bounded in size and depth.
"""

from __future__ import annotations

import json
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from crossdrive.artifacts import head_of, recognise
from crossdrive.artifacts.records import (
    Account,
    Contact,
    Document,
    Embedded,
    Event,
    Message,
    Parser,
    Record,
)
from crossdrive.paths import local_name

MAX_DEPTH = 5  # archives in archives
MAX_EMBEDDED = 256 * 1024 * 1024  # one embedded file's bytes
MAX_TEXT = 8 * 1024 * 1024  # characters of one document's text kept for the index
FILE_SECONDS = 300  # one file's parsing
TABLE_OF = {
    Message: "messages",
    Contact: "contacts",
    Account: "accounts",
    Event: "events",
    Document: "documents",
}


@dataclass(frozen=True)
class Origin:
    """Where a file's bytes are: the file's identity and how to turn a position in it into an
    image offset and a forensic path."""

    device: str
    partition: int | None
    path: str | None
    state: str  # allocated | deleted | orphan | carved
    inode: int | None = None
    runs: tuple[tuple[int, int, int], ...] = ()  # (file offset, image offset, length)
    start: int | None = None  # image offset of the first byte, when not given by runs
    prefix: str | None = None  # chain of an embedded file: "81920-ZIP"

    def locate(self, file_offset: int | None) -> tuple[int | None, str | None]:
        """(offset, chain) of a record starting at `file_offset` (None: unknown, the file's
        first byte stands for it)."""
        at = file_offset or 0
        if self.prefix is not None:
            return self.start, f"{self.prefix}-{at}"
        for run_file, run_image, length in self.runs:
            if run_file <= at < run_file + length:
                offset = run_image + at - run_file
                return offset, str(offset)
        return (self.start, str(self.start)) if self.start is not None else (None, None)

    def member(self, name: str, step: str, file_offset: int | None) -> Origin:
        """The origin of a file embedded at `file_offset` of this one."""
        offset, chain = self.locate(file_offset)
        return replace(
            self,
            path=f"{self.path or ''}/{name}",
            runs=(),
            start=offset,
            prefix=f"{chain}-{step}" if chain is not None else None,
        )


@dataclass
class Output:
    """Rows of every table one task fills, and its errors."""

    tables: dict[str, list[dict]] = field(
        default_factory=lambda: {name: [] for name in TABLE_OF.values()}
    )
    errors: list[dict] = field(default_factory=list)
    parsed: int = 0  # files some parser claimed

    def error(self, origin: Origin, message: str, stage: str = "content") -> None:
        offset, _chain = origin.locate(None)
        self.errors.append(
            {
                "device": origin.device,
                "stage": stage,
                "partition": origin.partition,
                "offset": offset,
                "path": origin.path,
                "inode": origin.inode,
                "message": message[:2000],
            }
        )


def process_file(
    path: Path,
    origin: Origin,
    out: Output,
    depth: int = 0,
    claimed: list[Parser] | None = None,
) -> None:
    """Every record the parsers that claim the file (at `path` on local disk) find in it;
    `claimed`: the parsers the caller already found (recognised here otherwise)."""
    if claimed is None:
        claimed = recognise(origin.path or path.name, head_of(path))
    if claimed:
        out.parsed += 1
    for parser in claimed:
        try:
            with time_limit(FILE_SECONDS) if depth == 0 else nullcontext():
                for record in parser.parse(path):
                    _keep(record, parser.name, path, origin, out, depth)
        except TimeoutError:
            if depth:  # the outermost file's limit: it stops everything inside it
                raise
            out.error(origin, f"{parser.name}: parsing stopped after {FILE_SECONDS} s")
        except Exception as exc:  # hostile input: any parser failure stays with its file
            out.error(origin, f"{parser.name}: {type(exc).__name__}: {exc}")


def _keep(record: Record, artifact: str, path: Path, origin: Origin, out: Output, depth: int):
    if isinstance(record, Embedded):
        _embedded(record, path, origin, out, depth)
        return
    offset, chain = origin.locate(getattr(record, "file_offset", None))
    row = {
        "device": origin.device,
        "partition": origin.partition,
        "path": origin.path,
        "state": origin.state,
        "offset": offset,
        "chain": chain,
        "artifact": artifact,
    }
    values = asdict(record)
    values.pop("file_offset", None)
    for name, value in values.items():
        if isinstance(value, dict):  # headers, names, meta: stored as JSON objects
            values[name] = json.dumps(value, ensure_ascii=False) if value else None
    if isinstance(record, Document) and record.text and len(record.text) > MAX_TEXT:
        values["text"] = record.text[:MAX_TEXT]
        out.error(origin, f"{artifact}: text cut at {MAX_TEXT:,} characters for the index")
    row.update(values)
    out.tables[TABLE_OF[type(record)]].append(row)


def _embedded(record: Embedded, path: Path, origin: Origin, out: Output, depth: int) -> None:
    member = origin.member(record.name, record.step, record.file_offset)
    if depth + 1 > MAX_DEPTH:
        out.error(member, f"embedded file not opened: depth limit {MAX_DEPTH}")
        return
    if len(record.data) > MAX_EMBEDDED:
        out.error(member, f"embedded file of {len(record.data):,} bytes not opened (limit)")
        return
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        inner = Path(folder) / local_name(record.name.rsplit("/", 1)[-1])
        inner.write_bytes(record.data)
        process_file(inner, member, out, depth + 1)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the parser after `seconds` (SIGALRM: the main thread of a worker
    process; elsewhere no limit is set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
