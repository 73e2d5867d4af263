"""Benchmark images for the sweep: mixed content and dense text, written deterministically."""

from __future__ import annotations

import gzip
import random
import sqlite3
from pathlib import Path

from faker import Faker

CHUNK = 4 * 1024 * 1024


def text_block(rng: random.Random, fake: Faker, size: int, identifiers: float = 1.0) -> bytes:
    """Prose with addresses, numbers and URLs sprinkled in. With `identifiers` 1, 60 % of the
    paragraphs end with one (a feature every ~180 bytes once domains are counted: denser than
    a mail store's headers); with 1/6, 10 % do (ordinary text: documents, pages, logs)."""
    parts, total = [], 0
    while total < size:
        line = fake.paragraph(nb_sentences=5)
        pick = rng.random() / identifiers
        if pick < 0.3:
            line += f" Mail {fake.user_name()}@{fake.free_email_domain()}."
        elif pick < 0.5:
            line += f" Call +44 20 7946 {rng.randint(1000, 9999)}."
        elif pick < 0.6:
            line += f" See https://{fake.domain_name()}/{fake.uri_path()}"
        parts.append(line + "\n")
        total += len(parts[-1])
    return "".join(parts).encode()[:size]


KINDS = ("mixed", "mixed-dense", "text", "sqlite")


def _sqlite_image(path: Path, size: int, rng: random.Random, fake: Faker) -> Path:
    """A chat database (4 KiB pages): rows of author address, display name, body (a dense-text
    paragraph) and time, as a messenger stores them: values side by side in each record."""
    lines = text_block(rng, fake, CHUNK).decode().splitlines()
    names = [(fake.name(), fake.email()) for _ in range(500)]
    database = path.with_suffix(".db")
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as con:
        con.execute("PRAGMA page_size = 4096")
        con.execute(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY, author TEXT, from_dispname TEXT,"
            " body_xml TEXT, timestamp INTEGER)"
        )
        n = 0
        while database.stat().st_size < size:
            rows = []
            for _ in range(10_000):
                name, address = names[rng.randrange(len(names))]
                rows.append((address, name, lines[n % len(lines)], 1_700_000_000 + n))
                n += 1
            con.executemany(
                "INSERT INTO messages (author, from_dispname, body_xml, timestamp)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
            con.commit()
    con.close()
    with open(database, "rb") as source, open(path, "wb") as out:
        out.write(source.read(size))
    database.unlink()
    return path


def build(path: Path, size: int, kind: str, seed: int = 1) -> Path:
    """`kind` mixed: random 40 %, zero runs 20 %, ordinary text 20 %, gzip'd ordinary text 20 %
    (4 MiB chunks; each gzip'd chunk holds ~12 MiB of text); `mixed-dense`: the same with dense
    text; `text`: all dense text; `sqlite`: one chat database."""
    if path.exists() and path.stat().st_size == size:
        return path
    rng, fake = random.Random(seed), Faker("en_US")
    fake.seed_instance(seed)
    if kind == "sqlite":
        return _sqlite_image(path, size, rng, fake)
    identifiers = 1 / 6 if kind == "mixed" else 1.0
    text_pool = [text_block(rng, fake, CHUNK, identifiers) for _ in range(2)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for n in range(size // CHUNK):
            pick = rng.random() if kind.startswith("mixed") else 0.7
            if pick < 0.4:
                out.write(rng.randbytes(CHUNK))
            elif pick < 0.6:
                out.write(bytes(CHUNK))
            elif pick < 0.8:
                out.write(text_pool[n % 2])
            else:
                packed = gzip.compress(text_pool[n % 2] * 3, compresslevel=6, mtime=0)
                out.write((packed + rng.randbytes(CHUNK))[:CHUNK])
    return path
