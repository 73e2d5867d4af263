"""Operating-system artifacts: registry hives, event logs, shortcuts, jump lists, Linux
accounts, shell histories and settings.

No Windows is at hand to make hives, event logs or shortcuts, and none of the installed
libraries writes them (regipy, python-evtx, LnkParse3 and olefile only read). So the samples
are built here by small writers that follow the published formats (regf: libyal's "Windows NT
Registry File format"; EVTX: libyal's "Windows XML Event Log format", records as template
instances with substitutions, as Windows writes them; MS-SHLLINK; MS-CFB; libyal's "Jump lists
format") and are then read by the real readers (regipy, python-evtx, LnkParse3, olefile)
through the parsers. The Linux files are text, written as the systems write them;
/etc/localtime is this machine's real TZif file.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from crossdrive.artifacts.records import Account, Document, Event
from crossdrive.artifacts.system import (
    PARSERS,
    evtx_event,
    parse_accounts_file,
    parse_evtx,
    parse_jumplist,
    parse_linux_settings,
    parse_lnk,
    parse_registry,
    parse_shell_history,
)

BY_NAME = {parser.name: parser for parser in PARSERS}
LNK_CLSID = bytes.fromhex("0114020000000000c000000000000046")
NOSTREAM, END_OF_CHAIN, FAT_SECTOR, FREE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def filetime(moment: datetime) -> int:
    return round((moment.timestamp() + 11644473600) * 10**7)


T1 = datetime(2024, 5, 2, 8, 11, 0, tzinfo=UTC)
T2 = datetime(2024, 5, 3, 17, 45, 30, tzinfo=UTC)
T3 = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def claims(name: str, path: str, head: bytes) -> bool:
    parser = BY_NAME[name]
    by_glob = any(fnmatchcase(path.lower(), glob) for glob in parser.globs)
    file_name = path.lower().rsplit("/", 1)[-1]
    return by_glob or (parser.sniff is not None and parser.sniff(head[: 64 * 1024], file_name))


def run(parse, path: Path) -> list:
    return list(parse(path))


# --- a regf writer (base block, one hive bin, nk/lf/vk cells) ----------------------------

REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, DEVPROP_FILETIME = 1, 2, 3, 4, 0xFFFF0010
NO_CELL = 0xFFFFFFFF


@dataclass
class Key:
    name: str
    written: datetime = T1
    values: list[tuple[str, int, bytes]] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)


def sz(text: str) -> bytes:
    return (text + "\x00").encode("utf-16-le")


def dword(number: int) -> bytes:
    return struct.pack("<I", number & 0xFFFFFFFF)


def path_keys(root: Key, path: str) -> Key:
    """The key at `path` (backslash-separated) under `root`, made when missing."""
    key = root
    for name in path.split("\\"):
        found = next((child for child in key.keys if child.name == name), None)
        if found is None:
            found = Key(name)
            key.keys.append(found)
        key = found
    return key


class HiveWriter:
    """Cells are allocated in one hive bin; offsets count from the bin's start, as in regf."""

    def __init__(self) -> None:
        self.cells = bytearray()

    def alloc(self, payload: bytes) -> int:
        offset = 32 + len(self.cells)
        size = (4 + len(payload) + 7) // 8 * 8
        self.cells += struct.pack("<i", -size) + payload.ljust(size - 4, b"\x00")
        return offset

    def patch(self, offset: int, payload: bytes) -> None:
        start = offset - 32 + 4
        self.cells[start : start + len(payload)] = payload

    def key(self, key: Key, parent: int, flags: int = 0x20) -> int:
        name = key.name.encode("latin-1")
        node = self.alloc(bytes(76 + len(name)))
        children = [self.key(child, node) for child in key.keys]
        subkeys = NO_CELL
        if children:
            hints = b"".join(
                struct.pack("<I4s", offset, child.name.encode("latin-1")[:4].ljust(4, b"\x00"))
                for offset, child in zip(children, key.keys, strict=True)
            )
            subkeys = self.alloc(b"lf" + struct.pack("<H", len(children)) + hints)
        value_cells = [self.value(*value) for value in key.values]
        values = NO_CELL
        if value_cells:
            values = self.alloc(struct.pack(f"<{len(value_cells)}I", *value_cells))
        fields = [0, parent, len(children), 0, subkeys, NO_CELL, len(value_cells), values]
        fields += [NO_CELL, NO_CELL, 0, 0, 0, 0, 0]
        node_data = b"nk" + struct.pack(
            "<HQ15IHH", flags, filetime(key.written), *fields, len(name), 0
        )
        self.patch(node, node_data + name)
        return node

    def value(self, name: str, kind: int, data: bytes) -> int:
        raw = name.encode("latin-1")
        if len(data) <= 4:
            size, offset = len(data) | 0x80000000, int.from_bytes(data.ljust(4, b"\x00"), "little")
        else:
            size, offset = len(data), self.alloc(data)
        return self.alloc(b"vk" + struct.pack("<HIIIHH", len(raw), size, offset, kind, 1, 0) + raw)


def hive(root: Key, file_name: str) -> bytes:
    writer = HiveWriter()
    writer.key(root, 0, flags=0x24)  # the root key is the first cell, as regipy expects
    used = 32 + len(writer.cells)
    size = (used + 4095) // 4096 * 4096
    free = struct.pack("<i", size - used).ljust(size - used, b"\x00") if size > used else b""
    hbin = b"hbin" + struct.pack("<IIIIQI", 0, size, 0, 0, filetime(T1), 0) + writer.cells + free
    base = struct.pack("<4sIIQIIIIIII", b"regf", 7, 7, filetime(T1), 1, 5, 0, 1, 32, size, 1)
    base = (base + file_name.encode("utf-16-le").ljust(64, b"\x00")).ljust(508, b"\x00")
    checksum = 0
    for (word,) in struct.iter_unpack("<I", base):
        checksum ^= word
    return (base + struct.pack("<I", checksum)).ljust(4096, b"\x00") + hbin


def sam_f(last_logon: datetime, password_set: datetime, rid: int, logons: int) -> bytes:
    """The F value: FILETIMEs at 0x08 (last logon), 0x18 (password set), 0x28 (last failed
    logon, none here), RID at 0x30, flags at 0x38, logon count at 0x42."""
    data = bytearray(80)
    struct.pack_into("<QQ", data, 0x08, filetime(last_logon), 0)
    struct.pack_into("<QQQ", data, 0x18, filetime(password_set), 0x7FFFFFFFFFFFFFFF, 0)
    struct.pack_into("<IIH", data, 0x30, rid, 0, 0x0210)
    struct.pack_into("<HH", data, 0x40, 0, logons)
    return bytes(data)


def sam_v(user: str, full_name: str) -> bytes:
    """The V value: 17 (offset, length, unknown) triples; strings follow at 0xCC, the user
    name in the second triple, the full name in the third."""
    strings = bytearray()
    table = bytearray(0xCC)
    for index, text in ((1, user), (2, full_name)):
        raw = text.encode("utf-16-le")
        struct.pack_into("<III", table, index * 12, len(strings), len(raw), 0)
        strings += raw + bytes(-len(raw) % 4)
    return bytes(table + strings)


def mru_item(name: str) -> bytes:
    return sz(name) + struct.pack("<H", 0)  # the name, then an (empty) shell item list


