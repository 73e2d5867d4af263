"""Persons built from a real image's mail, contacts, chat log and notes: merges on strong
evidence (contact card, signature block, a unique full name), name mentions found in text in
another script, co-occurrence weighted by list size, and the analyst's merge and split
decisions (audited, kept when the case is processed again)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from crossdrive.demo import builders
from crossdrive.entities.identifiers import name_keys
from tests.helpers import crossdrive, new_case, query

MIB = 1024 * 1024


def _mail(number: int, sender: str, to: list[str], body: str, name: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = ", ".join(to)
    message["Subject"] = f"note {number}"
    message["Date"] = format_datetime(datetime(2024, 3, number, 9, 0, tzinfo=UTC))
    message["Message-ID"] = f"<m{number}@example.org>"
    message.set_content(body)
    return b"From " + sender.encode() + b" Sat Mar  2 09:00:00 2024\n" + message.as_bytes() + b"\n"


VCARDS = """BEGIN:VCARD\r
VERSION:3.0\r
FN:Bob Stone\r
EMAIL:bob@example.net\r
TEL:+44 20 7946 0958\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:Александр Петров\r
EMAIL:sasha@example.ru\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:Dora Lind\r
EMAIL:dora@example.com\r
END:VCARD\r
"""
MAILS = [
    # Anna signs with her number: the number is hers
    (1, "anna@example.org", ["bob@example.net"], "See you.\n\n-- \nAnna\n+44 20 7946 0321\n"),
    # Anna names Alexander, in Latin letters, to Bob: a mention of a third person
    (2, "anna@example.org", ["bob@example.net"], "Ask Aleksandr Petrov about the boat."),
    # Bob greets Anna by her name: a party of the message is not a mention of herself
    (3, "bob@example.net", ["anna@example.org"], "Dora Lind is back."),
    (4, "dora@example.com", ["bob@example.net"], "Thanks."),
]
# A Pidgin-style chat log whose handle is seen only under Bob's full name
CHAT = """Conversation with bob.s@jabber.org at 2024-03-05 10:00:00 on anna@jabber.org (jabber)
(10:00:01) Bob Stone: are you there?
(10:00:09) anna@jabber.org: yes
"""
NOTES = "Meeting: Bob Stone and Dora Lind, Thursday.\n"
IDN_ADDRESS = "lena.k@почта.рф"


def _sheet_pdf() -> bytes:
    """A one-line PDF drawn in an embedded subset font: its streams hold glyph ids, not text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from crossdrive.demo.formats.documents import UNICODE_FONT

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, invariant=1, pageCompression=1)
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(UNICODE_FONT)))
    sheet.setFont("DejaVuSans", 10)
    sheet.drawString(50, 770, f"Лена: {IDN_ADDRESS}")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("persons")
    mbox = b"".join(
        _mail(n, s, to, body, "Anna Berg" if s.startswith("anna") else "")
        for n, s, to, body in MAILS
    )
    image = builders.ext4(
        root / "home.img",
        8 * MIB,
        {
            "home/anna/.thunderbird/x.default/Mail/Local Folders/Inbox": mbox,
            "home/anna/contacts.vcf": VCARDS.encode(),
            "home/anna/notes.txt": NOTES.encode(),
            "home/anna/sheet.pdf": _sheet_pdf(),
            "home/anna/.purple/logs/jabber/anna@jabber.org/bob.s@jabber.org/"
            "2024-03-05.100000+0000UTC.txt": CHAT.encode(),
        },
    )
    return new_case(root, {"HOME": image})


def person_of(case: Path, value: str) -> str:
    return query(case, "SELECT person FROM person_identifiers WHERE value = ?", [value])[0][0]


def values_of(case: Path, person: str) -> set[str]:
    rows = query(case, "SELECT value FROM person_identifiers WHERE person = ?", [person])
    return {v for (v,) in rows}


def reasons(case: Path, person: str) -> list[str]:
    (evidence,) = query(case, "SELECT evidence FROM persons WHERE id = ?", [person])[0]
    return [e["reason"] for e in json.loads(evidence or "[]")]


def test_full_names_are_compared_folded_and_transliterated():
    assert name_keys("Anna") == set()  # a first name alone never matches
    assert name_keys("anna@example.org 2") == set()
    assert ("aleksandr", "petrov") in name_keys("Александр Петров")
    assert ("александр", "петров") in name_keys("АЛЕКСАНДР ПЕТРОВ")
    assert name_keys("Zoë Gül") == {("zoe", "gul")}


