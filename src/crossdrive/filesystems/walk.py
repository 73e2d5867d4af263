"""Walk every entry of a file system: allocated, deleted (name and/or metadata) and orphan.

Follows what `fls -r -p` lists (the reference examiners trust), one row per name and, on NTFS,
one more row per named stream (`file:ADS`, `$Secure:$SDH`). Each row records where its data lies
as absolute byte runs in the device image, and — for regular content not reallocated to another
file — the MD5/SHA-256 of that content, deleted files included.

Hostile input: recursion is bounded, directory loops are cut by the ancestor chain, and a
failure on one entry becomes an error row with its location; the walk goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytsk3

from crossdrive.filesystems.tsk_names import (
    FS_TYPE_NAMES,
    META_TYPE_NAMES,
    NAME_TYPE_NAMES,
    type_letter,
)

MAX_DEPTH = 128
READ_CHUNK = 1024 * 1024
ORPHAN_DIR = "$OrphanFiles"
NTFS_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
NTFS_INDEX_ROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
DEFAULT_DATA_ATTRS = {
    int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT),
    int(pytsk3.TSK_FS_ATTR_TYPE_HFS_DATA),
    int(pytsk3.TSK_FS_ATTR_TYPE_APFS_DATA),
}
FORK_ATTRS = {int(pytsk3.TSK_FS_ATTR_TYPE_HFS_RSRC), int(pytsk3.TSK_FS_ATTR_TYPE_APFS_RSRC)}
CONTENT_ATTRS = DEFAULT_DATA_ATTRS | FORK_ATTRS | {NTFS_DATA}


@dataclass
class FsContext:
    """Where the file system sits: what every row's provenance needs."""

    device: str
    partition: int | None
    offset: int  # byte offset of the file system in the device image
    device_size: int
    errors: list[dict] = field(default_factory=list)

    def error(self, message: str, path: str | None = None, inode: int | None = None) -> None:
        self.errors.append(
            {
                "device": self.device,
                "stage": "walk",
                "partition": self.partition,
                "offset": self.offset,
                "path": path,
                "inode": inode,
                "message": message,
            }
        )


def open_filesystem(image: pytsk3.Img_Info, offset: int) -> tuple[pytsk3.FS_Info, str]:
    """Open the file system at `offset`; raises OSError when TSK finds none (or is unsure)."""
    fs = pytsk3.FS_Info(image, offset=offset)
    return fs, FS_TYPE_NAMES.get(int(fs.info.ftype), str(fs.info.ftype))


def iso_time(seconds: int | None, nanos: int | None = 0) -> str | None:
    """UTC ISO 8601 with the precision the file system has; None for an unset stamp."""
    if not seconds or seconds < 0:
        return None
    try:
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return None
    fraction = f".{nanos:09d}".rstrip("0") if nanos else ""
    return stamp + (fraction if fraction != "." else "") + "Z"


def walk_filesystem(fs: pytsk3.FS_Info, ctx: FsContext) -> Iterator[dict]:
    """Yield one row per entry (and per named stream) of `fs`, depth first, like `fls -r -p`."""
    is_ntfs = FS_TYPE_NAMES.get(int(fs.info.ftype)) == "ntfs"
    block_size = fs.info.block_size
    try:
        root = fs.open_dir(inode=fs.info.root_inum)
    except OSError as exc:
        ctx.error(f"cannot open root directory: {exc}")
        return
    stack = [(root, "", (fs.info.root_inum,))]
    while stack:
        directory, parent_path, ancestors = stack.pop()
        subdirs = []
        try:
            entries = list(directory)
        except OSError as exc:
            ctx.error(f"cannot list directory: {exc}", parent_path or "/")
            continue
        for entry in entries:
            name_info = entry.info.name
            raw_name = name_info.name
            name = raw_name.decode("utf-8", "replace") if isinstance(raw_name, bytes) else raw_name
            if name in (".", ".."):
                continue
            path = f"{parent_path}/{name}" if parent_path else name
            try:
                entry = _with_metadata(fs, entry)
                yield from _entry_rows(entry, name, path, ancestors[-1], is_ntfs, block_size, ctx)
            except Exception as exc:  # a damaged entry must not end the walk
                ctx.error(f"cannot read entry: {exc}", path, int(name_info.meta_addr))
                continue
            meta = entry.info.meta
            is_dir = meta is not None and META_TYPE_NAMES.get(int(meta.type)) in ("dir", "virt_dir")
            addr = int(name_info.meta_addr)
            if is_dir and addr not in ancestors and len(ancestors) < MAX_DEPTH:
                try:
                    subdirs.append((entry.as_directory(), path, (*ancestors, addr)))
                except OSError as exc:
                    ctx.error(f"cannot open directory: {exc}", path, addr)
        stack.extend(reversed(subdirs))


