"""The content stage on a real NTFS image: artifacts read from allocated, deleted, archived,
compressed and carved copies, each record traced to the bytes; full-text search; timeline."""

from __future__ import annotations

import gzip
import io
import json
import mailbox
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from crossdrive.demo import builders
from crossdrive.demo.builders import MIB
from tests.helpers import crossdrive, new_case, query

WHEN = [datetime(2024, 3, day, 9, 30, 15, tzinfo=UTC) for day in range(1, 8)]


def message(n: int, sender: str, to: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = f"Meeting {n}"
    mail["Date"] = format_datetime(WHEN[n])
    mail["Message-ID"] = f"<m{n}@example.org>"
    mail.set_content(body)
    return mail


def mbox_bytes(messages: list[EmailMessage]) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        box = mailbox.mbox(Path(work) / "Inbox")
        for mail in messages:
            box.add(mailbox.mboxMessage(mail))
        box.flush()
        box.close()
        return (Path(work) / "Inbox").read_bytes()


INBOX = [
    message(0, "Анна Петрова <anna@example.org>", "bob@example.net", "Встретимся у Ахмеда завтра."),
    message(1, "bob@example.net", "anna@example.org", "See you at the café on Friday."),
]
DELETED = message(2, "carol@example.com", "anna@example.org", "Deleted but recoverable words.")
ZIPPED = message(3, "dave@example.com", "anna@example.org", "Zipped mail body.")
GZIPPED = [message(4, "erin@example.com", "anna@example.org", "Compressed mailbox text.")]
REMNANT = message(5, "frank@example.com", "anna@example.org", "Remnant in free space.")
VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Анна Петрова\r\nN:Петрова;Анна;;;\r\n"
    "EMAIL;TYPE=INTERNET:anna@example.org\r\nTEL;TYPE=CELL:+7 912 330-82-46\r\nEND:VCARD\r\n"
).encode()


