"""Contacts parsers: vCards (demo generator, vobject, quoted-printable/base64 2.1 as phones
write them), Thunderbird's address book (its SQLite schema), Google/Outlook/Thunderbird CSV
exports (csv module). Exact values, broken input, sniffs that claim only their own files."""

from __future__ import annotations

import base64
import csv
import io
import quopri
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject

from crossdrive.artifacts import HEAD, recognise
from crossdrive.artifacts.contacts import (
    PARSERS,
    parse_contacts_csv,
    parse_thunderbird_abook,
    parse_vcard,
    sniff_contacts_csv,
    sniff_vcard,
)
from crossdrive.artifacts.records import Contact
from crossdrive.demo.formats import browser, phone, sqlite_bytes
from crossdrive.demo.people import Person

MINE = {parser.name for parser in PARSERS}

ANNA = Person(
    "P001",
    "Анна Иванова",
    "ru_RU",
    "RU",
    "member",
    0,
    emails=["anna.iv@mail.ru"],
    phones=["+79161234567"],
    handles={"skype": "live:.cid.4f2a9c0e11d3", "telegram": "anna_tg"},
)
YANNIS = Person(
    "P002",
    "Γιάννης Παπαδόπουλος",
    "el_GR",
    "GR",
    "member",
    0,
    emails=["yannis@otenet.gr", "y.p002@orion-trade.com"],
    phones=["+306912345678", "+447700900123"],
    handles={"skype": "yannis.pap77"},
)
LI = Person("P003", "李小龙", "zh_CN", "CN", "outsider", None, ["xl@qq.com"], ["+8613123456789"])


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def claimed(name: str, data: bytes) -> set[str]:
    """The parsers of every family that claim `data` under a meaningless carved name."""
    return {parser.name for parser in recognise(f"carved/{name}", data[:HEAD])}


# --------------------------------------------------------------------------- vCard


def test_vcard_30_from_demo_generator_exact(tmp_path):
    data, _ink = phone.vcards([ANNA, YANNIS, LI], "3.0")
    found = list(parse_vcard(write(tmp_path, "contacts.vcf", data)))
    starts = [i for i in range(len(data)) if data.startswith(b"BEGIN:VCARD", i)]
    assert found == [
        Contact(
            names=["Анна Иванова"],
            emails=["anna.iv@mail.ru"],
            phones=["+7 916 123-45-67"],
            handles=["skype:live:.cid.4f2a9c0e11d3"],
            file_offset=starts[0],
        ),
        Contact(
            names=["Γιάννης Παπαδόπουλος"],
            emails=["yannis@otenet.gr", "y.p002@orion-trade.com"],
            phones=["+30 691 234 5678", "+44 7700 900123"],
            handles=["skype:yannis.pap77"],
            file_offset=starts[1],
        ),
        Contact(
            names=["李小龙"],
            emails=["xl@qq.com"],
            phones=["+86 131 2345 6789"],
            file_offset=starts[2],
        ),
    ]
    assert starts[0] == 0 and starts[1] > 0


def test_vcard_21_quoted_printable_utf8_from_demo_generator(tmp_path):
    data, _ink = phone.vcards([ANNA, YANNIS], "2.1")
    assert b"ENCODING=QUOTED-PRINTABLE" in data
    found = list(parse_vcard(write(tmp_path, "old.vcf", data)))
    assert [(c.names, c.phones, c.emails) for c in found] == [
        (["Анна Иванова"], ["007 916 123-45-67"], ["anna.iv@mail.ru"]),
        (
            ["Γιάννης Παπαδόπουλος"],
            ["0030 691 234 5678", "0044 7700 900123"],
            ["yannis@otenet.gr", "y.p002@orion-trade.com"],
        ),
    ]
    assert found[1].file_offset == data.index(b"BEGIN:VCARD", 10)


def vcard40() -> bytes:
    """A vCard 4.0 written by vobject: IMPP URIs, a tel: URI, ORG, a folded NOTE."""
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("fn").value = "李小龙"
    card.add("n").value = vobject.vcard.Name(family="李", given="小龙")
    card.add("nickname").value = "Little Dragon"
    tel = card.add("tel")
    tel.value, tel.params["VALUE"], tel.type_param = "tel:+86-131-2345-6789", ["uri"], "cell"
    card.add("tel").value = "010 6552 9988"
    card.add("email").value = "xl@qq.com"
    card.add("impp").value = "xmpp:xiaolong@jabber.org"
    card.add("impp").value = "skype:xiaolong.li"
    card.add("org").value = ["Zenit Log", "Sales"]
    card.add("note").value = "Met at the fair; " + "ships containers " * 8
    return card.serialize().encode()


