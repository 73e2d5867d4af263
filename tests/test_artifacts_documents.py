"""Documents and archives parsers on files made by the real writers: python-docx (the demo's
roster), openpyxl, python-pptx, odfpy, reportlab (the demo's contact sheet) and pypdf, Pillow
(EXIF), Python's codecs, zipfile, tarfile and gzip. RTF has no writer among the installed
libraries, so its sample is the format's own simple text written by hand; HTML samples are
strings. Malformed inputs (truncated, corrupt, bombs) must fail cleanly and fast."""

from __future__ import annotations

import gzip
import io
import sqlite3
import struct
import sys
import tarfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from odf import dc, meta, table, text
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfWriter

from crossdrive.artifacts import archives, documents
from crossdrive.artifacts.records import Document, Embedded
from crossdrive.content import process
from crossdrive.demo.formats.documents import contact_sheet_pdf, gzipped, roster_docx, tar_gz
from crossdrive.demo.people import Person

PEOPLE = [
    Person("p1", "Анна Иванова", "ru_RU", "RU", "member", 0, ["anna@mail.ru"], ["+79161234567"]),
    Person("p2", "Jean Dupont", "fr_FR", "FR", "member", 0, ["jean@free.fr"], ["+33612345678"]),
]
RUSSIAN = (
    "Привет, как дела? Встретимся завтра у вокзала в десять часов утра.\n"
    "Позвони Ивану Петрову по номеру телефона, он ждёт звонка.\n"
)
MY_PARSERS = documents.PARSERS + archives.PARSERS


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def claims(data: bytes, name: str) -> list[str]:
    """The parsers of these two families that would run on the file (the registry's rule:
    specific ones, else the first generic one)."""
    head = data[:65536]
    hits = [parser for parser in MY_PARSERS if parser.sniff(head, name.lower())]
    specific = [parser.name for parser in hits if not parser.generic]
    return specific or [parser.name for parser in hits if parser.generic][:1]


def only(records: list) -> Document:
    assert len(records) == 1
    return records[0]


# --- Office Open XML -----------------------------------------------------------------------


def roster(tmp_path: Path) -> Path:
    data, _ink = roster_docx("Meeting roster", PEOPLE, PEOPLE[0], datetime(2024, 3, 4, 5, 6, 7))
    return write(tmp_path, "00000012345.bin", data)


def test_docx_roster_text_and_metadata(tmp_path: Path) -> None:
    path = roster(tmp_path)
    document = only(list(documents.parse_ooxml(path)))
    assert document.kind == "docx"
    assert document.text == (
        "Meeting roster\n"
        "Name\tPhone\tE-mail\n"
        "Анна Иванова\t+7 916 123-45-67\tanna@mail.ru\n"
        "Jean Dupont\t+33 6 12 34 56 78\tjean@free.fr"
    )
    assert (document.author, document.last_modified_by) == ("Анна Иванова", "Анна Иванова")
    assert (document.created, document.modified) == ("2024-03-04T05:06:07Z",) * 2
    assert document.meta["application"] == "Microsoft Macintosh Word"  # python-docx's template
    assert claims(path.read_bytes(), path.name) == ["ooxml"]  # by content, and not as a zip


CONTENT_CONTROL = (
    '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Form field: Anna</w:t></w:r></w:p></w:sdtContent>"
    "</w:sdt>"
)


