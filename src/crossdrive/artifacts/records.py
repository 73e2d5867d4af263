"""What artifact parsers yield: typed records, each a fact found in one file.

Parsers know nothing of devices or images. The content stage adds the provenance (device,
partition, path, state, image offset, forensic path) when it stores a record, so the same
parser works on an allocated file, a deleted one, a carved one and an archive member.
`file_offset` is where in the parsed file the record's bytes start, when the format says so
(an mbox message, a vCard); the stage maps it through the file's byte runs to the image.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Message:
    """One communication: an e-mail, an SMS/MMS, a chat message."""

    channel: str  # email | sms | mms | skype | xmpp | telegram | whatsapp | irc | imessage …
    time: str | None  # ISO 8601 UTC ("2024-05-02T08:11:00Z"), None when the source has none
    sender: str | None  # identifier as written: address, number, handle
    recipients: list[str] = field(default_factory=list)  # to (or the chat's other members)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    sender_name: str | None = None
    subject: str | None = None
    body: str | None = None
    message_id: str | None = None
    conversation: str | None = None  # thread / chat / conversation id or title
    direction: str | None = None  # incoming | outgoing, when the source says
    headers: dict[str, str] = field(default_factory=dict)  # those that matter (List-Unsubscribe…)
    names: dict[str, str] = field(default_factory=dict)  # identifier → display name as written
    file_offset: int | None = None


@dataclass
class Contact:
    """One address-book entry, with every name, number, address and handle it holds."""

    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # as written (national numbers included)
    handles: list[str] = field(default_factory=list)  # service:handle (skype:x, telegram:@y)
    organisation: str | None = None
    note: str | None = None
    file_offset: int | None = None


@dataclass
class Account:
    """An identity the device's user holds (their own address, number, handle, login)."""

    service: str  # email | sms | skype | telegram | chrome-login | windows …
    identifier: str
    name: str | None = None
    file_offset: int | None = None


@dataclass
class Event:
    """Something that happened at a time: a page visit, a download, a logon, a USB device."""

    time: str  # ISO 8601 UTC
    kind: str  # Timesketch's timestamp_desc: "Visited", "Downloaded", "Logon" …
    description: str  # the event's message, as a timeline shows it
    url: str | None = None
    user: str | None = None
    file_offset: int | None = None


@dataclass
class Document:
    """Text and metadata of a document (PDF, office file, HTML, plain text, picture)."""

    kind: str  # pdf | docx | xlsx | pptx | odt | rtf | html | text | image
    text: str | None = None
    title: str | None = None
    author: str | None = None
    last_modified_by: str | None = None
    company: str | None = None
    created: str | None = None  # ISO 8601 UTC
    modified: str | None = None
    encoding: str | None = None  # of plain text, as detected
    meta: dict[str, str] = field(default_factory=dict)  # EXIF and other fields by name


@dataclass
class Embedded:
    """Bytes inside the parsed file that are files in their own right (an attachment, an
    archive member): they go back through content processing, with this step in their path."""

    name: str  # file name or member path
    data: bytes
    step: str  # forensic-path step: ZIP, TAR, GZIP, ATTACHMENT …
    file_offset: int | None = None  # where the member's bytes start in the parsed file


Record = Message | Contact | Account | Event | Document | Embedded


@dataclass(frozen=True)
class Parser:
    """One source family's parser and how it recognises its files: by path (glob patterns,
    matched case-insensitively against the whole path) or by content (`sniff` sees the first
    64 KiB and the lower-case file name), so deleted, renamed and carved copies are found too."""

    name: str  # the artifact name stored with every record: mbox, eml, skype, chrome …
    parse: Callable[[Path], Iterator[Record]]
    globs: tuple[str, ...] = ()  # lower-case fnmatch patterns: "*/skype/*/main.db", "*.eml"
    sniff: Callable[[bytes, str], bool] | None = None
    generic: bool = False  # runs only when no specific parser claims the file
