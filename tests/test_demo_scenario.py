"""The demo scenario: its truth is consistent with the images (checked with The Sleuth Kit's own
tools, not ours), it is deterministic, and the pipeline recovers what it should from it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest

from crossdrive.demo.generate import generate
from crossdrive.demo.scenario import make_scenario
from crossdrive.demo.score import CATEGORIES, name_matches
from crossdrive.evidence.containers import open_container
from tests.helpers import crossdrive, fls, query

SEED, DEVICES, SCALE = 3, 6, 0.5  # every table type, container and file system; seconds to build


@pytest.fixture(scope="session")
def scenario(tmp_path_factory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("demo")
    truth_path = generate(directory, SEED, DEVICES, SCALE, log=lambda _msg: None)
    return directory, json.loads(truth_path.read_text()) | {"root": str(truth_path.parent)}


def segments(truth: dict, device: dict) -> list[Path]:
    paths = [Path(truth["root"]) / p for p in device["images"]]
    return paths[:1] if device["container"] == "e01" else paths


def tsk(*args: object) -> bytes:
    return subprocess.run(list(map(str, args)), capture_output=True, check=True).stdout


def test_same_seed_same_scenario_other_seed_another():
    first = make_scenario(SEED, DEVICES, SCALE).truth()
    assert make_scenario(SEED, DEVICES, SCALE).truth() == first
    other = make_scenario(SEED + 1, DEVICES, SCALE).truth()
    assert other["people"] != first["people"]


def test_the_organisation_has_the_planned_shape(scenario):
    _, truth = scenario
    people = {p["id"]: p for p in truth["people"]}
    assert all(4 <= len(group) <= 8 for group in truth["groups"])
    group_of = {pid: g for g, members in enumerate(truth["groups"]) for pid in members}
    pairs = Counter()
    for message in truth["messages"]:
        for other in message["to"] + message["cc"]:
            pairs[frozenset((message["sender"], other))] += 1
    inside = sum(n for pair, n in pairs.items() if len({group_of.get(p) for p in pair}) == 1)
    assert inside > 0.5 * sum(pairs.values())  # people talk mostly inside their group
    for broker in truth["brokers"]:
        target = people[broker]["bridges_to"]
        assert any(
            broker in pair and group_of.get(next(iter(pair - {broker}))) == target for pair in pairs
        )
    for outsider in truth["outsiders"]:
        partners = {p for pair in pairs if outsider in pair for p in pair} - {outsider}
        assert partners and partners <= set(people[outsider]["contacts"])
    for sender in truth["bulk_senders"]:
        reached = {group_of[m["to"][0]] for m in truth["messages"] if m["sender"] == sender}
        assert len(reached) >= 2
    scripts = {
        unicodedata.name(ch).split()[0] for p in truth["people"] for ch in p["name"] if ch.isalpha()
    }
    assert {"LATIN", "CYRILLIC", "ARABIC", "GREEK"} <= scripts
    phones = [i["value"] for p in truth["people"] for i in p["identifiers"] if i["kind"] == "phone"]
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in phones)
    assert len({phonenumbers.region_code_for_number(phonenumbers.parse(n)) for n in phones}) >= 8
    emails = Counter(
        p["id"] for p in truth["people"] for i in p["identifiers"] if i["kind"] == "email"
    )
    assert max(emails.values()) >= 2
    assert any(not i["value"].isascii() for p in truth["people"] for i in p["identifiers"])


def test_every_evidence_state_and_format_is_planted(scenario):
    _, truth = scenario
    categories = Counter(i["category"] for i in truth["items"])
    for category in CATEGORIES:  # allocated … filler: every evidence state
        assert categories[category] > 0, category
        if category != "filler":
            assert any(i["identifiers"] for i in truth["items"] if i["category"] == category)
    formats = {i["format"] for i in truth["items"]}
    assert {
        "mbox",
        "eml",
        "vcard",
        "sms-backup-xml",
        "android-mmssms",
        "android-contacts2",
        "browser-history",
        "docx",
        "pdf",
        "zip",
        "tar.gz",
        "mbox.gz",
    } <= formats
    assert formats & {"skype-main-db", "pidgin-html", "telegram-json"}
    written = {
        w
        for i in truth["items"]
        for ident in i["identifiers"]
        for w in ident["written"]
        if ident["kind"] == "phone"
    }
    assert any(w.startswith("+") and " " in w for w in written)  # international
    assert any(re.fullmatch(r"\+\d+", w) for w in written)  # E.164
    assert any(w.startswith("00") for w in written)  # international dialling prefix
    assert any(not w.startswith(("+", "00")) for w in written)  # national
    devices = truth["devices"]
    assert {d["table"] for d in devices} == {"mbr", "gpt", "none"}
    assert {d["container"] for d in devices} == {"raw", "split", "e01"}
    assert {p["filesystem"] for d in devices for p in d["partitions"]} >= {"ntfs", "fat32", "ext4"}


def test_remnant_bytes_are_at_their_offsets_in_free_space(scenario):
    _, truth = scenario
    devices = {d["label"]: d for d in truth["devices"]}
    remnants = [i for i in truth["items"] if i["state"] in ("unallocated", "unpartitioned")]
    assert remnants
    for item in remnants:
        device = devices[item["device"]]
        container = open_container(segments(truth, device)[0])
        data = container.read(item["offset"], item["length"])
        container.close()
        assert hashlib.sha256(data).hexdigest() == item["sha256"], item["id"]
        if item["state"] == "unallocated":  # TSK's blkls: the bytes lie in unallocated blocks
            partition = device["partitions"][item["partition"]]
            free = tsk("blkls", "-o", partition["offset"] // 512, *segments(truth, device))
            assert data in free, item["id"]
        else:  # TSK's mmls: the bytes lie in no partition
            for line in tsk("mmls", *segments(truth, device)).decode().splitlines():
                fields = line.split()
                if len(fields) > 4 and re.fullmatch(r"\d+:\d+", fields[1]):
                    start, end = int(fields[2]) * 512, (int(fields[3]) + 1) * 512
                    assert not (start < item["offset"] + item["length"] and item["offset"] < end)


def test_every_planted_file_is_listed_by_fls_with_its_content(scenario):
    """Deleted items appear in `fls -d`, allocated ones in `fls -u`; `icat` gives their bytes."""
    _, truth = scenario
    for device in truth["devices"]:
        images = segments(truth, device)
        for partition in device["partitions"]:
            sector = partition["offset"] // 512
            listed = fls(images, sector)
            items = [
                i
                for i in truth["items"]
                if i["device"] == device["label"]
                and i["partition"] == partition["index"]
                and i["path"]
            ]
            assert items
            for item in items:
                deleted = item["state"] == "deleted"
                hits = [
                    e
                    for e in listed
                    if e["deleted"] == deleted
                    and name_matches(item["path"], e["path"], item["state"])
                ]
                assert hits, (device["label"], item["path"], item["state"])
                content = tsk("icat", "-o", sector, *images, hits[0]["inode"])
                assert hashlib.sha256(content).hexdigest() == item["sha256"], item["path"]


@pytest.fixture(scope="session")
def demo_run(scenario) -> tuple[Path, dict, str]:
    """`crossdrive demo` run once on the cached scenario: (directory, truth, its output)."""
    directory, truth = scenario
    output = crossdrive(
        "demo", directory, "--seed", SEED, "--devices", DEVICES, "--scale", SCALE, "--workers", 2
    )
    return directory, truth, output


def test_demo_end_to_end_recovers_every_planted_file(demo_run):
    """`crossdrive demo` on the cached scenario: minimum recovery per state. Raise these
    thresholds as capabilities land; never lower them."""
    directory, truth, output = demo_run
    assert "recovered / planted" in output and "scenario cached" in output
    measured = json.loads((directory / "score.json").read_text())["recovery"]
    for category in ("allocated", "deleted", "archive", "compressed", "utf16", "filler"):
        row = measured[category]
        assert row["items"] > 0 and row["listed"] == row["items"], category
        assert row["content"] == row["items"], category
    # The sweep: planted e-mail addresses and international numbers found in the item's own
    # bytes. Misses left: values packed side by side in SQLite records (an address glued to the
    # byte before it) and a PDF text drawn in an embedded font (glyph ids): artifacts (#5).
    minimum = {
        "allocated": 0.92,
        "deleted": 0.98,
        "unallocated": 1.0,
        "unpartitioned": 1.0,
        "archive": 1.0,
        "compressed": 1.0,
        "utf16": 1.0,
    }
    for category, share in minimum.items():
        row = measured[category]
        assert row["identifiers"] > 0, category
        assert row["found"] >= share * row["identifiers"], (category, row)
    scores = json.loads((directory / "score.json").read_text())
    assert sum(scores["filler_false_positives"].values()) == 0
    # Carving: every remnant (an mbox run, a vCard, a message, no metadata at all) comes back
    # as a file that opens, from inside the remnant's bytes, in the remnant's place.
    carved = query(directory / "case", 'SELECT device, "offset", length, kind, place FROM carved')
    for item in (i for i in truth["items"] if i["state"] in ("unallocated", "unpartitioned")):
        inside = [
            c
            for c in carved
            if c[0] == item["device"]
            and item["offset"] <= c[1] < item["offset"] + item["length"]
            and c[4] == item["state"]
        ]
        assert inside, item["id"]
    planted = {i["id"] for i in truth["items"]}
    assert sum(row["items"] for row in measured.values()) == len(planted)
    # Artifacts: every planted message and contact identifier is read back as a record from
    # every state the walk and the carver reach (allocated, deleted, archived, compressed,
    # carved out of unallocated and unpartitioned remnants).
    records = scores["artifacts"]
    assert sum(row["messages"] for row in records.values()) > 50
    assert sum(row["contacts"] for row in records.values()) > 50
    for category, row in records.items():
        assert row["messages_found"] == row["messages"], (category, row)
        assert row["contacts_found"] == row["contacts"], (category, row)
    # Identities: merged on strong evidence (a contact entry, one file's account records, a
    # signature block, then a unique full name for lone handles): the 0.95 and 0.9,
    # over the identifiers found in records. The sweep alone also finds some in raw bytes
    # (a t.me link in a history): nothing ties those to anyone, so each stays a person of its
    # own, and recall over every identifier found is lower.
    who = scores["identities"]
    assert who["identifiers_in_records"] >= 0.9 * who["identifiers_found"], who
    assert who["b_cubed_precision"] >= 0.95, who
    assert who["b_cubed_recall"] >= 0.9, who
    assert who["b_cubed_recall_all"] >= 0.85, who
    # SMS get their inferred owner: one of the owner's identifiers, with its own kind
    owners = query(
        directory / "case",
        "SELECT DISTINCT kind, value FROM identifiers WHERE written LIKE '(device owner%'",
    )
    assert owners and all((kind == "phone") == value.startswith("+") for kind, value in owners)
    # Links: SMS get their inferred owner, so most true pairs are links, from every state
    assert who["communication_pairs_found"] >= 0.85 * who["communication_pairs"], who
    for state, row in who["links_by_state"].items():
        assert row["found"] >= (0.85 if state == "allocated" else 1.0) * row["pairs"], state
    assert who["mentions"]["found"] >= 0.75 * who["mentions"]["pairs"] > 0, who
    assert who["bulk_flagged"] == who["bulk_senders"] > 0 and who["bulk_wrongly_flagged"] == 0
    # Groups and brokers: NMI against the true groups over the members found (the issue's
    # 0.9 on the default demo; this smaller scenario is held to 0.8), and every true broker
    # among the top-ranked by betweenness.
    assert who["groups_nmi"] >= 0.8, who
    assert max(who["broker_ranks"]) <= 2 * who["brokers"], who
    pairs = scores["devices"]  # cross-drive analysis: a device's best partner is its group's
    assert pairs["partner_of_the_same_group"] >= 0.75 * pairs["devices_with_a_partner"] > 0
    # National numbers: read as E.164 with the region the device's own settings name (the
    # Linux devices' locale), or as the number the case holds in full elsewhere; every one
    # planted is read, and every reading through the case is a planted number as written.
    for category, row in measured.items():
        assert row["national_found"] == row["national"], (category, row)
    assert sum(row["national"] for row in measured.values()) > 10
    regions = query(directory / "case", "SELECT count(DISTINCT region) FROM identifiers")
    assert regions[0][0] >= 1  # the Linux devices' locale
    idents = [i for item in truth["items"] for i in item["identifiers"]]
    planted = {(w, i["value"]) for i in idents for w in i["written"]}
    read = query(
        directory / "case", "SELECT DISTINCT written, value FROM identifiers WHERE read_by = 'case'"
    )
    assert read and set(read) <= planted
    # The report the demo writes (after verify): every device's hashes, every group drawn
    # with its members, the brokers ringed (tests/test_report.py checks it in depth).
    report = (directory / "report.html").read_text(encoding="utf-8")
    assert "report.html" in output and "images verified" in report
    for hashes in query(directory / "case", "SELECT md5, sha1, sha256 FROM devices"):
        assert all(value in report for value in hashes)
    for group, members in query(directory / "case", "SELECT id, members FROM communities"):
        assert f'id="group-{group}"' in report
        assert all(f'data-id="{member}"' in report for member in members), group
    for (broker,) in query(directory / "case", "SELECT id FROM persons WHERE broker"):
        assert f'<g class="node broker" data-id="{broker}">' in report


def test_exported_links_lead_to_bytes_that_hold_their_identifiers(demo_run, tmp_path):
    """Provenance: for the exported links, read the image at each evidence offset (records
    read straight from a file or remnant, no decoding in their forensic path) and find there
    an identifier of one of the link's two persons, as the case writes it (UTF-8 or UTF-16)."""
    directory, truth, _output = demo_run
    case = directory / "case"
    links = tmp_path / "links.jsonl"
    crossdrive("export", case, "links", "--format", "jsonl", "-o", links)
    written: dict[str, set[bytes]] = {}
    for person, form in query(
        case,
        "SELECT p.person, i.written FROM person_identifiers p "
        "JOIN identifiers i ON i.value = p.value WHERE i.written NOT LIKE '(%'",
    ):
        written.setdefault(person, set()).update(
            {form.encode(), form.encode("utf-16-le"), form.lower().encode()}
        )
    images = {
        d["label"]: open_container(Path(truth["root"]) / d["images"][0]) for d in truth["devices"]
    }
    checked = found = 0
    for line in links.read_text().splitlines():
        link = json.loads(line)
        if link["kind"] not in ("communication", "co-recipient", "mention"):
            continue
        forms = written.get(link["source"], set()) | written.get(link["target"], set())
        for evidence in link["evidence"]:
            if evidence["offset"] is None or evidence["chain"] != str(evidence["offset"]):
                continue  # a decoded record (archive member, gzip): its bytes are not raw
            window = images[evidence["device"]].read(evidence["offset"], 1 << 20)
            checked += 1
            found += any(form in window for form in forms)
    for image in images.values():
        image.close()
    assert checked >= 100
    assert found >= 0.95 * checked, (found, checked)


