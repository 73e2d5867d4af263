"""Documents that list people together (a DOCX roster by python-docx, a PDF contact sheet by
reportlab), Notepad notes saved as "Unicode" (UTF-16LE with BOM), archives and compressed streams
(zipfile, tarfile, gzip), and benign filler with no identifiers at all.

Output is byte-for-byte reproducible (fixed archive times, reportlab's invariant mode), so a seed
always gives the same planted content and the same hashes in the truth file.
"""

from __future__ import annotations

import gzip
import io
import random
import tarfile
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from docx import Document
from faker import Faker
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from crossdrive.demo.ink import Ink
from crossdrive.demo.people import Person

FIXED_TIME = (2024, 1, 1, 0, 0, 0)
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core


def roster_docx(title: str, people: Sequence[Person], author: Person, when: datetime):
    """A meeting roster: a table of names, numbers and addresses; the author in the metadata."""
    ink = Ink()
    document = Document()
    document.core_properties.author = author.name
    document.core_properties.last_modified_by = author.name
    document.core_properties.created = when.replace(tzinfo=None)
    document.core_properties.modified = when.replace(tzinfo=None)
    document.add_heading(title, level=1)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Name", "Phone", "E-mail"], strict=True):
        cell.text = text
    for person in people:
        row = table.add_row().cells
        row[0].text = person.name
        row[1].text = ink.phone(person.phones[0], "international")
        row[2].text = ink.email(person.emails[0])
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue()), ink


def contact_sheet_pdf(title: str, people: Sequence[Person]):
    """A printed contact sheet (text in compressed PDF content streams)."""
    ink = Ink()
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    font = "Helvetica"
    if UNICODE_FONT.exists():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(UNICODE_FONT)))
        font = "DejaVuSans"
    sheet.setTitle(title)
    sheet.setFont(font, 14)
    sheet.drawString(50, 800, title)
    sheet.setFont(font, 10)
    y = 770
    for person in people:
        name = person.name
        if font == "Helvetica":  # no Unicode font installed: Latin-1 only
            name = name.encode("latin-1", "replace").decode("latin-1")
        sheet.setFont(font, 10)
        sheet.drawString(50, y, name)
        numbers = f"{ink.phone(person.phones[-1], 'dotted')}   {ink.email(person.emails[-1])}"
        # A standard font keeps the text readable in the content stream (an embedded subset
        # font would store glyph ids); it holds Latin-1 only.
        sheet.setFont("Helvetica" if _latin1(numbers) else font, 10)
        sheet.drawString(250, y, numbers)
        y -= 16
    sheet.showPage()
    sheet.save()
    return buffer.getvalue(), ink


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def notepad_utf16(lines: Sequence[str]) -> bytes:
    """A Notepad "Unicode" file: BOM, UTF-16LE, CRLF."""
    return "\r\n".join(lines).encode("utf-16")


def phone_note(people: Sequence[Person]) -> tuple[bytes, Ink]:
    ink = Ink()
    lines = ["Numbers"]
    for n, person in enumerate(people):  # as typed: some national, some international
        lines.append(f"{person.name}: {ink.phone(person.phones[0], 'national')}")
        if n % 2:
            lines.append(f"  mobile {ink.phone(person.phones[-1], 'international')}")
            lines.append(f"  mail {ink.email(person.emails[0])}")
    return notepad_utf16(lines), ink


def zip_archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def reproducible_zip(data: bytes) -> bytes:
    """The same zip with every member time fixed (python-docx stamps the current time)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return zip_archive({info.filename: source.read(info) for info in source.infolist()})


def tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream,
        tarfile.open(fileobj=stream, mode="w") as archive,
    ):
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1_704_067_200, 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def filler_text(rng: random.Random, paragraphs: int) -> bytes:
    """Prose with no identifiers (precision is measured on it)."""
    fake = Faker("en_US")
    fake.seed_instance(rng.getrandbits(32))
    return ("\n\n".join(fake.paragraph(nb_sentences=8) for _ in range(paragraphs)) + "\n").encode()


def filler_binary(rng: random.Random, size: int) -> bytes:
    """Random bytes (a cache or temporary file): where false positives of scanners come from."""
    return rng.randbytes(size)
