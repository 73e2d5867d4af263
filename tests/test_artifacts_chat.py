"""Chat parsers on files made by the applications' own formats: Skype's main.db (the demo's
writer and Skype's full schema through sqlite3), Pidgin logs (the demo's writer and
libpurple's line formats), Telegram Desktop exports (the demo's writer, json.dump, and HTML
laid out by a copy of tdesktop's tag writer), WhatsApp and IRC client logs."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from crossdrive.artifacts import HEAD
from crossdrive.artifacts.chat import PARSERS
from crossdrive.artifacts.records import Account, Contact, Message
from crossdrive.demo.formats import chat as demo
from crossdrive.demo.formats import sqlite_bytes
from crossdrive.demo.people import Organisation, Person
from crossdrive.demo.traffic import Message as Said
from crossdrive.paths import safe_name

PARSER = {parser.name: parser for parser in PARSERS}

ALICE = Person(
    "P001",
    "Alice Moreau",
    "fr_FR",
    "FR",
    "member",
    0,
    ["alice.moreau@free.fr"],
    ["+33612345678"],
    {"skype": "alice.moreau7", "xmpp": "alice@jabber.org", "telegram": "alice7_tg"},
)
BOB = Person(
    "P002",
    "Bob Schmidt",
    "de_DE",
    "DE",
    "member",
    0,
    ["bob@gmx.de"],
    ["+4915123456789"],
    {"skype": "live:.cid.0a1b2c3d4e5f", "xmpp": "bob@xmpp.jp", "telegram": "bob3_tg"},
)
CAROL = Person(
    "P003",
    "Carol Díaz",
    "es_ES",
    "ES",
    "member",
    0,
    ["carol@gmail.com"],
    ["+34612345678"],
    {"skype": "carol.d", "xmpp": "carol@404.city", "telegram": "carol_tg"},
)
ORG = Organisation([ALICE, BOB, CAROL], [["P001", "P002", "P003"]], [], [], [])


def said(number: int, sender: Person, to: Person, when: datetime, body: str) -> Said:
    return Said(f"M{number:04d}", "chat", "skype", sender.id, [to.id], [], when, "", body)


TRAFFIC = [
    said(1, ALICE, BOB, datetime(2023, 3, 4, 22, 15, 0, tzinfo=UTC), "Hi Bob & co <ok>"),
    said(2, BOB, ALICE, datetime(2023, 3, 4, 23, 59, 30, tzinfo=UTC), "Hello Alice\nsee you"),
    said(3, ALICE, BOB, datetime(2023, 3, 5, 0, 1, 5, tzinfo=UTC), "after midnight"),
    said(4, CAROL, ALICE, datetime(2023, 3, 6, 9, 0, 0, tzinfo=UTC), "¿Qué tal?"),
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """The file as the content stage hands it over: a copy under its made-safe name."""
    path = tmp_path / safe_name(name)
    path.write_bytes(data)
    return path


def parse(name: str, path: Path) -> list:
    return list(PARSER[name].parse(path))


def of(records: list, kind: type) -> list:
    return [record for record in records if isinstance(record, kind)]


def claims(name: str, path: str, data: bytes) -> bool:
    """As the registry decides: a glob on the lower-case path or the sniff on the head."""
    parser = PARSER[name]
    lower = path.lower()
    return any(fnmatchcase(lower, glob) for glob in parser.globs) or bool(
        parser.sniff and parser.sniff(data[:HEAD], lower.rsplit("/", 1)[-1])
    )


# --------------------------------------------------------------------------- Skype


def test_skype_demo_main_db(tmp_path):
    data, _ink = demo.skype_main_db(TRAFFIC, ALICE, ORG)
    records = parse("skype", write(tmp_path, "main.db", data))
    assert of(records, Account) == [
        Account("skype", "alice.moreau7", "Alice Moreau"),
        Account("email", "alice.moreau@free.fr", "Alice Moreau"),
        Account("phone", "+33612345678", "Alice Moreau"),
    ]
    assert of(records, Contact) == [
        Contact(["Bob Schmidt"], [], ["+49 1512 3456789"], ["skype:live:.cid.0a1b2c3d4e5f"]),
        Contact(["Carol Díaz"], [], ["+34 612 34 56 78"], ["skype:carol.d"]),
    ]
    bob, me = "live:.cid.0a1b2c3d4e5f", "alice.moreau7"
    messages = of(records, Message)
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in messages] == [
        ("2023-03-04T22:15:00Z", me, [bob], "outgoing", "Hi Bob & co <ok>"),
        ("2023-03-04T23:59:30Z", bob, [me], "incoming", "Hello Alice\nsee you"),
        ("2023-03-05T00:01:05Z", me, [bob], "outgoing", "after midnight"),
        ("2023-03-06T09:00:00Z", "carol.d", [me], "incoming", "¿Qué tal?"),
    ]
    assert {m.channel for m in messages} == {"skype"}
    assert [m.conversation for m in messages] == [bob, bob, bob, "carol.d"]
    assert messages[1].sender_name == "Bob Schmidt"
    assert messages[1].names == {bob: "Bob Schmidt", me: "Alice Moreau"}


# Skype 7's own schema for the tables read (as Skype wrote them; plaso's test data lists them).
SKYPE_SCHEMA = """
CREATE TABLE Accounts (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, status INTEGER,
 pwdchangestatus INTEGER, logoutreason INTEGER, commitstatus INTEGER, suggested_skypename TEXT,
 skypeout_balance_currency TEXT, skypeout_balance INTEGER, skypeout_precision INTEGER,
 skypein_numbers TEXT, subscriptions TEXT, cblsyncstatus INTEGER, offline_callforward TEXT,
 chat_policy INTEGER, skype_call_policy INTEGER, pstn_call_policy INTEGER, avatar_policy INTEGER,
 buddycount_policy INTEGER, timezone_policy INTEGER, webpresence_policy INTEGER,
 phonenumbers_policy INTEGER, voicemail_policy INTEGER, authrequest_policy INTEGER,
 ad_policy INTEGER, partner_optedout TEXT, service_provider_info TEXT,
 registration_timestamp INTEGER, nr_of_other_instances INTEGER, partner_channel_status TEXT,
 flamingo_xmpp_status INTEGER, federated_presence_policy INTEGER, liveid_membername TEXT,
 roaming_history_enabled INTEGER, cobrand_id INTEGER, owner_under_legal_age INTEGER,
 type INTEGER, skypename TEXT, pstnnumber TEXT, fullname TEXT, birthday INTEGER, gender INTEGER,
 languages TEXT, country TEXT, province TEXT, city TEXT, phone_home TEXT, phone_office TEXT,
 phone_mobile TEXT, emails TEXT, homepage TEXT, about TEXT, profile_timestamp INTEGER,
 received_authrequest TEXT, displayname TEXT, refreshing INTEGER, given_authlevel INTEGER,
 aliases TEXT, authreq_timestamp INTEGER, mood_text TEXT, timezone INTEGER,
 nrof_authed_buddies INTEGER, ipcountry TEXT, given_displayname TEXT, availability INTEGER,
 lastonline_timestamp INTEGER, capabilities BLOB, avatar_image BLOB, assigned_speeddial TEXT,
 lastused_timestamp INTEGER, authrequest_count INTEGER, assigned_comment TEXT,
 alertstring TEXT, avatar_timestamp INTEGER, mood_timestamp INTEGER, rich_mood_text TEXT,
 synced_email BLOB, set_availability INTEGER, options_change_future BLOB,
 cbl_profile_blob BLOB, authorized_time INTEGER, sent_authrequest TEXT,
 sent_authrequest_time INTEGER, sent_authrequest_serial INTEGER, buddyblob BLOB,
 cbl_future BLOB, node_capabilities INTEGER, node_capabilities_and INTEGER,
 revoked_auth INTEGER, added_in_shared_group INTEGER, in_shared_group INTEGER,
 authreq_history BLOB, profile_attachments BLOB, stack_version INTEGER,
 offline_authreq_id INTEGER, verified_email BLOB, verified_company BLOB, uses_jcs INTEGER);
