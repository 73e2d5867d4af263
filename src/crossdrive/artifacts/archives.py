"""Archives and compressed streams: zip, tar and gzip members handed back to the content stage
as `Embedded` files, so a mailbox in a backup zip or a log in a .tar.gz is parsed like any
other file, with the archive step (ZIP, TAR, GZIP) in its forensic path.

All three parsers are generic: a DOCX, ODT, APK's manifest or any other format built on zip is
claimed by its own parser and not unpacked here. Hostile archives are expected, so everything
is bounded: members over MAX_MEMBER bytes, zip bombs (high compression ratio and large), and
encrypted or corrupt members are skipped; at most MAX_MEMBERS members and MAX_TOTAL bytes are
unpacked. Every member that could be read is yielded first; what was skipped or where the
archive broke is then raised as one ArchiveError, which the stage records with the file.
"""

from __future__ import annotations

import gzip
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from crossdrive.artifacts.records import Embedded, Parser

MAX_MEMBER = 256 * 1024 * 1024  # bytes of one member (the stage opens no larger embedded file)
MAX_MEMBERS = 10_000  # members unpacked from one archive
MAX_TOTAL = 4 * 1024 * 1024 * 1024  # bytes unpacked from one archive
BOMB_RATIO = 100  # uncompressed / compressed size above which a large member is a bomb
BOMB_SIZE = 64 * 1024 * 1024  # … when it would also unpack to more than this
CHUNK = 1024 * 1024
GZIP_SUFFIXES = {".gz": "", ".gzip": "", ".z": "", ".tgz": ".tar", ".svgz": ".svg"}
# What a damaged member raises while it is decompressed (bz2 raises OSError).
MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,  # a compression method zipfile does not have
)


class ArchiveError(ValueError):
    """Members skipped, or an archive broken part way: says which and why."""


class _Budget:
    """Counts members and bytes unpacked from one archive, and notes what was skipped."""

    def __init__(self) -> None:
        self.members = 0
        self.size = 0
        self.skipped: list[str] = []

    def admit(self, name: str, size: int) -> bool:
        """Whether a member of `size` bytes may be unpacked; a refusal is noted."""
        if size > MAX_MEMBER:
            self.skipped.append(f"{name} ({size:,} bytes: too large)")
            return False
        if self.size + size > MAX_TOTAL:
            self.skipped.append(f"{name} (archive total over {MAX_TOTAL:,} bytes)")
            return False
        return True

    def took(self, data: bytes) -> bytes:
        """Count a member unpacked."""
        self.members += 1
        self.size += len(data)
        return data

    def full(self) -> bool:
        return self.members >= MAX_MEMBERS

    def report(self, kind: str, broken: BaseException | None = None) -> None:
        """Raise what was skipped or where the archive broke, if anything."""
        notes = []
        if broken is not None:
            notes.append(
                f"{kind} unreadable after {self.members} members: {type(broken).__name__}: {broken}"
            )
        if self.skipped:
            shown = "; ".join(self.skipped[:20])
            more = f" and {len(self.skipped) - 20} more" if len(self.skipped) > 20 else ""
            notes.append(f"{len(self.skipped)} {kind} members skipped: {shown}{more}")
        if notes:
            raise ArchiveError(". ".join(notes)) from broken


# --- zip -----------------------------------------------------------------------------------


def parse_zip(path: Path) -> Iterator[Embedded]:
    """Every file member of a zip (not directories), in central-directory order, with its
    path as stored and the offset of its local header (`header_offset`, which zipfile corrects
    for data prepended to the archive, as in self-extracting executables). Encrypted members,
    zip bombs (ratio over BOMB_RATIO and over BOMB_SIZE bytes), members over MAX_MEMBER bytes
    and members that fail to decompress or fail their CRC are skipped; at most MAX_MEMBERS."""
    budget = _Budget()
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        for index, info in enumerate(members):
            if budget.full():
                budget.skipped.append(f"{len(members) - index} after the first {MAX_MEMBERS:,}")
                break
            reason = _zip_refusal(info)
            if reason:
                budget.skipped.append(f"{info.filename} ({reason})")
                continue
            if not budget.admit(info.filename, info.file_size):
                continue
            try:
                data = budget.took(_zip_read(archive, info))
            except TimeoutError:  # the stage's time limit, not a damaged member
                raise
            except MEMBER_ERRORS as exc:
                budget.skipped.append(f"{info.filename} ({type(exc).__name__}: {exc})")
                continue
            yield Embedded(
                name=info.filename, data=data, step="ZIP", file_offset=info.header_offset
            )
    budget.report("zip")


def _zip_refusal(info: zipfile.ZipInfo) -> str | None:
    """Why a member is not unpacked (encrypted, a bomb), or None."""
    if info.flag_bits & 0x1:
        return "encrypted"
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > BOMB_RATIO and info.file_size > BOMB_SIZE:
        return f"zip bomb: {info.file_size:,} bytes from {info.compress_size:,}"
    return None