def test_vcard_40_impp_tel_uri_org_folded_note(tmp_path):
    data = vcard40()
    assert b"\r\n " in data  # vobject folded the long note
    (contact,) = parse_vcard(write(tmp_path, "x.vcard", data))
    assert contact == Contact(
        names=["李小龙", "小龙 李", "Little Dragon"],
        emails=["xl@qq.com"],
        phones=["+86-131-2345-6789", "010 6552 9988"],
        handles=["xmpp:xiaolong@jabber.org", "skype:xiaolong.li"],
        organisation="Zenit Log, Sales",
        note="Met at the fair; " + "ships containers " * 8,
        file_offset=0,
    )


def qp(text: str, charset: str) -> str:
    return quopri.encodestring(text.encode(charset)).decode().replace("=\n", "=\r\n")


def card21(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCARD", "VERSION:2.1", *lines, "END:VCARD"]) + "\r\n"


def test_vcard_21_windows_1251_qp_base64_raw_and_messenger_properties(tmp_path):
    long_note = "Поставщик запчастей из Тулы, звонить только после обеда, спросить Бориса " * 2
    b64 = base64.b64encode("Борис Годунов".encode()).decode()
    data = (
        card21(
            f"N;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:{qp('Петров;Иван', 'cp1251')}",
            f"FN;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:{qp('Иван Петров', 'cp1251')}",
            "TEL;CELL;PREF:8 (916) 123-45-67",
            "TEL;WORK:+7 495 111-22-33",
            "EMAIL;INTERNET:ivan.petrov@yandex.ru",
            "X-SKYPE-USERNAME:ivan.petrov",
            "X-JABBER;HOME:ivan@jabber.ru",
            "X-ICQ:123456789",
            f"NOTE;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:{qp(long_note, 'cp1251')}",
        ).encode("ascii")
        + card21(f"FN;CHARSET=UTF-8;ENCODING=BASE64:{b64}", "TEL;HOME:8-4872-55-66-77").encode()
        + card21("FN;CHARSET=windows-1251:Ольга", "TEL:+380501234567").encode("cp1251")
    )
    assert b"=\r\n" in data  # a quoted-printable soft line break
    ivan, boris, olga = parse_vcard(write(tmp_path, "phonebook.vcf", data))
    assert ivan.names == ["Иван Петров"]
    assert ivan.phones == ["8 (916) 123-45-67", "+7 495 111-22-33"]
    assert ivan.emails == ["ivan.petrov@yandex.ru"]
    assert ivan.handles == ["skype:ivan.petrov", "xmpp:ivan@jabber.ru", "icq:123456789"]
    assert ivan.note == long_note
    assert (boris.names, boris.phones) == (["Борис Годунов"], ["8-4872-55-66-77"])
    assert (olga.names, olga.phones) == (["Ольга"], ["+380501234567"])
    assert [c.file_offset for c in (ivan, boris, olga)] == [
        data.index(b"BEGIN:VCARD"),
        data.index(b"BEGIN:VCARD", 1),
        data.rindex(b"BEGIN:VCARD"),
    ]


def test_vcard_apple_impp_and_photo_left_out(tmp_path):
    card = vobject.vCard()
    card.add("fn").value = "Ana Costa"
    impp = card.add("impp")
    impp.value, impp.params["X-SERVICE-TYPE"] = "x-apple:ana_costa_tg", ["Telegram"]
    card.add("x-aim").value = "anacosta"
    photo = card.add("photo")
    photo.value, photo.encoding_param, photo.type_param = bytes(range(256)) * 40, "b", "JPEG"
    data = card.serialize().encode()
    old_photo = card21(
        "FN:Rui Lopes", "PHOTO;ENCODING=BASE64;TYPE=JPEG:", "/9j/4AAQSkZJRgABAQ", "AAAAAAAAAA", ""
    ).replace("\r\n\r\n", "\r\n\r\nTEL:+351912345678\r\n")
    data += old_photo.encode()
    ana, rui = parse_vcard(write(tmp_path, "apple.vcf", data))
    assert ana.names == ["Ana Costa"]
    assert ana.handles == ["telegram:ana_costa_tg", "aim:anacosta"]
    assert (rui.names, rui.phones) == (["Rui Lopes"], ["+351912345678"])


def test_vcard_unreadable_card_is_skipped_others_kept(tmp_path):
    good1, _ = phone.vcards([ANNA], "3.0")
    good2, _ = phone.vcards([YANNIS], "2.1")
    bad = b"BEGIN:VCARD\r\n\x00\x01\x02\xff\xfe no property here\r\n=C8=E2\r\nEND:VCARD\r\n"
    with pytest.raises(vobject.base.ParseError):
        vobject.readOne(bad.decode("latin-1"))
    data = good1 + bad + good2
    found = list(parse_vcard(write(tmp_path, "mixed.vcf", data)))
    assert [c.names for c in found] == [["Анна Иванова"], ["Γιάννης Παπαδόπουλος"]]
    assert [c.file_offset for c in found] == [0, len(good1) + len(bad)]


def test_vcard_lines_vobject_rejects_cost_only_those_lines(tmp_path):
    undeclared = qp("Петров;Иван;Сергеевич", "cp1251")  # old phones: cp1251, no CHARSET
    data = card21(
        "FN:Marco Rossi",
        "this line is not a property",
        "TEL;CELL:+39 347 123 4567",
        f"N;ENCODING=QUOTED-PRINTABLE:{undeclared}",
        "NOTE;CHARSET=x-no-such-charset;ENCODING=QUOTED-PRINTABLE:Roma=2C Milano",
    )
    with pytest.raises(vobject.base.ParseError):
        vobject.readOne(data, allowQP=True)
    (marco,) = parse_vcard(write(tmp_path, "m.vcf", data.encode()))
    assert marco.names == ["Marco Rossi", "Иван Сергеевич Петров"]
    assert marco.phones == ["+39 347 123 4567"]
    assert marco.note == "Roma, Milano"


def test_vcard_truncated_carved_file_keeps_what_is_there(tmp_path):
    data, _ = phone.vcards([ANNA, YANNIS], "3.0")
    cut = data[: data.index(b"TEL", data.index("Γιάννης".encode())) + 20]  # inside 2nd card
    anna, yannis = parse_vcard(write(tmp_path, "00000012345.vcf", cut))
    assert anna.phones == ["+7 916 123-45-67"]
    assert yannis.names == ["Γιάννης Παπαδόπουλος"]
    assert yannis.emails == ["yannis@otenet.gr", "y.p002@orion-trade.com"]
    # A new BEGIN before the END also closes the card cut short.
    spliced = cut + b"\r\n" + phone.vcards([LI], "3.0")[0]
    assert [c.names for c in parse_vcard(write(tmp_path, "s.vcf", spliced))][-1] == ["李小龙"]


def test_vcard_garbage_is_fast_and_yields_nothing(tmp_path):
    junk = bytes((i * 7919) % 251 for i in range(2_000_000))
    started = time.monotonic()
    assert list(parse_vcard(write(tmp_path, "junk.vcf", b"BEGIN:VCARD\r\n" + junk))) == []
    assert list(parse_vcard(write(tmp_path, "flat.vcf", b"x" * 5_000_000))) == []
    assert list(parse_vcard(write(tmp_path, "empty.vcf", b""))) == []
    assert time.monotonic() - started < 10


def test_vcard_sniff_by_content_only(tmp_path):
    data, _ = phone.vcards([ANNA], "3.0")
    assert sniff_vcard(data, "00000012345.bin")
    assert sniff_vcard(b"\xef\xbb\xbf\r\n  begin:vcard\r\nVERSION:2.1\r\n", "x")
    assert "vcard" in claimed("00000012345.bin", data)
    for other in (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        b"Dear Anna, BEGIN:VCARD is how a card starts.\n",
        b"First Name,Last Name,E-mail Address\r\n",
        b"",
    ):
        assert not sniff_vcard(other, "a.txt")


# --------------------------------------------------------------------------- Thunderbird

TB_SCHEMA = """
PRAGMA user_version = 1;
CREATE TABLE cards (uid TEXT PRIMARY KEY, localId INTEGER);
CREATE TABLE properties (card TEXT, name TEXT, value TEXT);
CREATE TABLE lists (uid TEXT PRIMARY KEY, localId INTEGER, name TEXT, nickName TEXT,
  description TEXT);
CREATE TABLE list_cards (list TEXT, card TEXT, PRIMARY KEY(list, card));
"""
TB_OLD = "3c9b2c4e-1111-4a5b-9c7d-aaaaaaaaaaaa"
TB_NEW = "3c9b2c4e-2222-4a5b-9c7d-bbbbbbbbbbbb"


def tb_vcard() -> str:
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("fn").value = "Dmitri Volkov"
    card.add("n").value = vobject.vcard.Name(family="Volkov", given="Dmitri")
    card.add("email").value = "d.volkov@gmx.de"
    tel = card.add("tel")
    tel.value, tel.type_param, tel.params["VALUE"] = "+49 151 23456789", "cell", ["TEXT"]
    card.add("impp").value = "xmpp:dvolkov@404.city"
    card.add("uid").value = TB_NEW
    return card.serialize()


def abook(props: list[tuple[str, str, object]]) -> bytes:
    def build(db: sqlite3.Connection) -> None:
        db.executescript(TB_SCHEMA)
        for uid in dict.fromkeys(card for card, _n, _v in props):
            db.execute("INSERT INTO cards VALUES (?, ?)", [uid, 1])
        db.executemany("INSERT INTO properties VALUES (?, ?, ?)", props)
        db.execute("INSERT INTO lists VALUES ('l1', 1, 'Traders', 'traders', '')")
        db.execute("INSERT INTO list_cards VALUES ('l1', ?)", [TB_OLD])

    return sqlite_bytes(build)


def tb_rows() -> list[tuple[str, str, object]]:
    return [
        (TB_OLD, "FirstName", "Олег"),
        (TB_OLD, "LastName", "Сидоренко"),
        (TB_OLD, "DisplayName", "Олег С."),
        (TB_OLD, "PrimaryEmail", "oleg@ukr.net"),
        (TB_OLD, "SecondEmail", "o.sidorenko@delta-log.com"),
        (TB_OLD, "CellularNumber", "050 123 4567"),
        (TB_OLD, "WorkPhone", "+380 44 555 1234"),
        (TB_OLD, "_JabberId", "oleg@jabber.org"),
        (TB_OLD, "_Skype", "oleg.sid"),
        (TB_OLD, "Company", "Delta Log"),
        (TB_OLD, "Notes", "Kyiv office"),
        (TB_OLD, "PopularityIndex", 3),
        (TB_OLD, "LastModifiedDate", 1714637460),
        (TB_NEW, "_vCard", tb_vcard()),
        (TB_NEW, "DisplayName", "Dmitri Volkov"),
        (TB_NEW, "PrimaryEmail", "d.volkov@gmx.de"),
        (TB_NEW, "FirstName", "Dmitri"),
        (TB_NEW, "LastName", "Volkov"),
    ]


def test_thunderbird_abook_old_properties_and_new_vcard(tmp_path):
    found = list(parse_thunderbird_abook(write(tmp_path, "abook.sqlite", abook(tb_rows()))))
    assert found == [
        Contact(
            names=["Олег С.", "Олег Сидоренко"],
            emails=["oleg@ukr.net", "o.sidorenko@delta-log.com"],
            phones=["050 123 4567", "+380 44 555 1234"],
            handles=["skype:oleg.sid", "xmpp:oleg@jabber.org"],
            organisation="Delta Log",
            note="Kyiv office",
        ),
        Contact(
            names=["Dmitri Volkov"],
            emails=["d.volkov@gmx.de"],
            phones=["+49 151 23456789"],
            handles=["xmpp:dvolkov@404.city"],
        ),
    ]


def test_thunderbird_sniff_and_not_other_databases(tmp_path):
    data = abook(tb_rows())
    assert "thunderbird-abook" in claimed("00000099.sqlite", data)
    when = [datetime(2024, 5, 2, 8, 11, tzinfo=UTC)]
    others = [
        browser.chrome_history([ANNA], when)[0],
        browser.firefox_places([ANNA], when)[0],
        phone.contacts2_db([ANNA], ANNA)[0],
    ]
    for other in others:
        assert not claimed("x.sqlite", other) & MINE


def test_thunderbird_truncated_and_corrupt_fail_cleanly(tmp_path):
    rows = [(f"card{n:05d}", "PrimaryEmail", f"user{n}@example.org") for n in range(3000)]
    data = abook(rows)
    cut = write(tmp_path, "cut.sqlite", data[: len(data) * 9 // 10])
    started = time.monotonic()
    found = []
    with pytest.raises(sqlite3.DatabaseError):
        for record in parse_thunderbird_abook(cut):
            found.append(record)
    assert 100 < len(found) < 3000
    assert found[:2] == [
        Contact(emails=["user0@example.org"]),
        Contact(emails=["user1@example.org"]),
    ]
    garbage = write(tmp_path, "g.sqlite", b"SQLite format 3\x00" + b"\xff" * 5000)
    with pytest.raises(sqlite3.DatabaseError):
        list(parse_thunderbird_abook(garbage))
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- CSV

GOOGLE_NEW = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
]
GOOGLE_OLD = [
    "Name",
    "Given Name",
    "Additional Name",
    "Family Name",
    "Nickname",
    "Notes",
    "Group Membership",
    "E-mail 1 - Type",
    "E-mail 1 - Value",
    "IM 1 - Type",
    "IM 1 - Service",
    "IM 1 - Value",
    "Phone 1 - Type",
    "Phone 1 - Value",
    "Organization 1 - Type",
    "Organization 1 - Name",
]
OUTLOOK = [
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Suffix",
    "Company",
    "Department",
    "Job Title",
    "Business Fax",
    "Business Phone",
    "Business Phone 2",
    "Home Phone",
    "Mobile Phone",
    "Pager",
    "E-mail Address",
    "E-mail Type",
    "E-mail Display Name",
    "E-mail 2 Address",
    "E-mail 2 Type",
    "E-mail 2 Display Name",
    "Notes",
]


def csv_bytes(header: list[str], rows: list[dict[str, str]], encoding: str) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def test_google_csv_new_export_multi_values(tmp_path):
    rows = [
        {
            "First Name": "Мария",
            "Last Name": "Кузнецова",
            "Nickname": "Маша",
            "Organization Name": "Atlas Group",
            "Labels": "* myContacts ::: Traders",
            "E-mail 1 - Label": "* Home ::: Work",
            "E-mail 1 - Value": "masha.k@yandex.ru ::: m.kuznetsova@atlas-group.com",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "+7 903 765-43-21",
            "Phone 2 - Label": "Home",
            "Phone 2 - Value": "8 (495) 123-45-67",
            "Notes": "Met in Istanbul",
        },
        {"First Name": "Only", "Last Name": "Name"},
        {"Labels": "* myContacts"},  # nothing that identifies anyone
    ]
    data = csv_bytes(GOOGLE_NEW, rows, "utf-8")
    found = list(parse_contacts_csv(write(tmp_path, "contacts.csv", data)))
    assert found == [
        Contact(
            names=["Мария Кузнецова", "Маша"],
            emails=["masha.k@yandex.ru", "m.kuznetsova@atlas-group.com"],
            phones=["+7 903 765-43-21", "8 (495) 123-45-67"],
            organisation="Atlas Group",
            note="Met in Istanbul",
        ),
        Contact(names=["Only Name"]),
    ]


def test_google_csv_old_export_with_im_columns(tmp_path):
    row = {
        "Name": "Kemal Yılmaz",
        "Given Name": "Kemal",
        "Family Name": "Yılmaz",
        "Group Membership": "* My Contacts",
        "E-mail 1 - Type": "* Home",
        "E-mail 1 - Value": "kemal.yilmaz@gmail.com",
        "IM 1 - Type": "Home ::: Work",
        "IM 1 - Service": "Skype ::: Jabber",
        "IM 1 - Value": "kemal.y ::: kemal@jabber.org",
        "Phone 1 - Type": "Mobile",
        "Phone 1 - Value": "0532 123 45 67",
        "Organization 1 - Name": "Polar Trade",
    }
    data = b"\xef\xbb\xbf" + csv_bytes(GOOGLE_OLD, [row], "utf-8")
    (kemal,) = parse_contacts_csv(write(tmp_path, "google.csv", data))
    assert kemal == Contact(
        names=["Kemal Yılmaz"],
        emails=["kemal.yilmaz@gmail.com"],
        phones=["0532 123 45 67"],
        handles=["skype:kemal.y", "xmpp:kemal@jabber.org"],
        organisation="Polar Trade",
    )


OUTLOOK_ROWS = [
    {
        "First Name": "Иван",
        "Last Name": "Петров",
        "Company": "ООО Ромашка",
        "Business Phone": "+7 495 111-22-33",
        "Mobile Phone": "8 (916) 123-45-67",
        "Business Fax": "+7 495 111-22-34",
        "E-mail Address": "ivan@romashka.ru",
        "E-mail Type": "SMTP",
        "E-mail Display Name": "Иван Петров (ivan@romashka.ru)",
        "E-mail 2 Address": "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=ip",
        "E-mail 2 Type": "EX",
        "Notes": "Поставщик, звонить после обеда",
    }
]
OUTLOOK_IVAN = Contact(
    names=["Иван Петров"],
    emails=["ivan@romashka.ru"],
    phones=["+7 495 111-22-34", "+7 495 111-22-33", "8 (916) 123-45-67"],
    organisation="ООО Ромашка",
    note="Поставщик, звонить после обеда",
)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1251"])
def test_outlook_csv_utf16_and_ansi(tmp_path, encoding):
    data = csv_bytes(OUTLOOK, OUTLOOK_ROWS * 3, encoding)
    path = write(tmp_path, "outlook.csv", data)
    assert sniff_contacts_csv(data[:HEAD], "00000123.txt")
    assert list(parse_contacts_csv(path)) == [OUTLOOK_IVAN] * 3


def test_contacts_csv_semicolon_delimited_and_short_rows(tmp_path):
    text = "First Name;Last Name;E-mail Address;Mobile Phone\r\nLuc;Martin;luc@free.fr\r\n;\r\n"
    data = text.encode("utf-8")
    assert sniff_contacts_csv(data, "export.csv")
    assert list(parse_contacts_csv(write(tmp_path, "e.csv", data))) == [
        Contact(names=["Luc Martin"], emails=["luc@free.fr"])
    ]


def test_contacts_csv_sniff_claims_only_exports(tmp_path):
    data = csv_bytes(GOOGLE_NEW, [], "utf-8")
    assert "contacts-csv" in claimed("00000777.csv", data)
    for other in (
        b"id,name,email\r\n1,Anna,anna@mail.ru\r\n",
        b"First Name,Last Name,Score\r\nAnna,Ivanova,3\r\n",
        b"Date,Description,Amount\r\n",
        b"SQLite format 3\x00",
        phone.vcards([ANNA], "3.0")[0],
    ):
        assert not sniff_contacts_csv(other, "x.csv")


def test_contacts_csv_malformed_fails_cleanly(tmp_path):
    header = ",".join(OUTLOOK).encode()
    huge = header + b"\r\n,Anna,,Ivanova\r\n" + b'"' + b"x" * 300_000 + b'"\r\nBob,Lee\r\n'
    started = time.monotonic()
    found = []
    with pytest.raises(csv.Error):  # a cell over the csv module's field limit
        for record in parse_contacts_csv(write(tmp_path, "huge.csv", huge)):
            found.append(record)
    assert found == [Contact(names=["Anna Ivanova"])]
    # Cut inside a quoted cell: the rows before it, and what the cut row holds.
    whole = csv_bytes(OUTLOOK, OUTLOOK_ROWS * 2, "utf-8")
    cut = whole[: whole.rindex("звонить".encode())]
    assert list(parse_contacts_csv(write(tmp_path, "cut.csv", cut))) == [
        OUTLOOK_IVAN,
        Contact(
            names=OUTLOOK_IVAN.names,
            emails=OUTLOOK_IVAN.emails,
            phones=OUTLOOK_IVAN.phones,
            organisation=OUTLOOK_IVAN.organisation,
            note="Поставщик, ",
        ),
    ]
    # Invalid UTF-8 in a UTF-8 file: replaced, the rest read.
    bad = header + b"\r\n,Ann\xff\xfea,,Iv,,Acme,,,,,,,,,a@b.org\r\n"
    (ann,) = parse_contacts_csv(write(tmp_path, "bad.csv", bad))
    assert ann.emails == ["a@b.org"] and ann.organisation == "Acme"
    assert list(parse_contacts_csv(write(tmp_path, "h.csv", header))) == []
    assert time.monotonic() - started < 5