CREATE TABLE Contacts (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, type INTEGER,
 skypename TEXT, pstnnumber TEXT, aliases TEXT, fullname TEXT, birthday INTEGER,
 gender INTEGER, languages TEXT, country TEXT, province TEXT, city TEXT, phone_home TEXT,
 phone_office TEXT, phone_mobile TEXT, emails TEXT, hashed_emails TEXT, homepage TEXT,
 about TEXT, avatar_image BLOB, mood_text TEXT, rich_mood_text TEXT, timezone INTEGER,
 capabilities BLOB, profile_timestamp INTEGER, nrof_authed_buddies INTEGER, ipcountry TEXT,
 avatar_timestamp INTEGER, mood_timestamp INTEGER, received_authrequest TEXT,
 authreq_timestamp INTEGER, lastonline_timestamp INTEGER, availability INTEGER,
 displayname TEXT, refreshing INTEGER, given_authlevel INTEGER, given_displayname TEXT,
 assigned_speeddial TEXT, assigned_comment TEXT, alertstring TEXT,
 lastused_timestamp INTEGER, authrequest_count INTEGER, assigned_phone1 TEXT,
 assigned_phone1_label TEXT, assigned_phone2 TEXT, assigned_phone2_label TEXT,
 assigned_phone3 TEXT, assigned_phone3_label TEXT, buddystatus INTEGER, isauthorized INTEGER,
 popularity_ord INTEGER, external_id TEXT, external_system_id TEXT, isblocked INTEGER,
 authorization_certificate BLOB, certificate_send_count INTEGER,
 account_modification_serial_nr INTEGER, saved_directory_blob BLOB, nr_of_buddies INTEGER,
 server_synced INTEGER, contactlist_track INTEGER, last_used_networktime INTEGER,
 authorized_time INTEGER, sent_authrequest TEXT, sent_authrequest_time INTEGER,
 sent_authrequest_serial INTEGER, buddyblob BLOB, cbl_future BLOB, node_capabilities INTEGER,
 revoked_auth INTEGER, added_in_shared_group INTEGER, in_shared_group INTEGER,
 authreq_history BLOB, profile_attachments BLOB, stack_version INTEGER,
 offline_authreq_id INTEGER, node_capabilities_and INTEGER, authreq_crc INTEGER,
 authreq_src INTEGER, pop_score INTEGER, authreq_nodeinfo BLOB, main_phone TEXT,
 unified_servants TEXT, phone_home_normalized TEXT, phone_office_normalized TEXT,
 phone_mobile_normalized TEXT, sent_authrequest_initmethod INTEGER,
 authreq_initmethod INTEGER, verified_email BLOB, verified_company BLOB,
 sent_authrequest_extrasbitmask INTEGER, liveid_cid TEXT, extprop_seen_birthday INTEGER,
 extprop_sms_target INTEGER, extprop_external_data TEXT, extprop_must_hide_avatar INTEGER);
CREATE TABLE Conversations (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,
 identity TEXT, type INTEGER, live_host TEXT, live_start_timestamp INTEGER,
 live_is_muted INTEGER, alert_string TEXT, is_bookmarked INTEGER, given_displayname TEXT,
 displayname TEXT, local_livestatus INTEGER, inbox_timestamp INTEGER,
 inbox_message_id INTEGER, unconsumed_suppressed_messages INTEGER,
 unconsumed_normal_messages INTEGER, unconsumed_elevated_messages INTEGER,
 unconsumed_messages_voice INTEGER, active_vm_id INTEGER, context_horizon INTEGER,
 consumption_horizon INTEGER, last_activity_timestamp INTEGER,
 active_invoice_message INTEGER, spawned_from_convo_id INTEGER, pinned_order INTEGER,
 creator TEXT, creation_timestamp INTEGER, my_status INTEGER, opt_joining_enabled INTEGER,
 opt_access_token TEXT, opt_entry_level_rank INTEGER, opt_disclose_history INTEGER,
 opt_history_limit_in_days INTEGER, opt_admin_only_activities INTEGER, passwordhint TEXT,
 meta_name TEXT, meta_topic TEXT, meta_guidelines TEXT, meta_picture BLOB, picture TEXT,
 is_p2p_migrated INTEGER, premium_video_status INTEGER,
 premium_video_is_grace_period INTEGER, guid TEXT, dialog_partner TEXT,
 meta_description TEXT, premium_video_sponsor_list TEXT, mcr_caller TEXT, chat_dbid INTEGER,
 history_horizon INTEGER, history_sync_state TEXT, thread_version TEXT,
 consumption_horizon_set_at INTEGER, alt_identity TEXT, extprop_profile_height INTEGER,
 extprop_chat_width INTEGER, extprop_chat_left_margin INTEGER,
 extprop_chat_right_margin INTEGER, extprop_entry_height INTEGER,
 extprop_windowpos_x INTEGER, extprop_windowpos_y INTEGER, extprop_windowpos_w INTEGER,
 extprop_windowpos_h INTEGER, extprop_window_maximized INTEGER,
 extprop_window_detached INTEGER, extprop_pinned_order INTEGER, extprop_new_in_inbox INTEGER,
 extprop_tab_order INTEGER, extprop_video_layout INTEGER, extprop_video_chat_height INTEGER,
 extprop_chat_avatar INTEGER, extprop_consumption_timestamp INTEGER,
 extprop_form_visible INTEGER, extprop_recovery_mode INTEGER);