def test_docx_headers_footers_nested_tables_and_content_controls(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    word = docx.Document()
    word.sections[0].header.paragraphs[0].text = "Confidential header"
    word.sections[0].footer.paragraphs[0].text = "Page footer"
    word.add_paragraph("Body text")
    outer = word.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "left"
    outer.cell(0, 1).add_table(rows=1, cols=1).cell(0, 0).text = "inner"
    word.add_paragraph("After").insert_paragraph_before("Before")
    word.paragraphs[-1]._p.addprevious(parse_xml(CONTENT_CONTROL))  # a form's content control
    path = tmp_path / "nested.docx"
    word.save(path)
    document = only(list(documents.parse_ooxml(path)))
    assert document.text == (
        "Body text\nleft\tinner\nBefore\nForm field: Anna\nAfter\nConfidential header\nPage footer"
    )


def test_xlsx_cells_of_every_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phones"
    sheet.append(["Name", "Phone"])
    sheet.append(["Anna", "+7 916 123-45-67"])
    sheet.append(["count", 42, None, 3.5])
    book.create_sheet("Second")["B2"] = "x"
    book.properties.creator = "Anna"
    book.properties.lastModifiedBy = "Bob"
    book.properties.title = "Numbers"
    book.properties.created = datetime(2024, 1, 2, 3, 4, 5)
    path = tmp_path / "book.xlsx"
    book.save(path)
    document = only(list(documents.parse_ooxml(path)))
    assert document.kind == "xlsx"
    assert (
        document.text
        == "Phones\nName\tPhone\nAnna\t+7 916 123-45-67\ncount\t42\t\t3.5\nSecond\n\tx"
    )
    assert (document.title, document.author, document.last_modified_by) == (
        "Numbers",
        "Anna",
        "Bob",
    )
    assert document.created == "2024-01-02T03:04:05Z"
    assert claims(path.read_bytes(), "carved.dat") == ["ooxml"]


def test_xlsx_cells_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = openpyxl.Workbook()
    for row in range(100):
        book.active.append([f"r{row}c{column}" for column in range(10)])
    path = tmp_path / "big.xlsx"
    book.save(path)
    monkeypatch.setattr(documents, "MAX_CELLS", 25)
    document = only(list(documents.parse_ooxml(path)))
    assert document.text.splitlines()[1:] == [
        "\t".join(f"r{row}c{column}" for column in range(10)) for row in range(2)
    ]


def test_pptx_slides_tables_and_notes(tmp_path: Path) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Plan"
    slide.placeholders[1].text = "Call Anna on +7 916 123-45-67"
    grid = slide.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(4), Inches(1)).table
    grid.cell(0, 0).text, grid.cell(1, 1).text = "a", "d"
    slide.notes_slide.notes_text_frame.text = "speaker note"
    deck.core_properties.author = "Carl"
    path = tmp_path / "deck.pptx"
    deck.save(path)
    document = only(list(documents.parse_ooxml(path)))
    assert document.kind == "pptx"
    assert document.text == "Plan\nCall Anna on +7 916 123-45-67\na\t\n\td\nspeaker note"
    assert document.author == "Carl"
    assert claims(path.read_bytes(), "x") == ["ooxml"]