def test_merges_on_contact_card_signature_and_unique_full_name(case):
    bob = person_of(case, "bob@example.net")
    assert {"+442079460958", "xmpp:bob.s@jabber.org"} <= values_of(case, bob)
    assert {"contact", "name"} <= set(reasons(case, bob))
    anna = person_of(case, "anna@example.org")
    assert "+442079460321" in values_of(case, anna)  # her signature block
    assert "signature" in reasons(case, anna)
    # nothing else joined: Alexander and Dora stay persons of their own
    assert values_of(case, person_of(case, "sasha@example.ru")) == {"sasha@example.ru"}
    assert values_of(case, person_of(case, "dora@example.com")) == {"dora@example.com"}


def test_addresses_in_document_text_are_identifiers(case):
    """The PDF's bytes never hold the address (the sweep cannot find it); the text the
    content stage extracted does, and the address is an identifier of that document."""
    rows = query(case, "SELECT source, path FROM identifiers WHERE value = ?", [IDN_ADDRESS])
    assert rows == [("documents", "home/anna/sheet.pdf")]


def test_names_in_text_become_mention_and_co_occurrence_links(case):
    anna, bob = person_of(case, "anna@example.org"), person_of(case, "bob@example.net")
    sasha, dora = person_of(case, "sasha@example.ru"), person_of(case, "dora@example.com")
    found = {
        (name, source) for name, source in query(case, "SELECT name, source FROM name_mentions")
    }
    assert ("Александр Петров", "messages") in found  # written in Latin letters in the mail
    assert {("Bob Stone", "documents"), ("Dora Lind", "documents")} <= found
    links = {
        (kind, source, target): (weight, strength, json.loads(evidence))
        for kind, source, target, weight, strength, evidence in query(
            case, "SELECT kind, source, target, weight, strength, evidence FROM links"
        )
    }
    weight, _s, evidence = links["mention", anna, sasha]
    assert weight == 1 and evidence[0]["path"].endswith("Local Folders/Inbox")
    assert ("mention", bob, dora) in links  # message 3 names Dora, who is not in it
    assert ("mention", bob, anna) not in links
    # the notes name Bob and Dora together: a list of two, strength 1
    pair = tuple(sorted((bob, dora)))
    _w, strength, evidence = links["co-occurrence", *pair]
    assert strength >= 1.0 and any(e["path"] == "home/anna/notes.txt" for e in evidence)
    # the address book lists three people: each pair gets 1 / (3 - 1)
    book = tuple(sorted((sasha, dora)))
    assert links["co-occurrence", *book][1] == pytest.approx(0.5)


def test_analyst_split_and_merge_are_audited_and_kept_across_runs(case):
    bob = person_of(case, "bob@example.net")
    crossdrive("persons", "split", case, "xmpp:bob.s@jabber.org", "--reason", "another Bob Stone")
    handle = person_of(case, "xmpp:bob.s@jabber.org")
    assert handle != person_of(case, "bob@example.net")
    assert values_of(case, handle) == {"xmpp:bob.s@jabber.org"}
    assert "analyst split" in reasons(case, handle)
    crossdrive("process", case)  # derived again from scratch: the decision holds
    assert person_of(case, "xmpp:bob.s@jabber.org") != person_of(case, "bob@example.net")
    crossdrive(
        "persons", "merge", case, "dora@example.com", bob, "--reason", "same person: phone call"
    )
    merged = person_of(case, "dora@example.com")
    assert merged == person_of(case, "bob@example.net")
    assert "analyst" in reasons(case, merged)
    assert person_of(case, "xmpp:bob.s@jabber.org") != merged  # the split still holds
    shown = crossdrive("persons", "show", case, "dora@example.com")
    assert "bob@example.net" in shown and "dora@example.com" in shown
    log = [json.loads(line) for line in (case / "audit.jsonl").read_text().splitlines()]
    commands = [(e["command"], e["result"]) for e in log]
    assert ("persons split", "ok: decision 1") in commands
    assert ("persons merge", "ok: decision 2") in commands
    assert crossdrive("verify", case)  # the hash chain holds with the new entries
    decisions = [json.loads(x) for x in (case / "decisions.jsonl").read_text().splitlines()]
    assert [d["kind"] for d in decisions] == ["split", "merge"]
    crossdrive("persons", "merge", case, "nobody@nowhere.example", bob, "--reason", "x", expect=1)