CREATE TABLE Participants (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,
 convo_id INTEGER, identity TEXT, rank INTEGER, requested_rank INTEGER, text_status INTEGER,
 voice_status INTEGER, video_status INTEGER, live_identity TEXT, live_price_for_me TEXT,
 live_fwd_identities TEXT, live_start_timestamp INTEGER, sound_level INTEGER,
 debuginfo TEXT, next_redial_time INTEGER, nrof_redials_left INTEGER, last_voice_error TEXT,
 quality_problems TEXT, live_type INTEGER, live_country TEXT, transferred_by TEXT,
 transferred_to TEXT, adder TEXT, last_leavereason INTEGER, is_premium_video_sponsor INTEGER,
 is_multiparty_video_capable INTEGER, live_identity_to_use TEXT,
 livesession_recovery_in_progress INTEGER, is_multiparty_video_updatable INTEGER,
 real_identity TEXT, extprop_default_identity INTEGER);
CREATE TABLE Messages (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,
 convo_id INTEGER, chatname TEXT, author TEXT, from_dispname TEXT, author_was_live INTEGER,
 guid BLOB, dialog_partner TEXT, timestamp INTEGER, type INTEGER, sending_status INTEGER,
 consumption_status INTEGER, edited_by TEXT, edited_timestamp INTEGER, param_key INTEGER,
 param_value INTEGER, body_xml TEXT, identities TEXT, reason TEXT, leavereason INTEGER,
 participant_count INTEGER, error_code INTEGER, chatmsg_type INTEGER, chatmsg_status INTEGER,
 body_is_rawxml INTEGER, oldoptions INTEGER, newoptions INTEGER, newrole INTEGER,
 pk_id INTEGER, crc INTEGER, remote_id INTEGER, call_guid TEXT,
 extprop_contact_review_date TEXT, extprop_contact_received_stamp INTEGER,
 extprop_contact_reviewed INTEGER);
