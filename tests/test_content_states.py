"""Each parser on a deleted copy and on a carved copy of its file finds the same records as on
the allocated file: one NTFS image holds every sample three times (a live file, a file deleted
through ntfs-3g, and bare bytes in free space that only carving finds)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdrive.demo import builders
from crossdrive.demo.builders import MIB
from crossdrive.demo.formats import browser, chat, documents, phone
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message
from tests.helpers import new_case, query

ANA = Person(
    "P001",
    "Ana Silva",
    "pt_PT",
    "PT",
    "member",
    0,
    ["ana.silva@sapo.pt"],
    ["+351912345678"],
    {"skype": "ana.silva77", "xmpp": "ana@jabber.pt", "telegram": "ana_tg"},
)
OLEG = Person(
    "P002",
    "Олег Петров",
    "ru_RU",
    "RU",
    "member",
    0,
    ["oleg@mail.ru"],
    ["+79123308246"],
    {"skype": "live:.cid.0a1b2c3d4e5f", "xmpp": "oleg@xmpp.ru", "telegram": "oleg_tg"},
)
ORG = Organisation([ANA, OLEG], [["P001", "P002"]], [], [], [])
TIMES = [datetime(2024, 2, day, 10, 0, day, tzinfo=UTC) for day in range(1, 6)]


def said(n: int, channel: str, service: str | None, sender: Person, to: Person) -> Message:
    return Message(f"M{n:04d}", channel, service, sender.id, [to.id], [], TIMES[n], "", f"text {n}")


SKYPE = [said(n, "chat", "skype", *((ANA, OLEG) if n % 2 else (OLEG, ANA))) for n in range(4)]
SMS = [said(n, "sms", None, *((ANA, OLEG) if n % 2 else (OLEG, ANA))) for n in range(4)]
SAMPLES = {  # file name -> bytes (each made by the application's format writer)
    "main.db": chat.skype_main_db(SKYPE, ANA, ORG)[0],
    "mmssms.db": phone.mmssms_db(SMS, ANA, ORG)[0],
    "contacts2.db": phone.contacts2_db([OLEG], ANA)[0],
    "History": browser.chrome_history([OLEG], TIMES)[0],
    "roster.docx": documents.roster_docx("Roster", [ANA, OLEG], ANA, TIMES[0])[0],
    "sheet.pdf": documents.contact_sheet_pdf("Contacts", [ANA, OLEG])[0],
    "contacts.vcf": phone.vcards([ANA, OLEG])[0],
}
FINGERPRINT = {  # what must be equal between the copies, per record table
    "messages": "time, sender, recipients, body",
    "contacts": "names, emails, phones, handles",
    "events": "time, kind, description",
    "documents": "kind, text, author, created",
    "accounts": "service, identifier",
}


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("states")
    image = root / "ntfs.img"
    files = {f"live/{name}": data for name, data in SAMPLES.items()}
    files |= {f"gone/{name}": data for name, data in SAMPLES.items()}
    builders.ntfs(image, 48 * MIB, files, deleted=[f"gone/{name}" for name in SAMPLES])
    block_size, runs = builders.free_runs(image)
    first, count = max(runs, key=lambda run: run[1])
    at = (first + 64) * block_size
    carved_at = {}
    for name, data in SAMPLES.items():
        builders.write_at(image, at, data)
        carved_at[name] = at
        at += (len(data) // 65536 + 2) * 65536
    assert at < (first + count) * block_size
    return new_case(root, {"NTFS": image}), carved_at


def records(case_dir: Path, where: str, params: list) -> dict[str, list]:
    return {
        table: sorted(
            map(repr, query(case_dir, f"SELECT {columns} FROM {table} WHERE {where}", params))
        )
        for table, columns in FINGERPRINT.items()
    }


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_same_records_from_allocated_deleted_and_carved_copies(case, name):
    case_dir, carved_at = case
    live = records(case_dir, "path = ? AND state = 'allocated'", [f"live/{name}"])
    assert any(live.values()), f"no records from {name}"
    deleted = records(case_dir, "path = ? AND state = 'deleted'", [f"gone/{name}"])
    assert deleted == live
    span = [carved_at[name], carved_at[name] + len(SAMPLES[name])]
    carved = records(case_dir, "state = 'carved' AND \"offset\" BETWEEN ? AND ?", span)
    assert carved == live


def test_records_of_every_family_are_present(case):
    case_dir, _ = case
    artifacts = {row[0] for row in query(case_dir, "SELECT DISTINCT artifact FROM messages")}
    assert {"skype", "android-mmssms"} <= artifacts
    contacts = query(
        case_dir, "SELECT artifact, phones FROM contacts WHERE path = 'live/contacts2.db'"
    )
    digits = ["".join(c for c in "".join(phones) if c.isdigit()) for _a, phones in contacts]
    assert digits == ["79123308246"]
