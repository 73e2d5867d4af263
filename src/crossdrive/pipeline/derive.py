"""The derived part of a case: entities, links, graph and index, rebuilt from the records.

Derived tables are pure functions of the loaded records and the analyst's decisions, so they
are rebuilt as a whole: at the end of each `crossdrive process`, and after each merge or split.
"""

from __future__ import annotations

import duckdb

from crossdrive import fulltext
from crossdrive.case import Case
from crossdrive.entities import identities, mentions, occurrences, owners
from crossdrive.entities.texts import ReadTexts, read_here
from crossdrive.graph import bulk, crossdevice, links
from crossdrive.graph.analyse import analyse


def derive(
    case: Case, con: duckdb.DuckDBPyConnection | None = None, read_texts: ReadTexts = read_here
) -> None:
    """Rebuild what is derived from the records (entities, links, graph, index), applying the
    analyst's merge and split decisions. Runs at the end of each `process` (on its connection,
    message and document text read by its tasks: `pipeline.texts`) and after each decision
    (in this process)."""
    if con is None:
        with case.connect() as own:
            derive(case, own, read_texts)
        return
    occurrences.build(con, read_texts)  # every identifier in its normal form
    persons = identities.resolve(con, case.decisions())  # merged on strong evidence
    identities.store(con, persons)
    owners.attribute(con)  # the phone owner as the missing party of SMS (inferred)
    mentions.build(con, persons, read_texts)  # the case's own names in message and document text
    links.build(con)  # who is linked to whom, with the evidence
    bulk.flag(con)  # newsletters, no-reply services: visible, kept out of groups
    analyse(con)  # groups (CPM Leiden, resolution by stability), centrality, brokers
    crossdevice.build(con)  # which devices belong together, explained
    fulltext.build(con, case.root / "index")  # derived: rebuilt only when records changed
