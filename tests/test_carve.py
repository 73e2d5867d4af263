"""Carving: each kind found at its offset with its exact bytes, only when it opens."""

from __future__ import annotations

import io
import random
import sqlite3
import zipfile

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from crossdrive.sweep.carve import carve


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    picture = Image.new("RGB", (40, 30), (200, 30, 90))
    picture.save(buffer, format=kind)
    return buffer.getvalue()


def pdf() -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, invariant=1)
    sheet.drawString(50, 800, "carved@example.org")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def sqlite_db(tmp_path) -> bytes:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sms (address TEXT, body TEXT)")
        db.executemany("INSERT INTO sms VALUES (?, ?)", [("+4915123222791", "hi")] * 50)
    db.close()
    return path.read_bytes()


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "hello " * 100)
    return buffer.getvalue()


PLANTED = {
    "jpg": lambda _tmp: image("JPEG"),
    "png": lambda _tmp: image("PNG"),
    "gif": lambda _tmp: image("GIF"),
    "pdf": lambda _tmp: pdf(),
    "zip": lambda _tmp: zipped(),
    "sqlite": sqlite_db,
    "vcf": lambda _tmp: b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nTEL:+351912345678\r\nEND:VCARD",
    "eml": lambda _tmp: (
        b"From: a@example.org\nTo: b@example.org\nDate: Fri, 5 Jan 2024 10:00:00 +0000"
        b"\nSubject: hi\n\nbody\n"
    ),
    "html": lambda _tmp: b"<html><body>call +44 20 7946 0958</body></html>",
}


def test_every_kind_is_carved_at_its_offset_with_its_bytes(tmp_path):
    rng = random.Random(5)
    buffer, where = bytearray(), {}
    for kind, make in PLANTED.items():
        buffer += rng.randbytes(rng.randint(3000, 9000)) + b"\x00" * 512
        where[kind] = (len(buffer), make(tmp_path))
        buffer += where[kind][1]
    buffer += b"\x00" * 512 + rng.randbytes(4000)
    found = {(c.kind, c.offset): c.data for c in carve(bytes(buffer))}
    for kind, (offset, data) in where.items():
        assert found.get((kind, offset)) == data, kind


def test_broken_candidates_and_random_bytes_are_not_kept(tmp_path):
    jpeg, png = image("JPEG"), bytearray(image("PNG"))
    png[40:60] = b"\xff" * 20  # damaged pixel data: no longer decodes
    data = random.Random(6).randbytes(4 << 20)
    broken = data[:1000] + jpeg[: len(jpeg) // 2] + data[1000:3000] + bytes(png) + data[3000:]
    assert [c.kind for c in carve(broken)] == []
    assert list(carve(random.Random(7).randbytes(8 << 20))) == []


def test_a_jpeg_holding_an_inner_end_marker_is_carved_whole():
    """An EXIF thumbnail (or, here, a comment) puts FFD9 inside the image: the first end marker
    cut the picture short, it does not decode, and the next one is tried."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, format="JPEG", comment=b"a\xff\xd9b")
    jpeg = buffer.getvalue()
    assert jpeg.index(b"\xff\xd9") < len(jpeg) - 2
    data = random.Random(8).randbytes(5000) + jpeg + random.Random(9).randbytes(5000)
    assert [(c.kind, c.offset, c.data) for c in carve(data)] == [("jpg", 5000, jpeg)]


@pytest.mark.parametrize("size", [1024, 4096, 16384])
def test_loose_sqlite_pages_are_read_by_sqlite(tmp_path, size):
    """A table page of a deleted SMS database, alone in free space among random bytes, gives
    its rows back whatever the database's page size; random bytes and whole carved databases
    give no loose page."""
    from crossdrive.artifacts.carved import parse_sqlite_page

    path = tmp_path / "mmssms.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA page_size = {size}")
        db.execute(
            "CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER, body TEXT)"
        )
        db.executemany(
            "INSERT INTO sms (address, date, body) VALUES (?, ?, ?)",
            [(f"+49151232227{n:02d}", 1700000000000 + n, f"meet at pier {n}") for n in range(400)],
        )
    db.close()
    database = path.read_bytes()
    pages = [database[i : i + size] for i in range(0, len(database), size)]
    leaf = next(p for p in pages[2:] if p[0] == 0x0D and b"meet at pier 200" in p)
    rng = random.Random(3)
    buffer = rng.randbytes(5 * 4096) + leaf + rng.randbytes(64 * 4096)
    found = [c for c in carve(buffer) if c.kind == "sqlite-page"]
    assert [(c.offset, c.length) for c in found] == [(5 * 4096, size)]
    carved = tmp_path / "page.sqlite-page"
    carved.write_bytes(found[0].data)
    (document,) = parse_sqlite_page(carved)
    lines = document.text.splitlines()
    assert "\t+49151232227200\t1700000000200\tmeet at pier 200" in lines  # _id: the rowid
    assert int(document.meta["rows"]) == len(lines) > 2
    noise = random.Random(4).randbytes(16 * 1024 * 1024)
    assert not [c for c in carve(noise) if c.kind == "sqlite-page"]
    whole = [c for c in carve(b"\x00" * 4096 + database) if c.kind.startswith("sqlite")]
    assert [c.kind for c in whole] == ["sqlite"]