CREATE TABLE DbMeta (key TEXT NOT NULL PRIMARY KEY, value TEXT);
"""
GROUP = "#anna.k/$b1e2f3a4b5c6d7e8"
GUID = bytes(range(32))
QUOTE = (
    '<quote author="bert.w" authorname="Bert Weber" timestamp="1700000000">'
    "<legacyquote>[14.11.2023 22:13:20] Bert Weber: </legacyquote>ready?"
    "<legacyquote>\n\n&lt;&lt;&lt; </legacyquote></quote>yes &amp; go "
    '<ss type="smile">:)</ss> <a href="https://example.org/x?a=1&amp;b=2">link</a>'
)


def full_skype_db(con: sqlite3.Connection) -> None:
    """A Skype 7 main.db: the owner, two contacts, a group chat, a 1:1 chat, a call event, a
    message deleted by its author (body emptied) and an SMS-less account."""
    con.executescript(SKYPE_SCHEMA)
    con.execute(
        "INSERT INTO Accounts (id, is_permanent, skypename, fullname, emails, liveid_membername,"
        " phone_mobile, country) VALUES (1, 1, 'anna.k', 'Anna Kowalska',"
        " 'anna@wp.pl anna.k@outlook.com', 'anna.k@outlook.com', '+48 601 234 567', 'pl')"
    )
    con.executemany(
        "INSERT INTO Contacts (is_permanent, type, skypename, fullname, displayname,"
        " given_displayname, phone_home, phone_office, phone_mobile, emails, assigned_phone1)"
        " VALUES (1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("bert.w", "Bert Weber", "Bert Weber", "Bertie", "030 1234567", None,
             "+49 170 1234567", "bert@web.de", "0170 7654321"),
            ("live:.cid.99aa", "Chen Li", "Chen Li", None, None, "+86 10 1234 5678", None,
             None, None),
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO Conversations (id, is_permanent, identity, type, displayname,"
        " creation_timestamp) VALUES (?, 1, ?, ?, ?, 1700000000)",
        [(7, GROUP, 2, "Weekend plans"), (8, "bert.w", 1, "Bert Weber")],
    )
    con.executemany(
        "INSERT INTO Participants (convo_id, identity, rank) VALUES (?, ?, 3)",
        [(7, "anna.k"), (7, "bert.w"), (7, "live:.cid.99aa"), (8, "anna.k"), (8, "bert.w")],
    )
    rows = [
        (7, GROUP, "bert.w", "Bert Weber", None, 1700000000, 61, "ready?", None),
        (7, GROUP, "anna.k", "Anna Kowalska", None, 1700000100, 61, QUOTE, GUID),
        (7, GROUP, "live:.cid.99aa", "Chen Li", None, 1700000200, 30,
         '<partlist alt=""><part identity="live:.cid.99aa"><name>Chen Li</name></part>'
         "</partlist>", None),
        (8, "bert.w", "bert.w", "Bert Weber", "bert.w", 1700003600, 61, None, None),
        (8, "bert.w", "bert.w", "Bert Weber", "bert.w", 1700003700, 60, "waves", None),
    ]  # fmt: skip
    con.executemany(
        "INSERT INTO Messages (is_permanent, convo_id, chatname, author, from_dispname,"
        " dialog_partner, timestamp, type, body_xml, guid, chatmsg_type)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3)",
        rows,
    )


def test_skype_full_schema(tmp_path):
    records = parse("skype", write(tmp_path, "main.db", sqlite_bytes(full_skype_db)))
    assert of(records, Account) == [
        Account("skype", "anna.k", "Anna Kowalska"),
        Account("email", "anna@wp.pl", "Anna Kowalska"),
        Account("email", "anna.k@outlook.com", "Anna Kowalska"),
        Account("phone", "+48 601 234 567", "Anna Kowalska"),
    ]
    assert of(records, Contact) == [
        Contact(
            names=["Bertie", "Bert Weber"],
            emails=["bert@web.de"],
            phones=["030 1234567", "+49 170 1234567", "0170 7654321"],
            handles=["skype:bert.w"],
        ),
        Contact(names=["Chen Li"], phones=["+86 10 1234 5678"], handles=["skype:live:.cid.99aa"]),
    ]
    messages = of(records, Message)
    assert len(messages) == 4  # the call event is not a message
    first, second, deleted, emote = messages
    assert (first.time, first.sender, first.recipients, first.direction, first.body) == (
        "2023-11-14T22:13:20Z",
        "bert.w",
        ["anna.k", "live:.cid.99aa"],
        "incoming",
        "ready?",
    )
    assert first.conversation == GROUP
    assert first.names == {
        "bert.w": "Bert Weber",
        GROUP: "Weekend plans",
        "anna.k": "Anna Kowalska",
        "live:.cid.99aa": "Chen Li",
    }
    assert second.body == "[14.11.2023 22:13:20] Bert Weber: ready?\n\n<<< yes & go :) link"
    assert (second.sender, second.recipients, second.direction) == (
        "anna.k",
        ["bert.w", "live:.cid.99aa"],
        "outgoing",
    )
    assert second.message_id == GUID.hex()
    assert (deleted.time, deleted.body, deleted.recipients) == (
        "2023-11-14T23:13:20Z",
        None,
        ["anna.k"],
    )
    assert (emote.body, emote.conversation, emote.names["bert.w"]) == (
        "waves",
        "bert.w",
        "Bert Weber",
    )


def test_skype_without_optional_tables(tmp_path):
    def build(con: sqlite3.Connection) -> None:
        con.executescript(
            "CREATE TABLE Accounts (id INTEGER NOT NULL PRIMARY KEY, skypename TEXT);"
            "CREATE TABLE Conversations (id INTEGER NOT NULL PRIMARY KEY, identity TEXT);"
            "CREATE TABLE Messages (id INTEGER NOT NULL PRIMARY KEY, convo_id INTEGER,"
            " author TEXT, dialog_partner TEXT, timestamp INTEGER, type INTEGER,"
            " body_xml TEXT);"
            "INSERT INTO Accounts VALUES (1, 'me.here');"
            "INSERT INTO Messages VALUES (1, 3, 'you.there', 'you.there', 1600000000, 61,"
            " 'hi &apos;there&apos;');"
            "INSERT INTO Messages VALUES (2, 3, 'me.here', 'you.there', 1600000060, 61, 'yo');"
        )

    records = parse("skype", write(tmp_path, "main.db", sqlite_bytes(build)))
    assert records == [
        Account("skype", "me.here"),
        Message(
            channel="skype",
            time="2020-09-13T12:26:40Z",
            sender="you.there",
            recipients=["me.here"],
            body="hi 'there'",
            direction="incoming",
        ),
        Message(
            channel="skype",
            time="2020-09-13T12:27:40Z",
            sender="me.here",
            recipients=["you.there"],
            body="yo",
            direction="outgoing",
        ),
    ]


def test_skype_older_chats_table(tmp_path):
    def build(con: sqlite3.Connection) -> None:  # Skype 3/4: chats named in Chats, no convo_id
        con.executescript(
            "CREATE TABLE Accounts (id INTEGER NOT NULL PRIMARY KEY, skypename TEXT,"
            " fullname TEXT);"
            "CREATE TABLE Chats (id INTEGER NOT NULL PRIMARY KEY, name TEXT, friendlyname TEXT,"
            " participants TEXT, dialog_partner TEXT);"
            "CREATE TABLE Messages (id INTEGER NOT NULL PRIMARY KEY, chatname TEXT, author TEXT,"
            " from_dispname TEXT, timestamp INTEGER, type INTEGER, body_xml TEXT);"
            "INSERT INTO Accounts VALUES (1, 'ole.n', 'Ole Nansen');"
            "INSERT INTO Chats VALUES (1, '#ole.n/$ivar;9f8e7d', 'Fishing trip',"
            " 'ole.n ivar.s tor.h', NULL);"
            "INSERT INTO Messages VALUES (1, '#ole.n/$ivar;9f8e7d', 'tor.h', 'Tor H',"
            " 1262304000, 61, 'Godt nytt år');"
        )

    records = parse("skype", write(tmp_path, "main.db", sqlite_bytes(build)))
    assert records == [
        Account("skype", "ole.n", "Ole Nansen"),
        Message(
            channel="skype",
            time="2010-01-01T00:00:00Z",
            sender="tor.h",
            recipients=["ole.n", "ivar.s"],
            sender_name="Tor H",
            body="Godt nytt år",
            conversation="#ole.n/$ivar;9f8e7d",
            direction="incoming",
            names={
                "tor.h": "Tor H",
                "#ole.n/$ivar;9f8e7d": "Fishing trip",
                "ole.n": "Ole Nansen",
            },
        ),
    ]


def test_skype_truncated_and_corrupt_fail_cleanly(tmp_path):
    data = sqlite_bytes(full_skype_db)
    for cut in (100, len(data) // 3, len(data) // 2):
        path = write(tmp_path, f"cut{cut}.db", data[:cut])
        start = time.monotonic()
        with pytest.raises(sqlite3.DatabaseError):
            parse("skype", path)
        assert time.monotonic() - start < 2
    junk = write(tmp_path, "junk.db", b"SQLite format 3\x00" + bytes(range(256)) * 40)
    with pytest.raises(sqlite3.DatabaseError):
        parse("skype", junk)


def test_skype_sniff(tmp_path):
    data = sqlite_bytes(full_skype_db)
    demo_db, _ink = demo.skype_main_db(TRAFFIC, ALICE, ORG)
    assert claims("skype", "carved/00000012345.sqlite", data)
    assert claims("skype", "x/00000000042.db", demo_db)
    assert claims("skype", "users/anna/appdata/roaming/skype/anna.k/main.db", b"")

    def other_app(con: sqlite3.Connection) -> None:  # another messenger's tables
        con.executescript(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, login TEXT);"
            "CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT);"
            "CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER, text TEXT);"
        )

    assert not claims("skype", "x/main.db", sqlite_bytes(other_app))
    assert not claims("skype", "x/notes.txt", b"Messages Conversations Accounts skypename\n")


# --------------------------------------------------------------------------- Pidgin


def pidgin_files(tmp_path: Path, form: str) -> list[Path]:
    return [
        write(tmp_path, name.rsplit("/", 1)[-1], data)
        for name, data, _ink in demo.pidgin_logs(TRAFFIC, ALICE, ORG, form)
    ]


def test_pidgin_demo_html(tmp_path):
    bob_log, carol_log = pidgin_files(tmp_path, "html")
    assert bob_log.name == "2023-03-04.221500_0000UTC.html"  # "+" made safe by the stage
    records = parse("pidgin", bob_log)
    assert records[0] == Account("xmpp", "alice@jabber.org", "Alice Moreau", file_offset=80)
    assert bob_log.read_bytes()[80:].startswith(b"<title>Conversation with bob@xmpp.jp at ")
    messages = of(records, Message)
    me, bob = "alice@jabber.org", "bob@xmpp.jp"
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in messages] == [
        ("2023-03-04T22:15:00Z", me, [bob], "outgoing", "Hi Bob & co <ok>"),
        ("2023-03-04T23:59:30Z", bob, [me], "incoming", "Hello Alice\nsee you"),
        ("2023-03-05T00:01:05Z", me, [bob], "outgoing", "after midnight"),
    ]
    assert [m.sender_name for m in messages] == ["Alice Moreau", "Bob Schmidt", "Alice Moreau"]
    assert messages[1].names == {bob: "Bob Schmidt"}
    assert {(m.channel, m.conversation) for m in messages} == {("xmpp", bob)}
    data = bob_log.read_bytes()
    assert [data[m.file_offset : m.file_offset + 24] for m in messages] == [
        b'<font color="#16569E"><f',
        b'<font color="#A82F2F"><f',
        b'<font color="#16569E"><f',
    ]
    carol = of(parse("pidgin", carol_log), Message)
    assert [(m.time, m.sender, m.recipients, m.body) for m in carol] == [
        ("2023-03-06T09:00:00Z", "carol@404.city", [me], "¿Qué tal?")
    ]


def test_pidgin_demo_txt(tmp_path):
    bob_log, _carol_log = pidgin_files(tmp_path, "txt")
    records = parse("pidgin", bob_log)
    assert records[0] == Account("xmpp", "alice@jabber.org", None, file_offset=0)
    # plain text has no colours and the aliases are not ids: who is who stays open
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in records[1:]] == [
        ("2023-03-04T22:15:00Z", "Alice Moreau", [], None, "Hi Bob & co <ok>"),
        ("2023-03-04T23:59:30Z", "Bob Schmidt", [], None, "Hello Alice\nsee you"),
        ("2023-03-05T00:01:05Z", "Alice Moreau", [], None, "after midnight"),
    ]


# libpurple's html_logger_write/txt_logger_write line formats (libpurple/log.c).
HTML_HEAD = (
    '<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8">'
    "<title>{0}</title></head><body><h3>{0}</h3>\n"
)
SENT = '<font color="#16569E"><font size="2">({0})</font> <b>{1}:</b></font> {2}<br/>\n'
RECEIVED = '<font color="{3}"><font size="2">({0})</font> <b>{1}:</b></font> {2}<br/>\n'
AUTO_SENT = (
    '<font color="#16569E"><font size="2">({0})</font> <b>{1} &lt;AUTO-REPLY&gt;:</b></font>'
    " {2}<br/>\n"
)
ME = '<font color="#062585"><font size="2">({0})</font> <b>***{1}</b></font> {2}<br/>\n'
SYSTEM = '<font size="2">({0})</font><b> {1}</b><br/>\n'
ERROR = '<font color="#FF0000"><font size="2">({0})</font><b> {1}</b></font><br/>\n'


def test_pidgin_real_forms_with_zone_and_dates(tmp_path):
    header = (
        "Conversation with bob@jabber.de at Sa 04 Mär 2023 23:50:00 CET on anna@jabber.de/Home"
        " (jabber)"
    )
    log = (
        HTML_HEAD.format(header)
        + SENT.format("11:50:10 PM", "Anna", "hi <span style='font-weight: bold'>Bob</span>")
        + RECEIVED.format("11:59:59 PM", "Bob", "late &amp; tired", "#A82F2F")
        + SYSTEM.format("12:00:30 AM", "Bob has signed off.")
        + ERROR.format("12:01:00 AM", "Unable to send message: timeout")
        + AUTO_SENT.format("12:02:00 AM", "Anna", "I am away")
        + ME.format("12:03:00 AM", "Anna", "yawns")
        + RECEIVED.format("03/06/2023 08:00:00 AM", "Bob", "morning!", "#A82F2F")
        + RECEIVED.format("08:01:00 AM", "Bob", "line one<br/>line two", "#A82F2F")
        + "</body></html>\n"
    )
    path = write(tmp_path, "2023-03-04.235000+0100CET.html", log.encode())
    records = parse("pidgin", path)
    assert records[0] == Account("xmpp", "anna@jabber.de", "Anna", file_offset=0)
    me, bob = "anna@jabber.de", "bob@jabber.de"
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in records[1:]] == [
        ("2023-03-04T22:50:10Z", me, [bob], "outgoing", "hi Bob"),
        ("2023-03-04T22:59:59Z", bob, [me], "incoming", "late & tired"),
        ("2023-03-04T23:02:00Z", me, [bob], "outgoing", "I am away"),
        ("2023-03-04T23:03:00Z", me, [bob], "outgoing", "/me yawns"),
        ("2023-03-06T07:00:00Z", bob, [me], "incoming", "morning!"),
        ("2023-03-06T07:01:00Z", bob, [me], "incoming", "line one\nline two"),
    ]


def test_pidgin_txt_ids_room_and_negative_zone(tmp_path):
    txt = (
        "Conversation with bob@jabber.de at 03/04/2023 07:00:00 PM on anna@jabber.de/Home"
        " (jabber)\n"
        "(07:00:05 PM) anna@jabber.de/Home: are you there?\n"
        "(07:01:00 PM) bob: yes\n"
        "wait\n"
        "(07:02:00 PM) ***anna@jabber.de/Home nods\n"
        "(07:03:00 PM) bob has signed off.\n"
    )
    path = write(tmp_path, "2023-03-04.190000-0500EST.txt", txt.encode())
    records = parse("pidgin", path)
    me, bob = "anna@jabber.de", "bob@jabber.de"
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in records[1:]] == [
        ("2023-03-05T00:00:05Z", me, [bob], "outgoing", "are you there?"),
        ("2023-03-05T00:01:00Z", bob, [me], "incoming", "yes\nwait"),
        ("2023-03-05T00:02:00Z", me, [bob], "outgoing", "/me nods"),
    ]
    room_header = "Conversation with lobby@conference.jabber.de at x on anna@jabber.de/ (jabber)"
    room = (
        HTML_HEAD.format(room_header)
        + RECEIVED.format("10:00:00", "kim", "hello all", "#8AB25F")
        + RECEIVED.format("10:00:05", "lou", "hey", "#C4403A")
        + SENT.format("10:00:09", "anna", "hi")
    )
    records = parse("pidgin", write(tmp_path, "2023-05-01.100000+0000UTC.html", room.encode()))
    assert [(m.time, m.sender, m.recipients, m.conversation) for m in records[1:]] == [
        ("2023-05-01T10:00:00Z", "kim", [me], "lobby@conference.jabber.de"),
        ("2023-05-01T10:00:05Z", "lou", [me], "lobby@conference.jabber.de"),
        ("2023-05-01T10:00:09Z", me, ["lobby@conference.jabber.de"], "lobby@conference.jabber.de"),
    ]


def test_pidgin_without_file_name_and_with_junk(tmp_path):
    bob_log, _carol = pidgin_files(tmp_path, "html")
    data = bob_log.read_bytes()
    lines = data.split(b"\n")
    junk = b"\n".join([*lines[:3], b"\x00\xff\xfe" * 300 + b"\x89PNG\r\n\x1a\n" * 50, *lines[3:]])
    carved = write(tmp_path, "00000077777.html", junk)  # the header's date: no file name
    messages = of(parse("pidgin", carved), Message)
    assert [(m.time, m.body) for m in messages] == [
        ("2023-03-04T22:15:00Z", "Hi Bob & co <ok>"),
        ("2023-03-04T23:59:30Z", "Hello Alice\nsee you"),
        ("2023-03-05T00:01:05Z", "after midnight"),
    ]
    noise = write(tmp_path, "noise.html", bytes(range(256)) * 500)
    assert parse("pidgin", noise) == []


def test_pidgin_sniff(tmp_path):
    html_log, txt_log = pidgin_files(tmp_path, "html")[0], pidgin_files(tmp_path, "txt")[0]
    assert claims("pidgin", "carved/00000000001.html", html_log.read_bytes())
    assert claims("pidgin", "renamed.dat", txt_log.read_bytes())
    assert claims("pidgin", "home/u/.purple/logs/jabber/a@b/c@d/2023-01-01.000000+0000utc.txt", b"")
    page = b"<html><head><title>Conversation with an expert</title></head><body></body></html>"
    assert not claims("pidgin", "x/page.html", page)
    assert not claims("pidgin", "x/notes.txt", b"Conversation with Tom at lunch on Friday.\n")


# --------------------------------------------------------------------------- Telegram


def test_telegram_demo_export(tmp_path):
    data, _ink = demo.telegram_export(TRAFFIC, ALICE, ORG)
    records = parse("telegram", write(tmp_path, "result.json", data))
    assert of(records, Account) == [
        Account("telegram", "user107919", "Alice Moreau"),
        Account("telegram", "+33 6 12 34 56 78", "Alice Moreau"),
        Account("telegram", "@alice7_tg", "Alice Moreau"),
    ]
    assert of(records, Contact) == [
        Contact(["Bob Schmidt"], [], ["+49 1512 3456789"]),
        Contact(["Carol Díaz"], [], ["+34 612 34 56 78"]),
    ]
    me, bob, carol = "user107919", "user115838", "user123757"
    messages = of(records, Message)
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in messages] == [
        ("2023-03-04T22:15:00Z", me, [bob], "outgoing", "Hi Bob & co <ok>"),
        ("2023-03-04T23:59:30Z", bob, [me], "incoming", "Hello Alice\nsee you"),
        ("2023-03-05T00:01:05Z", me, [bob], "outgoing", "after midnight"),
        ("2023-03-06T09:00:00Z", carol, [me], "incoming", "¿Qué tal?"),
    ]
    assert [m.conversation for m in messages] == ["115838"] * 3 + ["123757"]
    assert messages[1].names == {bob: "Bob Schmidt", "115838": "Bob Schmidt"}
    assert [m.message_id for m in messages] == ["1", "2", "3", "1"]


SINGLE_CHAT = {
    "name": "Dmitri Volkov",
    "type": "personal_chat",
    "id": 5550001,
    "messages": [
        {
            "id": 10,
            "type": "service",
            "date": "2024-02-01T09:00:00",
            "date_unixtime": "1706778000",
            "actor": "Dmitri Volkov",
            "actor_id": "user5550001",
            "action": "phone_call",
            "duration_seconds": 61,
        },
        {
            "id": 11,
            "type": "message",
            "date": "2024-02-01T09:05:00",
            "date_unixtime": "1706778300",
            "from": "Dmitri Volkov",
            "from_id": "user5550001",
            "text": ["Call me at ", {"type": "phone", "text": "+7 912 345-67-89"}, " today"],
            "text_entities": [],
        },
        {
            "id": 12,
            "type": "message",
            "date": "2024-02-01T09:06:00",
            "from": "Me Myself",
            "from_id": "user4440002",
            "text": "ok",
        },
        {
            "id": 13,
            "type": "message",
            "date": "2024-02-01T09:07:00",
            "date_unixtime": "1706778420",
            "from": "Dmitri Volkov",
            "from_id": "user5550001",
            "photo": "photos/photo_1@01-02-2024_09-07-00.jpg",
            "text": "",
        },
    ],
}


def test_telegram_single_chat_and_group(tmp_path):
    path = write(tmp_path, "result.json", json.dumps(SINGLE_CHAT, indent=1).encode())
    records = parse("telegram", path)
    dmitri, me = "user5550001", "user4440002"
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in records] == [
        ("2024-02-01T09:05:00Z", dmitri, [me], "incoming", "Call me at +7 912 345-67-89 today"),
        ("2024-02-01T09:06:00Z", me, [dmitri], "outgoing", "ok"),  # "date" kept as UTC
        ("2024-02-01T09:07:00Z", dmitri, [me], "incoming", None),
    ]
    group = {
        "about": "Here is the data you requested.",
        "chats": {
            "about": "",
            "list": [
                {
                    "name": "Team",
                    "type": "private_supergroup",
                    "id": 1777000111,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "date_unixtime": "1706778000",
                            "from": "Kim",
                            "from_id": "user1",
                            "text": "hi team",
                        }
                    ],
                }
            ],
        },
    }
    path = write(tmp_path, "group.json", json.dumps(group).encode())
    assert parse("telegram", path) == [
        Message(
            channel="telegram",
            time="2024-02-01T09:00:00Z",
            sender="user1",
            sender_name="Kim",
            body="hi team",
            message_id="1",
            conversation="1777000111",
            names={"user1": "Kim", "1777000111": "Team"},
        )
    ]


def test_telegram_cut_json_raises(tmp_path):
    data, _ink = demo.telegram_export(TRAFFIC, ALICE, ORG)
    path = write(tmp_path, "result.json", data[: len(data) // 2])
    start = time.monotonic()
    with pytest.raises(ValueError):
        parse("telegram", path)
    assert time.monotonic() - start < 2
    with pytest.raises(ValueError):
        parse("telegram", write(tmp_path, "bad.json", b'{"about": "x", "chats": {"list": [\xff'))
    assert parse("telegram", write(tmp_path, "list.json", b"[1, 2, 3]")) == []


def tdesktop_escape(text: str) -> str:
    """tdesktop's SerializeString."""
    for raw, escaped in (("&", "&amp;"), ('"', "&quot;"), ("'", "&apos;"), ("<", "&lt;")):
        text = text.replace(raw, escaped)
    return text.replace(">", "&gt;").replace("\n", "<br>")


