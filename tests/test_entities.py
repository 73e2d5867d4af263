"""Identifiers in their normal forms, and every occurrence of them in a case store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdrive.entities import national, occurrences
from crossdrive.entities.identifiers import Identifier, handle, normalise, region_of
from crossdrive.store.database import connect


@pytest.mark.parametrize(
    ("kind", "written", "region", "expected"),
    [
        ("email", " Bob.Smith@Example.COM ", None, Identifier("email", "bob.smith@example.com")),
        ("email", "mailto:ivan@ПОЧТА.рф", None, Identifier("email", "ivan@почта.рф")),
        ("email", "icon@2x.png", None, None),
        ("phone", "+44 20 7946 0958", None, Identifier("phone", "+442079460958")),
        ("phone", "0049 151 23222791", None, Identifier("phone", "+4915123222791")),
        ("phone", "8 (912) 330-82-46", "RU", Identifier("phone", "+79123308246")),
        ("phone", "8 (912) 330-82-46", None, Identifier("phone", "?89123308246", False)),
        ("phone", "0151 2322 2791", "DE", Identifier("phone", "+4915123222791")),
        ("phone", "+44 12", None, None),
        ("phone", "anna@example.org", None, Identifier("email", "anna@example.org")),
        ("whatsapp", "4915123222791@s.whatsapp.net", None, Identifier("phone", "+4915123222791")),
        ("skype", "Live:.cid.ABC123", None, Identifier("skype", "skype:live:.cid.abc123")),
        ("xmpp", "Anna@Jabber.org/laptop", None, Identifier("xmpp", "xmpp:anna@jabber.org")),
        ("telegram", "user12345", None, Identifier("telegram", "telegram:user12345")),
        ("windows", "anna", None, Identifier("account", "windows:anna")),
    ],
)
def test_normal_forms(kind, written, region, expected):
    assert normalise(kind, written, region) == expected


def test_handles_as_contact_books_and_the_sweep_write_them():
    assert handle("skype:Bob.Smith77") == Identifier("skype", "skype:bob.smith77")
    assert handle("jabber:Anna@Jabber.org") == Identifier("xmpp", "xmpp:anna@jabber.org")
    assert handle("telegram:@Anna_P") == Identifier("telegram", "telegram:@anna_p")
    assert handle("whatsapp:+4915123222791") == Identifier("phone", "+4915123222791")
    assert handle("no handle here") is None


def test_a_devices_region_comes_from_its_own_settings():
    assert region_of({"locale": "ru_RU.UTF-8"}) == "RU"
    assert region_of({"locale": "de-AT"}) == "AT"
    assert region_of({"calling_code": "49"}) == "DE"
    assert region_of({"timezone": "Europe/Istanbul"}) == "TR"
    assert region_of({"locale": "de_DE", "timezone": "Asia/Tokyo"}) == "DE"  # locale first
    assert region_of({"timezone": "W. Europe Standard Time"}) is None  # names no country
    assert region_of({}) is None


def test_national_numbers_are_read_as_the_cases_numbers_written_in_full(tmp_path: Path):
    con = connect(tmp_path / "store.duckdb")
    known = ["+79123308246", "+905012890786", "+31612983478", "+4915123222791", "+49301234567"]
    known += ["+12025550143", "+442025550143"]
    con.executemany(
        "INSERT INTO identifiers (device, kind, value, resolved, written) "
        "VALUES ('D', 'phone', ?, true, ?)",
        [[value, value] for value in known],
    )
    forms = national.known_forms(con)
    assert forms["89123308246"] == forms["9123308246"] == "+79123308246"
    assert forms["0612983478"] == "+31612983478"
    text = (
        "ring 8 (912) 330-82-46 or 0501 289 07 86, 06 12983478; +7 912 330-82-46 is the same; "
        "on 2024-01-15 10:30 call 01512 3222791 12 times; (030) 1234567; 0049 30 1234567; "
        "and 8 (495) 123-45-67, known nowhere"
    )
    assert list(national.find(text, forms)) == [
        ("8 (912) 330-82-46", "+79123308246"),
        ("0501 289 07 86", "+905012890786"),
        ("06 12983478", "+31612983478"),
        ("01512 3222791", "+4915123222791"),  # cut from the count after it
        ("(030) 1234567", "+49301234567"),
    ]  # never the rest of an international number (`+7 912 …`, `0049 30 …`)
    # The US number's national form is the UK number's significant digits: a form two of
    # the case's numbers share is left unread; the UK one with its trunk prefix is not shared.
    assert "2025550143" not in forms
    assert list(national.find("the (202) 555-0143 line", forms)) == []
    assert list(national.find("020 2555 0143", forms)) == [("020 2555 0143", "+442025550143")]


def test_every_occurrence_with_its_provenance_and_record(tmp_path: Path):
    con = connect(tmp_path / "store.duckdb")
    con.execute(
        """INSERT INTO messages (task_id, device, path, state, "offset", chain, artifact,
             channel, time, sender, recipients, cc, bcc, body) VALUES
           ('t1', 'LAPTOP', 'Users/a/Inbox', 'allocated', 4096, '4096', 'mbox', 'email',
            '2024-01-01T00:00:00Z', 'Anna@Example.org', ['bob@example.net'], ['c@example.com'],
            [], 'call me on 8 912 330-82-46 tomorrow'),
           ('t2', 'PHONE', 'sms.xml', 'deleted', 8192, '8192', 'sms-backup-xml', 'sms',
            '2024-01-02T00:00:00Z', '8 912 330-82-46', [], [], [], 'ok'),
           ('t2', 'PHONE', 'sms.xml', 'deleted', 8300, '8300', 'sms-backup-xml', 'sms',
            '2024-01-03T00:00:00Z', '8 495 123-45-67', [], [], [], 'где ты?')"""
    )
    con.execute(
        """INSERT INTO contacts (task_id, device, path, state, "offset", chain, artifact,
             names, emails, phones, handles) VALUES
           ('t3', 'LAPTOP', 'c.vcf', 'allocated', 100, '100', 'vcard', ['Анна'],
            ['ANNA@example.org'], ['+7 912 330-82-46'], ['skype:Anna.K', 'xmpp:anna@jabber.ru'])"""
    )
    con.execute(
        """INSERT INTO accounts (task_id, device, path, state, "offset", chain, artifact,
             service, identifier) VALUES
           ('t4', 'LAPTOP', 'main.db', 'allocated', 7, '7', 'skype', 'skype', 'Anna.K')"""
    )
    con.execute(
        """INSERT INTO features (task_id, device, scanner, feature, written, "offset", chain)
           VALUES ('t5', 'PHONE', 'telephone', '+79123308246', '+7 912 330 82 46', 99, '99')"""
    )
    settings = json.dumps({"locale": "ru_RU.UTF-8"})
    con.execute(
        """INSERT INTO documents (task_id, device, path, state, artifact, kind, meta)
           VALUES ('t6', 'LAPTOP', 'etc/default/locale', 'allocated', 'linux-settings',
                   'system-settings', ?)""",
        [settings],
    )
    assert occurrences.build(con) == 12
    rows = con.execute(
        'SELECT device, role, kind, value, resolved, region, path, state, "offset", record '
        "FROM identifiers ORDER BY device, role, value"
    ).fetchall()
    by = {(r[0], r[1], r[3]): r for r in rows}
    assert by["LAPTOP", "sender", "anna@example.org"][6:9] == ("Users/a/Inbox", "allocated", 4096)
    sender, recipient = (
        by["LAPTOP", "sender", "anna@example.org"],
        by["LAPTOP", "recipient", "bob@example.net"],
    )
    assert sender[9] == recipient[9] is not None  # the same message
    assert by["LAPTOP", "mention", "+79123308246"][5] == "RU"  # read with the device's region
    assert by["LAPTOP", "contact", "skype:anna.k"][2] == "skype"
    assert by["LAPTOP", "account", "skype:anna.k"][2] == "skype"
    assert by["LAPTOP", "contact", "xmpp:anna@jabber.ru"][2] == "xmpp"
    # the phone has no settings: a national sender that is a number the case holds in full
    # (the laptop's contact) is read as that number; one the case knows nowhere else stays
    # unresolved, flagged, never guessed
    assert by["PHONE", "sender", "+79123308246"][4:6] == (True, None)
    assert by["PHONE", "sender", "?84951234567"][4] is False
    assert by["PHONE", "feature", "+79123308246"][4] is True
    assert con.execute(
        "SELECT read_by FROM identifiers WHERE device = 'PHONE' AND role = 'sender' AND resolved"
    ).fetchall() == [("case",)]
    # the laptop's body: read once, with the device's region (not again through the case)
    assert [r for r in rows if r[0] == "LAPTOP" and r[1] == "mention"] == [
        by["LAPTOP", "mention", "+79123308246"]
    ]
    assert occurrences.build(con) == 12  # rebuilt, not appended


def _message(con, task, device, path, state, offset, sender, recipients, cc, message_id, body):
    con.execute(
        """INSERT INTO messages (task_id, device, path, state, "offset", chain, artifact,
             channel, time, sender, recipients, cc, bcc, message_id, body, names) VALUES
           (?, ?, ?, ?, ?, ?, 'eml', 'email', '2024-03-01T10:00:00Z', ?, ?, ?, [], ?, ?, ?)""",
        [
            task,
            device,
            path,
            state,
            offset,
            str(offset),
            sender,
            recipients,
            cc,
            message_id,
            body,
            json.dumps({"anna@example.org": "Anna Petrova"}),
        ],
    )


def test_persons_merge_on_strong_evidence_only_and_links_keep_every_copy(tmp_path: Path):
    from crossdrive.entities import identities
    from crossdrive.exports.graph import write_links, write_persons
    from crossdrive.graph import links

    con = connect(tmp_path / "store.duckdb")
    # one message found twice (a live mbox on one device, a carved copy on another)
    for task, device, path, state, offset in (
        ("t1", "LAPTOP", "Users/a/Inbox", "allocated", 4096),
        ("t2", "USB", None, "carved", 99_000),
    ):
        _message(
            con,
            task,
            device,
            path,
            state,
            offset,
            "anna@example.org",
            ["bob@example.net", "carl@example.com"],
            ["dora@example.com"],
            "<m1@example.org>",
            "hello",
        )
    # Bob's contact card names his address and number together: one person
    con.execute(
        """INSERT INTO contacts (task_id, device, path, state, "offset", chain, artifact,
             names, emails, phones, handles) VALUES
           ('t3', 'LAPTOP', 'c.vcf', 'allocated', 100, '100', 'vcard', ['Bob Stone'],
            ['bob@example.net'], ['+44 20 7946 0958'], []),
           ('t3', 'LAPTOP', 'c.vcf', 'allocated', 300, '300', 'vcard', ['Anna'],
            [], ['+44 20 7946 0000'], [])"""
    )
    # Anna's Skype profile names her handle and her address: one person
    con.execute(
        """INSERT INTO accounts (task_id, device, path, state, "offset", chain, artifact,
             service, identifier) VALUES
           ('t4', 'LAPTOP', 'main.db', 'allocated', 7, '7', 'skype', 'skype', 'anna.p'),
           ('t4', 'LAPTOP', 'main.db', 'allocated', 7, '7', 'skype', 'email', 'anna@example.org')"""
    )
    occurrences.build(con)
    persons = identities.resolve(con)
    identities.store(con, persons)
    groups = {tuple(v for _k, v in p.identifiers): p for p in persons}
    assert ("+442079460958", "bob@example.net") in groups
    assert ("anna@example.org", "skype:anna.p") in groups
    # a card whose only name is "Anna" does not join Anna's person: names never merge
    assert ("+442079460000",) in groups
    anna = groups["anna@example.org", "skype:anna.p"]
    assert anna.name == "Anna Petrova" and anna.devices == ["LAPTOP", "USB"]
    assert [e["reason"] for e in anna.evidence] == ["account"]
    assert groups["+442079460958", "bob@example.net"].name == "Bob Stone"
    assert links.build(con) > 0
    rows = con.execute(
        "SELECT kind, source, target, weight, evidence FROM links ORDER BY kind, source, target"
    ).fetchall()
    communication = [r for r in rows if r[0] == "communication"]
    assert len(communication) == 3 and all(r[1] == anna.id for r in communication)
    assert all(r[3] == 1 for r in communication)  # two copies of one message count once
    places = {(e["device"], e["state"], e["offset"]) for e in json.loads(communication[0][4])}
    assert places == {("LAPTOP", "allocated", 4096), ("USB", "carved", 99_000)}
    assert len([r for r in rows if r[0] == "co-recipient"]) == 3  # bob, carl, dora pairwise
    persons_out, links_out = tmp_path / "persons.jsonl", tmp_path / "links.jsonl"
    assert write_persons(con, persons_out) == len(persons)
    assert write_links(con, links_out) == len(rows)
    first = json.loads(persons_out.read_text().splitlines()[0])
    assert set(first) >= {"id", "name", "identifiers", "community", "scores", "devices", "bulk"}
    link = json.loads(links_out.read_text().splitlines()[0])
    assert set(link) >= {"source", "target", "kind", "weight", "first_seen", "last_seen"}
    assert link["evidence"] and {"device", "path", "offset", "state", "chain"} <= set(
        link["evidence"][0]
    )


def test_bulk_senders_are_flagged_with_their_reason(tmp_path: Path):
    from crossdrive.entities import identities
    from crossdrive.graph import bulk

    con = connect(tmp_path / "store.duckdb")
    news = json.dumps({"List-Unsubscribe": "<mailto:u@news.example>", "Precedence": "bulk"})
    rows = [  # (sender, recipient, headers)
        ("news@news.example", "anna@example.org", news),
        ("news@news.example", "bob@example.net", news),
        ("no-reply@shop.example", "anna@example.org", None),
        ("anna@example.org", "bob@example.net", None),
        ("bob@example.net", "anna@example.org", None),
        # a list that people write back to is a conversation, not bulk
        ("team@lists.example", "anna@example.org", news),
        ("anna@example.org", "team@lists.example", None),
    ]
    for n, (sender, recipient, headers) in enumerate(rows):
        con.execute(
            """INSERT INTO messages (task_id, device, path, state, "offset", chain, artifact,
                 channel, time, sender, recipients, message_id, headers) VALUES
               ('t', 'PC', 'Inbox', 'allocated', ?, ?, 'mbox', 'email', '2024-01-01T00:00:00Z',
                ?, [?], ?, ?)""",
            [n, str(n), sender, recipient, f"<{n}@x>", headers],
        )
    occurrences.build(con)
    identities.store(con, identities.resolve(con))
    assert bulk.flag(con) == 2
    flagged = dict(
        con.execute(
            "SELECT i.value, p.bulk_reason FROM persons p JOIN person_identifiers i "
            "ON i.person = p.id WHERE p.bulk"
        ).fetchall()
    )
    assert flagged == {
        "news@news.example": "bulk headers on 2 of 2 messages sent",
        "no-reply@shop.example": "a no-reply or notification address",
    }


def test_the_graph_exports_open_in_the_readers_of_their_formats(tmp_path: Path):
    """GraphML and GEXF are read back by networkx's own readers (what Gephi and yEd read),
    with the attributes an analyst colours and sizes by; CSV as two tables."""
    import csv

    import networkx as nx

    from crossdrive.entities import identities
    from crossdrive.exports.graph import write_csv, write_gexf, write_graphml
    from crossdrive.graph import bulk, links
    from crossdrive.graph.analyse import analyse

    con = connect(tmp_path / "store.duckdb")
    people = ["anna@example.org", "bob@example.net", "carl@example.com", "dora@example.com"]
    for n, (sender, recipient) in enumerate(zip(people, people[1:] + people[:1], strict=True)):
        _message(con, "t", "PC", "Inbox", "allocated", n, sender, [recipient], [], f"<{n}@x>", "")
    occurrences.build(con)
    identities.store(con, identities.resolve(con))
    links.build(con)
    bulk.flag(con)
    analyse(con)
    write_graphml(con, tmp_path / "g.graphml")
    write_gexf(con, tmp_path / "g.gexf")
    for graph in (nx.read_graphml(tmp_path / "g.graphml"), nx.read_gexf(tmp_path / "g.gexf")):
        assert graph.number_of_nodes() == 4
        labels = {data["label"] for _n, data in graph.nodes(data=True)}
        assert "Anna Petrova" in labels  # the display name the messages give her
        assert all(data["community"].startswith("c-") for _n, data in graph.nodes(data=True))
        assert {data["kind"] for *_e, data in graph.edges(data=True)} == {"communication"}
    write_csv(con, tmp_path / "csv")
    with open(tmp_path / "csv" / "nodes.csv", encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    assert len(nodes) == 4 and len(edges) == 4
    assert {e["source"] for e in edges} == {n["id"] for n in nodes}