def test_planted_files_open_with_their_formats_readers(tmp_path):
    """Each artifact is a valid file of its format: the standard readers open it and find what
    was planted (messages, rows, members)."""
    import email
    import gzip
    import io
    import mailbox
    import sqlite3
    import tarfile
    import xml.etree.ElementTree as ET
    import zipfile

    import docx
    import vobject

    def sqlite_count(data: bytes, table: str) -> int:
        path = tmp_path / "db.sqlite"
        path.write_bytes(data)
        with sqlite3.connect(path) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    scenario = make_scenario(SEED, DEVICES, SCALE)
    checked = Counter()
    for item in (i for d in scenario.devices for i in d.items):
        data, fmt = item.data, item.format
        if fmt == "mbox":
            (tmp_path / "box").write_bytes(data)
            assert len(mailbox.mbox(tmp_path / "box")) == len(item.ink.messages)
        elif fmt == "eml":
            assert email.message_from_bytes(data)["Message-ID"]
        elif fmt == "sms-backup-xml":
            assert len(ET.fromstring(data).findall("sms")) == len(item.ink.messages)
        elif fmt == "android-mmssms":
            assert sqlite_count(data, "sms") == len(item.ink.messages)
        elif fmt == "android-contacts2":
            assert sqlite_count(data, "raw_contacts") > 0
        elif fmt == "skype-main-db":
            assert sqlite_count(data, "Messages") == len(item.ink.messages)
        elif fmt == "browser-history":
            table = "urls" if item.path.endswith("History") else "moz_places"
            assert sqlite_count(data, table) > 0
        elif fmt == "telegram-json":
            export = json.loads(data)
            assert sum(len(c["messages"]) for c in export["chats"]["list"]) == len(
                item.ink.messages
            )
        elif fmt == "vcard" and b"VERSION:3.0" in data:
            assert len(list(vobject.readComponents(data.decode()))) > 0
        elif fmt == "docx":
            assert len(docx.Document(io.BytesIO(data)).tables[0].rows) > 1
        elif fmt == "pdf":
            assert data.startswith(b"%PDF-") and b"/FlateDecode" in data
        elif fmt == "zip":
            assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
        elif fmt == "tar.gz":
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                assert archive.getnames()
        elif fmt == "mbox.gz":
            assert gzip.decompress(data).startswith(b"From - ")
        elif fmt == "text-utf16":
            assert data.startswith(b"\xff\xfe") and data.decode("utf-16").startswith("Numbers")
        else:
            continue
        checked[fmt] += 1
    assert len(checked) >= 14, checked


