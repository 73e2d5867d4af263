"""Operating-system artifacts: who used the machine, when, and with which settings.

Windows keeps this in registry hives (local accounts, user profiles, the install date, USB
storage devices, time zone, locale and host name, recent documents, typed paths and URLs, Run
commands, Microsoft account e-mail), in event logs (logons, starts and shutdowns), and in
shortcuts and jump lists (files opened, with the volume and host they lived on). Linux keeps
it in plain files: passwd/shadow, shell histories and the /etc settings. These answer the
questions every case asks first (whose device, which accounts, which removable media, and in
which time zone and country its clocks and national phone numbers are read), so every format
that has a signature is recognised by content, wherever the file now lies.
"""

from __future__ import annotations

import hashlib
import locale
import re
import struct
import warnings
import xml.etree.ElementTree as ElementTree
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import olefile
from Evtx.Evtx import ChunkHeader, Evtx
from Evtx.Evtx import Record as EvtxRecord
from Evtx.Nodes import UnsignedWordTypeNode as UInt16Node
from LnkParse3.extra.distributed_tracker import DistributedTracker
from LnkParse3.info.local import Local
from LnkParse3.info.network import Network
from LnkParse3.lnk_file import LnkFile
from regipy.exceptions import NoRegistrySubkeysException, RegistryKeyNotFoundException
from regipy.plugins.ntuser.recentdocs import parse_mru_value
from regipy.plugins.sam.samparse import SAMParsePlugin
from regipy.registry import NKRecord, RegistryHive
from regipy.utils import convert_wintime

from crossdrive.artifacts.common import iso_utc
from crossdrive.artifacts.records import Account, Document, Event, Parser, Record

T = TypeVar("T")
MAX_LINE = 1024 * 1024  # one line of a text file; longer ones are cut into pieces
MAX_SMALL_FILE = 4 * 1024 * 1024  # a shortcut or a settings file is never near this
MAX_JUMPLIST = 64 * 1024 * 1024


class PartlyUnreadableError(ValueError):
    """Some parts of a file could not be read; the records of the other parts were kept."""


class Skipped:
    """Parts of a file that failed to parse. The parser goes on with the rest and calls
    `check` at the end: the records already yielded stay stored and the stage still records
    the damage. A time limit or memory failure is never swallowed."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.count = 0
        self.first = ""

    def note(self, where: object, exc: Exception) -> None:
        if isinstance(exc, TimeoutError | MemoryError):
            raise exc
        self.count += 1
        self.first = self.first or f"{where}: {type(exc).__name__}: {exc}"

    def check(self) -> None:
        if self.count:
            raise PartlyUnreadableError(f"{self.count} {self.what} unreadable; first: {self.first}")


def _safe(call: Callable[[], T]) -> T | None:
    """`call()`, or None when the structure it reads is damaged."""
    try:
        return call()
    except (struct.error, IndexError, ValueError, TypeError, UnicodeError, AttributeError):
        return None


def _filetime(value: object) -> str | None:
    """A Windows FILETIME (100 ns since 1601), as an int, 8 little-endian bytes or a datetime
    already converted by a library."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, bytes) and len(value) == 8:
        value = int.from_bytes(value, "little")
    if isinstance(value, int) and not isinstance(value, bool):
        return iso_utc(value // 10, "webkit")
    return None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of a text file, streamed; a line never exceeds MAX_LINE bytes."""
    offset = 0
    with open(path, "rb") as handle:
        while line := handle.readline(MAX_LINE):
            yield offset, line
            offset += len(line)


# --- Windows registry --------------------------------------------------------------------

HIVE_MAGIC = b"regf"
KEY_MISSING = (RegistryKeyNotFoundException, NoRegistrySubkeysException)
SAM_USERS = r"\SAM\Domains\Account\Users"
CURRENT_VERSION = r"\Microsoft\Windows NT\CurrentVersion"
PROFILE_LIST = CURRENT_VERSION + r"\ProfileList"
USER_SIDS = ("S-1-5-21-", "S-1-12-1-")  # local and domain users, Azure AD users
EXPLORER = r"\Software\Microsoft\Windows\CurrentVersion\Explorer"
SAM_TIMES = (
    ("last_login", "Last logon"),
    ("last_failed_login", "Last failed logon"),
    ("password_last_set", "Password last set"),
)
DEVICE_TIMES = "{83da6326-97a6-4088-9453-a1923f573b29}"  # device property set of PnP times
USB_TIMES = (
    ("0064", "USB device first installed"),
    ("0065", "USB device installed"),
    ("0066", "USB device connected"),
    ("0067", "USB device removed"),
)


def _is_hive(head: bytes, _name: str) -> bool:
    """A primary hive: "regf", file type 0 (transaction logs .LOG1/.LOG2 carry other types
    and no hive bins), and the first hive bin right after the 4 KiB base block."""
    if len(head) < 32 or not head.startswith(HIVE_MAGIC):
        return False
    if struct.unpack_from("<I", head, 28)[0] != 0:
        return False
    return len(head) < 4100 or head[4096:4100] == b"hbin"


def parse_registry(path: Path) -> Iterator[Record]:
    """Every area below that the hive holds, whatever its file name (a hive is recognised by
    its keys, not by its name): SAM `SAM\\Domains\\Account\\Users` (V and F values), SOFTWARE
    `ProfileList` and `Windows NT\\CurrentVersion` (InstallDate: Unix seconds), SYSTEM
    `Enum\\USBSTOR`, `TimeZoneInformation`, `Nls\\Language`, `ComputerName` in the current
    control set, NTUSER.DAT `RecentDocs`, `TypedPaths`, `TypedURLs`(+`Time`), `RunMRU`,
    `Control Panel\\International` and Microsoft account keys. Key times are the keys'
    last-written FILETIMEs. A damaged area is skipped and reported after the others."""
    hive = RegistryHive(str(path))
    skipped = Skipped("registry areas")
    for area in HIVE_AREAS:
        try:
            yield from area(hive)
        except Exception as exc:  # a damaged area: the others are still read
            skipped.note(area.__name__, exc)
    skipped.check()


def _key(hive: RegistryHive, key_path: str) -> NKRecord | None:
    try:
        return hive.get_key(key_path)
    except KEY_MISSING:
        return None


def _child(key: NKRecord | None, *names: str) -> NKRecord | None:
    for name in names:
        if key is None or not key.subkey_count:
            return None
        key = key.get_subkey(name, raise_on_missing=False)
    return key


def _subkeys(key: NKRecord | None) -> list[NKRecord]:
    return list(key.iter_subkeys()) if key is not None and key.subkey_count else []


def _values(key: NKRecord | None) -> dict[str, object]:
    """A key's values by lower-case name, untrimmed (regipy cuts values at 256 characters
    unless told not to); the unnamed value is "(default)"."""
    if key is None or not key.values_count:
        return {}
    return {value.name.lower(): value.value for value in key.iter_values(trim_values=False)}


def _text(value: object) -> str | None:
    """A string value up to its first NUL (REG_SZ data that regipy left as bytes included)."""
    if isinstance(value, bytes):
        value = value.decode("utf-16-le", "replace")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    return value.split("\x00", 1)[0].strip() or None


def _written(key: NKRecord) -> str | None:
    return iso_utc(convert_wintime(key.header.last_modified))


def _sam_accounts(hive: RegistryHive) -> Iterator[Record]:
    """Local accounts: user name and full name from the V value, last logon, last failed
    logon and password change from the F value, both decoded by regipy's samparse."""
    decoder = SAMParsePlugin(hive)
    for user_key in _subkeys(_key(hive, SAM_USERS)):
        if user_key.name.lower() != "names":
            yield from _sam_user(decoder, user_key)


