"""Documents: text and metadata of PDF, Office Open XML (DOCX/XLSX/PPTX), OpenDocument
(ODT/ODS/ODP), RTF, HTML pages, plain text in any encoding, and EXIF of photographs.

Documents hold what people wrote (names, numbers, addresses in their text) and who wrote it
(author, last editor, company, creation and modification times in the metadata); a photo's
EXIF names the camera (make, model, serial number), when it was taken and where (GPS). Each
file gives one `Document` record; its text goes to the full-text index and the sweep.

Every format is read by its own library (pypdf, python-docx, openpyxl, python-pptx, odfpy,
striprtf, BeautifulSoup, charset-normalizer, Pillow); package metadata (docProps/core.xml,
meta.xml) is read with zipfile + ElementTree, whose expat refuses entity expansion bombs.
Sizes are bounded: a package whose parts would not fit in memory is refused, text stops at
MAX_TEXT characters, plain text and HTML are read to MAX_READ bytes. When the metadata is
readable but the text is not, the record is yielded without text and the error is raised
after it, so the stage records both.
"""

from __future__ import annotations

import codecs
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes
from docx.opc.part import PartFactory as WordPartFactory
from docx.oxml.ns import qn
from docx.package import Package as WordPackage
from docx.parts.document import DocumentPart
from docx.text.paragraph import Paragraph as WordParagraph
from odf import opendocument, teletype
from odf.namespaces import TABLENS, TEXTNS
from PIL import ExifTags, Image
from PIL.JpegImagePlugin import JpegImageFile
from PIL.PngImagePlugin import PngImageFile
from PIL.TiffImagePlugin import TiffImageFile
from PIL.WebPImagePlugin import WebPImageFile
from pptx.package import Package as SlidesPackage
from pptx.shapes.group import GroupShape
from pypdf import PasswordType, PdfReader
from pypdf.errors import PyPdfError
from striprtf.striprtf import rtf_to_text

from crossdrive.artifacts.common import iso_utc
from crossdrive.artifacts.records import Document, Parser

MAX_READ = 64 * 1024 * 1024  # bytes of a plain-text or HTML file read
MAX_TEXT = 8 * 1024 * 1024  # characters of text collected (the index keeps as many)
MAX_CELLS = 1_000_000  # spreadsheet cells visited
MAX_PART = 256 * 1024 * 1024  # uncompressed bytes of one package part
MAX_PACKAGE = 1024 * 1024 * 1024  # uncompressed bytes of a whole package (libraries load it)
MAX_META_XML = 4 * 1024 * 1024  # bytes of a metadata part (core.xml, app.xml, meta.xml)
SAMPLE = 1024 * 1024  # bytes an encoding is detected on
ZIP_MAGIC = b"PK\x03\x04"
NO_ZONE = "not recorded: local time taken as UTC"

# XML namespaces of package metadata.
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
EXTENDED = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ODF_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
OOXML_KINDS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
OOXML_EXTENSIONS = (".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm", ".xltx", ".xltm")
OOXML_EXTENSIONS += (".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm")
ODF_KINDS = {"text": "odt", "spreadsheet": "ods", "presentation": "odp", "graphics": "odg"}

W_P, W_TABLE, W_ROW, W_CELL = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
W_TEXT_BOX = qn("w:txbxContent")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# python-docx opens only .docx main parts; macro-enabled documents and templates have the
# same WordprocessingML under another content type.
WORD_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
)
for _word_type in WORD_MAIN_TYPES:
    WordPartFactory.part_type_for.setdefault(_word_type, DocumentPart)


class DocumentError(ValueError):
    """A document that cannot be read (corrupt, too large, not what its magic says)."""


# --- shared helpers ------------------------------------------------------------------------


def _clean(value: object) -> str | None:
    """A metadata value as text, or None when absent or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _fields(**values: object) -> dict[str, str]:
    """A meta dict of the values that are present."""
    return {name: text for name, value in values.items() if (text := _clean(value))}


def _collect(lines: Iterable[str | None]) -> tuple[str | None, bool]:
    """Lines joined into one text, stopping (and saying so) after MAX_TEXT characters; lazy
    producers stop working there too."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if not line:
            continue
        kept.append(line)
        size += len(line) + 1
        if size > MAX_TEXT:
            return "\n".join(kept), True
    return ("\n".join(kept) or None), False


def _with_text(document: Document, lines: Callable[[], Iterable[str | None]]) -> Iterator[Document]:
    """The document with its text; when the text cannot be read, the document with its
    metadata only, then the error."""
    try:
        document.text, truncated = _collect(lines())
    except TimeoutError:  # the stage's time limit: not this document's fault
        raise
    except Exception as exc:
        yield document
        raise DocumentError(f"{document.kind} text not read: {type(exc).__name__}: {exc}") from exc
    if truncated:
        document.meta["text_truncated"] = "yes"
    yield document