def _with_metadata(fs: pytsk3.FS_Info, entry):
    """The entry with its metadata loaded.

    TSK leaves `meta` unset on a deleted NTFS name whose MFT entry's sequence number moved on at
    deletion; the entry is usually still there, so load it by address as `fls` and `icat` do.
    The entry's own name (and its allocation flags) stay those of the directory entry.
    """
    addr = int(entry.info.name.meta_addr)
    if entry.info.meta is not None or addr == 0:
        return entry
    try:
        by_address = fs.open_meta(inode=addr)
    except OSError:
        return entry
    return _NamedFile(entry, by_address) if by_address.info.meta is not None else entry


class _NamedFile:
    """A file loaded by address, seen under the name of the directory entry that points to it."""

    def __init__(self, named, loaded) -> None:
        self._loaded = loaded
        self.info = type("Info", (), {"name": named.info.name, "meta": loaded.info.meta})()

    def __iter__(self):
        return iter(self._loaded)

    def read_random(self, *args):
        return self._loaded.read_random(*args)

    def as_directory(self):
        return self._loaded.as_directory()


def _entry_rows(entry, name, path, parent_inode, is_ntfs, block_size, ctx) -> Iterator[dict]:
    name_info, meta = entry.info.name, entry.info.meta
    name_alloc = bool(name_info.flags & pytsk3.TSK_FS_NAME_FLAG_ALLOC)
    meta_alloc = meta is not None and bool(meta.flags & pytsk3.TSK_FS_META_FLAG_ALLOC)
    # A deleted name whose metadata now belongs to a live file: that content is not this file's.
    reallocated = not name_alloc and meta_alloc
    deleted = not name_alloc or (meta is not None and not meta_alloc)
    orphan = path.startswith(ORPHAN_DIR + "/")
    meta_type = META_TYPE_NAMES.get(int(meta.type)) if meta is not None else None
    base = {
        "device": ctx.device,
        "partition": ctx.partition,
        "fs_offset": ctx.offset,
        "path": path,
        "name": name,
        "parent_inode": int(parent_inode),
        "inode": int(name_info.meta_addr),
        "name_type": NAME_TYPE_NAMES.get(int(name_info.type), "undef"),
        "meta_type": meta_type,
        "type_str": f"{type_letter(NAME_TYPE_NAMES.get(int(name_info.type)))}/"
        f"{type_letter(meta_type)}",
        "state": "orphan" if orphan else "deleted" if deleted else "allocated",
        "alloc_name": name_alloc,
        "alloc_meta": meta_alloc,
        "reallocated": reallocated,
        "mode": int(meta.mode) if meta is not None else None,
        "uid": int(meta.uid) if meta is not None else None,
        "gid": int(meta.gid) if meta is not None else None,
        "nlink": int(meta.nlink) if meta is not None else None,
        "mtime": iso_time(meta.mtime, meta.mtime_nano) if meta is not None else None,
        "atime": iso_time(meta.atime, meta.atime_nano) if meta is not None else None,
        "ctime": iso_time(meta.ctime, meta.ctime_nano) if meta is not None else None,
        "crtime": iso_time(meta.crtime, meta.crtime_nano) if meta is not None else None,
    }
    streams = _streams(entry, meta, is_ntfs)
    if not streams:  # no metadata or no attribute: still a name on disk
        yield _row(base, None, int(meta.size) if meta is not None else 0, path, ctx)
        return
    for attr, stream_name in streams:
        stream_path = f"{path}:{stream_name}" if stream_name else path
        row = _row(base, attr, int(attr.info.size), stream_path, ctx, block_size, stream_name)
        if meta_type == "reg" and not reallocated and int(attr.info.type) in CONTENT_ATTRS:
            _hash_content(entry, attr, row, ctx)
        yield row


