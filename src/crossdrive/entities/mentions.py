"""Names of the case's own people found in message and document text (a gazetteer, no model).

The names come from the case itself: contact entries, the display names messages give their
parties, account names. A name is searched for only when it can point at one person: at least
two words (a shared first name alone says nothing), no digits or `@`, and written for exactly
one person (a name two persons carry is dropped, not guessed). Text and names are compared in
their folded form (`text.index_form`: case, accents, vowel marks and Arabic letter variants
ignored; CJK characters as words) and also transliterated to Latin letters (`anyascii`), so
"Александр Петров" in a message finds the contact "Aleksandr Petrov". Matching is on whole
words: the text is cut into words once and every run of two to five words is looked up, so
the cost is linear in the text whatever the number of names.

Each find is a row of `name_mentions` with the record's provenance; `graph.links` turns them
into mention links (a message naming a third person) and co-occurrence links (persons named
together in one document). Derived: rebuilt each run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import duckdb
from anyascii import anyascii

from crossdrive.entities.identifiers import WORDS, Key, name_keys
from crossdrive.entities.identities import Person
from crossdrive.entities.occurrences import DOCUMENT_RECORD, MESSAGE_RECORD, PROVENANCE
from crossdrive.entities.texts import ReadTexts, read_here
from crossdrive.text import index_form

MAX_TEXT = 1 << 20  # characters of one text searched


def gazetteer(con: duckdb.DuckDBPyConnection, persons: list[Person]) -> dict[Key, tuple[str, str]]:
    """Word sequence -> (person, name as written) for every unambiguous name of the case: the
    names `identities.resolve` read for each person, and the names of their accounts."""
    spoken: dict[str, set[str]] = {p.id: set(p.names) for p in persons}
    for person, name in con.execute(
        "SELECT p.person, a.name FROM accounts a JOIN identifiers i "
        "ON i.source = 'accounts' AND i.device = a.device AND i.written = a.identifier "
        "JOIN person_identifiers p ON p.value = i.value WHERE a.name IS NOT NULL"
    ).fetchall():
        spoken.setdefault(person, set()).add(name)
    owners: dict[Key, set[str]] = defaultdict(set)
    written: dict[Key, str] = {}
    for person in sorted(spoken):
        for name in sorted(spoken[person]):
            for key in name_keys(name):
                owners[key].add(person)
                written.setdefault(key, name)
    return {key: (min(people), written[key]) for key, people in owners.items() if len(people) == 1}


def find(text: str, names: dict[Key, tuple[str, str]], starts: dict[str, set[int]]) -> set[Key]:
    """The gazetteer's names in `text` (whole words, folded and transliterated)."""
    folded = index_form(text[:MAX_TEXT])
    forms = [WORDS.findall(folded)]
    if not folded.isascii():
        forms.append(WORDS.findall(anyascii(folded).casefold()))
    found = set()
    for words in forms:
        for at, word in enumerate(words):
            for length in starts.get(word, ()):
                key = tuple(words[at : at + length])
                if key in names:
                    found.add(key)
    return found


TEXTS = f"""
SELECT 'messages', concat_ws(' ', subject, body) AS text, device, {PROVENANCE}, {MESSAGE_RECORD}
FROM messages WHERE body IS NOT NULL OR subject IS NOT NULL
UNION ALL
SELECT 'documents', text, device, {PROVENANCE}, {DOCUMENT_RECORD}
FROM documents WHERE text IS NOT NULL
"""


def build(
    con: duckdb.DuckDBPyConnection, persons: list[Person], read_texts: ReadTexts = read_here
) -> int:
    """Replace `name_mentions` (`persons` as `identities.resolve` gave them); returns the
    number of names found. Texts are read by `read_texts` (see `entities.texts`)."""
    con.execute("DELETE FROM name_mentions")
    names = gazetteer(con, persons)
    if not names:
        return 0
    starts: dict[str, set[int]] = defaultdict(set)
    for key in names:
        starts[key[0]].add(len(key))
    return read_texts(con, TEXTS, named_in, Gazetteer(names, dict(starts)), "name_mentions")


@dataclass(frozen=True)
class Gazetteer:
    names: dict[Key, tuple[str, str]]  # word sequence -> (person, name as written)
    starts: dict[str, set[int]]  # first word -> the lengths of the names it starts


def named_in(batch: list[tuple], gazetteer: Gazetteer) -> list[dict]:
    """The `name_mentions` rows of `TEXTS` rows."""
    return list(_mentions(batch, gazetteer.names, gazetteer.starts))


def _mentions(
    batch: Iterable[tuple], names: dict[Key, tuple[str, str]], starts: dict[str, set[int]]
) -> Iterator[dict]:
    for source, text, device, path, state, offset, chain, artifact, record in batch:
        named = {names[key][0]: names[key][1] for key in sorted(find(text, names, starts))}
        for person, name in named.items():
            yield {
                "person": person,
                "name": name,
                "source": source,
                "record": record,
                "device": device,
                "path": path,
                "state": state,
                "offset": offset,
                "chain": chain,
                "artifact": artifact,
            }