def _read(path: Path, limit: int = MAX_READ) -> tuple[bytes, bool]:
    """At most `limit` bytes of the file, and whether there was more."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


_ZONE = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


def _iso_time(value: str | None) -> str | None:
    """An ISO 8601 / W3CDTF time (`2024-01-02T03:04:05Z`, fractions of any length) as UTC;
    a time without zone is taken as UTC."""
    if not value:
        return None
    text = re.sub(r"(\.\d{1,6})\d*", r"\1", value.strip()).replace("Z", "+00:00")
    try:
        return iso_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _head_text(head: bytes, size: int) -> str:
    """The first `size` bytes as lower-case text, UTF-16 when the head says so."""
    for bom, codec in BOMS:
        if head.startswith(bom):
            return head[len(bom) : len(bom) + 2 * size].decode(codec, "replace").lower()
    order = _utf16_order(head[:size])
    return head[:size].decode(order or "latin-1", "replace").lower()


# --- PDF -----------------------------------------------------------------------------------


def parse_pdf(path: Path) -> Iterator[Document]:
    """A PDF's text (every page through pypdf's extract_text; a page that fails is skipped and
    listed in meta `pages_unreadable`) and its Info dictionary: /Title, /Author, /Creator,
    /Producer, /Subject, /Keywords, /CreationDate and /ModDate (PDF dates, `D:YYYYMMDDHHmmSS`
    with their offset, to UTC). An encrypted PDF is opened with the empty user password; when
    that fails, only meta {"encrypted": "yes"} is known."""
    reader = PdfReader(path, strict=False)
    meta: dict[str, str] = {}
    if reader.is_encrypted:
        meta["encrypted"] = "yes"
        if not _pdf_decrypt(reader):
            yield Document(kind="pdf", meta=meta)
            return
        meta["decrypted"] = "empty user password"
    document = _pdf_info(reader, meta)
    yield from _with_text(document, lambda: _pdf_pages(reader, document.meta))


def _pdf_decrypt(reader: PdfReader) -> bool:
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except (PyPdfError, NotImplementedError, ValueError, KeyError):  # AES without a backend
        return False


def _pdf_info(reader: PdfReader, meta: dict[str, str]) -> Document:
    try:
        info = reader.metadata
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):  # a broken trailer
        info, meta["info"] = None, "unreadable"
    if info is None:
        return Document(kind="pdf", meta=meta)
    created = _pdf_date(info, "creation_date")
    modified = _pdf_date(info, "modification_date")
    meta.update(_fields(creator=info.creator, producer=info.producer, subject=info.subject))
    meta.update(_fields(keywords=info.keywords))
    return Document(
        kind="pdf",
        title=_clean(info.title),
        author=_clean(info.author),
        created=created,
        modified=modified,
        meta=meta,
    )


def _pdf_date(info: object, field: str) -> str | None:
    try:
        return iso_utc(getattr(info, field))
    except (ValueError, TypeError):  # a malformed date string
        return None


def _pdf_pages(reader: PdfReader, meta: dict[str, str]) -> Iterator[str]:
    unreadable: list[str] = []
    count = len(reader.pages)
    meta["pages"] = str(count)
    for number in range(count):
        try:
            yield reader.pages[number].extract_text()
        except TimeoutError:
            raise
        except Exception:  # one broken page (bad stream, font, operator) is skipped
            unreadable.append(str(number + 1))
            meta["pages_unreadable"] = ", ".join(unreadable)


# --- packages (OOXML, ODF) -----------------------------------------------------------------


def _open_package(path: Path) -> zipfile.ZipFile:
    """The zip package, refused when its parts would not fit in memory (the office libraries
    load parts whole)."""
    package = zipfile.ZipFile(path)
    sizes = [info.file_size for info in package.infolist()]
    if sizes and (max(sizes) > MAX_PART or sum(sizes) > MAX_PACKAGE):
        package.close()
        raise DocumentError(f"package parts too large ({sum(sizes):,} bytes uncompressed)")
    return package


def _xml_part(package: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    """A small XML part parsed, or None when it is absent, too large or malformed."""
    try:
        info = package.getinfo(name)
        if info.file_size > MAX_META_XML:
            return None
        return ElementTree.fromstring(package.read(info))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, EOFError, zlib.error):
        return None


def _xml_values(root: ElementTree.Element | None, **tags: str) -> dict[str, str | None]:
    """The text of the first element of each tag, by the name it is wanted under."""
    if root is None:
        return dict.fromkeys(tags)
    return {name: _clean(root.findtext(f".//{tag}")) for name, tag in tags.items()}


def _ooxml_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Where the main document, core and extended properties are, as the package
    relationships say (Office always writes docProps/core.xml and docProps/app.xml)."""
    parts = {"core-properties": "docProps/core.xml", "extended-properties": "docProps/app.xml"}
    rels = _xml_part(package, "_rels/.rels")
    for rel in rels.iter(f"{RELS}Relationship") if rels is not None else ():
        parts[rel.get("Type", "").rsplit("/", 1)[-1]] = rel.get("Target", "").lstrip("/")
    return parts


