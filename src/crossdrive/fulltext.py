"""The case's full-text index (tantivy): message subjects and bodies, document titles and text.

Text is indexed in its folded form (`text.index_form`), so a query typed without vowel marks,
accents or with other Arabic letter variants finds the text as written; CJK is indexed per
character and queried as phrases. Each indexed document stores its provenance (device, state,
path, offset, forensic path, artifact, time) so a hit leads back to the bytes. The index is
derived: rebuilt from the store whenever the records it was built from change.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import tantivy

from crossdrive.text import index_form, query_form

STORED = ("table", "device", "state", "path", "chain", "artifact", "time", "title")
SOURCES = {
    "messages": """SELECT device, state, path, "offset", chain, artifact, time,
                          coalesce(subject, ''), coalesce(body, ''),
                          concat_ws(' ', sender, sender_name, array_to_string(recipients, ' '))
                   FROM messages""",
    "documents": """SELECT device, state, path, "offset", chain, artifact,
                           coalesce(created, modified), coalesce(title, ''), coalesce(text, ''),
                           concat_ws(' ', author, last_modified_by, company)
                    FROM documents WHERE text IS NOT NULL OR title IS NOT NULL""",
}


@dataclass
class Hit:
    score: float
    table: str  # messages | documents
    device: str
    state: str
    path: str | None
    offset: int | None
    chain: str | None
    artifact: str
    time: str | None
    title: str
    snippet: str


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True)  # folded: what queries match
    for name in STORED:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("offset", stored=True)
    return builder.build()


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What the index was built from: the set of tasks that loaded records."""
    tasks = con.execute(
        "SELECT DISTINCT task_id FROM messages UNION SELECT DISTINCT task_id FROM documents "
        "ORDER BY 1"
    ).fetchall()
    return hashlib.sha256("\n".join(str(t[0]) for t in tasks).encode()).hexdigest()


def build(con: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    """(Re)build the index in `folder` unless it is current; the number of documents indexed,
    or None when it was current already."""
    fingerprint = _fingerprint(con)
    stamp = folder / "built-from"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = tantivy.Index(_schema(), path=str(folder))
    # one indexing thread per core, up to 4 (on 365 MB of text, 7 s with one thread); a run
    # builds the index while the sweep's last pages run (its threads share the cores with the
    # workers), and after an analyst's decision nothing else runs
    threads = min(4, os.cpu_count() or 1)
    writer = index.writer(heap_size=128 * 1024 * 1024 * threads, num_threads=threads)
    count = 0
    for table, sql in SOURCES.items():
        cursor = con.execute(sql)
        while batch := cursor.fetchmany(2000):
            for device, state, path, offset, chain, artifact, time, title, body, names in batch:
                writer.add_document(
                    tantivy.Document(
                        text=index_form(f"{title}\n{names}\n{body}"),
                        table=table,
                        device=device,
                        state=state,
                        path=path or "",
                        chain=chain or "",
                        artifact=artifact,
                        time=time or "",
                        title=title,
                        offset=offset if offset is not None else -1,
                    )
                )
                count += 1
    writer.commit()
    writer.wait_merging_threads()
    stamp.write_text(fingerprint)
    return count


FIELDS = "|".join(STORED)
_KEPT = re.compile(rf'((?:{FIELDS}):(?:"[^"]*"|\S+)|\b(?:AND|OR|NOT)\b)')


def _prepared(query: str) -> str:
    """The query in the index's form: free words folded, while field filters (device:DEV01)
    and the operators AND, OR, NOT stay as typed."""
    parts = _KEPT.split(query)
    return "".join(part if index % 2 else query_form(part) for index, part in enumerate(parts))


def search(folder: Path, query: str, limit: int = 20) -> Iterator[Hit]:
    """Hits for `query` (tantivy's query syntax: words, "phrases", AND/OR/-, field:value on
    the stored fields such as device:DEV01), best first."""
    index = tantivy.Index.open(str(folder))
    index.reload()
    searcher = index.searcher()
    parsed = index.parse_query(_prepared(query), ["text"])
    snippets = tantivy.SnippetGenerator.create(searcher, parsed, _schema(), "text")
    for score, address in searcher.search(parsed, limit).hits:
        doc = searcher.doc(address)
        first = {name: (doc.get_first(name) or "") for name in STORED}
        offset = doc.get_first("offset")
        yield Hit(
            score=score,
            table=first["table"],
            device=first["device"],
            state=first["state"],
            path=first["path"] or None,
            offset=offset if offset is not None and offset >= 0 else None,
            chain=first["chain"] or None,
            artifact=first["artifact"],
            time=first["time"] or None,
            title=first["title"],
            snippet=snippets.snippet_from_doc(doc).to_html(),
        )