class TdesktopHtml:
    """tdesktop's HtmlContext: block tags on their own lines, indented one space per open tag."""

    def __init__(self) -> None:
        self.tags: list[tuple[str, bool]] = []
        self.out = ["<!DOCTYPE html>"]

    def push(self, tag: str, inline: bool = False, empty: bool = False, **attrs: str) -> None:
        inner = "".join(
            f' {k.rstrip("_")}="{tdesktop_escape(v)}"' for k, v in sorted(attrs.items())
        )
        indent = "\n" + " " * len(self.tags) if not inline else ""
        self.out.append(f"{indent}<{tag}{inner}{'/' if empty else ''}>{'' if inline else chr(10)}")
        if not empty:
            self.tags.append((tag, not inline))

    def pop(self) -> None:
        tag, block = self.tags.pop()
        indent = "\n" + " " * len(self.tags) if block else ""
        self.out.append(f"{indent}</{tag}>{chr(10) if block else ''}")

    def div(self, class_: str, text: str | None = None, **attrs: str) -> None:
        self.push("div", class_=class_, **attrs)
        if text is not None:
            self.out.append(text)
            self.pop()

    def start(self) -> None:  # composeStart
        self.push("html")
        self.push("head")
        self.push("meta", empty=True, charset="utf-8")
        self.push("title", inline=True)
        self.out.append("Exported Data")
        self.pop()
        self.push(
            "meta", empty=True, name="viewport", content="width=device-width, initial-scale=1.0"
        )
        self.push("link", empty=True, href="css/style.css", rel="stylesheet")
        self.push("script", src="js/script.js", type="text/javascript")
        self.pop()
        self.pop()
        self.push("body", onload="CheckLocation();")
        self.div("page_wrap")

    def userpic(self, classes: str, name: str) -> None:
        self.div(classes)
        self.div("userpic userpic2", style="width: 42px; height: 42px")
        self.div("initials", "".join(w[0] for w in name.split()), style="line-height: 42px")
        self.pop()
        self.pop()

    def message(
        self, number: int, stamp: str, text: str, name: str | None = None, origin: str = ""
    ) -> None:
        """pushMessage: a new sender's message wraps (userpic, name); a follow-up is "joined";
        a forwarded one nests its original sender and text in `div.forwarded.body`."""
        classes = "message default clearfix" + ("" if name else " joined")
        self.div(classes, id=f"message{number}")
        if name:
            self.userpic("pull_left userpic_wrap", name)
        self.div("body")
        self.div("pull_right date details", stamp[11:16], title=stamp)
        if name:
            self.div("from_name", tdesktop_escape(name))
        if origin:
            self.userpic("pull_left forwarded userpic_wrap", origin)
            self.div("forwarded body")
            self.div("from_name")
            self.out.append(tdesktop_escape(origin))
            self.push("span", inline=True, class_="details")
            self.out.append(" 31.01.2024 20:00:00")
            self.pop()
            self.pop()
        self.div("text", tdesktop_escape(text))
        if origin:
            self.pop()
        self.pop()
        self.pop()

    def close(self) -> bytes:
        while self.tags:
            self.pop()
        return "".join(self.out).encode()