def _ooxml_kind(package: zipfile.ZipFile, main: str | None) -> str:
    """docx, xlsx or pptx by the main part's folder (else by any part's)."""
    for name in [main] if main else package.namelist():
        for prefix, kind in OOXML_KINDS.items():
            if name.startswith(prefix):
                return kind
    raise DocumentError("no word/, xl/ or ppt/ part: not an Office Open XML document")


def parse_ooxml(path: Path) -> Iterator[Document]:
    """A DOCX, XLSX or PPTX (and their macro-enabled and template forms). Metadata from
    docProps/core.xml (dc:title, dc:creator, cp:lastModifiedBy, dcterms:created and
    dcterms:modified in W3CDTF, UTC; dc:subject, cp:keywords, cp:revision, cp:lastPrinted) and
    docProps/app.xml (Company, Application, AppVersion, Template). Text: python-docx (body
    paragraphs and tables in order, nested tables, then headers and footers), openpyxl (cell
    values of every sheet, read-only, cached values of formulas, tab-separated rows, at most
    MAX_CELLS cells), python-pptx (text frames, tables and groups of every slide, then notes)."""
    with _open_package(path) as package:
        parts = _ooxml_parts(package)
        kind = _ooxml_kind(package, parts.get("officeDocument"))
        core = _xml_values(
            _xml_part(package, parts["core-properties"]),
            title=f"{DC}title",
            author=f"{DC}creator",
            last_modified_by=f"{CP}lastModifiedBy",
            created=f"{DCTERMS}created",
            modified=f"{DCTERMS}modified",
            subject=f"{DC}subject",
            keywords=f"{CP}keywords",
            revision=f"{CP}revision",
            last_printed=f"{CP}lastPrinted",
        )
        app = _xml_values(
            _xml_part(package, parts["extended-properties"]),
            company=f"{EXTENDED}Company",
            application=f"{EXTENDED}Application",
            app_version=f"{EXTENDED}AppVersion",
            template=f"{EXTENDED}Template",
        )
    document = Document(
        kind=kind,
        title=core["title"],
        author=core["author"],
        last_modified_by=core["last_modified_by"],
        company=app["company"],
        created=_iso_time(core["created"]),
        modified=_iso_time(core["modified"]),
        meta=_fields(
            subject=core["subject"],
            keywords=core["keywords"],
            revision=core["revision"],
            last_printed=_iso_time(core["last_printed"]),
            application=app["application"],
            app_version=app["app_version"],
            template=app["template"],
        ),
    )
    yield from _with_text(document, lambda: OOXML_TEXT[kind](path))


def _docx_lines(path: Path) -> Iterator[str]:
    document = WordPackage.open(str(path)).main_document_part.document
    yield from _word_blocks(document.element.body, document)
    seen: set[int] = set()  # a header linked to the previous section is the same part
    for section in document.sections:
        for part in (
            section.header,
            section.first_page_header,
            section.even_page_header,
            section.footer,
            section.first_page_footer,
            section.even_page_footer,
        ):
            if part.is_linked_to_previous or id(part.part) in seen:
                continue
            seen.add(id(part.part))
            yield from _word_blocks(part.part.element, part)


def _word_blocks(element: object, parent: object) -> Iterator[str]:
    """Paragraphs (then the text boxes anchored in them) and table rows (each cell once,
    cells tab-separated, nested tables inside) of a body, cell, header or footer, in order;
    content controls (w:sdt) and other wrappers are entered."""
    for child in element.iterchildren():
        if child.tag == W_P:
            yield WordParagraph(child, parent).text
            for box in child.iter(W_TEXT_BOX):
                if not any(True for _ in box.iterancestors(MC_FALLBACK)):  # VML copy of a box
                    yield from _word_blocks(box, parent)
        elif child.tag == W_TABLE:
            for row in _word_children(child, W_ROW):
                yield "\t".join(
                    "\n".join(filter(None, _word_blocks(cell, parent)))
                    for cell in _word_children(row, W_CELL)
                )
        else:
            yield from _word_blocks(child, parent)


