"""The sweep: scanners in every encoding, page edges, decoders with their forensic paths, bounds
on hostile input, false positives on random bytes, and the bulk_extractor export."""

from __future__ import annotations

import base64
import gzip
import io
import random
import time
import zipfile
import zlib
from collections import Counter

from crossdrive.sweep.pages import sweep_page
from crossdrive.sweep.scanners import scan


def features(data: bytes) -> set[tuple[str, str]]:
    return {(h.scanner, h.feature) for h in scan(data)}


def page_rows(
    data: bytes, start: int = 0, length: int | None = None, lead: int = 0
) -> tuple[list[dict], list]:
    length = len(data) - lead if length is None else length
    rows, sweep = sweep_page("DEV", data, start, length, lead)
    rows = list(rows)
    return rows, sweep.budget.warnings


def test_each_scanner_finds_its_features_in_utf8():
    text = (
        "Mail Bob.Smith@Example.COM or ivan@почта.рф; call +44 20 7946 0958 or "
        "0049 151 23222791; card 4111 1111 1111 1111, 5555-5555-5555-4444, 378282246310005; "
        "IBAN DE89 3704 0044 0532 0130 00; server 192.0.2.44; see https://example.org/a?b=c; "
        "BTC 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2, ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed; "
        "at 41.0082, 28.9784. v6 2001:0db8:0000:0000:0000:8a2e:0370:7334 at 12:30:45, "
        "chat xmpp:Anna@jabber.org?message, MAC 00:1A:2B:3C:4D:5E. "
        "Skype skype:Bob.Smith77?call or skype:live:.cid.1a2b3c4d5e6f7a8b, "
        "https://t.me/Anna_Petrova and wa.me/4915123222791; not t.me/joinchat or skype:ab."
    ).encode()
    found = features(text)
    for expected in [
        ("email", "bob.smith@example.com"),
        ("email", "ivan@почта.рф"),
        ("domain", "example.com"),
        ("telephone", "+442079460958"),
        ("telephone", "+4915123222791"),
        ("ccn", "4111111111111111"),
        ("ccn", "5555555555554444"),
        ("ccn", "378282246310005"),
        ("iban", "DE89370400440532013000"),
        ("ip", "192.0.2.44"),
        ("url", "https://example.org/a?b=c"),
        ("domain", "example.org"),
        ("bitcoin", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        ("ether", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        ("gps", "41.0082,28.9784"),
        ("ip", "2001:db8::8a2e:370:7334"),
        ("xmpp", "anna@jabber.org"),
        ("handle", "skype:bob.smith77"),
        ("handle", "skype:live:.cid.1a2b3c4d5e6f7a8b"),
        ("handle", "telegram:@anna_petrova"),
        ("handle", "whatsapp:+4915123222791"),
    ]:
        assert expected in found, expected
    handles = {feature for scanner, feature in found if scanner == "handle"}
    assert len(handles) == 4, handles


def test_false_candidates_are_rejected():
    text = (
        b"version 1.2.3.4.5, build 4111 1111 1111 1112, icon@2x.png, a@b, john..doe@example.com "
        b"+7 000 000 00 00 tel 12345 x 999.999.1.1 MAC 00:1A:2B:3C:4D:5E at 12:30:45 std::vector"
    )
    assert features(text) == set()
    # a German mobile number in E.164 whose digits pass Luhn and look like a 13-digit Visa
    assert features(b"tel +4915123330792;") == {("telephone", "+4915123330792")}


def test_phone_cards_and_ips_in_utf16_le_and_be():
    text = (
        "Ring +33 6 12 34 56 78, card 4111-1111-1111-1111, host 198.51.100.7, mail a.b@example.net"
    )
    for encoding in ("utf-16-le", "utf-16-be"):
        data = b"\x00\x01junk" + text.encode(encoding) + b"\xff\xfe"
        hits = [h for h in scan(data) if h.scanner != "domain"]
        assert {h.encoding for h in hits} <= {"utf-16le", "utf-16be"}
        # Pure ASCII text reads the same in both byte orders but for its ends: each feature
        # is still reported once, whole.
        assert sorted((h.scanner, h.feature) for h in hits) == [
            ("ccn", "4111111111111111"),
            ("email", "a.b@example.net"),
            ("ip", "198.51.100.7"),
            ("telephone", "+33612345678"),
        ]


def test_every_url_in_one_window_is_found_whatever_the_gaps():
    """URL windows reach 1,000 bytes past their trigger and merge; the search skips from one
    match to the next trigger, so URLs close together, far apart, nested in a query and
    repeated are each found at their own offset."""
    parts = [
        b"see http://a.example.com/x and",
        b" " * 300 + b"ftp://files.example.net/pub",
        b" x" * 5 + b"https://go.example.org/?to=https://inner.example.io/p",
        b" " * 900 + b"http://a.example.com/x",
    ]
    data = b"".join(parts)
    urls = sorted((h.start, h.feature) for h in scan(data) if h.scanner == "url")
    expected = [
        (data.index(b"http://a.example.com/x"), "http://a.example.com/x"),
        (data.index(b"ftp://"), "ftp://files.example.net/pub"),
        (data.index(b"https://go"), "https://go.example.org/?to=https://inner.example.io/p"),
        (data.rindex(b"http://a.example.com/x"), "http://a.example.com/x"),
    ]
    assert urls == expected


def test_a_feature_across_a_page_edge_is_reported_once_and_whole():
    page = 4096
    data = bytearray(random.Random(1).randbytes(2 * page))
    address = b" someone.long@example.org "
    edge = page - 10
    data[edge : edge + len(address)] = address
    first, _ = page_rows(bytes(data), 0, page)  # page 1 reads into page 2 (its margin)
    second, _ = page_rows(bytes(data[page - 100 :]), page, page, lead=100)  # reads back 100
    emails = [r for r in first + second if r["scanner"] == "email"]
    assert [(r["feature"], r["offset"]) for r in emails] == [("someone.long@example.org", edge + 1)]


def test_decoders_nest_with_the_forensic_path():
    inner = b"From: a@b.c\r\nTo: x\r\n\r\nwrite to nested.person@example.com\r\n"
    gz = gzip.compress(inner, mtime=0)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mail.eml.gz", gz)
    mime = (
        b"Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(archive.getvalue())
        + b"\r\n--b--\r\n"
    )
    data = b"\x00" * 1000 + mime
    rows, warnings = page_rows(data, 1_048_576)
    hit = next(r for r in rows if r["feature"] == "nested.person@example.com")
    mime_at = 1_048_576 + 1000 + mime.index(b"\r\n\r\n") + 4
    assert hit["offset"] == mime_at
    steps = hit["chain"].split("-")
    assert steps[0] == str(mime_at) and steps[1::2] == ["BASE64", "ZIP", "GZIP"]
    assert hit["depth"] == 3 and not warnings


def test_raw_zlib_streams_are_decoded_but_pdf_streams_only_once():
    packed = zlib.compress(b"reach me at zl.person@example.com please, " * 3)
    pdf = b"<< /Length 99 /Filter /FlateDecode >>\nstream\n" + packed + b"\nendstream\n"
    data = b"\x00" * 100 + packed + b"\x00" * 100 + pdf
    rows, warnings = page_rows(data, 4096)
    chains = sorted(r["chain"] for r in rows if r["scanner"] == "email")
    assert chains == [
        "4196-ZLIB-12",
        "4196-ZLIB-54",
        "4196-ZLIB-96",
        f"{4096 + 200 + len(packed) + pdf.index(packed)}-PDF-12",
        f"{4096 + 200 + len(packed) + pdf.index(packed)}-PDF-54",
        f"{4096 + 200 + len(packed) + pdf.index(packed)}-PDF-96",
    ]
    assert not warnings


def test_quoted_printable_and_percent_encoding_are_decoded():
    qp = (
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Write to a.very.long.local.part.that.wraps=\r\n@example.com soon\r\n"
    )
    url = b"https://mail.google.com/mail/u/0/#search/eve%40example.net"
    found = features(b"") | {(r["scanner"], r["feature"]) for r in page_rows(qp + b" " + url)[0]}
    assert ("email", "a.very.long.local.part.that.wraps@example.com") in found
    assert ("email", "eve@example.net") in found


def test_a_zip_bomb_a_deep_nest_and_a_truncated_gzip_end_quickly_with_warnings():
    bomb = gzip.compress(b"\x00" * (200 * 1024 * 1024), compresslevel=9)  # 200 MiB of zeros
    nest = b"x deep@example.com y"
    for _ in range(8):
        nest = gzip.compress(nest, mtime=0)
    truncated = gzip.compress(b"kept@example.com " + random.Random(2).randbytes(50_000), mtime=0)
    for data, expect_warning in (
        (bomb, "expands beyond"),
        (nest, "depth"),
        (truncated[:2000], None),
    ):
        began = time.monotonic()
        _rows, warnings = page_rows(data)
        assert time.monotonic() - began < 10
        if expect_warning:
            assert any(expect_warning in message for _offset, message in warnings), warnings
    assert ("email", "kept@example.com") in {
        (r["scanner"], r["feature"]) for r in page_rows(truncated[:2000])[0]
    }


def test_false_positives_on_random_bytes_are_rare():
    """Precision on data with no features at all: 32 MiB of random bytes."""
    data = random.Random(3).randbytes(32 * 1024 * 1024)
    counts = Counter(h.scanner for h in scan(data))
    assert sum(counts.values()) <= 5, counts


def test_features_export_as_bulk_extractor_and_jsonl(built_case, tmp_path):
    """The built NTFS image holds mail/inbox.eml (a@example.org, b@example.org, 50 times)."""
    import json

    from tests.helpers import crossdrive

    out = tmp_path / "be"
    crossdrive("export", built_case, "features", "--format", "bulk_extractor", "-o", out)
    lines = (out / "NTFS" / "email.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and any(
        x.startswith("# Feature-Recorder: email") for x in lines
    )
    records = [line.split("\t") for line in lines if not line.startswith("#")]
    assert records and all(len(r) == 3 and r[0].split("-")[0].isdigit() for r in records)
    assert {r[1] for r in records} >= {"a@example.org", "b@example.org"}
    histogram = (out / "NTFS" / "email_histogram.txt").read_text().splitlines()
    counts = dict(line.split("\t")[::-1] for line in histogram)
    assert int(counts["a@example.org"].removeprefix("n=")) >= 50
    jsonl = tmp_path / "features.jsonl"
    crossdrive("export", built_case, "features", "--format", "jsonl", "-o", jsonl)
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    inbox = [r for r in rows if r["device"] == "NTFS" and r["feature"] == "a@example.org"]
    assert inbox and all(
        r["place"] == "allocated" and r["path"].endswith("mail/inbox.eml") for r in inbox
    )


def test_dense_utf16_text_is_swept_in_linear_time():
    """30,000 addresses in UTF-16: every trigger window and every reading is handled once
    (a per-window or per-hit pass over all the others made this take minutes)."""
    data = "".join(f"mail a{i}@example.net; " for i in range(30_000)).encode("utf-16-le")
    began = time.monotonic()
    found = [h for h in scan(data) if h.scanner == "email"]
    assert len(found) == 30_000
    assert time.monotonic() - began < 15


def test_sqlite_record_values_are_scanned_apart(tmp_path):
    """Values a record packs side by side (a contact's email and its type `2`, a display name
    and an address) give the true features at their own bytes, once, in any page size."""
    import sqlite3

    for size in (1024, 4096, 65536):
        path = tmp_path / f"contacts-{size}.db"
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA page_size = {size}")
            db.execute("CREATE TABLE data (_id INTEGER PRIMARY KEY, data1 TEXT, data2 TEXT)")
            db.execute("CREATE TABLE accounts (fullname TEXT, email TEXT)")
            db.executemany(
                "INSERT INTO data (data1, data2) VALUES (?, ?)",
                [(f"user{n}@example.com", "2") for n in range(200)]
                + [("+98 912 346 5632", "2"), ("+98 912 346 5632", "2")],
            )
            db.execute("INSERT INTO accounts VALUES ('Auguste Petit', 'martinsemmanuel@gmail.com')")
        db.close()
        image = bytes(3 * 4096) + path.read_bytes() + random.Random(5).randbytes(8192)
        rows, _warnings = page_rows(image)
        found = Counter((r["scanner"], r["feature"]) for r in rows)
        assert all(found[("email", f"user{n}@example.com")] == 1 for n in range(200)), size
        assert found[("email", "martinsemmanuel@gmail.com")] == 1
        assert not [f for s, f in found if s == "email" and f.startswith("petit")]
        assert not [f for s, f in found if s == "email" and f.endswith(".com2")]
        assert found[("telephone", "+989123465632")] == 2
        for row in rows:
            if row["scanner"] in ("email", "telephone"):
                assert image[row["offset"] :].startswith(row["written"].encode()), row


def test_ntfs_records_are_read_with_their_fixups(tmp_path):
    """A small file lives in its MFT record, where NTFS replaced the last two bytes of each
    sector by a check number: the sweep reads the record as NTFS does, so an address across
    the sector end and a resident gzip member are found whole."""
    from crossdrive.demo import builders

    text = b"".join(b"%03d owner%03d@example.org\n" % (n, n) for n in range(24))
    member = gzip.compress(b"From: alice@example.net\nTo: bob@example.net\n\nhi\n", mtime=0)
    image = builders.ntfs(
        tmp_path / "ntfs.img", 8 * 1024 * 1024, {"list.txt": text, "mail.gz": member}
    )
    data = image.read_bytes()
    assert text not in data and text[:100] in data  # resident, and cut by a check number
    rows, _warnings = page_rows(data)
    emails = {(r["feature"], r["chain"].count("GZIP")) for r in rows if r["scanner"] == "email"}
    assert {(f"owner{n:03d}@example.org", 0) for n in range(24)} <= emails
    assert {("alice@example.net", 1), ("bob@example.net", 1)} <= emails


def test_percent_encoded_addresses_in_a_history_table_are_each_decoded_once(tmp_path):
    """Chrome's `urls` rows sit a few hundred bytes apart; each URL's `%40` is decoded within
    its own URL, even where the look-back from one mark reaches into the URL before."""
    import sqlite3

    path = tmp_path / "History"
    people = [f"person{n}.lastname@example.com" for n in range(6)]
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
        for n, address in enumerate(people):
            url = "https://mail.google.com/mail/u/0/#search/" + address.replace("@", "%40")
            db.execute("INSERT INTO urls (url, title) VALUES (?, ?)", (url, "Search results"))
            phone = f"https://www.google.com/search?q=%2B7%20912%20352-76-{n:02d}"
            db.execute("INSERT INTO urls (url, title) VALUES (?, ?)", (phone, f"+7 {n} - Google"))
    db.close()
    rows, _warnings = page_rows(path.read_bytes())
    decoded = Counter(r["feature"] for r in rows if "URL" in r["chain"] and r["scanner"] == "email")
    assert decoded == Counter(people)


def test_crafted_sqlite_page_headers_are_tried_a_bounded_number_of_times():
    """8 MiB of blocks that each look like a table-leaf page (one cell pointer, a garbage
    cell) would make SQLite try every page size on every block (25 s); after 256 such blocks
    the rest is scanned raw, with a warning, and features are still found."""
    block = bytearray(random.Random(7).randbytes(512))
    block[0:10] = bytes([0x0D, 0, 0, 0, 1, 0x01, 0xF4, 0, 0x01, 0xF4])  # 1 cell at 500
    data = bytes(block) * (16 * 1024) + b" found@example.org "
    began = time.monotonic()
    rows, warnings = page_rows(data)
    assert time.monotonic() - began < 5
    assert any("SQLite page headers without rows" in message for _o, message in warnings)
    assert ("email", "found@example.org") in {(r["scanner"], r["feature"]) for r in rows}
    from crossdrive.sweep.carve import carve  # the carver's loose pages: the same bound

    began = time.monotonic()
    assert not [c for c in carve(data) if c.kind == "sqlite-page"]
    assert time.monotonic() - began < 5