def _sam_user(decoder: SAMParsePlugin, user_key: NKRecord) -> Iterator[Record]:
    values, entry = _values(user_key), {}
    for name, decode in (("f", decoder._parse_f_value), ("v", decoder._parse_v_value)):
        if isinstance(values.get(name), bytes):
            decode(values[name], entry)
    user = (entry.get("username") or "").strip()
    if not user:
        return
    yield Account("windows", user, (entry.get("full_name") or "").strip() or None)
    rid = _safe(lambda: int(user_key.name, 16))
    for field, kind in SAM_TIMES:
        stamp = entry.get(field)
        time = _safe(lambda stamp=stamp: iso_utc(datetime.fromisoformat(stamp)))
        if time:
            details = [f"RID {rid}"] if rid is not None else []
            if field == "last_login" and entry.get("login_count"):
                details.append(f"{entry['login_count']} logons")
            about = f" ({', '.join(details)})" if details else ""
            yield Event(time, kind, f"{kind}: Windows account {user}{about}", user=user)


def _profiles(hive: RegistryHive) -> Iterator[Record]:
    """User profiles (SID → ProfileImagePath): the folder's name is the user's name. A
    profile Windows could not load is kept twice (SID and SID.bak): it is one account."""
    names: list[str] = []
    for profile in _subkeys(_key(hive, PROFILE_LIST)):
        folder = _text(_values(profile).get("profileimagepath"))
        if folder and profile.name.upper().startswith(USER_SIDS):
            name = re.split(r"[\\/]", folder.rstrip("\\/"))[-1]
            names += [name] if name not in names else []
    for name in names:
        yield Account("windows-profile", name)


def _windows_install(hive: RegistryHive) -> Iterator[Record]:
    """The installation time (InstallDate, Unix seconds; feature upgrades renew it), with
    the product, build and registered owner."""
    values = _values(_key(hive, CURRENT_VERSION))
    installed = values.get("installdate")
    time = iso_utc(installed) if isinstance(installed, int) else None
    if time is None:
        return
    parts = [f"{_text(values.get('productname')) or 'Windows'} installed"]
    for name, label in (
        ("currentbuild", "build"),
        ("registeredowner", "registered owner"),
        ("registeredorganization", "organisation"),
    ):
        if value := _text(values.get(name)):
            parts.append(f"{label} {value}")
    yield Event(time, "Windows installed", ", ".join(parts))


def _control_set(hive: RegistryHive) -> str | None:
    """The control set the machine last booted with (Select\\Current), else the first one."""
    current = _values(_key(hive, r"\Select")).get("current")
    names = [f"ControlSet{current:03d}"] if isinstance(current, int) else []
    for name in (*names, "ControlSet001", "ControlSet002"):
        if _key(hive, "\\" + name) is not None:
            return "\\" + name
    return None


def _system_settings(hive: RegistryHive) -> Iterator[Record]:
    """Time zone (TimeZoneKeyName, else StandardName; Bias in minutes west of UTC), system
    locale (Nls\\Language Default, an LCID) and computer name."""
    root = _control_set(hive)
    if root is None:
        return
    meta: dict[str, str] = {}
    zone = _values(_key(hive, rf"{root}\Control\TimeZoneInformation"))
    if name := _text(zone.get("timezonekeyname")) or _text(zone.get("standardname")):
        meta["timezone"] = name
    if isinstance(bias := zone.get("bias"), int):
        minutes = -(bias - (1 << 32) if bias & 0x80000000 else bias)
        meta["utc_offset"] = (
            f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        )
    if lcid := _text(_values(_key(hive, rf"{root}\Control\Nls\Language")).get("default")):
        meta["lcid"] = lcid
        if name := _safe(lambda: locale.windows_locale.get(int(lcid, 16))):
            meta["locale"] = name
    host = _values(_key(hive, rf"{root}\Control\ComputerName\ComputerName"))
    if name := _text(host.get("computername")):
        meta["hostname"] = name
    if meta:
        yield Document(kind="system-settings", meta=meta)