# --- a shell link writer (MS-SHLLINK 2.1, 2.3, 2.4, 2.5.10) -------------------------------


def link_header(flags: int, times: tuple, size: int) -> bytes:
    """The ShellLinkHeader (2.1): size, CLSID, link flags, FILE_ATTRIBUTE_ARCHIVE, the
    target's creation, access and write FILETIMEs (None: never set), its size, icon index,
    SW_SHOWNORMAL, no hot key, reserved zeros."""
    stamps = [filetime(moment) if moment else 0 for moment in times]
    fields = (*stamps, size, 0, 1, 0, 0, 0, 0)
    return struct.pack("<I16sII3QIiIHHII", 0x4C, LNK_CLSID, flags, 0x20, *fields)


def shell_link(
    target: str,
    *,
    label: str = "OS",
    serial: int = 0x1234ABCD,
    times: tuple[datetime | None, ...] = (T3, T2, T1),
    working_dir: str = "C:\\Users\\anna\\Documents",
    arguments: str = "/safe",
    machine_id: str | None = "desktop-anna",
    size: int = 18432,
) -> bytes:
    flags = 0x02 | 0x10 | 0x20 | 0x80  # LinkInfo, working dir, arguments, Unicode
    header = link_header(flags, times, size)
    volume = struct.pack("<IIII", 16 + len(label) + 1, 3, serial, 0x10) + label.encode() + b"\x00"
    base = target.encode("cp1252") + b"\x00"
    volume_at, base_at = 0x1C, 0x1C + len(volume)
    suffix_at = base_at + len(base)
    info = struct.pack("<IIIIIII", suffix_at + 1, 0x1C, 1, volume_at, base_at, 0, suffix_at)
    info += volume + base + b"\x00"
    strings = b"".join(
        struct.pack("<H", len(text)) + text.encode("utf-16-le") for text in (working_dir, arguments)
    )
    extra = b""
    if machine_id is not None:
        droids = bytes(range(64))
        extra = struct.pack("<IIII", 0x60, 0xA0000003, 0x58, 0) + machine_id.encode().ljust(
            16, b"\x00"
        )
        extra += droids
    return header + info + strings + extra + struct.pack("<I", 0)


# --- an OLE compound file writer (MS-CFB, version 3, every stream in the mini stream) ------