def _word_children(element: object, tag: str) -> Iterator[object]:
    """The rows of a table or cells of a row, also inside content controls, not in the
    tables nested in them."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag != W_TABLE:
            yield from _word_children(child, tag)


def _xlsx_lines(path: Path) -> Iterator[str]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        cells = 0
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    return
                values = [("" if value is None else str(value)) for value in row]
                yield "\t".join(values).rstrip("\t")
    finally:
        workbook.close()


def _pptx_lines(path: Path) -> Iterator[str]:
    presentation = SlidesPackage.open(str(path)).main_document_part.presentation
    for slide in presentation.slides:
        yield from _slide_shapes(slide.shapes)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            yield slide.notes_slide.notes_text_frame.text


def _slide_shapes(shapes: Iterable[object]) -> Iterator[str]:
    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _slide_shapes(shape.shapes)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            yield shape.text_frame.text
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)


OOXML_TEXT: dict[str, Callable[[Path], Iterator[str]]] = {
    "docx": _docx_lines,
    "xlsx": _xlsx_lines,
    "pptx": _pptx_lines,
}


def parse_odf(path: Path) -> Iterator[Document]:
    """An OpenDocument text, spreadsheet, presentation or drawing. Metadata from meta.xml:
    meta:initial-creator (author), dc:creator (last modified by), meta:creation-date and
    dc:date (ISO 8601; LibreOffice writes local time without zone, taken as UTC), dc:title,
    dc:subject, meta:keyword, meta:generator. Text through odfpy: every text:p and text:h in
    document order (spaces, tabs and line breaks as written), table rows tab-separated."""
    with _open_package(path) as package:
        mimetype = package.read("mimetype").decode("ascii", "replace").strip()
        values = _xml_values(
            _xml_part(package, "meta.xml"),
            title=f"{DC}title",
            author=f"{ODF_META}initial-creator",
            last_modified_by=f"{DC}creator",
            created=f"{ODF_META}creation-date",
            modified=f"{DC}date",
            subject=f"{DC}subject",
            keywords=f"{ODF_META}keyword",
            application=f"{ODF_META}generator",
        )
    subtype = mimetype.removeprefix("application/vnd.oasis.opendocument.").split("-")[0]
    document = Document(
        kind=ODF_KINDS.get(subtype, "odf"),
        title=values["title"],
        author=values["author"],
        last_modified_by=values["last_modified_by"],
        created=_iso_time(values["created"]),
        modified=_iso_time(values["modified"]),
        meta=_fields(
            mimetype=mimetype,
            subject=values["subject"],
            keywords=values["keywords"],
            application=values["application"],
        ),
    )
    if any(value and not _ZONE.search(value) for value in (values["created"], values["modified"])):
        document.meta["time_zone"] = NO_ZONE
    yield from _with_text(document, lambda: _odf_lines(path))


def _odf_lines(path: Path) -> Iterator[str]:
    """Paragraphs and headings in document order; a table row gives one tab-separated line.
    Iterative, so a deeply nested hostile document cannot exhaust the stack."""
    stack = [opendocument.load(str(path)).body]
    while stack:
        node = stack.pop()
        if node.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
            yield teletype.extractText(node)
        elif node.qname == (TABLENS, "table-row"):
            cells = [_odf_cell(cell) for cell in node.childNodes if cell.nodeType == 1]
            yield "\t".join(cells).rstrip("\t")
        else:
            stack.extend(reversed([child for child in node.childNodes if child.nodeType == 1]))


def _odf_cell(cell: object) -> str:
    return "\n".join(
        teletype.extractText(child) for child in cell.childNodes if child.qname == (TEXTNS, "p")
    )


# --- RTF -----------------------------------------------------------------------------------

_RTF_CODEPAGE = re.compile(r"\\ansicpg(\d+)")
_RTF_FIELDS = "title|subject|author|operator|company|manager|keywords|doccomm"
_RTF_TEXT_FIELD = re.compile(
    rf"\{{(?:\\\*)?\\({_RTF_FIELDS})\b ?((?:[^{{}}\\]|\\.)*)\}}", re.DOTALL
)
_RTF_TIME_FIELD = re.compile(r"\{\\(creatim|revtim|printim)((?:\\[a-z]+-?\d+ ?)*)\}")
_RTF_TIME_PART = re.compile(r"\\(yr|mo|dy|hr|min|sec)(\d+)")


def parse_rtf(path: Path) -> Iterator[Document]:
    """An RTF document: text through striprtf, in the code page the header declares
    (\\ansicpgN, else Windows-1252); the {\\info} group's \\title, \\author, \\operator (last
    modified by), \\company, \\subject, \\keywords, \\manager, \\doccomm and its \\creatim,
    \\revtim, \\printim times (\\yr\\mo\\dy\\hr\\min\\sec, local time: taken as UTC)."""
    data, truncated = _read(path)
    codepage = _RTF_CODEPAGE.search(data[:4096].decode("latin-1"))
    codec = _codec(f"cp{codepage.group(1)}" if codepage else "cp1252") or "cp1252"
    source = data.decode(codec, "replace")
    start = source.find("{\\info")
    group = source[start : start + 65536] if start >= 0 else ""
    info = {name: _rtf_value(value, codec) for name, value in _RTF_TEXT_FIELD.findall(group)}
    times = {name: _rtf_time(value) for name, value in _RTF_TIME_FIELD.findall(group)}
    document = Document(
        kind="rtf",
        title=info.pop("title", None),
        author=info.pop("author", None),
        last_modified_by=info.pop("operator", None),
        company=info.pop("company", None),
        created=times.get("creatim"),
        modified=times.get("revtim"),
        encoding=codec,
        meta=_fields(**info, printed=times.get("printim")),
    )
    if times:
        document.meta["time_zone"] = NO_ZONE
    if truncated:
        document.meta["file_truncated_at"] = str(MAX_READ)
    yield from _with_text(document, lambda: [rtf_to_text(source, codec, "replace")])


def _rtf_value(value: str, codec: str) -> str | None:
    """An {\\info} field's text with its escapes (\\'xx, \\uN) decoded."""
    return _clean(rtf_to_text("{\\rtf1 " + value + "}", codec, "replace"))


def _rtf_time(value: str) -> str | None:
    try:
        parts = {name: int(number) for name, number in _RTF_TIME_PART.findall(value)}
        moment = datetime(
            parts["yr"],
            parts.get("mo", 1),
            parts.get("dy", 1),
            parts.get("hr", 0),
            parts.get("min", 0),
            parts.get("sec", 0),
        )
    except (KeyError, ValueError):
        return None
    return iso_utc(moment)


def _codec(name: str) -> str | None:
    """The canonical name of a Python codec, or None when there is no such codec."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# --- HTML ----------------------------------------------------------------------------------