def telegram_html() -> bytes:
    page = TdesktopHtml()
    page.start()
    page.div("page_header")
    page.div("content")
    page.div("text bold", "Dmitri Volkov")
    page.pop()
    page.pop()
    page.div("page_body chat_page")
    page.div("history")
    page.div("message service", id="message-1")
    page.div("body details", "1 February 2024")
    page.pop()
    page.message(11, "01.02.2024 09:05:00 UTC+03:00", 'Hi <b>there</b> & "you"', "Dmitri Volkov")
    page.message(12, "01.02.2024 09:05:30 UTC+03:00", "second\nline")
    page.message(13, "01.02.2024 09:06:00", "ok", "Me Myself")
    page.message(14, "01.02.2024 09:07:00", "the plan", "Me Myself", origin="Oleg Petrov")
    return page.close()


def test_telegram_html_export(tmp_path):
    data = telegram_html()
    assert b'<div class="pull_right date details" title="01.02.2024 09:05:00 UTC+03:00">' in data
    records = parse("telegram", write(tmp_path, "messages.html", data))
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in records] == [
        (
            "2024-02-01T06:05:00Z",
            "Dmitri Volkov",
            ["Me Myself"],
            "incoming",
            'Hi <b>there</b> & "you"',
        ),
        ("2024-02-01T06:05:30Z", "Dmitri Volkov", ["Me Myself"], "incoming", "second\nline"),
        ("2024-02-01T09:06:00Z", "Me Myself", ["Dmitri Volkov"], "outgoing", "ok"),
        ("2024-02-01T09:07:00Z", "Me Myself", ["Dmitri Volkov"], "outgoing", "the plan"),
    ]
    assert {(m.channel, m.conversation) for m in records} == {("telegram", "Dmitri Volkov")}
    assert [m.message_id for m in records] == ["11", "12", "13", "14"]