def test_corrupt_docx_raises_cleanly(tmp_path: Path) -> None:
    data = roster(tmp_path).read_bytes()
    truncated = write(tmp_path, "cut.docx", data[: len(data) // 2])
    started = time.monotonic()
    with pytest.raises(zipfile.BadZipFile):
        list(documents.parse_ooxml(truncated))
    # a readable package whose body is not XML: metadata first, then the error
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, b"<w:document" if info.filename == "word/document.xml" else body)
    records = documents.parse_ooxml(write(tmp_path, "broken.docx", buffer.getvalue()))
    assert next(records).author == "Анна Иванова"
    with pytest.raises(documents.DocumentError, match="docx text not read"):
        next(records)
    assert time.monotonic() - started < 2


def test_package_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_PART", 1000)
    with pytest.raises(documents.DocumentError, match="too large"):
        list(documents.parse_ooxml(roster(tmp_path)))


# --- OpenDocument --------------------------------------------------------------------------


def test_odt_text_and_meta(tmp_path: Path) -> None:
    odt = OpenDocumentText()
    odt.meta.addElement(meta.InitialCreator(text="Dora"))
    odt.meta.addElement(dc.Creator(text="Eve"))
    odt.meta.addElement(meta.CreationDate(text="2024-01-02T03:04:05.123456789"))
    odt.meta.addElement(dc.Date(text="2024-02-03T04:05:06Z"))
    odt.meta.addElement(dc.Title(text="Minutes"))
    odt.text.addElement(text.H(outlinelevel=1, text="Heading"))
    paragraph = text.P(text="Hello")
    paragraph.addElement(text.S(c=3))
    paragraph.addText("world")
    odt.text.addElement(paragraph)
    path = tmp_path / "carved-0001"
    odt.save(str(path))
    document = only(list(documents.parse_odf(path)))
    assert document.kind == "odt"
    assert document.text == "Heading\nHello   world"
    assert (document.author, document.last_modified_by, document.title) == (
        "Dora",
        "Eve",
        "Minutes",
    )
    assert (document.created, document.modified) == ("2024-01-02T03:04:05Z", "2024-02-03T04:05:06Z")
    assert document.meta["time_zone"] == documents.NO_ZONE  # the creation date has no zone
    assert claims(path.read_bytes(), path.name) == ["odf"]


def test_ods_rows(tmp_path: Path) -> None:
    ods = OpenDocumentSpreadsheet()
    sheet = table.Table(name="People")
    for values in (["Name", "Phone"], ["Anna", "+7 916 123-45-67"]):
        row = table.TableRow()
        for value in values:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        sheet.addElement(row)
    ods.spreadsheet.addElement(sheet)
    path = tmp_path / "people.ods"
    ods.save(str(path))
    document = only(list(documents.parse_odf(path)))
    assert (document.kind, document.text) == ("ods", "Name\tPhone\nAnna\t+7 916 123-45-67")


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_contact_sheet(tmp_path: Path) -> None:
    data, _ink = contact_sheet_pdf("Contacts", PEOPLE)
    path = write(tmp_path, "00000077.bin", data)
    document = only(list(documents.parse_pdf(path)))
    assert document.text.splitlines() == [
        "Contacts",
        "Анна Иванова",
        "+7.916.123.45.67   anna@mail.ru",
        "Jean Dupont",
        "+33.6.12.34.56.78   jean@free.fr",
    ]
    assert document.title == "Contacts"
    assert document.meta["producer"] == "ReportLab PDF Library - (opensource)"
    assert document.meta["pages"] == "1"
    assert claims(data, path.name) == ["pdf"]


def pdf_with_info(**info: str) -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata(info)
    return writer


def saved(writer: PdfWriter, path: Path) -> Path:
    writer.write(path)
    return path


def test_pdf_info_dates_to_utc(tmp_path: Path) -> None:
    writer = pdf_with_info(
        **{
            "/Author": "Anna",
            "/Title": "Report",
            "/Creator": "Writer",
            "/CreationDate": "D:20240102030405+01'00'",
            "/ModDate": "D:20240102030405Z",
        }
    )
    document = only(list(documents.parse_pdf(saved(writer, tmp_path / "a.pdf"))))
    assert (document.author, document.title, document.meta["creator"]) == (
        "Anna",
        "Report",
        "Writer",
    )
    assert (document.created, document.modified) == ("2024-01-02T02:04:05Z", "2024-01-02T03:04:05Z")
    assert document.text is None  # a blank page


def test_pdf_malformed_date_is_dropped(tmp_path: Path) -> None:
    writer = pdf_with_info(**{"/Author": "Anna", "/CreationDate": "D:2024garbage"})
    document = only(list(documents.parse_pdf(saved(writer, tmp_path / "a.pdf"))))
    assert (document.author, document.created) == ("Anna", None)


def test_pdf_encrypted(tmp_path: Path) -> None:
    locked = pdf_with_info(**{"/Author": "Anna"})
    locked.encrypt("secret", algorithm="RC4-128")
    document = only(list(documents.parse_pdf(saved(locked, tmp_path / "locked.pdf"))))
    assert document == Document(kind="pdf", meta={"encrypted": "yes"})
    opened = pdf_with_info(**{"/Author": "Anna"})
    opened.encrypt("", "owner-only", algorithm="RC4-128")
    document = only(list(documents.parse_pdf(saved(opened, tmp_path / "open.pdf"))))
    assert document.author == "Anna"
    assert document.meta["decrypted"] == "empty user password"


def test_truncated_pdf_fails_fast(tmp_path: Path) -> None:
    data, _ink = contact_sheet_pdf("Contacts", PEOPLE)
    started = time.monotonic()
    for size in (20, len(data) // 3, len(data) - 200):
        path = write(tmp_path, "cut.pdf", data[:size])
        try:
            records = list(documents.parse_pdf(path))
        except Exception as exc:  # pypdf's own error for a file it cannot open
            assert not isinstance(exc, (RecursionError, MemoryError))
        else:
            assert all(record.kind == "pdf" for record in records)
    assert time.monotonic() - started < 3


# --- RTF and HTML --------------------------------------------------------------------------

# Hand-written: no RTF writer is installed. Windows-1251 text as Word writes it (\'xx escapes).
RTF = (
    r"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\fswiss\fcharset204 Arial;}}"
    r"{\info{\title \'cf\'eb\'e0\'ed}{\author Anna}{\operator Bob}{\*\company ACME}"
    r"{\creatim\yr2024\mo1\dy2\hr3\min4}{\revtim\yr2024\mo2\dy3\hr4\min5\sec6}}"
    "\n"
    r"\f0\fs20 \'cf\'f0\'e8\'e2\'e5\'f2 world\par Second line\par}"
)


def test_rtf_text_and_info(tmp_path: Path) -> None:
    path = write(tmp_path, "letter", RTF.encode("ascii"))
    document = only(list(documents.parse_rtf(path)))
    assert document.text == "Привет world\nSecond line\n"
    assert (document.title, document.author, document.last_modified_by) == ("План", "Anna", "Bob")
    assert (document.company, document.encoding) == ("ACME", "cp1251")
    assert (document.created, document.modified) == ("2024-01-02T03:04:00Z", "2024-02-03T04:05:06Z")
    assert document.meta["time_zone"] == documents.NO_ZONE
    assert claims(RTF.encode(), path.name) == ["rtf"]


HTML = """<!DOCTYPE html>
<html><head><meta charset="windows-1251"><title>Страница</title>
<meta name="Author" content="Иван Петров"><script>var phone = "+1 555";</script>
<style>p { color: red }</style></head>
<body><h1>Заголовок</h1><p>Hello <b>world</b>, call +7 916</p>
<table><tr><td>a</td><td>b</td></tr></table>end</body></html>"""


def test_html_text_title_author(tmp_path: Path) -> None:
    path = write(tmp_path, "00000099.html", HTML.encode("cp1251"))
    document = only(list(documents.parse_html(path)))
    assert document.text == "Страница\nЗаголовок\nHello world, call +7 916\na\tb\nend"
    assert (document.title, document.author, document.encoding) == (
        "Страница",
        "Иван Петров",
        "windows-1251",
    )
    assert claims(HTML.encode("cp1251"), "x.bin") == ["html"]
    assert claims(HTML.encode("utf-16"), "x.bin") == ["html"]  # Notepad "Unicode"


# --- plain text ----------------------------------------------------------------------------

ARABIC = "مرحبا، كيف حالك؟ سنلتقي غدا في المحطة في الساعة العاشرة صباحا. اتصل بأحمد.\n" * 2
SPANISH = "El señor Muñoz llamó a la compañía de España el año pasado; mañana habla Peña.\n"
ITALIAN = "Perché la città è così bella? Però domani andrò là, è già tardi.\n" * 2
JAPANESE = (
    "こんにちは、お元気ですか。明日の朝十時に駅で会いましょう。田中さんに電話してください。\n" * 2
)


@pytest.mark.parametrize(
    ("content", "codec", "family", "bom"),
    [
        (RUSSIAN, "cp1251", {"cp1251"}, False),
        (RUSSIAN, "koi8-r", {"koi8-r"}, False),
        (ARABIC, "cp1256", {"cp1256"}, False),
        (JAPANESE, "shift_jis", {"shift_jis", "cp932"}, False),
        (SPANISH, "cp1252", {"cp1252"}, False),  # Windows-1250 decodes it too, wrongly (ñ → ń)
        (RUSSIAN, "utf-8", {"utf-8"}, False),
        (RUSSIAN, "utf-16", {"utf-16-le"}, True),  # Python writes a BOM, little-endian here
        (RUSSIAN, "utf-16-le", {"utf-16-le"}, False),
        (RUSSIAN, "utf-16-be", {"utf-16-be"}, False),
        (RUSSIAN, "utf-8-sig", {"utf-8"}, True),
    ],
)
def test_text_encodings(tmp_path: Path, content: str, codec: str, family: set, bom: bool) -> None:
    data = content.encode(codec)
    path = write(tmp_path, "note.txt", data)
    document = only(list(documents.parse_text(path)))
    assert document.text == content
    assert document.encoding in family
    assert document.meta.get("bom") == ("yes" if bom else None)
    assert claims(data, "00000012.bin") == ["text"]


def test_notepad_unicode_note(tmp_path: Path) -> None:
    from crossdrive.demo.formats.documents import notepad_utf16

    path = write(tmp_path, "note.txt", notepad_utf16(["Numbers", "Анна: 8 916 123-45-67"]))
    document = only(list(documents.parse_text(path)))
    assert (document.text, document.encoding) == ("Numbers\r\nАнна: 8 916 123-45-67", "utf-16-le")


def test_damaged_utf8_stays_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "log.txt", ("Ärger " * 1000).encode() + b"\xff\xfe broken tail\n")
    document = only(list(documents.parse_text(path)))
    assert document.encoding == "utf-8"
    assert document.text.endswith("Ärger \ufffd\ufffd broken tail\n")
    # a code page with few accented letters has no valid multi-byte sequence: not UTF-8
    assert documents.detect_encoding(ITALIAN.encode("cp1252"))[0] != "utf-8"


def binaries(tmp_path: Path) -> dict[str, bytes]:
    """Real binary files: this Python executable, a PNG, a zip, an SQLite database, a gzip."""
    png = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(png, "PNG")
    database = tmp_path / "db.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
        connection.execute("INSERT INTO notes VALUES (1, 'hello')")
    connection.close()
    return {
        "python": Path(sys.executable).resolve().read_bytes()[:65536],
        "png": png.getvalue(),
        "zip": archive_zip({"a.txt": b"hello"}),
        "sqlite": database.read_bytes(),
        "gzip": gzipped(b"hello " * 100),
    }


def test_text_sniff_rejects_binaries(tmp_path: Path) -> None:
    claimed = {kind: claims(data, "00001.bin") for kind, data in binaries(tmp_path).items()}
    assert claimed == {
        "python": [],
        "png": ["image-exif"],  # Pillow finds no EXIF in it: no record
        "zip": ["zip"],
        "sqlite": [],
        "gzip": ["gzip"],
    }
    assert not documents.sniff_text(b"plain words\n", "picture.jpg")  # a binary extension
    assert not documents.sniff_text(b"", "empty.txt")


# --- pictures ------------------------------------------------------------------------------


def photo(offset: str | None = "+01:00", fmt: str = "JPEG") -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 5D Mark IV"
    exif[ExifTags.Base.Artist] = "Anna Smith"
    details = {
        ExifTags.Base.DateTimeOriginal: "2024:01:02 03:04:05",
        ExifTags.Base.BodySerialNumber: "012345678901",
        ExifTags.Base.LensSerialNumber: "0000c1234",
    }
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    exif.get_ifd(ExifTags.IFD.Exif).update(details)
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (IFDRational(55), IFDRational(45), IFDRational(2115, 100)),
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (IFDRational(37), IFDRational(36), IFDRational(1234, 100)),
            ExifTags.GPS.GPSDateStamp: "2024:01:02",
            ExifTags.GPS.GPSTimeStamp: (IFDRational(2), IFDRational(4), IFDRational(5)),
        }
    )
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(buffer, fmt, exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_camera_time_and_gps(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "00000042.bin", photo(fmt=fmt))
    document = only(list(documents.parse_image(path)))
    assert document == Document(
        kind="image",
        author="Anna Smith",
        created="2024-01-02T02:04:05Z",
        meta={
            "make": "Canon",
            "model": "Canon EOS 5D Mark IV",
            "serial": "012345678901",
            "lens_serial": "0000c1234",
            "gps": "55.755875,-37.603428",
            "gps_time": "2024-01-02T02:04:05Z",
        },
    )
    assert claims(path.read_bytes(), path.name) == ["image-exif"]


def test_exif_of_a_picture_larger_than_pillows_pixel_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A panorama over Image.open's decompression-bomb limit still gives its EXIF: the
    parser reads headers only and never decodes a pixel."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)  # 16 × 16 is now "a bomb" for open()
    path = write(tmp_path, "pano.jpg", photo())
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
    assert only(list(documents.parse_image(path))).meta["make"] == "Canon"


def test_exif_without_offset_is_taken_as_utc(tmp_path: Path) -> None:
    document = only(list(documents.parse_image(write(tmp_path, "a.jpg", photo(offset=None)))))
    assert document.created == "2024-01-02T03:04:05Z"
    assert document.meta["time_zone"] == documents.NO_ZONE


def test_picture_without_exif_gives_nothing_and_truncated_fails_fast(tmp_path: Path) -> None:
    plain = io.BytesIO()
    Image.new("RGB", (16, 16)).save(plain, "JPEG")
    assert list(documents.parse_image(write(tmp_path, "plain.jpg", plain.getvalue()))) == []
    started = time.monotonic()
    for size in (3, 40, 200):
        try:
            records = list(documents.parse_image(write(tmp_path, "cut.jpg", photo()[:size])))
        except (OSError, documents.DocumentError):  # Pillow: not a readable picture
            continue
        assert all(record.kind == "image" for record in records)
    assert time.monotonic() - started < 1


# --- archives ------------------------------------------------------------------------------


def archive_zip(members: dict[str, bytes], **options: object) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, **options) as archive:
        archive.writestr("folder/", b"")
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MEMBERS = {"notes/a.txt": b"hello anna\n", "b.bin": bytes(range(256)) * 40, "c.txt": b""}