def compound_file(streams: dict[str, bytes]) -> bytes:
    mini, mini_fat, starts = bytearray(), [], []
    for data in streams.values():
        assert len(data) < 4096
        count = max(1, -(-len(data) // 64))
        starts.append(len(mini_fat))
        mini_fat += [len(mini_fat) + i + 1 for i in range(count - 1)] + [END_OF_CHAIN]
        mini += data.ljust(count * 64, b"\x00")
    entries = [_directory_entry("Root Entry", 5, 0, len(mini), child=1)]
    for index, (name, data) in enumerate(streams.items()):
        right = index + 2 if index + 1 < len(streams) else NOSTREAM
        entries.append(_directory_entry(name, 2, starts[index], len(data), right=right))
    while len(entries) % 4:
        entries.append(
            b"\x00" * 64
            + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM).ljust(64, b"\x00")
        )
    directory = b"".join(entries)
    mini_fat_raw = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_raw = mini_fat_raw.ljust(-(-len(mini_fat_raw) // 512) * 512, b"\xff")
    runs = [(len(directory) // 512), len(mini_fat_raw) // 512, -(-len(mini) // 512)]
    first_dir, first_mini_fat = 1, 1 + runs[0]
    first_mini = first_mini_fat + runs[1]
    fat = [FAT_SECTOR]
    for count in runs:
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END_OF_CHAIN]
    fat += [FREE] * (128 - len(fat))
    entries[0] = _directory_entry("Root Entry", 5, first_mini, len(mini), child=1)
    directory = b"".join(entries)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, first_dir, 0, 4096, first_mini_fat, runs[1], END_OF_CHAIN, 0)
    header += struct.pack("<109I", 0, *[FREE] * 108)
    body = (
        struct.pack("<128I", *fat)
        + directory
        + mini_fat_raw
        + bytes(mini).ljust(runs[2] * 512, b"\x00")
    )
    return header + body


def _directory_entry(name: str, kind: int, start: int, size: int, child=NOSTREAM, right=NOSTREAM):
    raw = name.encode("utf-16-le") + b"\x00\x00"
    ids = struct.pack("<HBBIII", len(raw), kind, 1, NOSTREAM, right, child)
    return raw.ljust(64, b"\x00") + ids + bytes(16) + struct.pack("<IQQIQ", 0, 0, 0, start, size)


def destlist(entries: list[tuple[int, str, str, datetime, int]]) -> bytes:
    """A version 3 (Windows 10) DestList: header, then per entry the droid ids, NetBIOS host,
    entry number, FILETIME, pin status, access count, path size and UTF-16 path."""
    data = struct.pack("<IIIfIIQ", 3, len(entries), 0, 1.0, max(e[0] for e in entries), 0, 9)
    for number, host, path, when, pin in entries:
        data += bytes(8) + bytes(range(64)) + host.encode().ljust(16, b"\x00")
        data += struct.pack("<IIfQiIIQ", number, 0, 1.0, filetime(when), pin, 1, 3, 0)
        data += struct.pack("<H", len(path)) + path.encode("utf-16-le") + bytes(4)
    return data


# --- an EVTX writer (file header, one chunk, records of binary XML with templates) --------


@dataclass(frozen=True)
class Sub:
    """A substitution in a template: value `index` of the record, of binary XML type `kind`."""

    index: int
    kind: int


WSTRING, UINT16, FILETIME = 0x01, 0x06, 0x11


class BinXml:
    """Binary XML written at a known chunk offset; element and attribute names are stored
    inline the first time, as Windows does when a chunk has not used them yet."""

    def __init__(self, at: int) -> None:
        self.at, self.data = at, bytearray()

    def pos(self) -> int:
        return self.at + len(self.data)

    def name(self, text: str) -> None:
        self.data += struct.pack("<IHH", 0, 0, len(text)) + text.encode("utf-16-le") + bytes(2)

    def element(self, tag: str, attributes: list = (), content: list = ()) -> None:
        start = self.pos()
        self.data += struct.pack("<BHII", 0x41 if attributes else 0x01, 0xFFFF, 0, start + 11)
        self.name(tag)
        if attributes:
            self.data += struct.pack("<I", 0)
        for index, (attribute, value) in enumerate(attributes):
            token = 0x46 if index + 1 < len(attributes) else 0x06
            self.data += struct.pack("<BI", token, self.pos() + 5)
            self.name(attribute)
            self.value(value)
        if not content:
            self.data += b"\x03"
            return
        self.data += b"\x02"
        for item in content:
            self.element(*item) if isinstance(item, tuple) else self.value(item)
        self.data += b"\x04"

    def value(self, value: str | Sub) -> None:
        if isinstance(value, Sub):
            self.data += struct.pack("<BHB", 0x0D, value.index, value.kind)
        else:
            self.data += struct.pack("<BBH", 0x05, WSTRING, len(value)) + value.encode("utf-16-le")


def system_part(first: int) -> tuple:
    return (
        "System",
        [],
        [
            ("Provider", [("Name", Sub(first, WSTRING))]),
            ("EventID", [], [Sub(first + 1, UINT16)]),
            ("TimeCreated", [("SystemTime", Sub(first + 2, FILETIME))]),
            ("Computer", [], [Sub(first + 3, WSTRING)]),
        ],
    )


EVENT_NAMESPACE = "http://schemas.microsoft.com/win/2004/08/events/event"


def event_template(data_names: list[str]) -> tuple:
    data = [("Data", [("Name", name)], [Sub(4 + i, WSTRING)]) for i, name in enumerate(data_names)]
    return ("Event", [("xmlns", EVENT_NAMESPACE)], [system_part(0), ("EventData", [], data)])


def evtx_record(at: int, number: int, template: tuple | int, values: list) -> tuple[bytes, int]:
    """A record at chunk offset `at`: a template instance (the definition itself when
    `template` is a tree, else the chunk offset of an earlier one) and its values."""
    body = BinXml(at + 24)
    body.data += b"\x0f\x01\x01\x00"
    if isinstance(template, tuple):
        template_at = body.pos() + 10
        definition = BinXml(template_at + 24)
        definition.data += b"\x0f\x01\x01\x00"
        definition.element(*template)
        definition.data += b"\x00"
        body.data += struct.pack("<BBII", 0x0C, 0x01, number, template_at)
        guid = struct.pack("<I", number) + bytes(12)
        body.data += struct.pack("<I16sI", 0, guid, len(definition.data)) + definition.data
    else:
        template_at = template
        body.data += struct.pack("<BBII", 0x0C, 0x01, 1, template_at)
    raw = [
        value.encode("utf-16-le")
        if isinstance(value, str)
        else struct.pack("<Q", filetime(value))
        if isinstance(value, datetime)
        else struct.pack("<H", value)
        for value in values
    ]
    kinds = [
        WSTRING if isinstance(v, str) else FILETIME if isinstance(v, datetime) else UINT16
        for v in values
    ]
    body.data += struct.pack("<I", len(raw))
    body.data += b"".join(
        struct.pack("<HBB", len(item), kind, 0) for item, kind in zip(raw, kinds, strict=True)
    )
    body.data += b"".join(raw)
    size = (24 + len(body.data) + 4 + 7) // 8 * 8
    written = next((value for value in values if isinstance(value, datetime)), T1)
    record = struct.pack("<IIQQ", 0x2A2A, size, number, filetime(written)) + body.data
    return record.ljust(size - 4, b"\x00") + struct.pack("<I", size), template_at


def evtx_file(records: list[tuple[tuple | None, list]]) -> tuple[bytes, list[int]]:
    """An EVTX file of one 64 KiB chunk; a record with template None reuses the previous
    record's template. Returns the file and each record's file offset."""
    chunk, at, offsets, template_at, first_template = bytearray(0x10000), 0x200, [], 0, 0
    for number, (template, values) in enumerate(records, 1):
        data, template_at = evtx_record(at, number, template or template_at, values)
        first_template = first_template or template_at
        chunk[at : at + len(data)] = data
        offsets.append(0x1000 + at)
        at += len(data)
    count = len(records)
    struct.pack_into(
        "<8sQQQQIIII",
        chunk,
        0,
        b"ElfChnk\x00",
        1,
        count,
        1,
        count,
        0x80,
        offsets[-1] - 0x1000,
        at,
        0,
    )
    struct.pack_into("<I", chunk, 0x34, zlib.crc32(chunk[0x200:at]))
    struct.pack_into("<I", chunk, 0x180, first_template)
    struct.pack_into("<I", chunk, 0x7C, zlib.crc32(chunk[:0x78] + chunk[0x80:0x200]))
    header = bytearray(0x1000)
    struct.pack_into(
        "<8sQQQIHHHH", header, 0, b"ElfFile\x00", 0, 0, count + 1, 0x80, 1, 3, 0x1000, 1
    )
    struct.pack_into("<I", header, 0x7C, zlib.crc32(header[:0x78]))
    return bytes(header + chunk), offsets


# --- Windows registry --------------------------------------------------------------------


def sam_hive() -> bytes:
    root = Key("ROOT")
    users = path_keys(root, "SAM\\Domains\\Account\\Users")
    users.keys.append(
        Key(
            "000003E9",
            values=[
                ("F", REG_BINARY, sam_f(T2, T3, 0x3E9, 12)),
                ("V", REG_BINARY, sam_v("anna", "Anna Berg")),
            ],
        )
    )
    users.keys.append(Key("000001F5", values=[("V", REG_BINARY, sam_v("Guest", ""))]))
    path_keys(users, "Names\\anna").values.append(("", 0x3E9, b""))
    return hive(root, "\\SystemRoot\\System32\\Config\\SAM")


def test_sam_accounts_and_logon_times(tmp_path: Path) -> None:
    sample = tmp_path / "SAM"
    sample.write_bytes(sam_hive())
    records = run(parse_registry, sample)
    assert records == [
        Account("windows", "anna", "Anna Berg"),
        Event(
            "2024-05-03T17:45:30Z",
            "Last logon",
            "Last logon: Windows account anna (RID 1001, 12 logons)",
            user="anna",
        ),
        Event(
            "2023-11-14T22:13:20Z",
            "Password last set",
            "Password last set: Windows account anna (RID 1001)",
            user="anna",
        ),
        Account("windows", "Guest", None),
    ]


def software_hive() -> bytes:
    root = Key("ROOT")
    version = path_keys(root, "Microsoft\\Windows NT\\CurrentVersion")
    version.values += [
        ("ProductName", REG_SZ, sz("Windows 10 Pro")),
        ("CurrentBuild", REG_SZ, sz("19045")),
        ("RegisteredOwner", REG_SZ, sz("anna.berg@outlook.com")),
        ("InstallDate", REG_DWORD, dword(int(T3.timestamp()))),
    ]
    profiles = path_keys(version, "ProfileList")
    profiles.keys += [
        Key(
            "S-1-5-18",
            values=[
                (
                    "ProfileImagePath",
                    REG_EXPAND_SZ,
                    sz("%systemroot%\\system32\\config\\systemprofile"),
                )
            ],
        ),
        Key(
            "S-1-5-21-1111-2222-3333-1001",
            values=[("ProfileImagePath", REG_EXPAND_SZ, sz("C:\\Users\\anna"))],
        ),
        Key(
            "S-1-12-1-44-55-66-77",
            values=[("ProfileImagePath", REG_EXPAND_SZ, sz("C:\\Users\\AnnaBerg"))],
        ),
    ]
    return hive(root, "emRoot\\System32\\Config\\SOFTWARE")


def test_software_profiles_and_install_date(tmp_path: Path) -> None:
    sample = tmp_path / "carved-0042.bin"  # recognised by its keys, not its name
    sample.write_bytes(software_hive())
    assert run(parse_registry, sample) == [
        Account("windows-profile", "anna"),
        Account("windows-profile", "AnnaBerg"),
        Event(
            "2023-11-14T22:13:20Z",
            "Windows installed",
            "Windows 10 Pro installed, build 19045, registered owner anna.berg@outlook.com",
        ),
    ]


def system_hive() -> bytes:
    root = Key("ROOT")
    path_keys(root, "Select").values.append(("Current", REG_DWORD, dword(2)))
    path_keys(root, "ControlSet001\\Control\\ComputerName\\ComputerName").values.append(
        ("ComputerName", REG_SZ, sz("OLD-NAME"))
    )
    control = path_keys(root, "ControlSet002\\Control")
    path_keys(control, "ComputerName\\ComputerName").values.append(
        ("ComputerName", REG_SZ, sz("DESKTOP-ANNA"))
    )
    path_keys(control, "TimeZoneInformation").values += [
        ("Bias", REG_DWORD, dword(-60)),
        ("StandardName", REG_SZ, sz("@tzres.dll,-322")),
        ("TimeZoneKeyName", REG_SZ, sz("W. Europe Standard Time")),
    ]
    path_keys(control, "Nls\\Language").values.append(("Default", REG_SZ, sz("0407")))
    usbstor = path_keys(root, "ControlSet002\\Enum\\USBSTOR")
    stick = path_keys(
        usbstor, "Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00\\4C530001230615116412&0"
    )
    stick.written = T2
    stick.values.append(("FriendlyName", REG_SZ, sz("SanDisk Cruzer Blade USB Device")))
    times = path_keys(stick, "Properties\\{83da6326-97a6-4088-9453-a1923f573b29}")
    for code, moment in (("0064", T3), ("0066", T1), ("0067", T2)):
        times.keys.append(
            Key(code, values=[("", DEVPROP_FILETIME, struct.pack("<Q", filetime(moment)))])
        )
    old = path_keys(
        usbstor, "Disk&Ven_Kingston&Prod_DataTraveler&Rev_PMAP\\0019E06B9C85F9A0F7830A4A&0"
    )
    old.written = T3
    old_time = path_keys(old, "Properties\\{83da6326-97a6-4088-9453-a1923f573b29}\\0065\\00000000")
    old_time.values.append(("Data", 0x10, struct.pack("<Q", filetime(T3))))
    return hive(root, "SYSTEM")


def test_system_settings_and_usb_devices(tmp_path: Path) -> None:
    sample = tmp_path / "SYSTEM"
    sample.write_bytes(system_hive())
    records = run(parse_registry, sample)
    assert records[0] == Document(
        kind="system-settings",
        meta={
            "timezone": "W. Europe Standard Time",
            "utc_offset": "+01:00",
            "lcid": "0407",
            "locale": "de_DE",
            "hostname": "DESKTOP-ANNA",
        },
    )
    sandisk = (
        "USB SanDisk Cruzer_Blade serial 4C530001230615116412&0 (SanDisk Cruzer Blade USB Device)"
    )
    kingston = "USB Kingston DataTraveler serial 0019E06B9C85F9A0F7830A4A&0"
    assert records[1:] == [
        Event("2024-05-03T17:45:30Z", "USB device key written", sandisk),
        Event("2023-11-14T22:13:20Z", "USB device first installed", sandisk),
        Event("2024-05-02T08:11:00Z", "USB device connected", sandisk),
        Event("2024-05-03T17:45:30Z", "USB device removed", sandisk),
        Event("2023-11-14T22:13:20Z", "USB device key written", kingston),
        Event("2023-11-14T22:13:20Z", "USB device installed", kingston),
    ]


def ntuser_hive() -> bytes:
    root = Key("ROOT")
    explorer = path_keys(root, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer")
    recent = path_keys(explorer, "RecentDocs")
    recent.written = T2
    recent.values += [
        ("0", REG_BINARY, mru_item("budget.xlsx")),
        ("1", REG_BINARY, mru_item("Bericht März.docx")),
        ("MRUListEx", REG_BINARY, struct.pack("<3i", 1, 0, -1)),
    ]
    docx = path_keys(recent, ".docx")
    docx.values += [
        ("0", REG_BINARY, mru_item("Bericht März.docx")),
        ("MRUListEx", REG_BINARY, struct.pack("<2i", 0, -1)),
    ]
    xlsx = path_keys(recent, ".xlsx")
    xlsx.written = T1
    xlsx.values += [
        ("0", REG_BINARY, mru_item("budget.xlsx")),
        ("MRUListEx", REG_BINARY, struct.pack("<2i", 0, -1)),
    ]
    typed_paths = path_keys(explorer, "TypedPaths")
    typed_paths.written = T3
    typed_paths.values += [("url1", REG_SZ, sz("\\\\nas\\share")), ("url2", REG_SZ, sz("C:\\Temp"))]
    run_mru = path_keys(explorer, "RunMRU")
    run_mru.values += [
        ("a", REG_SZ, sz("cmd\\1")),
        ("b", REG_SZ, sz("regedit\\1")),
        ("MRUList", REG_SZ, sz("ba")),
    ]
    ie = path_keys(root, "Software\\Microsoft\\Internet Explorer")
    long_url = "https://example.org/search?q=" + "x" * 300
    path_keys(ie, "TypedURLs").values += [
        ("url1", REG_SZ, sz("https://mail.example.org/")),
        ("url2", REG_SZ, sz(long_url)),
    ]
    path_keys(ie, "TypedURLsTime").values += [
        ("url1", REG_BINARY, struct.pack("<Q", filetime(T2))),
        ("url2", REG_BINARY, struct.pack("<Q", filetime(T1))),
    ]
    path_keys(root, "Control Panel\\International").values += [
        ("LocaleName", REG_SZ, sz("de-DE")),
        ("sCountry", REG_SZ, sz("Germany")),
        ("iCountry", REG_SZ, sz("49")),
    ]
    path_keys(
        root, "Software\\Microsoft\\IdentityCRL\\UserExtendedProperties\\anna.berg@outlook.com"
    )
    identity = path_keys(
        root, "Software\\Microsoft\\Office\\16.0\\Common\\Identity\\Identities\\abc_LiveId"
    )
    identity.values += [
        ("EmailAddress", REG_SZ, sz("anna.berg@outlook.com")),
        ("FriendlyName", REG_SZ, sz("Anna Berg")),
    ]
    path_keys(root, "Software\\Microsoft\\OneDrive\\Accounts\\Personal").values.append(
        ("UserEmail", REG_SZ, sz("anna.berg@outlook.com"))
    )
    return hive(root, "\\??\\C:\\Users\\anna\\ntuser.dat")


def test_ntuser_recent_typed_run_and_accounts(tmp_path: Path) -> None:
    sample = tmp_path / "NTUSER.DAT"
    sample.write_bytes(ntuser_hive())
    records = run(parse_registry, sample)
    long_url = "https://example.org/search?q=" + "x" * 300  # kept whole: regipy trims at 256
    assert records == [
        Event("2024-05-03T17:45:30Z", "Recent document", "RecentDocs: Bericht März.docx"),
        Document(kind="windows-mru", title="RecentDocs", text="Bericht März.docx\nbudget.xlsx"),
        Event("2024-05-02T08:11:00Z", "Recent document", "RecentDocs .xlsx: budget.xlsx"),
        Document(kind="windows-mru", title="TypedPaths", text="\\\\nas\\share\nC:\\Temp"),
        Event("2023-11-14T22:13:20Z", "Typed path", "Typed path: \\\\nas\\share"),
        Document(
            kind="windows-mru", title="TypedURLs", text=f"https://mail.example.org/\n{long_url}"
        ),
        Event(
            "2024-05-03T17:45:30Z",
            "Typed URL",
            "Typed URL: https://mail.example.org/",
            url="https://mail.example.org/",
        ),
        Event("2024-05-02T08:11:00Z", "Typed URL", f"Typed URL: {long_url}", url=long_url),
        Document(kind="windows-mru", title="RunMRU", text="regedit\ncmd"),
        Event("2024-05-02T08:11:00Z", "Run command", "Run command: regedit"),
        Document(
            kind="system-settings",
            meta={"locale": "de-DE", "country": "Germany", "calling_code": "49"},
        ),
        Account("microsoft-account", "anna.berg@outlook.com"),
        Account("microsoft-office", "anna.berg@outlook.com", "Anna Berg"),
        Account("onedrive", "anna.berg@outlook.com"),
    ]


def test_registry_sniff(tmp_path: Path) -> None:
    data = system_hive()
    assert claims("windows-registry", "0000123.bin", data)
    log = bytearray(data[:4096]) + b"HvLE" + bytes(508)
    struct.pack_into("<I", log, 28, 2)  # a transaction log (.LOG1) has a base block too
    assert not claims("windows-registry", "windows/system32/config/system.log1", bytes(log))
    assert not claims("windows-registry", "notes.txt", b"regfoo is not a hive\n" * 10)
    assert not claims("windows-registry", "x.lnk", shell_link("C:\\x.txt"))


def test_registry_damaged_hives_fail_fast(tmp_path: Path) -> None:
    data = ntuser_hive()
    truncated = tmp_path / "truncated"
    truncated.write_bytes(data[:4200])
    garbage = tmp_path / "garbage"
    garbage.write_bytes(data[:4096] + b"hbin" + bytes(range(256)) * 64)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    started = time.monotonic()
    for sample in (truncated, garbage, empty):
        with pytest.raises(Exception):  # noqa: B017 - regipy raises construct/stream errors
            run(parse_registry, sample)
    assert time.monotonic() - started < 5


def test_registry_damaged_area_keeps_the_others(tmp_path: Path) -> None:
    data = bytearray(software_hive())
    marker = data.index(b"ProfileList")  # break the ProfileList key's subkey list offset
    node = marker - 76
    struct.pack_into("<I", data, node + 28, 0x7FFFFF00)
    sample = tmp_path / "SOFTWARE"
    sample.write_bytes(bytes(data))
    records = []
    with pytest.raises(ValueError, match="registry areas unreadable; first: _profiles"):
        for record in parse_registry(sample):
            records.append(record)
    assert [record.kind for record in records] == ["Windows installed"]


# --- Windows event logs ------------------------------------------------------------------

EVENT_XML = """<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>\
<Provider Name="{provider}" Guid="{{54849625-5478-4994-a5ba-3e3b0328c30d}}"></Provider>\
<EventID Qualifiers="">{event_id}</EventID><Version>2</Version><Level>0</Level>\
<TimeCreated SystemTime="{time}"></TimeCreated><EventRecordID>4711</EventRecordID>\
<Channel>Security</Channel><Computer>DESKTOP-ANNA</Computer></System>\
<EventData>{data}</EventData></Event>"""


def event_xml(provider: str, event_id: int, data: dict[str, str], when: str) -> str:
    items = "".join(f'<Data Name="{name}">{value}</Data>' for name, value in data.items())
    return EVENT_XML.format(provider=provider, event_id=event_id, data=items, time=when)


SECURITY = "Microsoft-Windows-Security-Auditing"
LOGON = {
    "SubjectUserSid": "S-1-5-18",
    "SubjectUserName": "DESKTOP-ANNA$",
    "SubjectDomainName": "WORKGROUP",
    "TargetUserName": "anna",
    "TargetDomainName": "DESKTOP-ANNA",
    "LogonType": "10",
    "WorkstationName": "LAPTOP-EVE",
    "IpAddress": "192.168.1.23",
    "ProcessName": "C:\\Windows\\System32\\svchost.exe",
}


def test_evtx_logons_and_starts() -> None:
    logon = evtx_event(event_xml(SECURITY, 4624, LOGON, "2024-05-02 08:11:00.123456+00:00"), 8704)
    assert logon == Event(
        "2024-05-02T08:11:00Z",
        "Logon",
        "Logon of DESKTOP-ANNA\\anna, type 10 (RemoteInteractive), from 192.168.1.23 "
        "(LAPTOP-EVE), process C:\\Windows\\System32\\svchost.exe on DESKTOP-ANNA",
        user="DESKTOP-ANNA\\anna",
        file_offset=8704,
    )
    failed = {
        **LOGON,
        "LogonType": "3",
        "IpAddress": "-",
        "Status": "0xc000006d",
        "SubStatus": "0xc000006a",
    }
    failed.pop("ProcessName")
    assert evtx_event(event_xml(SECURITY, 4625, failed, "2024-05-02 08:10:59.999+00:00")) == Event(
        "2024-05-02T08:10:59Z",
        "Logon failed",
        "Logon failed of DESKTOP-ANNA\\anna, type 3 (Network), from LAPTOP-EVE, "
        "status 0xc000006d/0xc000006a on DESKTOP-ANNA",
        user="DESKTOP-ANNA\\anna",
    )
    privileged = {
        "SubjectUserName": "anna",
        "SubjectDomainName": "DESKTOP-ANNA",
        "PrivilegeList": "x",
    }
    assert (
        evtx_event(event_xml(SECURITY, 4672, privileged, "2024-05-02 08:11:00+00:00")).user
        == "DESKTOP-ANNA\\anna"
    )
    start = evtx_event(event_xml("EventLog", 6005, {}, "2024-05-02 07:59:01.5+00:00"))
    assert start == Event("2024-05-02T07:59:01Z", "System start", "System start on DESKTOP-ANNA")
    shutdown = {
        "param1": "C:\\Windows\\System32\\shutdown.exe (DESKTOP-ANNA)",
        "param3": "No title for this reason could be found",
        "param5": "restart",
        "param7": "DESKTOP-ANNA\\anna",
    }
    assert evtx_event(event_xml("User32", 1074, shutdown, "2024-05-03 17:45:30+00:00")) == Event(
        "2024-05-03T17:45:30Z",
        "Shutdown requested",
        "restart requested by DESKTOP-ANNA\\anna, via C:\\Windows\\System32\\shutdown.exe "
        "(DESKTOP-ANNA), reason: No title for this reason could be found on DESKTOP-ANNA",
        user="DESKTOP-ANNA\\anna",
    )


def test_evtx_other_events_and_missing_times() -> None:
    assert evtx_event(event_xml(SECURITY, 4688, LOGON, "2024-05-02 08:11:00+00:00")) is None
    assert evtx_event(event_xml("Some-App", 6005, {}, "2024-05-02 08:11:00+00:00")) is None
    no_time = event_xml(SECURITY, 4634, LOGON, "garbage")
    assert evtx_event(no_time) is None
    fallback = evtx_event(no_time, 512, datetime(2024, 5, 2, 9, 0, tzinfo=UTC))
    assert (fallback.time, fallback.kind, fallback.file_offset) == (
        "2024-05-02T09:00:00Z",
        "Logoff",
        512,
    )


LOGON_FIELDS = ["SubjectUserName", "TargetUserName", "TargetDomainName", "LogonType", "IpAddress"]


def test_evtx_file_through_python_evtx(tmp_path: Path) -> None:
    computer = "DESKTOP-ANNA"
    security, offsets = evtx_file(
        [
            (
                event_template(LOGON_FIELDS),
                [SECURITY, 4624, T1, computer, "-", "anna", computer, "2", "127.0.0.1"],
            ),
            (None, [SECURITY, 4625, T2, computer, "-", "eve", computer, "3", "10.0.0.9"]),
            (None, [SECURITY, 4688, T2, computer, "-", "anna", computer, "0", "-"]),  # not kept
            (event_template([]), ["EventLog", 6005, T3, computer]),
        ]
    )
    sample = tmp_path / "0000321.bin"
    sample.write_bytes(security)
    assert run(parse_evtx, sample) == [
        Event(
            "2024-05-02T08:11:00Z",
            "Logon",
            "Logon of DESKTOP-ANNA\\anna, type 2 (Interactive), from 127.0.0.1 on DESKTOP-ANNA",
            user="DESKTOP-ANNA\\anna",
            file_offset=offsets[0],
        ),
        Event(
            "2024-05-03T17:45:30Z",
            "Logon failed",
            "Logon failed of DESKTOP-ANNA\\eve, type 3 (Network), from 10.0.0.9 on DESKTOP-ANNA",
            user="DESKTOP-ANNA\\eve",
            file_offset=offsets[1],
        ),
        Event(
            "2023-11-14T22:13:20Z",
            "System start",
            "System start on DESKTOP-ANNA",
            file_offset=offsets[3],
        ),
    ]
    assert claims("evtx", sample.name, security)
    damaged = bytearray(security)
    damaged[offsets[1] + 30 : offsets[1] + 60] = b"\xee" * 30  # inside record 2
    sample.write_bytes(bytes(damaged))
    kept = []
    with pytest.raises(ValueError, match="parts of the log unreadable"):
        for record in parse_evtx(sample):
            kept.append(record)
    assert [record.kind for record in kept] == ["Logon", "System start"]


def test_evtx_damaged_files(tmp_path: Path) -> None:
    header = bytearray(4096)
    header[:8] = b"ElfFile\x00"
    struct.pack_into("<QQQIHHHH", header, 8, 0, 0, 0, 128, 1, 3, 4096, 1)
    garbage = bytes(range(256)) * 255 + bytes(248)
    bad_chunk = tmp_path / "Security.evtx"
    bad_chunk.write_bytes(bytes(header) + b"ElfChnkX" + garbage)
    started = time.monotonic()
    with pytest.raises(ValueError, match="1 parts of the log unreadable; first: chunk 0: "):
        run(parse_evtx, bad_chunk)
    garbage_records = tmp_path / "System.evtx"
    garbage_records.write_bytes(bytes(header) + b"ElfChnk\x00" + garbage)
    assert run(parse_evtx, garbage_records) == []
    not_evtx = tmp_path / "fake.evtx"
    not_evtx.write_bytes(b"ElfFilX\x00" + bytes(5000))
    with pytest.raises(ValueError, match="not an EVTX file"):
        run(parse_evtx, not_evtx)
    empty = tmp_path / "empty.evtx"
    empty.write_bytes(b"")
    with pytest.raises(Exception):  # noqa: B017 - an empty file cannot even be mapped
        run(parse_evtx, empty)
    assert time.monotonic() - started < 5
    assert claims("evtx", "0001.bin", bytes(header))
    assert not claims("evtx", "system.evtx.txt", b"ElfChnk\x00" + bytes(100))


# --- Windows shortcuts and jump lists ----------------------------------------------------

TARGET = "C:\\Users\\anna\\Documents\\Bericht März.docx"
WHERE = f"{TARGET} (volume OS, serial 0x1234abcd, DRIVE_FIXED) on host desktop-anna"
LNK_META = {
    "target": TARGET,
    "arguments": "/safe",
    "working_directory": "C:\\Users\\anna\\Documents",
    "target_size": "18432",
    "volume_serial": "0x1234abcd",
    "volume_label": "OS",
    "drive_type": "DRIVE_FIXED",
    "machine_id": "desktop-anna",
    "droid_volume_id": "03020100-0504-0706-0809-0A0B0C0D0E0F",
    "droid_file_id": "13121110-1514-1716-1819-1A1B1C1D1E1F",
}


def test_lnk_target_times_volume_and_host(tmp_path: Path) -> None:
    sample = tmp_path / "Bericht März.docx.lnk"
    sample.write_bytes(shell_link(TARGET))
    assert run(parse_lnk, sample) == [
        Event(
            "2023-11-14T22:13:20Z",
            "Shortcut target created",
            f"Shortcut target created: {WHERE}",
            file_offset=0,
        ),
        Event(
            "2024-05-03T17:45:30Z",
            "Shortcut target accessed",
            f"Shortcut target accessed: {WHERE}",
            file_offset=0,
        ),
        Event(
            "2024-05-02T08:11:00Z",
            "Shortcut target modified",
            f"Shortcut target modified: {WHERE}",
            file_offset=0,
        ),
        Document(kind="lnk", title=TARGET, meta=LNK_META),
    ]


def network_link(share: str, suffix: str) -> bytes:
    """A link to a file on a share: LinkInfo with a CommonNetworkRelativeLink (MS-SHLLINK
    2.3.2: NetName at 0x14, provider WNNC_NET_LANMAN) and the path suffix after it."""
    net = share.encode() + b"\x00"
    relative = struct.pack("<IIIII", 0x14 + len(net), 2, 0x14, 0, 0x00020000) + net
    tail = suffix.encode() + b"\x00"
    info = struct.pack(
        "<IIIIIII", 0x1C + len(relative) + len(tail), 0x1C, 2, 0, 0, 0x1C, 0x1C + len(relative)
    )
    header = link_header(0x02 | 0x80, (None, None, T1), 10)  # LinkInfo, Unicode
    return header + info + relative + tail + struct.pack("<I", 0)


def test_lnk_to_a_network_share(tmp_path: Path) -> None:
    sample = tmp_path / "q1.lnk"
    sample.write_bytes(network_link("\\\\NAS\\share", "Reports\\q1.xlsx"))
    target = "\\\\NAS\\share\\Reports\\q1.xlsx"
    assert run(parse_lnk, sample) == [
        Event(
            "2024-05-02T08:11:00Z",
            "Shortcut target modified",
            f"Shortcut target modified: {target}",
            file_offset=0,
        ),
        Document(kind="lnk", title=target, meta={"target": target, "target_size": "10"}),
    ]


def test_lnk_without_tracker_or_times(tmp_path: Path) -> None:
    sample = tmp_path / "plain.lnk"
    sample.write_bytes(
        shell_link("D:\\setup.exe", label="USB", machine_id=None, times=(None, None, None))
    )
    records = run(parse_lnk, sample)
    assert len(records) == 1
    assert records[0].title == "D:\\setup.exe"
    assert "machine_id" not in records[0].meta
    assert records[0].meta["volume_label"] == "USB"


def test_lnk_damaged_and_sniff(tmp_path: Path) -> None:
    data = shell_link(TARGET)
    truncated = tmp_path / "truncated.lnk"
    truncated.write_bytes(data[:60])
    started = time.monotonic()
    with pytest.raises(ValueError, match="shell link cut short"):
        run(parse_lnk, truncated)
    cut = tmp_path / "cut.lnk"
    for size in (76, 100, 130, len(data) - 60):  # never a cut path as if it were whole
        cut.write_bytes(data[:size])
        with pytest.raises(ValueError, match="shell link cut short"):
            run(parse_lnk, cut)
    wrong = tmp_path / "wrong.lnk"
    wrong.write_bytes(b"L\x00\x00\x00" + bytes(200))
    with pytest.raises(ValueError, match="not a shell link"):
        run(parse_lnk, wrong)
    assert time.monotonic() - started < 5
    assert claims("lnk", "00000012345.bin", data)
    assert not claims("lnk", "notes.txt", b"L\x00\x00\x00 some text")


def test_automatic_destinations(tmp_path: Path) -> None:
    second = "C:\\Users\\anna\\Desktop\\plan.pdf"
    ole = compound_file(
        {
            "1": shell_link(TARGET),
            "2": shell_link(second, machine_id=None),
            "DestList": destlist(
                [(1, "desktop-anna", TARGET, T2, -1), (2, "desktop-anna", second, T1, 0)]
            ),
        }
    )
    sample = tmp_path / "5f7b5f1e01b83767.automaticDestinations-ms"
    sample.write_bytes(ole)
    records = run(parse_jumplist, sample)
    assert records[:2] == [
        Event(
            "2024-05-03T17:45:30Z",
            "Jump list entry modified",
            f"Jump list entry modified: {TARGET} (entry 1, host desktop-anna)",
        ),
        Event(
            "2024-05-02T08:11:00Z",
            "Jump list entry modified",
            f"Jump list entry modified: {second} (entry 2, host desktop-anna, pinned)",
        ),
    ]
    documents = [record for record in records if isinstance(record, Document)]
    assert documents[0].meta == {
        **LNK_META,
        "jumplist_app_id": "5f7b5f1e01b83767",
        "jumplist_entry": "1",
        "destlist_path": TARGET,
        "destlist_host": "desktop-anna",
        "destlist_modified": "2024-05-03T17:45:30Z",
        "destlist_pinned": "no",
    }
    assert documents[1].title == second and documents[1].meta["destlist_pinned"] == "yes"
    assert len([record for record in records if isinstance(record, Event)]) == 2 + 6
    assert claims(
        "jumplist",
        "users/anna/appdata/roaming/microsoft/windows/recent/automaticdestinations/"
        + sample.name.lower(),
        ole,
    )


def test_custom_destinations_and_damage(tmp_path: Path) -> None:
    links = [shell_link(TARGET), shell_link("C:\\Tools\\putty.exe", machine_id=None)]
    body = struct.pack("<III", 2, 1, 0) + struct.pack("<II", 2, len(links))
    offsets = []
    for link in links:
        body += LNK_CLSID
        offsets.append(len(body))
        body += link
    body += struct.pack("<I", 0xBABFFBAB)
    sample = tmp_path / "9b9cdc69c1c24e2b.customDestinations-ms"
    sample.write_bytes(body)
    records = run(parse_jumplist, sample)
    documents = [record for record in records if isinstance(record, Document)]
    assert [document.title for document in documents] == [TARGET, "C:\\Tools\\putty.exe"]
    assert [record.file_offset for record in records if isinstance(record, Event)] == [
        offsets[0]
    ] * 3 + [offsets[1]] * 3
    assert documents[0].meta["jumplist_app_id"] == "9b9cdc69c1c24e2b"
    broken = tmp_path / "broken.customDestinations-ms"
    broken.write_bytes(body[: offsets[1] + 30])
    kept = []
    with pytest.raises(ValueError, match="1 jump list entries unreadable"):
        for record in parse_jumplist(broken):
            kept.append(record)
    assert [record.title for record in kept if isinstance(record, Document)] == [TARGET]
    damaged_ole = tmp_path / "damaged.automaticDestinations-ms"
    damaged_ole.write_bytes(compound_file({"1": shell_link(TARGET)})[:1024])
    with pytest.raises(Exception):  # noqa: B017 - olefile refuses the cut file
        run(parse_jumplist, damaged_ole)


# --- Linux accounts ----------------------------------------------------------------------

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:110:65534::/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
anna:x:1000:1000:Anna Berg,,,:/home/anna:/bin/bash
backup-svc:x:1001:1001::/home/backup-svc:/usr/sbin/nologin
"""
SHADOW = """root:!:19675:0:99999:7:::
anna:$y$j9T$abcdefghijklmnopqrstuv$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcde:19846:0:99999:7:::
sshd:*:0:0:99999:7:::
"""


def test_passwd_accounts(tmp_path: Path) -> None:
    sample = tmp_path / "passwd"
    sample.write_text(PASSWD)
    offset = PASSWD.index("anna:")
    assert run(parse_accounts_file, sample) == [
        Account("linux", "root", "root", file_offset=0),
        Account("linux", "anna", "Anna Berg", file_offset=offset),
        Account("linux", "backup-svc", None, file_offset=PASSWD.index("backup-svc:")),
    ]


def test_shadow_gives_names_and_days_never_hashes(tmp_path: Path) -> None:
    sample = tmp_path / "shadow"
    sample.write_text(SHADOW)
    records = run(parse_accounts_file, sample)
    assert records == [
        Event(
            "2023-11-14T00:00:00Z",
            "Password changed",
            "Password last changed: root",
            user="root",
            file_offset=0,
        ),
        Event(
            "2024-05-03T00:00:00Z",
            "Password changed",
            "Password last changed: anna",
            user="anna",
            file_offset=SHADOW.index("anna:"),
        ),
    ]
    assert "$y$" not in repr(records)


def test_passwd_sniff_and_hostile_text(tmp_path: Path) -> None:
    assert claims("linux-passwd", "etc/passwd", b"")
    assert claims("linux-passwd", "0000777.txt", PASSWD.encode())
    assert claims("linux-passwd", "0000778.txt", SHADOW.encode())
    assert not claims("linux-passwd", "notes.txt", b"a:b:c\nhello world\n")
    assert not claims("linux-passwd", "one.txt", b"root:x:0:0:root:/root:/bin/bash\n")
    assert not claims("linux-passwd", "x.csv", b"a:x:1:1:a:/a:/bin/sh\nplain text line\n")
    odd = tmp_path / "passwd"
    odd.write_bytes(
        b"\xffbad:x:1002:1002:J\xf6rg:/home/j:/bin/zsh\nbroken line\nx:x:y:1::/:/bin/sh\n"
    )
    assert run(parse_accounts_file, odd) == [
        Account("linux", "\ufffdbad", "J\ufffdrg", file_offset=0)
    ]


# --- Shell histories ---------------------------------------------------------------------


def test_bash_history_with_and_without_times(tmp_path: Path) -> None:
    text = "ls -la\n#1714637460\ncd /tmp\n#1714637470\nprintf '\\101\\040'\n"
    text += "for f in *; do echo $f; done\n"
    sample = tmp_path / "bash_history"
    sample.write_text(text)
    assert run(parse_shell_history, sample) == [
        Event("2024-05-02T08:11:00Z", "Command", "cd /tmp", file_offset=text.index("#1714637460")),
        Event(
            "2024-05-02T08:11:10Z",
            "Command",
            "printf '\\101\\040'",  # octal escapes are kept: only libedit files use them
            file_offset=text.index("#1714637470"),
        ),
        Document(
            kind="shell-history",
            title="bash",
            text="ls -la\ncd /tmp\nprintf '\\101\\040'\nfor f in *; do echo $f; done",
            meta={"shell": "bash"},
        ),
    ]


def zsh_metafy(text: str) -> bytes:
    out = bytearray()
    for byte in text.encode():
        out += bytes([0x83, byte ^ 0x20]) if byte >= 0x83 else bytes([byte])
    return bytes(out)


def test_zsh_extended_history_unmetafied(tmp_path: Path) -> None:
    data = b": 1714637460:0;echo hi\n" + zsh_metafy(": 1714637470:2;grep Größe notes.txt\n")
    data += b": 1714637480:0;cat <<EOF\\\nline two\\\nEOF\n"
    sample = tmp_path / "zsh_history"
    sample.write_bytes(data)
    records = run(parse_shell_history, sample)
    assert [(record.time, record.description) for record in records[:3]] == [
        ("2024-05-02T08:11:00Z", "echo hi"),
        ("2024-05-02T08:11:10Z", "grep Größe notes.txt"),
        ("2024-05-02T08:11:20Z", "cat <<EOF\nline two\nEOF"),
    ]
    assert records[3].title == "zsh" and records[3].text.count("\n") == 4
    assert claims("shell-history", "0000099.txt", data)


def test_fish_python_and_powershell_histories(tmp_path: Path) -> None:
    fish = (
        "- cmd: echo one\\ntwo\n  when: 1714637460\n"
        "- cmd: ssh anna@nas\n  when: 1714637470\n  paths:\n    - anna@nas\n"
    )
    sample = tmp_path / "fish_history"
    sample.write_text(fish)
    records = run(parse_shell_history, sample)
    assert [(r.time, r.description, r.file_offset) for r in records[:2]] == [
        ("2024-05-02T08:11:00Z", "echo one\ntwo", 0),
        ("2024-05-02T08:11:10Z", "ssh anna@nas", fish.index("- cmd: ssh")),
    ]
    assert records[2] == Document(
        kind="shell-history",
        title="fish",
        text="echo one\ntwo\nssh anna@nas",
        meta={"shell": "fish"},
    )
    python = tmp_path / "python_history"
    python.write_text("_HiStOrY_V2_\nimport\\040os\nos.listdir()\n")
    assert run(parse_shell_history, python) == [
        Document(
            kind="shell-history",
            title="python",
            text="import os\nos.listdir()",
            meta={"shell": "python"},
        )
    ]
    powershell = tmp_path / "ConsoleHost_history.txt"
    powershell.write_bytes(
        b"\xef\xbb\xbfGet-Process\r\nInvoke-WebRequest http://x.example/a.ps1\r\n"
    )
    assert (
        run(parse_shell_history, powershell)[0].text
        == "Get-Process\nInvoke-WebRequest http://x.example/a.ps1"
    )
    assert claims(
        "shell-history",
        "users/anna/appdata/roaming/microsoft/windows/powershell/psreadline/consolehost_history.txt",
        b"",
    )
    assert claims("shell-history", "home/anna/.local/share/fish/fish_history", b"")
    assert claims("shell-history", "000123.txt", fish.encode())


def test_history_sniff_and_hostile_input(tmp_path: Path) -> None:
    assert claims("shell-history", "home/anna/.bash_history", b"ls\n")
    assert claims("shell-history", "0001.txt", b"#1714637460\nls\n#1714637470\npwd\n")
    assert not claims("shell-history", "0002.txt", b"#1714637460\nls\n")
    assert not claims("shell-history", "readme.md", b"# Title\n\nSome text: here\n")
    assert not claims("shell-history", "0003.txt", b": not zsh\n: neither\n")
    binary = tmp_path / "bash_history"
    binary.write_bytes(bytes(range(256)) * 4096)  # 1 MiB, a few "lines", invalid UTF-8
    started = time.monotonic()
    records = run(parse_shell_history, binary)
    assert time.monotonic() - started < 5
    assert [type(record) for record in records] == [Document]
    empty = tmp_path / "zsh_history"
    empty.write_bytes(b"")
    assert run(parse_shell_history, empty) == []


# --- Linux settings ----------------------------------------------------------------------


def test_localtime_named_from_the_zone_database(tmp_path: Path) -> None:
    berlin = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not berlin.is_file():
        pytest.skip("no zone database on this machine")
    sample = tmp_path / "localtime"
    shutil.copyfile(berlin, sample)
    assert run(parse_linux_settings, sample) == [
        Document(kind="system-settings", meta={"timezone": "Europe/Berlin"})
    ]
    other = tmp_path / "localtime-other"
    data = berlin.read_bytes()
    other.write_bytes(data[:-40] + b"\x00" * 4 + data[-36:])  # another tzdata release's bytes
    assert run(parse_linux_settings, other) == [
        Document(
            kind="system-settings",
            meta={
                "localtime": "TZif, zone not identified",
                "timezone_rule": "CET-1CEST,M3.5.0,M10.5.0/3",
            },
        )
    ]


def test_timezone_locale_and_hostname_files(tmp_path: Path) -> None:
    files = {
        "timezone": ("Europe/Vienna\n", {"timezone": "Europe/Vienna"}),
        "locale": (
            '#  File generated by update-locale\nLANG="de_AT.UTF-8"\n',
            {"locale": "de_AT.UTF-8"},
        ),
        "locale.conf": ("LANG=en_GB.UTF-8\nLC_TIME=de_DE.UTF-8\n", {"locale": "en_GB.UTF-8"}),
        "hostname": ("suspect-pc\n", {"hostname": "suspect-pc"}),
    }
    for name, (text, meta) in files.items():
        sample = tmp_path / name
        sample.write_text(text)
        assert run(parse_linux_settings, sample) == [Document(kind="system-settings", meta=meta)]
    junk = tmp_path / "hostname"
    junk.write_bytes(b"\xff\xfe not a host name \x00\n second line\n")
    assert run(parse_linux_settings, junk) == []
    for path in (
        "etc/timezone",
        "etc/localtime",
        "etc/default/locale",
        "etc/locale.conf",
        "etc/hostname",
    ):
        assert claims("linux-settings", path, b"")
    assert not claims("linux-settings", "home/anna/hostname.txt", b"suspect-pc\n")


@pytest.mark.parametrize("build", [sam_hive, software_hive, system_hive, ntuser_hive])
def test_sample_hives_read_the_same_by_an_independent_implementation(build, tmp_path: Path):
    """No Windows here writes hives, so the samples come from a writer in this file. hivex
    (libguestfs's registry library, which writes real Windows hives for virt tools) must read
    every key and value of them as regipy does: a writer bug would show as a disagreement."""
    from regipy.registry import RegistryHive

    sample = tmp_path / "hive"
    sample.write_bytes(build())
    xml = subprocess.run(["hivexml", str(sample)], capture_output=True, check=True).stdout
    theirs = {
        (tuple(path), value.get("key") or "(default)")
        for path, value in _hivex_values(ET.fromstring(xml).find("node"), [])
    }
    ours = {
        (tuple(key.path.strip("\\").split("\\")) if key.path.strip("\\") else (), value.name)
        for key in RegistryHive(str(sample)).recurse_subkeys(as_json=False)
        for value in key.values
    }
    assert theirs and theirs == ours


def _hivex_values(node: ET.Element, path: list[str]):
    for value in node.findall("value"):
        yield path, value
    for child in node.findall("node"):
        yield from _hivex_values(child, [*path, child.get("name")])