_DROPPED_TAGS = ["script", "style", "noscript", "template"]
_BLOCK_TAGS = [
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "header", "footer", "blockquote", "pre", "dd", "dt", "hr", "title", "ul", "ol",
]  # fmt: skip
_BLANKS = re.compile(r"[ \r\f\v\xa0]+")


def parse_html(path: Path) -> Iterator[Document]:
    """An HTML page: its visible text (html.parser; script, style, noscript and template
    dropped; one line per block element, cells tab-separated), <title>, <meta name="author">,
    "description", "keywords" and "generator"; encoding as BeautifulSoup detects it (BOM,
    declared charset, else charset detection)."""
    data, truncated = _read(path)
    soup = BeautifulSoup(data, "html.parser")
    title = _clean(soup.title.get_text()) if soup.title else None
    named = {
        name: _html_meta(soup, name) for name in ("author", "description", "keywords", "generator")
    }
    document = Document(
        kind="html",
        title=title,
        author=named.pop("author"),
        encoding=soup.original_encoding,
        meta=_fields(**named),
    )
    if truncated:
        document.meta["file_truncated_at"] = str(MAX_READ)
    yield from _with_text(document, lambda: _html_lines(soup))


def _html_meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": re.compile(f"^{name}$", re.IGNORECASE)})
    return _clean(tag.get("content")) if tag else None


def html_text(markup: str | bytes) -> str:
    """The readable text of HTML (a page, a mail's HTML body): the same rule as for pages,
    non-empty lines only."""
    return "\n".join(line for line in _html_lines(BeautifulSoup(markup, "html.parser")) if line)