def assert_at(data: bytes, member: Embedded) -> None:
    """The member's offset is its local file header, which names it."""
    offset = member.file_offset
    assert data[offset : offset + 4] == b"PK\x03\x04"
    length = struct.unpack_from("<H", data, offset + 26)[0]
    assert data[offset + 30 : offset + 30 + length].decode() == member.name


def test_zip_members(tmp_path: Path) -> None:
    data = archive_zip(MEMBERS)
    path = write(tmp_path, "backup.zip", data)
    members = list(archives.parse_zip(path))
    assert [(m.name, m.data, m.step) for m in members] == [
        (name, body, "ZIP") for name, body in MEMBERS.items()
    ]
    for member in members:
        assert_at(data, member)
    assert claims(data, "0001.bin") == ["zip"]
    assert claims(data, "renamed.docx") == ["zip"]  # a zip hidden under an Office name


def test_zip_corrupt_and_encrypted_members_skipped(tmp_path: Path) -> None:
    data = bytearray(archive_zip(MEMBERS))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    broken = infos["b.bin"]  # damage its compressed bytes: a CRC or inflate error
    start = broken.header_offset + 30 + len(broken.filename) + 10
    data[start : start + 20] = bytes(20)
    locked = infos["c.txt"]  # flag it encrypted in both headers
    data[locked.header_offset + 6] |= 1
    central = bytes(data).rindex(b"c.txt") - 46  # its central directory entry
    assert data[central : central + 4] == b"PK\x01\x02"
    data[central + 8] |= 1
    records = archives.parse_zip(write(tmp_path, "damaged.zip", bytes(data)))
    assert next(records).data == b"hello anna\n"
    with pytest.raises(archives.ArchiveError) as error:
        next(records)
    assert "2 zip members skipped: b.bin (" in str(error.value)
    assert "c.txt (encrypted)" in str(error.value)