def zip_of(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def content_case(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("content")
    image = root / "ntfs.img"
    files = {
        "Users/anna/Mail/Inbox": mbox_bytes(INBOX),
        "Users/anna/Downloads/old.eml": DELETED.as_bytes(),
        "Users/anna/Backup/mail.zip": zip_of("saved/zipped.eml", ZIPPED.as_bytes()),
        "Users/anna/Backup/archive.mbox.gz": gzip.compress(mbox_bytes(GZIPPED), mtime=0),
        "Users/anna/contacts.vcf": VCARD,
        "Users/anna/notes.txt": b"tiny resident note about Zanzibar\n",
    }
    builders.ntfs(image, 24 * MIB, files, deleted=["Users/anna/Downloads/old.eml"])
    block_size, runs = builders.free_runs(image)
    first, count = runs[-1]
    remnant_at = (first + count // 2) * block_size
    builders.write_at(image, remnant_at, REMNANT.as_bytes() + b"\x00" * 64)
    case = new_case(root, {"NTFS": image})
    (root / "remnant_at").write_text(str(remnant_at))
    return case


def messages(case: Path) -> dict[str, tuple]:
    rows = query(
        case,
        'SELECT subject, state, path, "offset", chain, artifact, sender, recipients, time, body '
        "FROM messages",
    )
    return {row[0]: row[1:] for row in rows}


def test_messages_come_from_every_state_with_provenance(content_case):
    found = messages(content_case)
    assert set(found) == {f"Meeting {n}" for n in range(6)}, found.keys()
    state, path, offset, chain, artifact, sender, recipients, time, body = found["Meeting 0"]
    assert (state, path, artifact) == ("allocated", "Users/anna/Mail/Inbox", "mbox")
    assert (sender, recipients, time) == (
        "anna@example.org",
        ["bob@example.net"],
        "2024-03-01T09:30:15Z",
    )
    assert "Ахмеда" in body and chain == str(offset)
    image = content_case.parent / "ntfs.img"
    with open(image, "rb") as raw:  # the offset is where the message's bytes are
        raw.seek(found["Meeting 1"][2])
        assert raw.read(5) == b"From "
    assert found["Meeting 2"][:2] == ("deleted", "Users/anna/Downloads/old.eml")
    zipped = found["Meeting 3"]
    assert zipped[1] == "Users/anna/Backup/mail.zip/saved/zipped.eml"
    assert zipped[3].split("-")[1:] == ["ZIP", "0"] and zipped[4] == "eml"
    packed = found["Meeting 4"]
    assert packed[1].startswith("Users/anna/Backup/archive.mbox.gz/")
    assert packed[3].split("-")[1:] == ["GZIP", "0"] and packed[4] == "mbox"
    remnant_at = int((content_case.parent / "remnant_at").read_text())
    carved = found["Meeting 5"]
    assert carved[:3] == ("carved", None, remnant_at) and carved[3] == str(remnant_at)


def test_contacts_and_resident_files_are_located(content_case):
    rows = query(content_case, 'SELECT names, emails, phones, "offset", state FROM contacts')
    assert ["Анна Петрова"] in [r[0] for r in rows]
    anna = next(r for r in rows if "anna@example.org" in r[1])
    assert anna[2] == ["+7 912 330-82-46"] and anna[4] == "allocated"
    image = content_case.parent / "ntfs.img"
    with open(image, "rb") as raw:  # a resident file: the offset of its own MFT record
        raw.seek(anna[3])
        assert raw.read(4) == b"FILE"


def test_full_text_search_folds_scripts_and_points_at_the_bytes(content_case):
    hits = crossdrive("search", content_case, "ВСТРЕТИМСЯ", "--json")
    found = [json.loads(line) for line in hits.splitlines()]
    assert len(found) == 1
    hit = found[0]
    assert (hit["device"], hit["state"], hit["path"]) == (
        "NTFS",
        "allocated",
        "Users/anna/Mail/Inbox",
    )
    assert hit["title"] == "Meeting 0" and "<b>встретимся</b>" in hit["snippet"]
    assert hit["offset"] > 0 and hit["chain"] == str(hit["offset"])
    assert "1 hits for 'ахмеда'" in crossdrive("search", content_case, "ахмеда")
    cafe = [
        json.loads(line)
        for line in crossdrive("search", content_case, "cafe", "--json").split("\n")
        if line
    ]
    assert [h["title"] for h in cafe] == ["Meeting 1"]  # written café
    assert "0 hits" in crossdrive("search", content_case, "nonexistentword")
    zanzibar = crossdrive("search", content_case, "zanzibar", "--json")
    assert json.loads(zanzibar)["path"] == "Users/anna/notes.txt"  # a plain-text document


def test_timeline_has_file_times_and_records(content_case, tmp_path):
    out = tmp_path / "timeline.jsonl"
    crossdrive("export", content_case, "timeline", "--format", "jsonl", "-o", out)
    events = [json.loads(line) for line in out.read_text().splitlines()]
    kinds = {e["timestamp_desc"] for e in events}
    assert {"Message Time", "Content Modification Time", "Creation Time"} <= kinds
    sent = [e for e in events if e["timestamp_desc"] == "Message Time"]
    assert len(sent) == 6 and all(e["datetime"].endswith("Z") for e in sent)
    first = min(sent, key=lambda e: e["datetime"])
    assert first["datetime"] == "2024-03-01T09:30:15Z"
    assert first["timestamp"] == int(WHEN[0].timestamp()) * 1_000_000
    assert first["path"] == "Users/anna/Mail/Inbox" and first["offset"] > 0
    assert [e["datetime"] for e in events] == sorted(e["datetime"] for e in events)
    body = tmp_path / "timeline.body"
    crossdrive("export", content_case, "timeline", "--format", "bodyfile", "-o", body)
    rendered = subprocess.run(
        ["mactime", "-b", str(body), "-d", "-y"], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in rendered.splitlines() if "Meeting 0" in x)
    assert line.startswith("2024-03-01T09:30:15Z,0,macb,")
    assert "/NTFS/[mbox] [email] anna@example.org -> bob@example.net: Meeting 0" in line