def _zip_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes; zipfile stops at the declared size and checks the CRC at its end."""
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER + 1)
    if len(data) > MAX_MEMBER:
        raise ValueError(f"more than {MAX_MEMBER:,} bytes")
    return data


# --- tar -----------------------------------------------------------------------------------


def parse_tar(path: Path) -> Iterator[Embedded]:
    """Every regular file of an uncompressed tar (ustar, GNU, pax: long names and pax paths
    as tarfile resolves them), read as a stream in one pass, with the offset of its data
    (`offset_data`). Links, directories and devices have no data of their own and are not
    yielded; members over MAX_MEMBER bytes are skipped; at most MAX_MEMBERS. A truncated or
    damaged tar yields the members before the damage, then raises (tarfile itself ends
    quietly at a damaged or missing header: the bytes after the last member must be the
    end-of-archive zero blocks, else the damage is reported)."""
    budget = _Budget()
    try:
        with tarfile.open(path, mode="r|", errors="replace") as archive:
            for member in archive:
                if not member.isreg():
                    continue
                if budget.full():
                    budget.skipped.append(f"members after the first {MAX_MEMBERS:,}")
                    break
                name = _text(member.name)
                if not budget.admit(name, member.size):
                    continue
                data = archive.extractfile(member).read()
                if len(data) != member.size:
                    raise tarfile.ReadError(f"{name}: {len(data):,} of {member.size:,} bytes")
                budget.took(data)
                yield Embedded(name=name, data=data, step="TAR", file_offset=member.offset_data)
            else:
                _check_tar_end(path, archive.offset)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        budget.report("tar", exc)
    budget.report("tar")


def _check_tar_end(path: Path, offset: int) -> None:
    """Raise unless zeros, at least one block of them, follow the last header tarfile read."""
    zeros = 0
    with open(path, "rb") as handle:
        handle.seek(offset)
        while block := handle.read(CHUNK):
            if block.count(0) != len(block):
                raise tarfile.ReadError(f"damaged header at offset {offset:,}: the rest not read")
            zeros += len(block)
    if zeros < tarfile.BLOCKSIZE:
        raise tarfile.ReadError(f"truncated at offset {offset:,}: no end-of-archive blocks")


def _text(name: str) -> str:
    """A member name with undecodable bytes (kept by tarfile as surrogates) replaced."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# --- gzip ----------------------------------------------------------------------------------


def parse_gzip(path: Path) -> Iterator[Embedded]:
    """The decompressed stream of a gzip file (concatenated members as one stream, as gunzip
    does), named by the FNAME of its header, else by the file's name without .gz (.tgz gives
    .tar). More than MAX_MEMBER bytes: nothing is yielded and an error says so. A truncated or
    damaged stream yields what decompressed before the damage, then raises."""
    chunks: list[bytes] = []
    size = 0
    broken: BaseException | None = None
    with gzip.open(path, "rb") as stream:
        try:
            while chunk := stream.read1(CHUNK):  # read() would drop a chunk cut short
                size += len(chunk)
                if size > MAX_MEMBER:
                    raise ArchiveError(f"gzip stream over {MAX_MEMBER:,} bytes: not unpacked")
                chunks.append(chunk)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            broken = exc
    if chunks:
        yield Embedded(name=gzip_name(path), data=b"".join(chunks), step="GZIP", file_offset=0)
    if broken is not None:
        raise ArchiveError(
            f"gzip stream damaged after {size:,} bytes ({type(broken).__name__}: {broken})"
            + ("; the readable part was unpacked" if chunks else "")
        ) from broken


def gzip_name(path: Path) -> str:
    """The original file name: the header's FNAME field (RFC 1952: after FEXTRA, ISO-8859-1,
    NUL-terminated), else the file's name less its gzip suffix."""
    with open(path, "rb") as handle:
        header = handle.read(64 * 1024)
    flags = header[3] if len(header) > 10 else 0
    if flags & 0x08:  # FNAME
        start = 10 + (2 + int.from_bytes(header[10:12], "little") if flags & 0x04 else 0)
        end = header.find(b"\x00", start)
        if end > start:
            return header[start:end][:255].decode("latin-1")
    suffix = path.suffix.lower()
    if suffix in GZIP_SUFFIXES:
        return path.stem + GZIP_SUFFIXES[suffix]
    return path.name


# --- recognition ---------------------------------------------------------------------------


def sniff_zip(head: bytes, _name: str) -> bool:
    return head.startswith(b"PK\x03\x04")


def sniff_tar(head: bytes, _name: str) -> bool:
    """ustar magic at 257 (POSIX "ustar\\0", GNU "ustar  ")."""
    return head[257:262] == b"ustar"


def sniff_gzip(head: bytes, _name: str) -> bool:
    """gzip magic with the deflate method."""
    return head.startswith(b"\x1f\x8b\x08")


PARSERS: tuple[Parser, ...] = (
    Parser("zip", parse_zip, sniff=sniff_zip, generic=True),
    Parser("tar", parse_tar, sniff=sniff_tar, generic=True),
    Parser("gzip", parse_gzip, sniff=sniff_gzip, generic=True),
)