def _usb_devices(hive: RegistryHive) -> Iterator[Record]:
    """USB mass-storage devices (Enum\\USBSTOR\\Disk&Ven_…&Prod_…&Rev_…\\serial): the serial
    key's last-written time, and the install/arrival/removal times of its device properties
    (Windows 7: …\\0064\\00000000 "Data"; later: …\\0064 default value)."""
    root = _control_set(hive)
    for device in _subkeys(_key(hive, rf"{root}\Enum\USBSTOR") if root else None):
        ids = dict(part.split("_", 1) for part in device.name.split("&") if "_" in part)
        for instance in _subkeys(device):
            friendly = _text(_values(instance).get("friendlyname"))
            label = " ".join(
                part
                for part in (ids.get("Ven"), ids.get("Prod"), f"serial {instance.name}")
                if part
            )
            description = f"USB {label}" + (f" ({friendly})" if friendly else "")
            if written := _written(instance):
                yield Event(written, "USB device key written", description)
            for code, kind in USB_TIMES:
                if time := _device_time(instance, code):
                    yield Event(time, kind, description)


def _device_time(instance: NKRecord, code: str) -> str | None:
    prop = _child(instance, "Properties", DEVICE_TIMES, code)
    values = _values(prop)
    value = values.get("(default)") or _values(_child(prop, "00000000")).get("data")
    return _filetime(value)


def _recent_docs(hive: RegistryHive) -> Iterator[Record]:
    """RecentDocs: document names in MRUListEx order; the key's last-written time is when its
    first (most recent) entry was opened. One event per list (all, and per extension)."""
    root = _key(hive, rf"{EXPLORER}\RecentDocs")
    if root is None:
        return
    names = _mru_ex(root)
    if names:
        yield from _most_recent(root, "Recent document", f"RecentDocs: {names[0]}")
        yield Document(kind="windows-mru", title="RecentDocs", text="\n".join(names))
    for extension in _subkeys(root):
        listed = _mru_ex(extension)
        if listed and (not names or listed[0] != names[0]):
            description = f"RecentDocs {extension.name}: {listed[0]}"
            yield from _most_recent(extension, "Recent document", description)


