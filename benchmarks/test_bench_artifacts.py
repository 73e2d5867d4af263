"""`make bench`: records per second of the mail and chat parsers on a large mailbox and a large
Skype database, each against a reference in the same run: the standard library's `mailbox`
reading the same mbox (what a quick script does), and a bare SQLite query of the same rows (the
floor: no parser can read a database faster). Results: bench-out/artifacts.json."""

from __future__ import annotations

import email
import json
import mailbox
import random
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from crossdrive.artifacts.chat import parse_skype
from crossdrive.artifacts.common import open_sqlite
from crossdrive.artifacts.mail import parse_mbox
from crossdrive.artifacts.records import Message
from crossdrive.demo.formats.chat import skype_main_db
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message as Said

OUT = Path(__file__).resolve().parents[1] / "bench-out"
MAILS = 20_000
CHATS = 100_000


def _mbox(path: Path) -> Path:
    if path.exists():
        return path
    rng = random.Random(5)
    words = [
        "meeting",
        "tomorrow",
        "report",
        "shipment",
        "invoice",
        "call",
        "back",
        "later",
        "delivery",
    ]
    box = mailbox.mbox(path)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for n in range(MAILS):
        mail = EmailMessage()
        mail["From"] = f"Sender {n % 97} <sender{n % 97}@example.org>"
        mail["To"] = f"rcpt{n % 31}@example.net, other{n % 7}@example.com"
        mail["Subject"] = f"Re: {' '.join(rng.choices(words, k=4))}"
        mail["Date"] = format_datetime(start + timedelta(minutes=37 * n))
        mail["Message-ID"] = f"<{n}@example.org>"
        mail.set_content(" ".join(rng.choices(words, k=rng.randint(50, 300))))
        box.add(mailbox.mboxMessage(mail))
    box.flush()
    box.close()
    return path


def _skype(path: Path) -> Path:
    if path.exists():
        return path
    people = [
        Person(
            f"P{i:03d}",
            f"Person {i}",
            "en_US",
            "US",
            "member",
            0,
            [f"p{i}@example.org"],
            [f"+1202555{i:04d}"],
            {"skype": f"p.{i}"},
        )
        for i in range(20)
    ]
    org = Organisation(people, [[p.id for p in people]], [], [], [])
    start = datetime(2023, 1, 1, tzinfo=UTC)
    said = [
        Said(
            f"M{n:06d}",
            "chat",
            "skype",
            people[0].id if n % 2 else people[1 + n % 19].id,
            [people[1 + n % 19].id if n % 2 else people[0].id],
            [],
            start + timedelta(seconds=61 * n),
            "",
            f"message number {n} about the shipment",
        )
        for n in range(CHATS)
    ]
    path.write_bytes(skype_main_db(said, people[0], org)[0])
    return path


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def _timed(function) -> tuple[int, float]:
    began = time.perf_counter()
    count = function()
    return count, time.perf_counter() - began


def _stdlib_mbox(path: Path) -> int:
    count = 0
    for entry in mailbox.mbox(path, factory=None):
        mail = email.message_from_bytes(entry.as_bytes(), policy=policy.default)
        _ = (mail["From"], mail["To"], mail["Date"], mail.get_body(("plain",)).get_content())
        count += 1
    return count


def _bare_skype(path: Path) -> int:
    con = open_sqlite(path)
    rows = con.execute(
        "SELECT timestamp, author, body_xml, convo_id FROM Messages ORDER BY id"
    ).fetchall()
    con.close()
    return len(rows)


@pytest.mark.bench
def test_parser_records_per_second():
    OUT.mkdir(exist_ok=True)
    mbox = _mbox(OUT / "bench-inbox.mbox")
    skype = _skype(OUT / "bench-main.db")
    ours_mail, ours_mail_s = _timed(lambda: sum(isinstance(r, Message) for r in parse_mbox(mbox)))
    ref_mail, ref_mail_s = _timed(lambda: _stdlib_mbox(mbox))
    ours_chat, ours_chat_s = _timed(lambda: sum(isinstance(r, Message) for r in parse_skype(skype)))
    ref_chat, ref_chat_s = _timed(lambda: _bare_skype(skype))
    results = {
        "mbox": {
            "bytes": mbox.stat().st_size,
            "messages": ours_mail,
            "crossdrive_per_s": _rate(ours_mail, ours_mail_s),
            "stdlib_mailbox_per_s": _rate(ref_mail, ref_mail_s),
            "speedup": round(ref_mail_s / ours_mail_s, 2),
        },
        "skype": {
            "bytes": skype.stat().st_size,
            "messages": ours_chat,
            "crossdrive_per_s": _rate(ours_chat, ours_chat_s),
            "bare_sqlite_rows_per_s": _rate(ref_chat, ref_chat_s),
            "share_of_floor": round(ref_chat_s / ours_chat_s, 3),
        },
    }
    print(json.dumps(results, indent=1))
    (OUT / "artifacts.json").write_text(json.dumps(results, indent=1))
    assert ours_mail == ref_mail == MAILS
    assert ours_chat == ref_chat == CHATS