def test_zip_bomb_is_skipped_fast(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("readme.txt", b"fine")
        with archive.open("bomb.bin", "w", force_zip64=True) as member:
            for _ in range(65):
                member.write(bytes(1024 * 1024))
    started = time.monotonic()
    records = archives.parse_zip(write(tmp_path, "bomb.zip", buffer.getvalue()))
    assert next(records).name == "readme.txt"
    with pytest.raises(archives.ArchiveError, match=r"bomb\.bin \(zip bomb: 68,157,440 bytes"):
        next(records)
    assert time.monotonic() - started < 1


def test_zip_member_count_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 2)
    records = archives.parse_zip(write(tmp_path, "many.zip", archive_zip(MEMBERS)))
    assert [next(records).name, next(records).name] == ["notes/a.txt", "b.bin"]
    with pytest.raises(archives.ArchiveError, match="1 after the first 2"):
        next(records)


def test_truncated_zip_raises(tmp_path: Path) -> None:
    data = archive_zip(MEMBERS)
    with pytest.raises(zipfile.BadZipFile):
        list(archives.parse_zip(write(tmp_path, "cut.zip", data[: len(data) // 2])))


def tar_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        folder = tarfile.TarInfo("folder")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_704_067_200
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, "c.txt"
        archive.addfile(link)
    return buffer.getvalue()


def test_tar_members_and_offsets(tmp_path: Path) -> None:
    long_name = "deep/" + "x" * 120 + "/пример.txt"  # a pax path
    content = {**MEMBERS, long_name: "данные".encode()}
    data = tar_bytes(content)
    members = list(archives.parse_tar(write(tmp_path, "0002.bin", data)))
    assert [(m.name, m.data, m.step) for m in members] == [
        (name, body, "TAR") for name, body in content.items()
    ]
    for member in members:
        assert data[member.file_offset : member.file_offset + len(member.data)] == member.data
    assert members[0].file_offset == 2 * 512  # after the folder's and its own header block
    assert claims(data, "0002.bin") == ["tar"]


def test_truncated_tar_yields_what_is_readable(tmp_path: Path) -> None:
    data = tar_bytes(MEMBERS)
    records = archives.parse_tar(write(tmp_path, "cut.tar", data[: 3 * 512 + 1024]))
    assert next(records).data == b"hello anna\n"
    with pytest.raises(archives.ArchiveError, match="tar unreadable after 1 members"):
        next(records)


def test_tar_damaged_or_cut_at_a_header(tmp_path: Path) -> None:
    data = bytearray(tar_bytes(MEMBERS))
    second_header = 3 * 512  # folder, a.txt header, a.txt data
    assert data[second_header + 257 : second_header + 262] == b"ustar"
    cut = archives.parse_tar(write(tmp_path, "cut.tar", bytes(data[:second_header])))
    assert next(cut).name == "notes/a.txt"
    with pytest.raises(archives.ArchiveError, match="no end-of-archive blocks"):
        next(cut)
    data[second_header + 148 : second_header + 156] = b"garbage!"  # its checksum field
    damaged = archives.parse_tar(write(tmp_path, "damaged.tar", bytes(data)))
    assert next(damaged).name == "notes/a.txt"
    with pytest.raises(archives.ArchiveError, match="damaged header at offset 1,536"):
        next(damaged)


def test_gzip_names(tmp_path: Path) -> None:
    plain = write(tmp_path, "syslog.1.gz", gzipped(b"log line\n" * 100))
    member = only(list(archives.parse_gzip(plain)))
    assert (member.name, member.data, member.step, member.file_offset) == (
        "syslog.1",
        b"log line\n" * 100,
        "GZIP",
        0,
    )
    buffer = io.BytesIO()
    with gzip.GzipFile("inbox.mbox", "wb", fileobj=buffer, mtime=0) as stream:
        stream.write(b"From a@b Mon Jan  1 00:00:00 2024\n")
    named = write(tmp_path, "000123.bin", buffer.getvalue())
    assert only(list(archives.parse_gzip(named))).name == "inbox.mbox"  # the header's FNAME
    assert claims(buffer.getvalue(), named.name) == ["gzip"]


def test_truncated_gzip_yields_the_readable_part(tmp_path: Path) -> None:
    body = "".join(f"line {n}: anna@mail.ru\n" for n in range(20000)).encode()
    data = gzipped(body)
    records = archives.parse_gzip(write(tmp_path, "cut.gz", data[: len(data) // 2]))
    partial = next(records)
    assert 0 < len(partial.data) < len(body)
    assert body.startswith(partial.data)
    with pytest.raises(archives.ArchiveError, match="gzip stream damaged after"):
        next(records)
    with pytest.raises(archives.ArchiveError, match="damaged after 0 bytes"):
        list(archives.parse_gzip(write(tmp_path, "head.gz", data[:12])))


def test_gzip_over_the_limit_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBER", 1000)
    monkeypatch.setattr(archives, "CHUNK", 100)
    with pytest.raises(archives.ArchiveError, match="over 1,000 bytes: not unpacked"):
        list(archives.parse_gzip(write(tmp_path, "big.gz", gzipped(bytes(5000)))))


def test_tar_gz_of_a_docx_through_the_content_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stage unpacks gzip, then tar, then parses the DOCX; the chain says where."""
    roster_bytes = roster(tmp_path).read_bytes()
    path = write(tmp_path, "backup.tar.gz", tar_gz({"docs/roster.docx": roster_bytes}))

    def recognise(name: str, head: bytes) -> list:
        wanted = set(claims(head, name.rsplit("/", 1)[-1]))
        return [parser for parser in MY_PARSERS if parser.name in wanted]

    monkeypatch.setattr(process, "recognise", recognise)
    origin = process.Origin("disk1", 1, "home/backup.tar.gz", "allocated", start=81920)
    out = process.Output()
    process.process_file(path, origin, out)
    assert out.errors == []
    [row] = out.tables["documents"]
    assert (row["kind"], row["author"], row["artifact"]) == ("docx", "Анна Иванова", "ooxml")
    assert row["path"] == "home/backup.tar.gz/backup.tar/docs/roster.docx"
    assert (row["offset"], row["chain"]) == (81920, "81920-GZIP-512-TAR-0")


def test_sniffs_are_specific() -> None:
    text = b"Just a note about the meeting.\n"
    assert claims(text, "note.txt") == ["text"]
    assert claims(b"%PDF-1.7\n" + text, "x") == ["pdf"]
    assert claims(b"<p>fragment without html tag</p>", "x") == ["text"]
    assert not any(parser.sniff(b"SQLite format 3\x00" + bytes(100), "x") for parser in MY_PARSERS)
    assert claims(b"2024-05-02T08:11:00Z user anna logged in\n" * 3, "auth.log") == ["text"]
    assert claims(b"{\\rtf1 x}", "x") == ["rtf"]
    assert claims(b"plain words\n", "photo.jpg") == []  # a binary extension