def test_telegram_sniff():
    data, _ink = demo.telegram_export(TRAFFIC, ALICE, ORG)
    assert claims("telegram", "carved/00000000001.json", data)
    assert claims("telegram", "x/y.json", json.dumps(SINGLE_CHAT, indent=1).encode())
    assert claims("telegram", "x/00000000002.html", telegram_html())
    assert not claims("telegram", "x/package.json", b'{"name": "x", "type": "module"}')
    other = {"name": "Team", "type": "group", "id": 1, "messages": []}
    assert not claims("telegram", "x/export.json", json.dumps(other).encode())
    assert not claims("telegram", "x/page.html", b"<html><title>Exported Data</title></html>")


# --------------------------------------------------------------------------- WhatsApp

ANDROID_US = (
    "12/31/23, 11:58\u202fPM - Messages and calls are end-to-end encrypted. No one outside of"
    " this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    "12/31/23, 11:59\u202fPM - Bob Smith: Happy new year!\n"
    "See you at 10\n"
    "1/1/24, 12:00\u202fAM - Ana Lima: <Media omitted>\n"
    "1/1/24, 12:01\u202fAM - Ana Lima: Same to you: all the best\n"
    "1/1/24, 12:02\u202fAM - Bob Smith changed the group description\n"
)


def test_whatsapp_android_us(tmp_path):
    path = write(tmp_path, "WhatsApp Chat with Bob Smith.txt", ANDROID_US.encode())
    assert path.name == "WhatsApp_Chat_with_Bob_Smith.txt"
    records = parse("whatsapp-txt", path)
    bob, ana = "Bob Smith", "Ana Lima"
    assert [(m.time, m.sender, m.recipients, m.direction, m.body) for m in records] == [
        ("2023-12-31T23:59:00Z", bob, [ana], "incoming", "Happy new year!\nSee you at 10"),
        ("2024-01-01T00:00:00Z", ana, [bob], "outgoing", "<Media omitted>"),
        ("2024-01-01T00:01:00Z", ana, [bob], "outgoing", "Same to you: all the best"),
    ]
    assert {(m.channel, m.conversation) for m in records} == {("whatsapp", "Bob Smith")}
    data = path.read_bytes()
    assert [data[m.file_offset : m.file_offset + 8] for m in records] == [
        b"12/31/23",
        b"1/1/24, ",
        b"1/1/24, ",
    ]


def test_whatsapp_ios_and_european_forms(tmp_path):
    ios = (
        "[31.12.23, 23:58:01] Kai: \u200eMessages and calls are end-to-end encrypted.\n"
        "[31.12.23, 23:59:59] Kai: Frohes neues Jahr\n"
        "\u200e[01.01.24, 00:00:10] \u202a+49 151 23456789\u202c: \u200eimage omitted\n"
    )
    records = parse("whatsapp-txt", write(tmp_path, "_chat.txt", ios.encode()))
    assert [(m.time, m.sender, m.body, m.conversation) for m in records] == [
        ("2023-12-31T23:59:59Z", "Kai", "Frohes neues Jahr", None),
        ("2024-01-01T00:00:10Z", "+49 151 23456789", "image omitted", None),
    ]
    european = "03/02/2024, 18:30 - Léa: salut\n13/02/2024, 07:05 - Léa: ça va ?\n"
    records = parse("whatsapp-txt", write(tmp_path, "WhatsApp Chat - Léa.txt", european.encode()))
    assert [(m.time, m.sender, m.conversation) for m in records] == [
        ("2024-02-03T18:30:00Z", "Léa", "L a"),  # the copy's name lost the é
        ("2024-02-13T07:05:00Z", "Léa", "L a"),
    ]