def _mru_ex(key: NKRecord) -> list[str]:
    values = _values(key)
    entries = {
        int(name): parse_mru_value(data)
        for name, data in values.items()
        if name.isdigit() and isinstance(data, bytes)
    }
    order = values.get("mrulistex")
    if isinstance(order, bytes):
        indexes = [index for (index,) in struct.iter_unpack("<i", order[: len(order) // 4 * 4])]
        indexes = indexes[: indexes.index(-1)] if -1 in indexes else indexes
    else:
        indexes = sorted(entries)
    return [entries[index] for index in indexes if entries.get(index)]


def _most_recent(
    key: NKRecord, kind: str, description: str, url: str | None = None
) -> Iterator[Event]:
    if time := _written(key):
        yield Event(time, kind, description, url=url)


def _typed(hive: RegistryHive) -> Iterator[Record]:
    """TypedPaths and TypedURLs (url1 is the most recent, typed at the key's last-written
    time); TypedURLsTime (Windows 8+) gives every URL its own FILETIME."""
    for name, kind, is_url in (
        ("TypedPaths", "Typed path", False),
        ("TypedURLs", "Typed URL", True),
    ):
        parent = r"\Software\Microsoft\Internet Explorer" if is_url else EXPLORER
        key = _key(hive, rf"{parent}\{name}")
        values = _values(key)
        typed = sorted(
            (int(value_name[3:]), text)
            for value_name, value in values.items()
            if value_name[:3] == "url" and value_name[3:].isdigit() and (text := _text(value))
        )
        if not typed:
            continue
        yield Document(kind="windows-mru", title=name, text="\n".join(text for _, text in typed))
        times = _values(_key(hive, rf"{parent}\{name}Time")) if is_url else {}
        for number, text in typed:
            url = text if is_url else None
            if time := _filetime(times.get(f"url{number}")):
                yield Event(time, kind, f"{kind}: {text}", url=url)
            elif number == typed[0][0]:
                yield from _most_recent(key, kind, f"{kind}: {text}", url)


def _run_mru(hive: RegistryHive) -> Iterator[Record]:
    """RunMRU: commands typed in the Run dialog, in MRUList order (letters); the first was
    run at the key's last-written time. Windows ends each command with a literal "\\1"."""
    key = _key(hive, rf"{EXPLORER}\RunMRU")
    values = _values(key)
    order = _text(values.get("mrulist")) or ""
    commands = [_text(values.get(letter.lower())) for letter in order]
    commands = [
        command[:-2] if command.endswith("\\1") else command for command in commands if command
    ]
    if commands:
        yield Document(kind="windows-mru", title="RunMRU", text="\n".join(commands))
        yield from _most_recent(key, "Run command", f"Run command: {commands[0]}")


def _user_settings(hive: RegistryHive) -> Iterator[Record]:
    """The user's regional settings: locale name, country and its calling code (iCountry),
    which national phone numbers are read with."""
    values = _values(_key(hive, r"\Control Panel\International"))
    names = (("localename", "locale"), ("scountry", "country"), ("icountry", "calling_code"))
    meta = {field: text for name, field in names if (text := _text(values.get(name)))}
    if meta:
        yield Document(kind="system-settings", meta=meta)


def _user_accounts(hive: RegistryHive) -> Iterator[Record]:
    """The user's Microsoft account (IdentityCRL), Office identities and OneDrive accounts."""
    seen: set[tuple[str, str]] = set()
    found = [
        Account("microsoft-account", key.name)
        for key in _subkeys(_key(hive, r"\Software\Microsoft\IdentityCRL\UserExtendedProperties"))
    ]
    for version in _subkeys(_key(hive, r"\Software\Microsoft\Office")):
        for identity in _subkeys(_child(version, "Common", "Identity", "Identities")):
            values = _values(identity)
            if email := _text(values.get("emailaddress")):
                found.append(Account("microsoft-office", email, _text(values.get("friendlyname"))))
    for account in _subkeys(_key(hive, r"\Software\Microsoft\OneDrive\Accounts")):
        if email := _text(_values(account).get("useremail")):
            found.append(Account("onedrive", email))
    for account in found:
        if "@" in account.identifier and (account.service, account.identifier) not in seen:
            seen.add((account.service, account.identifier))
            yield account


HIVE_AREAS: tuple[Callable[[RegistryHive], Iterator[Record]], ...] = (
    _sam_accounts,
    _profiles,
    _windows_install,
    _system_settings,
    _usb_devices,
    _recent_docs,
    _typed,
    _run_mru,
    _user_settings,
    _user_accounts,
)


# --- Windows event logs ------------------------------------------------------------------

EVTX_MAGIC = b"ElfFile\x00"
RECORD_MAGIC = 0x00002A2A
MAX_RECORD_FAILURES = 8
EVENT_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
SECURITY = "Microsoft-Windows-Security-Auditing"
EVTX_KINDS = {
    (SECURITY, 4624): "Logon",
    (SECURITY, 4625): "Logon failed",
    (SECURITY, 4634): "Logoff",
    (SECURITY, 4647): "Logoff requested",
    (SECURITY, 4648): "Logon with explicit credentials",
    (SECURITY, 4672): "Privileged logon",
    ("EventLog", 6005): "System start",
    ("EventLog", 6006): "System shutdown",
    ("EventLog", 6008): "Unexpected shutdown",
    ("User32", 1074): "Shutdown requested",
}
EVTX_IDS = {event_id for _provider, event_id in EVTX_KINDS}
LOGON_TYPES = {
    2: "Interactive",
    3: "Network",
    4: "Batch",
    5: "Service",
    7: "Unlock",
    8: "NetworkCleartext",
    9: "NewCredentials",
    10: "RemoteInteractive",
    11: "CachedInteractive",
    12: "CachedRemoteInteractive",
    13: "CachedUnlock",
}


def _is_evtx(head: bytes, _name: str) -> bool:
    return head.startswith(EVTX_MAGIC)


def parse_evtx(path: Path) -> Iterator[Record]:
    """Security logons and logoffs (4624, 4625, 4634, 4647, 4648, 4672) and System starts
    and shutdowns (EventLog 6005, 6006, 6008; User32 1074) from any .evtx, by provider and
    event id. Time: TimeCreated/@SystemTime (UTC), else the record header's FILETIME. Records
    of the declared chunks are read; a damaged record or chunk is skipped and reported."""
    skipped = Skipped("parts of the log")
    with Evtx(str(path)) as log:
        header = log.get_file_header()
        if not header.check_magic():
            raise ValueError("not an EVTX file (bad file header)")
        for number, chunk in enumerate(header.chunks()):
            try:
                yield from _chunk_events(chunk, skipped)
            except Exception as exc:  # a damaged chunk: its later records are lost
                skipped.note(f"chunk {number}", exc)
    skipped.check()


def _chunk_events(chunk: ChunkHeader, skipped: Skipped) -> Iterator[Event]:
    """The kept events of one chunk. Records share the chunk's templates: when a template is
    damaged every record using it fails slowly, so the chunk is given up after a run of
    failures rather than spending the file's time limit on it."""
    if not chunk.check_magic():
        raise ValueError("bad chunk signature")
    failures = 0
    for record in chunk.records():
        if record.magic() != RECORD_MAGIC:  # the chain of record sizes broke
            raise ValueError(f"no record signature at {record.offset()}")
        try:
            if not _may_keep(record):
                continue
            event = evtx_event(record.xml(), record.offset(), record.timestamp())
        except Exception as exc:  # one damaged record
            skipped.note(f"record at {record.offset()}", exc)
            failures += 1
            if failures == MAX_RECORD_FAILURES:
                raise ValueError(f"{failures} unreadable records in a row") from exc
            continue
        failures = 0
        if event is not None:
            yield event


def _may_keep(record: EvtxRecord) -> bool:
    """Whether a record may be one of the kept events, from its substitution values alone:
    Windows substitutes the EventID (a UInt16) into its templates, and rendering a record's
    XML costs twenty times more than reading them. Without any UInt16 value, render it."""
    words = [sub.word() for sub in record.root().substitutions() if isinstance(sub, UInt16Node)]
    return not words or any(word in EVTX_IDS for word in words)


def evtx_event(
    xml: str, offset: int | None = None, fallback: datetime | None = None
) -> Event | None:
    """The Event of one record's XML (as python-evtx renders it), or None for the events
    this parser does not keep."""
    root = ElementTree.fromstring(xml)
    system = root.find(f"{EVENT_NS}System")
    if system is None:
        return None
    provider = system.find(f"{EVENT_NS}Provider")
    event_id = _safe(lambda: int((system.findtext(f"{EVENT_NS}EventID") or "").strip()))
    kind = EVTX_KINDS.get((provider.get("Name") if provider is not None else None, event_id))
    if kind is None:
        return None
    created = system.find(f"{EVENT_NS}TimeCreated")
    stamp = created.get("SystemTime") if created is not None else None
    time = _safe(lambda: iso_utc(datetime.fromisoformat(stamp))) or iso_utc(fallback)
    if time is None:
        return None
    data = {
        item.get("Name") or f"#{index}": (item.text or "").strip()
        for index, item in enumerate(root.iterfind(f"{EVENT_NS}EventData/{EVENT_NS}Data"))
    }
    computer = (system.findtext(f"{EVENT_NS}Computer") or "").strip() or None
    user, description = _describe_event(event_id, kind, data, computer)
    return Event(time, kind, description, user=user, file_offset=offset)


def _field(data: dict[str, str], name: str) -> str | None:
    value = data.get(name)
    return value if value and value != "-" else None


def _account_of(data: dict[str, str], role: str) -> str | None:
    """DOMAIN\\name of the Subject or Target account of a security event."""
    name, domain = _field(data, f"{role}UserName"), _field(data, f"{role}DomainName")
    return f"{domain}\\{name}" if name and domain else name


def _describe_event(
    event_id: int | None, kind: str, data: dict[str, str], computer: str | None
) -> tuple[str | None, str]:
    """(user, description) of a kept event."""
    host = f" on {computer}" if computer else ""
    if event_id in (6005, 6006, 6008):
        when = " ".join(
            value for key, value in sorted(data.items()) if key.startswith("#") and value
        )
        details = f" (previous shutdown {when})" if event_id == 6008 and when else ""
        return None, f"{kind}{details}{host}"
    if event_id == 1074:
        user = _field(data, "param7")
        parts = [f"{_field(data, 'param5') or kind} requested by {user or 'unknown'}"]
        parts += [f"via {value}" for value in [_field(data, "param1")] if value]
        parts += [f"reason: {value}" for value in [_field(data, "param3")] if value]
        return user, ", ".join(parts) + host
    user = _account_of(data, "Subject" if event_id == 4672 else "Target")
    parts = [f"{kind} of {user or 'unknown account'}"]
    if (logon_type := _safe(lambda: int(data.get("LogonType", "")))) is not None:
        parts.append(f"type {logon_type} ({LOGON_TYPES.get(logon_type, 'unknown')})")
    if event_id == 4648 and (subject := _account_of(data, "Subject")):
        parts.append(f"by {subject}")
    if server := _field(data, "TargetServerName"):
        parts.append(f"to {server}")
    address, station = _field(data, "IpAddress"), _field(data, "WorkstationName")
    if address or station:
        parts.append(
            f"from {address or station}" + (f" ({station})" if address and station else "")
        )
    if event_id == 4625 and (status := _field(data, "Status")):
        parts.append(f"status {status}" + (f"/{sub}" if (sub := _field(data, "SubStatus")) else ""))
    if process := _field(data, "ProcessName"):
        parts.append(f"process {process}")
    return user, ", ".join(parts) + host


# --- Windows shortcuts and jump lists ----------------------------------------------------

LNK_HEADER_SIZE = 0x4C
LNK_MAGIC = bytes.fromhex("4c0000000114020000000000c000000000000046")  # size + CLSID
LNK_TIMES = (
    ("creation_time", "Shortcut target created"),
    ("access_time", "Shortcut target accessed"),
    ("write_time", "Shortcut target modified"),
)
JUMP_STREAM = re.compile(r"[0-9a-fA-F]{1,16}")


def _is_lnk(head: bytes, _name: str) -> bool:
    return head.startswith(LNK_MAGIC)


def parse_lnk(path: Path) -> Iterator[Record]:
    """A shell link (MS-SHLLINK), read by LnkParse3: the target's creation, access and write
    FILETIMEs (header) as events; target path (LinkInfo local base path or network share plus
    suffix, else the relative path), arguments, working directory, volume serial, label and
    drive type, and the tracker block's NetBIOS machine id and droid ids as a Document."""
    with open(path, "rb") as handle:
        yield from lnk_records(handle.read(MAX_SMALL_FILE), 0)


def lnk_records(
    data: bytes, offset: int | None, context: dict[str, str] | None = None
) -> Iterator[Record]:
    """The records of one shell link's bytes; `context` adds where it was found (a jump
    list entry) to the Document's meta."""
    if not data.startswith(LNK_MAGIC):
        raise ValueError("not a shell link (bad header)")
    if len(data) < LNK_HEADER_SIZE:
        raise ValueError(f"shell link cut short: {len(data)} bytes, the header alone is 76")
    with warnings.catch_warnings():  # LnkParse3 warns on every odd field
        warnings.simplefilter("ignore")
        lnk = LnkFile(indata=data)
        if _lnk_cut_short(lnk, data):  # LnkParse3 reads a cut string to the end, as if whole
            raise ValueError(f"shell link cut short: {len(data)} bytes")
        facts = {**_lnk_facts(lnk), **(context or {})}
        times = [(kind, _safe(getattr(lnk.header, method))) for method, kind in LNK_TIMES]
    where = _lnk_where(facts)
    for kind, when in times:
        if time := iso_utc(when):
            yield Event(time, kind, f"{kind}: {where}", file_offset=offset)
    if facts:
        yield Document(kind="lnk", title=facts.get("target"), meta=facts)


def _lnk_cut_short(lnk: LnkFile, data: bytes) -> bool:
    """Whether the structures the link declares (LinkInfo by its size, strings and extra
    blocks as LnkParse3 measured them) run past the end of its bytes."""
    if lnk.size > len(data):
        return True
    if lnk.info is not None or not lnk.has_link_info() or lnk.force_no_link_info():
        return False
    at = LNK_HEADER_SIZE + (lnk.targets.size() if lnk.targets else 0)  # LinkInfo unread
    return at + 4 > len(data) or at + struct.unpack_from("<I", data, at)[0] > len(data)


def _lnk_facts(lnk: LnkFile) -> dict[str, str]:
    strings, info = lnk.string_data, lnk.info
    facts = {
        "target": _lnk_target(lnk),
        "arguments": _safe(strings.command_line_arguments),
        "working_directory": _safe(strings.working_directory),
        "relative_path": _safe(strings.relative_path),
        "description": _safe(strings.description),
        "icon_location": _safe(strings.icon_location),
        "target_size": _safe(lnk.header.file_size),
    }
    if isinstance(info, Local):
        facts["volume_serial"] = _safe(info.drive_serial_number)
        facts["volume_label"] = _safe(info.volume_label_unicode) or _safe(info.volume_label)
        facts["drive_type"] = _safe(info.drive_type)
    for extra in _safe(lambda: list(lnk.extras)) or []:
        if isinstance(extra, DistributedTracker):
            facts["machine_id"] = _safe(extra.machine_id)
            facts["droid_volume_id"] = _safe(extra.droid_volume_id)
            facts["droid_file_id"] = _safe(extra.droid_file_id)
    return {name: str(value) for name, value in facts.items() if value not in (None, "")}


def _lnk_target(lnk: LnkFile) -> str | None:
    info, base = lnk.info, None
    if isinstance(info, Local):
        base = _safe(info.local_base_path_unicode) or _safe(info.local_base_path)
    elif isinstance(info, Network):
        base = _safe(info.net_name_unicode) or _safe(info.net_name)
    if base:
        suffix = _safe(info.common_path_suffix) or ""
        return base if not suffix else base.rstrip("\\") + "\\" + suffix
    return _safe(lnk.string_data.relative_path)


def _lnk_where(facts: dict[str, str]) -> str:
    volume = ", ".join(
        f"{label} {facts[name]}" if label else facts[name]
        for name, label in (
            ("volume_label", "volume"),
            ("volume_serial", "serial"),
            ("drive_type", ""),
        )
        if name in facts
    )
    where = facts.get("target", "unknown target") + (f" ({volume})" if volume else "")
    return where + (f" on host {facts['machine_id']}" if "machine_id" in facts else "")


def parse_jumplist(path: Path) -> Iterator[Record]:
    """Jump lists. *.automaticDestinations-ms: an OLE compound file whose hex-numbered streams
    are shell links, described by the DestList stream (entry number, NetBIOS host, pin state,
    and the FILETIME the entry was last updated, i.e. the item last opened through the
    application). *.customDestinations-ms: shell links one after the other, found by their
    header. Each link gives the records of a .lnk; a damaged one is skipped and reported."""
    skipped = Skipped("jump list entries")
    app_id = path.name.split(".", 1)[0].lower()
    context = {"jumplist_app_id": app_id} if re.fullmatch(r"[0-9a-f]{16}", app_id) else {}
    if olefile.isOleFile(str(path)):
        yield from _automatic_destinations(path, context, skipped)
    else:
        yield from _custom_destinations(path, context, skipped)
    skipped.check()


def _automatic_destinations(
    path: Path, context: dict[str, str], skipped: Skipped
) -> Iterator[Record]:
    with olefile.OleFileIO(str(path)) as ole:
        entries = _destlist(ole.openstream("DestList").read()) if ole.exists("DestList") else {}
        for number, entry in entries.items():
            if time := entry.get("modified"):
                flags = f"entry {number}, host {entry.get('host') or 'unknown'}"
                flags += ", pinned" if entry.get("pinned") == "yes" else ""
                description = f"Jump list entry modified: {entry.get('path', '?')} ({flags})"
                yield Event(time, "Jump list entry modified", description)
        for stream in ole.listdir(streams=True, storages=False):
            if len(stream) != 1 or not JUMP_STREAM.fullmatch(stream[0]):
                continue
            number = int(stream[0], 16)
            about = {**context, "jumplist_entry": str(number)}
            about.update({f"destlist_{k}": v for k, v in entries.get(number, {}).items()})
            try:
                yield from lnk_records(ole.openstream(stream).read(), None, about)
            except Exception as exc:  # one damaged link
                skipped.note(f"stream {stream[0]}", exc)


def _destlist(data: bytes) -> dict[int, dict[str, str]]:
    """DestList entries by entry number: path, host, last update time, pin state. Version 1
    (Windows 7) puts the path size at 112; later versions at 128, with 4 bytes after it."""
    if len(data) < 32:
        return {}
    version, count = struct.unpack_from("<II", data)
    size_at, trailer = (112, 0) if version == 1 else (128, 4)
    entries, offset = {}, 32
    for _ in range(count):
        if offset + size_at + 2 > len(data):
            break
        chars = struct.unpack_from("<H", data, offset + size_at)[0]
        path_end = offset + size_at + 2 + 2 * chars
        number, _unknown, _float, modified, pin = struct.unpack_from("<IIfQi", data, offset + 88)
        entries[number] = {
            "path": data[offset + size_at + 2 : path_end].decode("utf-16-le", "replace"),
            "host": data[offset + 72 : offset + 88].split(b"\x00", 1)[0].decode("ascii", "replace"),
            "modified": _filetime(modified) or "",
            "pinned": "yes" if pin >= 0 else "no",
        }
        offset = path_end + trailer
    return {number: {k: v for k, v in entry.items() if v} for number, entry in entries.items()}


def _custom_destinations(path: Path, context: dict[str, str], skipped: Skipped) -> Iterator[Record]:
    with open(path, "rb") as handle:
        data = handle.read(MAX_JUMPLIST)
    starts = [match.start() for match in re.finditer(re.escape(LNK_MAGIC), data)]
    if not starts:
        raise ValueError("no shell links in the custom destinations file")
    for start, end in zip(starts, [*starts[1:], len(data)], strict=True):
        try:
            yield from lnk_records(data[start:end], start, context)
        except Exception as exc:  # one damaged link
            skipped.note(f"link at {start}", exc)


# --- Linux accounts ----------------------------------------------------------------------

PASSWD_LINE = re.compile(
    rb"[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?:[^:\n]*:\d+:\d+:[^:\n]*:[^:\n]*:[^:\n]*"
)
SHADOW_LINE = re.compile(
    rb"[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?:[^:\n]*:\d*:\d*:\d*:\d*:\d*:\d*:[^:\n]*"
)
NO_LOGIN = ("nologin", "false", "sync", "shutdown", "halt")


def _is_passwd(head: bytes, _name: str) -> bool:
    """Lines of 7 (passwd) or 9 (shadow) colon-separated fields, all of them, at least two."""
    if head.find(b":", 0, 40) <= 0:  # a user name, then a colon: most files end here
        return False
    end = head.find(b"\n", 0, 4096)
    first = head[: end if end >= 0 else 4096].rstrip(b"\r")
    pattern = next((p for p in (PASSWD_LINE, SHADOW_LINE) if p.fullmatch(first)), None)
    if pattern is None:
        return False
    lines = head.split(b"\n")[:-1]  # the last is empty, or cut where the head ends
    complete = [line.rstrip(b"\r") for line in lines if line.strip()]
    return len(complete) >= 2 and all(pattern.fullmatch(line) for line in complete)


def parse_accounts_file(path: Path) -> Iterator[Record]:
    """/etc/passwd: user accounts (uid >= 1000, or any with a login shell) with the GECOS
    full name. /etc/shadow: only the name and the day of the last password change (days
    since 1970); the password field is never read out."""
    for offset, raw in _lines(path):
        fields = raw.decode("utf-8", "replace").rstrip("\r\n").split(":")
        if len(fields) == 7:
            account = _passwd_account(fields, offset)
            if account:
                yield account
        elif len(fields) == 9 and fields[2].isdigit() and int(fields[2]) > 0:
            name = fields[0]
            if time := iso_utc(int(fields[2]) * 86400):
                yield Event(
                    time,
                    "Password changed",
                    f"Password last changed: {name}",
                    user=name,
                    file_offset=offset,
                )


def _passwd_account(fields: list[str], offset: int) -> Account | None:
    name, _password, uid, _gid, gecos, _home, shell = fields
    if not name or not uid.isdigit():
        return None
    login = bool(shell.strip()) and not shell.strip().endswith(NO_LOGIN)
    if not (1000 <= int(uid) < 65534 or login):
        return None
    return Account("linux", name, gecos.split(",", 1)[0].strip() or None, file_offset=offset)


# --- Shell histories ---------------------------------------------------------------------

HISTORY_GLOBS = (
    "*.bash_history",
    "*.zsh_history",
    "*.sh_history",
    "*.ash_history",
    "*.python_history",
    "*/fish/fish_history",
    "*/psreadline/consolehost_history.txt",
)
SHELL_NAMES = {
    "bash_history": "bash",
    "zsh_history": "zsh",
    "sh_history": "sh",
    "ash_history": "ash",
    "python_history": "python",
    "fish_history": "fish",
    "consolehost_history.txt": "powershell",
}
ZSH_ENTRY = re.compile(rb": (\d{9,11}):\d+;(.*)", re.DOTALL)
BASH_TIME = re.compile(rb"#(\d{9,11})\s*")
FISH_CMD = b"- cmd: "
FISH_WHEN = re.compile(rb"\s+when: (\d+)\s*")
LIBEDIT = b"_HiStOrY_V2_"
UTF8_BOM = b"\xef\xbb\xbf"


def _is_history(head: bytes, _name: str) -> bool:
    """Histories that carry times have a signature: fish's "- cmd:"/"when:" entries, zsh's
    ": <time>:<duration>;" lines, bash's "#<time>" lines (two of them, to be sure)."""
    if head.startswith(FISH_CMD):
        return b"\n  when: " in head[:4096]
    lines = head[:4096].split(b"\n")[:-1]
    if head.startswith(b": "):
        return sum(bool(ZSH_ENTRY.match(line)) for line in lines) >= 2
    if head.startswith(b"#"):
        return sum(bool(BASH_TIME.fullmatch(line)) for line in lines) >= 2
    return False


def parse_shell_history(path: Path) -> Iterator[Record]:
    """Commands of bash (with "#<unix time>" lines when HISTTIMEFORMAT was set), zsh (extended
    ": <unix time>:<duration>;command", metafied bytes), fish ("- cmd:", "when:"), Python
    (readline, or libedit's _HiStOrY_V2_ with octal escapes), sh/ash and PowerShell
    PSReadLine. A command with a time is an Event; all commands together are one Document,
    so that the untimed ones are searchable too."""
    name = path.name.lower().lstrip(".")
    with open(path, "rb") as handle:
        first = next(
            (line for line in iter(lambda: handle.readline(MAX_LINE), b"") if line.strip()), b""
        )
    if first.startswith(FISH_CMD):
        entries, shell = _fish_entries(path), "fish"
    elif ZSH_ENTRY.match(first) or name == "zsh_history":
        entries, shell = _zsh_entries(path), "zsh"
    else:
        entries, shell = _line_entries(path), SHELL_NAMES.get(name)
    commands: list[str] = []
    for offset, unix_time, command in entries:
        commands.append(command)
        if time := iso_utc(unix_time):
            yield Event(time, "Command", command, file_offset=offset)
    if commands:
        meta = {"shell": shell} if shell else {}
        yield Document(kind="shell-history", title=shell, text="\n".join(commands), meta=meta)


HistoryEntry = tuple[int, int | None, str]


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n")


def _line_entries(path: Path) -> Iterator[HistoryEntry]:
    """One command a line (bash's default: cmdhist joins a multi-line command into one); a
    "#<time>" line times the line after it. libedit files (first line _HiStOrY_V2_) write
    spaces and other characters as octal escapes ("\\040")."""
    timed: tuple[int, int] | None = None  # (offset, time) of a time stamp line
    libedit = False
    for offset, raw in _lines(path):
        if offset == 0:
            raw = raw.removeprefix(UTF8_BOM)  # PowerShell may write one
            if raw.rstrip(b"\r\n") == LIBEDIT:
                libedit = True
                continue
        if stamp := BASH_TIME.fullmatch(raw):
            timed = (offset, int(stamp.group(1)))
            continue
        if libedit:
            raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw)
        command = _decode(raw)
        if command.strip():
            yield (*timed, command) if timed else (offset, None, command)
        timed = None


def _unmetafy(raw: bytes) -> bytes:
    """zsh stores bytes 0x83-0xa2 as 0x83 followed by the byte XOR 0x20."""
    if b"\x83" not in raw:
        return raw
    out, meta = bytearray(), False
    for byte in raw:
        if meta:
            out.append(byte ^ 0x20)
            meta = False
        elif byte == 0x83:
            meta = True
        else:
            out.append(byte)
    return bytes(out)


def _zsh_entries(path: Path) -> Iterator[HistoryEntry]:
    """Extended ": <time>:<duration>;command" entries (or plain lines); a line ending in a
    backslash continues on the next."""
    pending: tuple[int, int | None, list[bytes]] | None = None
    for offset, raw in _lines(path):
        raw = _unmetafy(raw).rstrip(b"\r\n")
        if pending is None:
            entry = ZSH_ENTRY.match(raw)
            pending = (
                (offset, int(entry.group(1)), [entry.group(2)]) if entry else (offset, None, [raw])
            )
        else:
            pending[2].append(raw)
        if not raw.endswith(b"\\"):
            command = _decode(b"\n".join(line.removesuffix(b"\\") for line in pending[2]))
            if command.strip():
                yield pending[0], pending[1], command
            pending = None
    if pending is not None:
        yield pending[0], pending[1], _decode(b"\n".join(pending[2]))


def _fish_entries(path: Path) -> Iterator[HistoryEntry]:
    """fish's YAML-like "- cmd: <command>" / "  when: <unix time>" entries; in the command
    "\\n" is a new line and "\\\\" a backslash."""
    entry: list | None = None
    for offset, raw in _lines(path):
        if raw.startswith(FISH_CMD):
            if entry:
                yield tuple(entry)
            text = _decode(raw[len(FISH_CMD) :])
            command = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
            entry = [offset, None, command]
        elif entry and (when := FISH_WHEN.fullmatch(raw)):
            entry[1] = int(when.group(1))
    if entry:
        yield tuple(entry)


# --- Linux settings ----------------------------------------------------------------------

SETTINGS_FILES = (
    "etc/timezone",
    "etc/localtime",
    "etc/default/locale",
    "etc/locale.conf",
    "etc/hostname",
)
HOSTNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+/-]{0,99}")


def parse_linux_settings(path: Path) -> Iterator[Record]:
    """/etc/localtime (a TZif file: named by finding the identical file in this machine's
    zone database, else its POSIX TZ rule), /etc/timezone (a zone name), /etc/default/locale
    and /etc/locale.conf (LANG, LC_ALL), /etc/hostname: a system-settings Document."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_SMALL_FILE)
    if data.startswith(b"TZif"):
        meta = _tzif_meta(data)
    else:
        meta = _settings_meta(data.decode("utf-8", "replace"), path.name.lower())
    if meta:
        yield Document(kind="system-settings", meta=meta)


def _settings_meta(text: str, name: str) -> dict[str, str]:
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assigned = dict(line.split("=", 1) for line in lines if "=" in line)
    assigned = {key.strip(): value.strip().strip("\"'") for key, value in assigned.items()}
    if language := assigned.get("LC_ALL") or assigned.get("LANG"):
        return {"locale": language}
    if len(lines) != 1 or "=" in lines[0]:
        return {}
    value = lines[0]
    if "timezone" in name or ("hostname" not in name and ("/" in value or value in _zone_names())):
        return {"timezone": value} if ZONE_NAME.fullmatch(value) else {}
    return {"hostname": value} if HOSTNAME.fullmatch(value) else {}


def _tzif_meta(data: bytes) -> dict[str, str]:
    name = _zone_files().get(hashlib.sha256(data).digest())
    if name:
        return {"timezone": name}
    meta = {"localtime": "TZif, zone not identified"}
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1] if data[4:5] in (b"2", b"3", b"4") else b""
    if footer and len(footer) < 100 and footer.isascii() and b"\x00" not in footer:
        meta["timezone_rule"] = footer.decode("ascii")
    return meta


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def _zone_files() -> dict[bytes, str]:
    """SHA-256 of each TZif file in this machine's zone database → the zone's name. Zones
    that share one file (Europe/Berlin, and its links) get the canonical name: one listed in
    zone1970.tab, then zone.tab, then a name with an area, then the shortest."""
    for folder in map(Path, zoneinfo.TZPATH):
        if not folder.is_dir():
            continue
        listed = [_tab_zones(folder / tab) for tab in ("zone1970.tab", "zone.tab")]
        best: dict[bytes, tuple[tuple, str]] = {}
        for file in folder.rglob("*"):
            name = file.relative_to(folder).as_posix()
            if name.startswith(("posix/", "right/")) or file.is_symlink() or not file.is_file():
                continue
            data = file.read_bytes()
            if not data.startswith(b"TZif"):
                continue
            digest = hashlib.sha256(data).digest()
            rank = (name not in listed[0], name not in listed[1], "/" not in name, len(name), name)
            if digest not in best or rank < best[digest][0]:
                best[digest] = (rank, name)
        if best:
            return {digest: name for digest, (_rank, name) in best.items()}
    return {}


def _tab_zones(tab: Path) -> set[str]:
    try:
        lines = tab.read_text("utf-8", "replace").splitlines()
    except OSError:
        return set()
    return {
        fields[2]
        for line in lines
        if not line.startswith("#") and len(fields := line.split("\t")) > 2
    }


PARSERS: tuple[Parser, ...] = (
    Parser("windows-registry", parse_registry, sniff=_is_hive),
    Parser("evtx", parse_evtx, sniff=_is_evtx),
    Parser("lnk", parse_lnk, sniff=_is_lnk),
    Parser(
        "jumplist", parse_jumplist, globs=("*.automaticdestinations-ms", "*.customdestinations-ms")
    ),
    Parser(
        "linux-passwd",
        parse_accounts_file,
        globs=("etc/passwd", "*/etc/passwd", "etc/shadow", "*/etc/shadow"),
        sniff=_is_passwd,
    ),
    Parser("shell-history", parse_shell_history, globs=HISTORY_GLOBS, sniff=_is_history),
    Parser(
        "linux-settings",
        parse_linux_settings,
        globs=SETTINGS_FILES + tuple(f"*/{name}" for name in SETTINGS_FILES),
    ),
)