def _html_lines(soup: BeautifulSoup) -> Iterator[str]:
    for tag in soup(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup(["td", "th"]):
        tag.append("\t")
    for tag in soup(_BLOCK_TAGS):
        tag.append("\n")
    for line in soup.get_text().split("\n"):
        yield _BLANKS.sub(" ", line).strip(" \t")


# --- plain text ----------------------------------------------------------------------------

BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
BINARY_EXTENSIONS = frozenset([
    "exe", "dll", "sys", "drv", "ocx", "scr", "com", "msi", "cab", "so", "o", "a", "ko", "lib",
    "obj", "pyc", "class", "jar", "apk", "dex", "elf", "img", "dd", "raw", "e01", "iso",
    "vhd", "vhdx", "vmdk", "qcow2", "dmg", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff",
    "ico", "webp", "heic", "heif", "psd", "cr2", "nef", "arw", "dng", "mp3", "mp4", "m4a",
    "m4v", "mov", "avi", "mkv", "wmv", "flv", "wav", "flac", "ogg", "opus", "aac", "wma", "zip",
    "gz", "tgz", "bz2", "xz", "7z", "rar", "zst", "lz4", "cpio", "pdf", "doc", "xls", "ppt",
    "docx", "xlsx", "pptx", "odt", "ods", "odp", "db", "sqlite", "sqlite3", "db-wal", "db-shm",
    "pst", "ost", "msg", "edb", "evtx", "evt", "lnk", "pf", "hve", "ttf", "otf", "woff",
    "woff2", "eot", "swf", "pak",
])  # fmt: skip
_TEXT_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r\x0c\x1b" + bytes(range(0x80, 0x100))
_SNIFF = 8192  # head bytes a text sniff looks at


def _utf16_order(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs fill one byte of many pairs and never the other,
    and that other byte takes few values (one alphabet's code page): Latin, Cyrillic, Greek,
    Arabic… text in UTF-16 without a BOM. Else None (CJK in UTF-16 needs its BOM)."""
    pairs = len(sample) // 2
    if pairs < 16:
        return None
    low, high = sample[0 : 2 * pairs : 2], sample[1 : 2 * pairs : 2]
    for order, zeros, other in (("utf-16-le", high, low), ("utf-16-be", low, high)):
        if zeros.count(0) * 10 >= pairs and other.count(0) * 100 <= pairs:
            return order if len(set(zeros)) <= 16 else None
    return None


def _mostly_printable(text: str) -> bool:
    printable = sum(1 for char in text if char.isprintable() or char in "\t\n\r\f")
    return printable * 100 >= len(text) * 98


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1] if "." in name else ""


def sniff_text(head: bytes, name: str) -> bool:
    """Plain text: not a known binary extension, and a BOM, or UTF-16 whose decoded head is
    printable, or no NUL and under 1% control bytes in the first 8 KiB."""
    if not head or _extension(name) in BINARY_EXTENSIONS:
        return False
    sample = head[:_SNIFF]
    for bom, codec in BOMS:
        if sample.startswith(bom):
            return _mostly_printable(sample[len(bom) :].decode(codec, "ignore"))
    order = _utf16_order(sample)
    if order:
        return _mostly_printable(sample[: len(sample) & ~1].decode(order, "replace"))
    if b"\x00" in sample:
        return False
    return len(sample.translate(None, _TEXT_BYTES)) * 100 <= len(sample)


def detect_encoding(sample: bytes) -> tuple[str, int]:
    """(codec, BOM length) of text: a BOM; UTF-16 without BOM by its NULs; ASCII; UTF-8 when
    at most one byte in a thousand is invalid (a damaged UTF-8 file stays UTF-8 rather than
    becoming mojibake in a code page); else the best guess of charset-normalizer (Windows-125x,
    ISO-8859-x, KOI8-R, CP866, Shift-JIS, GB18030, Big5, EUC-KR …); UTF-8 when it has none."""
    for bom, codec in BOMS:
        if sample.startswith(bom):
            return codec, len(bom)
    order = _utf16_order(sample[:_SNIFF])
    if order:
        return order, 0
    if sample.isascii():
        return "ascii", 0
    if len(sample) >= SAMPLE and b"\n" in sample[-4096:]:  # a whole last line: no cut character
        sample = sample[: sample.rindex(b"\n") + 1]
    if _mostly_utf8(sample):
        return "utf-8", 0
    return _codec(_best_encoding(sample) or "utf-8") or "utf-8", 0


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 with at most 1% of its non-ASCII characters damaged (text in a code page has
    almost no valid multi-byte sequences)."""
    decoded = sample.decode("utf-8", "replace")
    damaged = decoded.count("\ufffd")
    wide = sum(1 for char in decoded if char > "\x7f") - damaged
    return wide > 0 and damaged * 100 <= wide


# Among guesses charset-normalizer cannot tell apart (Spanish in Windows-1250 or -1252 reads
# equally well), the one most often met on Windows and Unix machines.
PREFERRED_CODECS = (
    "utf_8", "cp1252", "cp1251", "cp1250", "cp1254", "cp1253", "cp1256", "cp1255", "cp1257",
    "cp1258", "koi8_r", "koi8_u", "cp866", "cp932", "shift_jis", "gb18030", "gb2312", "big5",
    "cp949", "euc_kr", "euc_jp", "cp874", "iso8859_1", "iso8859_2", "iso8859_5", "iso8859_7",
    "iso8859_9", "iso8859_15", "cp437", "cp850", "mac_roman",
)  # fmt: skip


def _best_encoding(sample: bytes) -> str | None:
    """charset-normalizer's guess: of the matches as good as its best (chaos and coherence
    within 0.01), the least chaotic, and of the code pages that decode it the same way, the
    most common."""
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    near = [
        match
        for match in matches
        if match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.01
    ]
    calmest = min(match.chaos for match in near)
    names = [
        name for match in near if match.chaos == calmest for name in match.could_be_from_charset
    ]
    rank = {name: index for index, name in enumerate(PREFERRED_CODECS)}
    return min(names, key=lambda name: rank.get(name, len(rank)))


def parse_text(path: Path) -> Iterator[Document]:
    """A plain-text file decoded whole (at most MAX_READ bytes, invalid bytes replaced) in the
    encoding detected on its first MiB; `encoding` is the codec's name (ascii when the file is
    all ASCII), meta `bom` says when a byte-order mark chose it."""
    data, truncated = _read(path)
    codec, bom = detect_encoding(data[:SAMPLE])
    if codec == "ascii" and not data.isascii():
        codec = "utf-8"
    meta = {"bom": "yes"} if bom else {}
    if truncated:
        meta["file_truncated_at"] = str(MAX_READ)
    text = data[bom:].decode(codec, "replace")
    if len(text) > MAX_TEXT:
        text, meta["text_truncated"] = text[:MAX_TEXT], "yes"
    yield Document(kind="text", text=text or None, encoding=codec, meta=meta)


# --- pictures (EXIF) -----------------------------------------------------------------------

PICTURE_TYPES = {
    b"\xff\xd8\xff": JpegImageFile,
    b"II*\x00": TiffImageFile,
    b"MM\x00*": TiffImageFile,
    b"\x89PNG\r\n\x1a\n": PngImageFile,
}
IMAGE_MAGIC = tuple(PICTURE_TYPES)
_TAGS = ExifTags.Base
_GPS = ExifTags.GPS


def sniff_image(head: bytes, _name: str) -> bool:
    """JPEG, TIFF (and TIFF-based raw), PNG or WebP by magic."""
    return head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def parse_image(path: Path) -> Iterator[Document]:
    """A picture's EXIF (Pillow): Make, Model, BodySerialNumber, LensModel, LensSerialNumber,
    Software, Artist (author, else Windows XPAuthor), ImageDescription/XPTitle (title),
    DateTimeOriginal with OffsetTimeOriginal (created) and DateTime with OffsetTime (modified)
    to UTC — without an offset the camera's local time is taken as UTC and meta `time_zone`
    says so —, GPS latitude/longitude in signed decimal degrees (meta `gps`: "lat,lon") and the
    GPS date and time (UTC). Pictures without any of these give no record."""
    with _picture(path) as image:
        exif = _exif_of(image)
        main, sub = dict(exif), exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    created = _exif_time(sub.get(_TAGS.DateTimeOriginal), sub.get(_TAGS.OffsetTimeOriginal))
    modified = _exif_time(main.get(_TAGS.DateTime), sub.get(_TAGS.OffsetTime))
    meta = _fields(
        make=_exif_text(main.get(_TAGS.Make)),
        model=_exif_text(main.get(_TAGS.Model)),
        serial=_exif_text(sub.get(_TAGS.BodySerialNumber)),
        lens=_exif_text(sub.get(_TAGS.LensModel)),
        lens_serial=_exif_text(sub.get(_TAGS.LensSerialNumber)),
        software=_exif_text(main.get(_TAGS.Software)),
        copyright=_exif_text(main.get(_TAGS.Copyright)),
        gps=_gps_position(gps),
        gps_time=_gps_time(gps),
    )
    author = _exif_text(main.get(_TAGS.Artist)) or _xp_text(main.get(_TAGS.XPAuthor))
    title = _exif_text(main.get(_TAGS.ImageDescription)) or _xp_text(main.get(_TAGS.XPTitle))
    if not (meta or author or title or created[0] or modified[0]):
        return
    if (created[0] and not created[1]) or (modified[0] and not modified[1]):
        meta["time_zone"] = NO_ZONE
    yield Document(
        kind="image",
        author=author,
        title=title,
        created=created[0],
        modified=modified[0],
        meta=meta,
    )


def _picture(path: Path) -> Image.Image:
    """The picture opened by its format's Pillow plugin, which reads the headers only. Not
    Image.open: its decompression-bomb check refuses a panorama's metadata too, and no pixel
    is ever decoded here."""
    with open(path, "rb") as handle:
        magic = handle.read(12)
    plugin = next(
        (kind for prefix, kind in PICTURE_TYPES.items() if magic.startswith(prefix)), None
    )
    if magic[:4] == b"RIFF" and magic[8:12] == b"WEBP":
        plugin = WebPImageFile
    if plugin is None:
        raise DocumentError("not a JPEG, TIFF, PNG or WebP picture")
    try:
        return plugin(str(path))
    except SyntaxError as exc:  # how Pillow's plugins say "not my format"
        raise DocumentError(f"not a readable picture: {exc}") from exc


def _exif_of(image: Image.Image) -> Image.Exif:
    """The picture's EXIF. A PNG's is its eXIf chunk before the pixels (Pillow's getexif would
    decode the whole picture to look for one after them)."""
    if isinstance(image, PngImageFile):
        exif = Image.Exif()
        if raw := image.info.get("exif"):
            exif.load(raw)
        return exif
    return image.getexif()


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _clean(str(value).replace("\x00", "")) if value is not None else None


def _xp_text(value: object) -> str | None:
    """Windows' XP* tags: UTF-16LE bytes (or a tuple of byte values)."""
    if isinstance(value, tuple):
        value = bytes(value)
    if not isinstance(value, bytes):
        return None
    return _clean(value.decode("utf-16-le", "replace").rstrip("\x00"))


_EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _exif_time(value: object, offset: object) -> tuple[str | None, bool]:
    """(UTC time, whether an offset was known) of an EXIF `YYYY:MM:DD HH:MM:SS`."""
    text = _exif_text(value)
    if not text:
        return None, False
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, False
    match = _EXIF_OFFSET.match(_exif_text(offset) or "")
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        zone = timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes))
        return iso_utc(moment.replace(tzinfo=zone)), True
    return iso_utc(moment), False


def _degrees(value: object, ref: object, negative: str) -> float | None:
    """Degrees, minutes, seconds (rationals) as signed decimal degrees."""
    try:
        parts = [float(part) for part in (value if isinstance(value, tuple) else (value,))]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(part) for part in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    return -degrees if (_exif_text(ref) or "").upper().startswith(negative) else degrees


def _gps_position(gps: dict) -> str | None:
    latitude = _degrees(gps.get(_GPS.GPSLatitude), gps.get(_GPS.GPSLatitudeRef), "S")
    longitude = _degrees(gps.get(_GPS.GPSLongitude), gps.get(_GPS.GPSLongitudeRef), "W")
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return f"{latitude:.6f},{longitude:.6f}"


def _gps_time(gps: dict) -> str | None:
    """GPSDateStamp `YYYY:MM:DD` with GPSTimeStamp (h, m, s), both UTC by definition."""
    day, clock = _exif_text(gps.get(_GPS.GPSDateStamp)), gps.get(_GPS.GPSTimeStamp)
    try:
        moment = datetime.strptime(day or "", "%Y:%m:%d")
        hours, minutes, seconds = (float(part) for part in clock)
        moment += timedelta(hours=hours, minutes=minutes, seconds=int(seconds))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return iso_utc(moment)


# --- recognition ---------------------------------------------------------------------------


def sniff_pdf(head: bytes, _name: str) -> bool:
    return b"%PDF-" in head[:1024]


def sniff_ooxml(head: bytes, name: str) -> bool:
    """A zip whose local headers name [Content_Types].xml (Office writes it first) and a
    word/, xl/ or ppt/ part, or that has an Office Open XML extension. A plain zip renamed
    .docx is left to the zip parser."""
    if not head.startswith(ZIP_MAGIC) or b"[Content_Types].xml" not in head:
        return False
    return name.endswith(OOXML_EXTENSIONS) or any(prefix.encode() in head for prefix in OOXML_KINDS)


def sniff_odf(head: bytes, _name: str) -> bool:
    """A zip whose first member is `mimetype` holding an OpenDocument type (as ODF requires)."""
    return (
        head.startswith(ZIP_MAGIC)
        and head[30:38] == b"mimetype"
        and b"application/vnd.oasis.opendocument" in head[38:160]
    )


def sniff_rtf(head: bytes, _name: str) -> bool:
    return head.startswith(b"{\\rtf")


def sniff_html(head: bytes, _name: str) -> bool:
    """`<html` or `<!doctype html` in the first KiB (UTF-16 pages included)."""
    text = _head_text(head, 1024)
    return "<html" in text or "<!doctype html" in text


PARSERS: tuple[Parser, ...] = (
    Parser("pdf", parse_pdf, sniff=sniff_pdf),
    Parser("ooxml", parse_ooxml, sniff=sniff_ooxml),
    Parser("odf", parse_odf, sniff=sniff_odf),
    Parser("rtf", parse_rtf, sniff=sniff_rtf),
    Parser("html", parse_html, sniff=sniff_html, generic=True),  # Pidgin, Telegram pages first
    Parser("image-exif", parse_image, sniff=sniff_image),
    Parser("text", parse_text, sniff=sniff_text, generic=True),
)