def test_whatsapp_unknown_forms_and_junk(tmp_path):
    text = (
        "2023年12月31日 23:59 - 小明: 新年快乐\n"
        "31/12/2023 23:59 Kai Frohes neues Jahr\n"
        "01.01.24, 00:05 - Kai: ok\n"
    ).encode() + b"\xff\xfe\x00garbage\n" * 3
    records = parse("whatsapp-txt", write(tmp_path, "chat.txt", text))
    assert [(m.time, m.sender) for m in records] == [("2024-01-01T00:05:00Z", "Kai")]
    assert records[0].body == "ok"  # binary junk does not continue it
    bad_date = write(tmp_path, "bad.txt", b"31/13/2023, 10:00 - Kai: month 13\n")
    assert [(m.time, m.body) for m in parse("whatsapp-txt", bad_date)] == [(None, "month 13")]


def test_whatsapp_sniff():
    assert claims("whatsapp-txt", "carved/00000000001.txt", ANDROID_US.encode())
    assert claims("whatsapp-txt", "users/x/downloads/whatsapp chat with bob.txt", b"")
    assert not claims("whatsapp-txt", "x/notes.txt", b"Shopping list\n- milk\n- bread\n")
    assert not claims("whatsapp-txt", "x/log.txt", b"12/31/23, 11:59 PM - backup done\nok\n")


# --------------------------------------------------------------------------- IRC

HEXCHAT = (
    "**** BEGIN LOGGING AT Sun Dec 31 23:58:00 2023\n"
    "\n"
    "Dec 31 23:58:00 *\tNow talking on #forensics\n"
    "Dec 31 23:58:01 *\tTopic for #forensics is: disk images\n"
    "Dec 31 23:59:30 <ann>\thappy new year\n"
    "Jan 01 00:00:02 <@op_bo>\tyou too: 2024!\n"
    "Jan 01 00:00:05 *\tann waves\n"
    "Jan 01 00:01:00 -->\tcid (~c@host) has joined #forensics\n"
    "**** ENDING LOGGING AT Mon Jan  1 00:02:00 2024\n"
    "\n"
)


def test_hexchat_log(tmp_path):
    path = write(tmp_path, "#forensics.log", HEXCHAT.encode())
    assert path.name == "_forensics.log"
    records = parse("irc-log", path)
    assert [(m.time, m.sender, m.recipients, m.body) for m in records] == [
        ("2023-12-31T23:59:30Z", "ann", ["#forensics"], "happy new year"),
        ("2024-01-01T00:00:02Z", "op_bo", ["#forensics"], "you too: 2024!"),
    ]
    assert {(m.channel, m.conversation) for m in records} == {("irc", "#forensics")}
    data = path.read_bytes()
    assert data[records[0].file_offset :].startswith(b"Dec 31 23:59:30 <ann>")


def test_irssi_and_weechat_logs(tmp_path):
    irssi = (
        "--- Log opened Tue Jan 02 22:00:00 2024\n"
        "22:00 -!- dana [~d@h] has joined #osint\n"
        "23:59 <@dana> almost midnight\n"
        "--- Day changed Wed Jan 03 2024\n"
        "00:01 < eli> past it\n"
        "00:02  * eli yawns\n"
        "--- Log closed Wed Jan 03 00:10:00 2024\n"
    )
    records = parse("irc-log", write(tmp_path, "#osint.log", irssi.encode()))
    assert [(m.time, m.sender, m.conversation, m.body) for m in records] == [
        ("2024-01-02T23:59:00Z", "dana", "#osint", "almost midnight"),
        ("2024-01-03T00:01:00Z", "eli", "#osint", "past it"),
    ]
    weechat = (
        "2024-03-01 10:00:00\t-->\tfay (~f@h) has joined #dfir\n"
        "2024-03-01 10:00:05\t@fay\thello\n"
        "2024-03-01 10:00:09\t *\tfay waves\n"
        "2024-03-01 10:00:12\tgus\thi fay\n"
    )
    path = write(tmp_path, "irc.libera.#dfir.weechatlog", weechat.encode())
    records = parse("irc-log", path)
    assert [(m.time, m.sender, m.recipients, m.body) for m in records] == [
        ("2024-03-01T10:00:05Z", "fay", ["#dfir"], "hello"),
        ("2024-03-01T10:00:12Z", "gus", ["#dfir"], "hi fay"),
    ]


def test_irc_sniff_and_junk(tmp_path):
    assert claims("irc-log", "carved/00000000001.txt", HEXCHAT.encode())
    assert claims("irc-log", "x/chan.weechatlog", b"2024-03-01 10:00:05\t@fay\thello\n")
    assert claims("irc-log", "home/u/.config/hexchat/logs/libera/#a.log", b"")
    assert not claims("irc-log", "x/app.log", b"2024-03-01 10:00:05 INFO started\n")
    assert not claims("irc-log", "x/readme.txt", b"Logging begins at noon.\n")
    junk = HEXCHAT.encode()[:200] + bytes(range(256)) * 100
    records = parse("irc-log", write(tmp_path, "junk.log", junk))
    assert [(m.sender, m.body) for m in records] == [("ann", "happy new year")]


def test_pidgin_log_spanning_months_reads_its_dates_in_one_order(tmp_path):
    """A log whose later lines carry dates (`09/06/2023`: libpurple's month-first `%x`) gives
    September, not June: the log's date order is decided once, not guessed per line."""
    traffic = [
        said(1, ALICE, BOB, datetime(2023, 3, 4, 22, 15, 0, tzinfo=UTC), "first"),
        said(2, BOB, ALICE, datetime(2023, 9, 6, 11, 25, 33, tzinfo=UTC), "later"),
        said(3, ALICE, BOB, datetime(2023, 12, 1, 8, 0, 0, tzinfo=UTC), "last"),
    ]
    (name, data, _ink), *_ = demo.pidgin_logs(traffic, ALICE, ORG, "html")
    path = write(tmp_path, name.rsplit("/", 1)[-1], data)
    times = [r.time for r in PARSER["pidgin"].parse(path) if isinstance(r, Message)]
    assert times == ["2023-03-04T22:15:00Z", "2023-09-06T11:25:33Z", "2023-12-01T08:00:00Z"]
