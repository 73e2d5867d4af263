"""The demo scenario as data: people, messages, and for each device what is planted where.

`make_scenario(seed, devices, scale)` is pure: no image is built here (see `generate.py`), so the
plan and its truth can be checked quickly and are the same for the same arguments.

Device templates cover the kinds examiners meet: Windows NTFS disks, Linux ext4 disks, FAT32 and
exFAT USB sticks; MBR, GPT and no partition table; raw, split raw and E01 containers. Each device
holds what its owner(s) saw: their mail, chats, phone backups, contacts, browsing and documents,
in the formats and at the paths the real applications use.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crossdrive.demo.formats import browser, chat, documents, mail, phone
from crossdrive.demo.ink import Ink
from crossdrive.demo.people import Organisation, Person, make_organisation
from crossdrive.demo.traffic import SERVICES, Message, make_traffic

MIB = 1024 * 1024
GENERATOR_VERSION = 7


@dataclass(frozen=True)
class Template:
    name: str
    profile: str  # windows | linux | usb: which applications and paths
    container: str  # raw | split | e01
    table: str  # mbr | gpt | none
    filesystems: tuple[tuple[str, int], ...]  # (ntfs | fat32 | ext4 | exfat, MiB)
    logical_from: int | None = None


TEMPLATES = [
    Template("WIN-LAPTOP", "windows", "raw", "mbr", (("ntfs", 64),)),
    Template("LINUX-DESKTOP", "linux", "split", "gpt", (("ext4", 48), ("fat32", 36))),
    Template("USB-STICK", "usb", "e01", "none", (("fat32", 36),)),
    Template("WIN-DESKTOP", "windows", "e01", "gpt", (("ntfs", 64),)),
    Template("EXT-DRIVE", "usb", "raw", "mbr", (("ntfs", 40), ("fat32", 36), ("ext4", 24)), 1),
    Template("USB-EXFAT", "usb", "raw", "mbr", (("exfat", 32),)),
    Template("LINUX-LAPTOP", "linux", "e01", "mbr", (("ext4", 48),)),
    Template("FAMILY-PC", "windows", "split", "mbr", (("ntfs", 64),)),
    Template("USB-PHONE", "usb", "e01", "none", (("fat32", 36),)),
    Template("WIN-LAPTOP-2", "windows", "raw", "gpt", (("ntfs", 64),)),
]


@dataclass
class Item:
    """One planted thing: a file (in some state) or a raw remnant, with what it holds."""

    id: str
    device: str
    category: str  # allocated | deleted | unallocated | unpartitioned | archive | compressed |
    #                utf16 | filler
    format: str
    data: bytes = field(repr=False)
    ink: Ink = field(repr=False)
    partition: int | None = None  # 0-based index of the file system on the device
    path: str | None = None  # inside the file system (None for remnants)
    chain: list[str] = field(default_factory=list)  # decoders needed: ZIP, GZIP, TAR, UTF-16LE
    offset: int | None = None  # absolute byte offset in the device (remnants; set when built)

    @property
    def state(self) -> str:
        if self.category in ("deleted", "unallocated", "unpartitioned"):
            return self.category
        return "allocated"

    def truth(self) -> dict:
        return {
            "id": self.id,
            "device": self.device,
            "partition": self.partition,
            "path": self.path,
            "state": self.state,
            "category": self.category,
            "format": self.format,
            "chain": self.chain,
            "offset": self.offset,
            "length": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "identifiers": self.ink.identifiers(),
            "national_regions": dict(sorted(self.ink.regions.items())),
            "messages": sorted(self.ink.messages),
        }


@dataclass
class Device:
    label: str
    template: Template
    owners: list[str]
    items: list[Item] = field(default_factory=list)
    built: dict = field(default_factory=dict)  # images, partitions: filled by the build

    def files(self, partition: int) -> dict[str, bytes]:
        return {
            i.path: i.data
            for i in self.items
            if i.partition == partition and i.path and i.category != "unallocated"
        }

    def deleted(self, partition: int) -> list[str]:
        return [i.path for i in self.items if i.partition == partition and i.category == "deleted"]


@dataclass
class Scenario:
    seed: int
    scale: float
    org: Organisation
    messages: list[Message]
    devices: list[Device]

    def truth(self) -> dict:
        """Everything planted, as written to truth.json (items completed by the build)."""
        return {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "scale": self.scale,
            "people": [_person_truth(p) for p in self.org.people],
            "groups": self.org.groups,
            "brokers": self.org.brokers,
            "outsiders": self.org.outsiders,
            "bulk_senders": self.org.bulk,
            "messages": [_message_truth(m) for m in self.messages],
            "devices": [
                {
                    "label": d.label,
                    "template": d.template.name,
                    "container": d.template.container,
                    "table": d.template.table,
                    "owners": d.owners,
                    **d.built,
                }
                for d in self.devices
            ],
            "items": [item.truth() for d in self.devices for item in d.items],
        }


def make_scenario(seed: int = 7, devices: int = 8, scale: float = 1.0) -> Scenario:
    rng = random.Random(seed)
    devices = max(1, min(devices, len(TEMPLATES)))
    org = make_organisation(rng, n_groups=max(2, min(6, (devices + 1) // 2)))
    messages = make_traffic(rng, org, scale)
    owners = _owners(org, devices)
    planned = []
    for index, template in enumerate(TEMPLATES[:devices]):
        device = Device(template.name, template, owners[index])
        _plant(device, org, messages, random.Random(f"{seed}-{template.name}"), scale)
        planned.append(device)
    return Scenario(seed, scale, org, messages, planned)


def _owners(org: Organisation, count: int) -> list[list[str]]:
    """One owner per device, taken from the groups in turn, brokers first; the family PC is
    shared with an outsider who knows its owner."""
    queues = [sorted(g, key=lambda pid: org.person(pid).role != "broker") for g in org.groups]
    order = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
    owners = [[order[i % len(order)]] for i in range(count)]
    for index, template in enumerate(TEMPLATES[:count]):
        if template.name == "FAMILY-PC":
            known = [o for o in org.outsiders if owners[index][0] in org.person(o).contacts]
            owners[index] += known[:1]
    return owners


def _seen_by(messages: list[Message], pids: list[str]) -> list[Message]:
    return [m for m in messages if set(pids) & set(m.participants)]


def _plant(
    device: Device, org: Organisation, messages: list[Message], rng: random.Random, scale: float
) -> None:
    """Put the owners' artifacts on the device, then give some of them other evidence states."""
    fs_count = len(device.template.filesystems)
    counter = iter(range(1, 10_000))

    def add(category: str, fmt: str, path: str | None, made, partition: int = 0, chain=()):
        data, ink = made if isinstance(made, tuple) else (made, Ink())
        item = Item(
            f"{device.label}-{next(counter):03d}",
            device.label,
            category,
            fmt,
            data,
            ink,
            partition if path is not None or category == "unallocated" else None,
            path,
            list(chain),
        )
        device.items.append(item)
        return item

    seen = {pid: _seen_by(messages, [pid]) for pid in device.owners}
    for number, pid in enumerate(device.owners):
        part = number % fs_count
        _owner_files(add, device.template.profile, org.person(pid), org, seen[pid], rng, part)
    if device.template.profile == "linux":  # its settings: the region national numbers need
        first = org.person(device.owners[0])
        locale = f"LANG={first.locale.split('_')[0]}_{first.region}.UTF-8\n".encode()
        add("allocated", "linux-settings", "etc/default/locale", locale)
        add("allocated", "linux-settings", "etc/hostname", f"{first.user}-pc\n".encode())
    # On a multi-partition disk, backups, deleted and converted files spread over the partitions.
    spread = [i for i in device.items if i.category != "allocated"]
    for k, item in enumerate(spread):
        item.partition = k % fs_count
    # Evidence states beyond "allocated": remnants of old mail in free space and in gaps.
    owner = org.person(device.owners[0])
    mails = [m for m in seen[owner.id] if m.channel == "email"]
    old = mails[: max(2, len(mails) // 6)]
    add("unallocated", "mbox", None, mail.mbox(old[:3], org), partition=fs_count - 1)
    contacts = _contacts(owner, org, seen[owner.id])
    add("unallocated", "vcard", None, phone.vcards(contacts[:3], "2.1"), partition=0)
    if device.template.table != "none":
        add("unpartitioned", "eml", None, mail.eml(old[-1], org))
    # Benign filler: prose and random bytes (precision is measured on them).
    for n in range(max(1, round(2 * scale))):
        add("filler", "text", f"filler/notes-{n}.txt", documents.filler_text(rng, 6))
        add("filler", "binary", f"filler/cache-{n}.bin", documents.filler_binary(rng, 48 * 1024))


def _contacts(owner: Person, org: Organisation, seen: list[Message]) -> list[Person]:
    """Everyone the owner exchanged a non-bulk message with (`seen`: the owner's messages), in
    order of first contact."""
    people: dict[str, None] = {}
    for message in seen:
        if not message.bulk:
            for pid in message.participants:
                if pid != owner.id:
                    people.setdefault(pid)
    return [org.person(pid) for pid in people]


PROFILE_HOME = {"windows": "Users/{user}", "linux": "home/{user}", "usb": ""}


def _owner_files(add, profile, owner, org, seen, rng, part) -> None:
    """The owner's artifacts at the paths their applications use on this kind of device."""
    home = PROFILE_HOME[profile].format(user=owner.user)

    def at(path: str) -> str:
        return f"{home}/{path}" if home else path

    email = [m for m in seen if m.channel == "email"]
    inbox = [m for m in email if m.sender != owner.id]
    sent = [m for m in email if m.sender == owner.id]
    sms = [m for m in seen if m.channel == "sms"]
    chats = {s: [m for m in seen if m.channel == "chat" and m.service == s] for s in SERVICES}
    contacts = _contacts(owner, org, seen)
    times = [m.time for m in seen] or [datetime(2024, 1, 1, tzinfo=UTC)]
    profile_id = f"{rng.getrandbits(32):08x}"

    if profile == "windows":
        tb = f"AppData/Roaming/Thunderbird/Profiles/{profile_id}.default-release/Mail/Local Folders"
        skype_dir = owner.handles["skype"].replace(":", "#3a")
        places = {
            "mail": tb,
            "skype": f"AppData/Roaming/Skype/{skype_dir}/main.db",
            "pidgin": f"AppData/Roaming/.purple/logs/jabber/{owner.handles['xmpp']}",
            "history": "AppData/Local/Google/Chrome/User Data/Default/History",
            "docs": "Documents",
        }
    elif profile == "linux":
        places = {
            "mail": f".thunderbird/{profile_id}.default-release/Mail/Local Folders",
            "skype": f".Skype/{owner.handles['skype'].replace(':', '#3a')}/main.db",
            "pidgin": f".purple/logs/jabber/{owner.handles['xmpp']}",
            "history": f".mozilla/firefox/{profile_id}.default-release/places.sqlite",
            "docs": "Documents",
        }
    else:
        places = {
            "mail": "Export/Thunderbird",
            "skype": "Export/skype/main.db",
            "pidgin": "Export/pidgin",
            "history": None,
            "docs": "Documents",
        }
    docs = places["docs"]
    add("allocated", "mbox", at(f"{places['mail']}/Inbox"), mail.mbox(inbox, org), part)
    if sent:
        add("allocated", "mbox", at(f"{places['mail']}/Sent"), mail.mbox(sent, org), part)
    if chats["skype"]:
        add(
            "allocated",
            "skype-main-db",
            at(places["skype"]),
            chat.skype_main_db(chats["skype"], owner, org),
            part,
        )
    for name, data, ink in chat.pidgin_logs(chats["xmpp"], owner, org, "html"):
        add("allocated", "pidgin-html", at(f"{places['pidgin']}/{name}"), (data, ink), part)
    if chats["telegram"]:
        export = f"Downloads/Telegram Desktop/ChatExport_{times[-1]:%Y-%m-%d}/result.json"
        add(
            "allocated",
            "telegram-json",
            at(export),
            chat.telegram_export(chats["telegram"], owner, org),
            part,
        )
    if sms:
        stamp = f"{max(m.time for m in sms):%Y%m%d%H%M%S}"
        add(
            "allocated",
            "sms-backup-xml",
            at(f"{docs}/Phone/sms-{stamp}.xml"),
            phone.sms_backup_xml(sms, owner, org),
            part,
        )
        if profile == "usb":
            add(
                "allocated",
                "android-mmssms",
                "PhoneBackup/databases/mmssms.db",
                phone.mmssms_db(sms, owner, org),
                part,
            )
            add(
                "allocated",
                "android-contacts2",
                "PhoneBackup/databases/contacts2.db",
                phone.contacts2_db(contacts, owner),
                part,
            )
    if contacts:
        add("allocated", "vcard", at(f"{docs}/contacts.vcf"), phone.vcards(contacts), part)
    if profile == "usb":  # messages saved one by one from the mail client
        for message in email[:3]:
            add("allocated", "eml", f"Export/mail/{message.id}.eml", mail.eml(message, org), part)
    if places["history"] and contacts:
        maker = browser.chrome_history if profile == "windows" else browser.firefox_places
        add("allocated", "browser-history", at(places["history"]), maker(contacts, times), part)
    group = [org.person(pid) for pid in org.groups[owner.group]] if owner.group is not None else []
    if group:
        title = f"Team meeting {times[0]:%B %Y}"
        add(
            "allocated",
            "docx",
            at(f"{docs}/team-roster.docx"),
            documents.roster_docx(title, group, owner, times[0]),
            part,
        )
        add(
            "allocated",
            "pdf",
            at(f"{docs}/contact-sheet.pdf"),
            documents.contact_sheet_pdf("Contacts", contacts[:8] or group),
            part,
        )
    # UTF-16 text, archives and compressed streams.
    if contacts:
        add(
            "utf16",
            "text-utf16",
            at("Desktop/numbers.txt" if profile == "windows" else f"{docs}/numbers.txt"),
            documents.phone_note(contacts[:6]),
            part,
            ["UTF-16LE"],
        )
    if email:
        members, ink = {}, Ink()
        for message in email[: max(2, len(email) // 5)]:
            data, one = mail.eml(message, org)
            members[f"mail/{message.id}.eml"] = data
            ink.merge(one)
        if profile == "linux":
            add(
                "archive",
                "tar.gz",
                at("backup/mail-archive.tar.gz"),
                (documents.tar_gz(members), ink),
                part,
                ["GZIP", "TAR"],
            )
        else:
            add(
                "archive",
                "zip",
                at(f"{docs}/Backup/mail-2023.zip"),
                (documents.zip_archive(members), ink),
                part,
                ["ZIP"],
            )
        data, ink = mail.mbox(email[-max(2, len(email) // 5) :], org)
        add(
            "compressed",
            "mbox.gz",
            at(f"{docs}/Backup/recent.mbox.gz"),
            (documents.gzipped(data), ink),
            part,
            ["GZIP"],
        )
    # Deleted through the file system: a loose message and an old address book.
    if email:
        data, ink = mail.eml(email[len(email) // 2], org)
        add("deleted", "eml", at(f"Downloads/{email[len(email) // 2].id}.eml"), (data, ink), part)
    if contacts:
        add(
            "deleted",
            "vcard",
            at(f"{docs}/old-contacts.vcf"),
            phone.vcards(contacts[-4:], "2.1"),
            part,
        )


def _person_truth(person: Person) -> dict:
    return {
        "id": person.id,
        "name": person.name,
        "locale": person.locale,
        "region": person.region,
        "role": person.role,
        "group": person.group,
        "bridges_to": person.bridges_to,
        "kind": person.kind,
        "contacts": person.contacts,
        "identifiers": [{"kind": "email", "value": e.lower()} for e in person.emails]
        + [{"kind": "phone", "value": p} for p in person.phones]
        + [{"kind": k, "value": v.lower()} for k, v in sorted(person.handles.items())],
    }


def _message_truth(message: Message) -> dict:
    return {
        "id": message.id,
        "channel": message.channel,
        "service": message.service,
        "sender": message.sender,
        "to": message.to,
        "cc": message.cc,
        "time": message.time.isoformat().replace("+00:00", "Z"),
        "subject": message.subject,
        "bulk": message.bulk,
        "mention": message.mention[0] if message.mention else None,
    }