def test_text_read_by_tasks_gives_the_rows_read_in_one_process(demo_run, tmp_path, monkeypatch):
    """Derive's reading of message and document text as tasks (`pipeline.texts`): the demo's
    texts cut into many small files, read by two local workers, one of whose tasks crashes its
    worker twice and is read in this process instead; identifiers and name mentions are the
    rows `read_here` gives, and nothing is left in the shards."""
    from crossdrive.case import Case
    from crossdrive.entities import identities, mentions, occurrences
    from crossdrive.entities.texts import read_here
    from crossdrive.pipeline import texts
    from crossdrive.pipeline.executor import FAULT, Engine

    directory, _truth, _output = demo_run
    shutil.copytree(directory / "case", tmp_path / "case")
    case = Case.open(tmp_path / "case")
    monkeypatch.setattr(texts, "TEXT_CHARS", 64 * 1024)
    monkeypatch.setenv(FAULT, "in_documents.00001")

    def rows(con) -> tuple:
        return (
            con.execute("SELECT * FROM identifiers ORDER BY ALL").fetchall(),
            con.execute("SELECT * FROM name_mentions ORDER BY ALL").fetchall(),
        )

    def read_all(con, read) -> tuple:
        occurrences.build(con, read)
        mentions.build(con, identities.resolve(con, case.decisions()), read)
        return rows(con)

    ran: list[str] = []
    failed: list[str] = []

    def done(task, manifest) -> None:
        ran.append(task.id)
        if manifest["rows"].get("errors"):
            failed.append(task.id)

    with case.connect() as con:
        here = read_all(con, read_here)
        with Engine.start(case.shards, done, 2) as engine:

            def run_tasks(_stage, tasks):
                engine.submit(tasks, 6)
                engine.wait(tasks)

            by_tasks = read_all(con, texts.read_by_tasks(case, run_tasks))
    assert by_tasks == here and len(here[0]) > 1000 and here[1]
    assert len([t for t in ran if ".in_documents." in t]) > 3  # the documents: many tasks
    # crashed twice, then read here; no other task is taken for crashed with it
    assert failed == ["case.text.in_documents.00001"]
    assert not (case.shards / "texts").exists()
    assert not [p for p in case.shards.iterdir() if p.name.startswith("case.text.")]