def _streams(entry, meta, is_ntfs: bool) -> list[tuple[object, str | None]]:
    """The attributes that get a row: the default one, then named NTFS streams (as fls does)."""
    if meta is None:
        return []
    try:
        attrs = list(entry)
    except OSError:
        return []
    if not attrs:
        return []
    if not is_ntfs:  # default data first (not an HFS xattr); a resource fork is a stream too
        data = [a for a in attrs if int(a.info.type) in DEFAULT_DATA_ATTRS]
        forks = [(a, "rsrc") for a in attrs if int(a.info.type) in FORK_ATTRS]
        return [(data[0] if data else attrs[0], None), *forks]
    streams, default = [], None
    for attr in attrs:
        kind, attr_name = int(attr.info.type), _attr_name(attr)
        if kind not in (NTFS_DATA, NTFS_INDEX_ROOT):
            continue
        unnamed = not attr_name if kind == NTFS_DATA else attr_name == "$I30"
        if not unnamed:
            streams.append((attr, attr_name))
        elif default is None:
            default = attr
    return ([(default, None)] if default is not None else []) + streams


def _attr_name(attr) -> str:
    raw = attr.info.name
    if not raw:
        return ""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _row(base, attr, size, path, ctx, block_size=0, stream_name=None) -> dict:
    row = dict(
        base,
        path=path,
        size=size,
        stream=stream_name,
        attr_type=None,
        attr_id=None,
        resident=False,
        byte_runs=[],
        md5=None,
        sha256=None,
        read_error=None,
    )
    if attr is None:
        return row
    row["attr_type"], row["attr_id"] = int(attr.info.type), int(attr.info.id)
    row["resident"] = bool(attr.info.flags & pytsk3.TSK_FS_ATTR_RES)
    if not row["resident"]:
        row["byte_runs"] = _byte_runs(attr, size, block_size, ctx.offset)
    return row


def _byte_runs(attr, size: int, block_size: int, fs_offset: int) -> list[dict]:
    """Runs as absolute image offsets, cut at the file's size; sparse and filler runs skipped."""
    runs = []
    for run in attr:
        if run.flags & (pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER | pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE):
            continue
        file_offset = int(run.offset) * block_size
        if file_offset >= size:
            break
        length = min(int(run.len) * block_size, size - file_offset)
        fs_pos = int(run.addr) * block_size
        runs.append(
            {
                "file_offset": file_offset,
                "fs_offset": fs_pos,
                "img_offset": fs_offset + fs_pos,
                "len": length,
            }
        )
    return runs


def _hash_content(entry, attr, row: dict, ctx: FsContext) -> None:
    """MD5 and SHA-256 of the stream's content, streamed in chunks (deleted files too)."""
    size = row["size"]
    if size > 4 * ctx.device_size and not (attr.info.flags & pytsk3.TSK_FS_ATTR_SPARSE):
        row["read_error"] = f"claimed size {size} exceeds the device; not read"
        ctx.error(row["read_error"], row["path"], row["inode"])
        return
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    attr_type, attr_id = int(attr.info.type), int(attr.info.id)
    offset = 0
    try:
        while offset < size:
            chunk = entry.read_random(offset, min(READ_CHUNK, size - offset), attr_type, attr_id)
            if not chunk and not row["byte_runs"] and not row["resident"]:
                row["read_error"] = "no allocated data (sparse)"
                return
            if not chunk:
                raise OSError(f"no data at file offset {offset}")
            md5.update(chunk)
            sha256.update(chunk)
            offset += len(chunk)
    except OSError as exc:
        row["read_error"] = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else "read"
        if row["state"] == "allocated":  # unrecoverable deleted content is expected, not an error
            ctx.error(f"cannot read content: {row['read_error']}", row["path"], row["inode"])
        return
    row["md5"], row["sha256"] = md5.hexdigest(), sha256.hexdigest()
