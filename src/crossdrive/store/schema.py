"""Every table of the case store, declared once as Arrow schemas.

Tasks write Parquet shards with these schemas; DuckDB tables are created from them; exports read
them. Each fact table carries `task_id`, so reloading a task replaces its rows (no duplicates).
"""

from __future__ import annotations

import pyarrow as pa

BYTE_RUN = pa.struct(
    [
        ("file_offset", pa.int64()),
        ("fs_offset", pa.int64()),
        ("img_offset", pa.int64()),
        ("len", pa.int64()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "devices": pa.schema(
        [
            ("label", pa.string()),
            ("format", pa.string()),
            ("size", pa.int64()),
            ("md5", pa.string()),
            ("sha1", pa.string()),
            ("sha256", pa.string()),
            ("stored_md5", pa.string()),
            ("stored_sha1", pa.string()),
            ("acquisition", pa.string()),
            ("added_at", pa.string()),
            ("added_by", pa.string()),
        ]
    ),
    "images": pa.schema(
        [
            ("device", pa.string()),
            ("segment", pa.int32()),
            ("path", pa.string()),
            ("size", pa.int64()),
        ]
    ),
    "volumes": pa.schema(
        [
            ("task_id", pa.string()),
            ("device", pa.string()),
            ("table_type", pa.string()),
            ("index", pa.int32()),
            ("kind", pa.string()),
            ("start", pa.int64()),
            ("length", pa.int64()),
            ("description", pa.string()),
            ("slot", pa.string()),
        ]
    ),
    "filesystems": pa.schema(
        [
            ("task_id", pa.string()),
            ("device", pa.string()),
            ("partition", pa.int32()),
            ("offset", pa.int64()),
            ("fs_type", pa.string()),
            ("block_size", pa.int64()),
            ("block_count", pa.int64()),
            ("first_inum", pa.int64()),
            ("last_inum", pa.int64()),
            ("root_inum", pa.int64()),
        ]
    ),
    "files": pa.schema(
        [
            ("task_id", pa.string()),
            ("device", pa.string()),
            ("partition", pa.int32()),
            ("fs_offset", pa.int64()),
            ("path", pa.string()),
            ("name", pa.string()),
            ("stream", pa.string()),
            ("parent_inode", pa.int64()),
            ("inode", pa.int64()),
            ("attr_type", pa.int32()),
            ("attr_id", pa.int32()),
            ("name_type", pa.string()),
            ("meta_type", pa.string()),
            ("type_str", pa.string()),
            ("state", pa.string()),
            ("alloc_name", pa.bool_()),
            ("alloc_meta", pa.bool_()),
            ("reallocated", pa.bool_()),
            ("size", pa.int64()),
            ("mode", pa.int64()),
            ("uid", pa.int64()),
            ("gid", pa.int64()),
            ("nlink", pa.int64()),
            ("mtime", pa.string()),
            ("atime", pa.string()),
            ("ctime", pa.string()),
            ("crtime", pa.string()),
            ("resident", pa.bool_()),
            ("byte_runs", pa.list_(BYTE_RUN)),
            ("md5", pa.string()),
            ("sha256", pa.string()),
            ("read_error", pa.string()),
        ]
    ),
    "errors": pa.schema(
        [
            ("task_id", pa.string()),
            ("device", pa.string()),
            ("stage", pa.string()),
            ("partition", pa.int32()),
            ("offset", pa.int64()),
            ("path", pa.string()),
            ("inode", pa.int64()),
            ("message", pa.string()),
        ]
    ),
    "features": pa.schema(
        [
            ("task_id", pa.string()),
            ("device", pa.string()),
            ("scanner", pa.string()),  # bulk_extractor's feature file: email, telephone, …
            ("feature", pa.string()),  # normalised: lower-case address, E.164 number, …
            ("written", pa.string()),  # as it stands in the evidence (decoded)
            ("context", pa.string()),
            ("offset", pa.int64()),  # absolute offset of the feature, or of the outermost
            #                          encoded data holding it
            ("chain", pa.string()),  # forensic path: 1048576-GZIP-320-BASE64-12
            ("encoding", pa.string()),  # utf-8 | utf-16le | utf-16be
            ("depth", pa.int32()),  # decoders passed through
        ]
    ),
    "carved": pa.schema(
        [
            ("task_id", pa.string()),
            ("device", pa.string()),
            ("offset", pa.int64()),  # absolute offset of the carved file's first byte
            ("length", pa.int64()),
            (
                "kind",
                pa.string(),
            ),  # jpg | png | gif | pdf | zip | sqlite | sqlite-page | vcf | eml | html
            ("place", pa.string()),  # unallocated | unpartitioned
            ("md5", pa.string()),
            ("sha256", pa.string()),
            ("saved_as", pa.string()),  # relative to the case directory
        ]
    ),
}

# Where every artifact record comes from (content/process.py fills these columns).
PROVENANCE = [
    ("task_id", pa.string()),
    ("device", pa.string()),
    ("partition", pa.int32()),
    ("path", pa.string()),  # of the file (archive members: archive path/member name)
    ("state", pa.string()),  # allocated | deleted | orphan | carved
    ("offset", pa.int64()),  # image offset of the record's bytes (or of the outermost data)
    ("chain", pa.string()),  # forensic path: 81920, 81920-GZIP-3310
    ("artifact", pa.string()),  # the parser: mbox, eml, skype, chrome …
]
STRINGS = pa.list_(pa.string())


def _records(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([*PROVENANCE, *columns])


S = pa.string()
TABLES.update(
    {
        "messages": _records(
            ("channel", S),
            ("time", S),
            ("sender", S),
            ("recipients", STRINGS),
            ("cc", STRINGS),
            ("bcc", STRINGS),
            ("sender_name", S),
            ("subject", S),
            ("body", S),
            ("message_id", S),
            ("conversation", S),
            ("direction", S),
            ("headers", S),  # JSON object
            ("names", S),  # JSON object: identifier -> display name
        ),
        "contacts": _records(
            ("names", STRINGS),
            ("emails", STRINGS),
            ("phones", STRINGS),
            ("handles", STRINGS),
            ("organisation", S),
            ("note", S),
        ),
        "accounts": _records(("service", S), ("identifier", S), ("name", S)),
        "events": _records(("time", S), ("kind", S), ("description", S), ("url", S), ("user", S)),
        "documents": _records(
            ("kind", S),
            ("text", S),
            ("title", S),
            ("author", S),
            ("last_modified_by", S),
            ("company", S),
            ("created", S),
            ("modified", S),
            ("encoding", S),
            ("meta", S),  # JSON object
        ),
    }
)
# Derived from the records and features by `entities.occurrences` (rebuilt each run).
TABLES["identifiers"] = pa.schema(
    [
        ("device", S),
        ("written", S),  # as it stands in the record or the bytes
        ("role", S),  # sender | recipient | cc | bcc | contact | account | feature
        ("source", S),  # messages | contacts | accounts | features
        ("path", S),
        ("state", S),
        ("offset", pa.int64()),
        ("chain", S),
        ("artifact", S),
        ("record", S),  # digest naming the record it occurs in (NULL for features)
        ("kind", S),  # email | phone | skype | xmpp | telegram | account
        ("value", S),  # the normal form: lower-case address, E.164, service:handle
        ("resolved", pa.bool_()),  # False: a national number with no region to read it in
        ("region", S),  # the device's region used to read national numbers
        ("read_by", S),  # 'case': a national number read as the case's number in full
    ]
)
# Derived by `entities.identities`: persons and the identifiers each one holds.
TABLES["persons"] = pa.schema(
    [
        ("id", S),  # p-<12 hex>: stable while its smallest identifier stays in it
        ("name", S),  # the display name most often written beside its identifiers
        ("devices", STRINGS),  # where its identifiers occur
        ("evidence", S),  # JSON list: each merge's reason, identifiers and provenance
        ("bulk", pa.bool_()),  # a newsletter, no-reply service, mailing list, notifier
        ("bulk_reason", S),
        ("community", S),  # c-N (graph.analyse); NULL: no links, or bulk
        ("degree", pa.int64()),
        ("betweenness", pa.float64()),
        ("pagerank", pa.float64()),
        ("broker", pa.bool_()),
    ]
)
TABLES["communities"] = pa.schema(
    [
        ("id", S),  # c-1 is the largest
        ("size", pa.int64()),
        ("stability", pa.float64()),  # how often its members stay together across seeds
        ("resolution", pa.float64()),  # the CPM resolution chosen by stability
        ("partition_stability", pa.float64()),  # mean pairwise NMI of the seeded partitions
        ("members", STRINGS),
    ]
)
TABLES["person_identifiers"] = pa.schema([("person", S), ("kind", S), ("value", S)])
# Derived by `graph.links`: one row per (kind, source, target).
TABLES["links"] = pa.schema(
    [
        ("kind", S),  # communication | co-recipient | mention | co-occurrence | shared-device
        ("source", S),  # person id (the sender, for directed kinds)
        ("target", S),
        ("channels", S),  # email,sms,skype … (comma-separated)
        ("weight", pa.int64()),  # records (or devices, for shared-device) behind the link
        ("strength", pa.float64()),  # what the group graph adds: the weight, except for
        # co-occurrence, where each list adds 1 / (persons in it - 1)
        ("first_seen", S),
        ("last_seen", S),
        ("evidence", S),  # JSON list of {device, path, state, offset, chain, artifact}
    ]
)
# Derived by `entities.mentions`: the case's own names found in message and document text.
TABLES["name_mentions"] = pa.schema(
    [
        ("person", S),
        ("name", S),  # the name as the case writes it (a contact entry, an account)
        ("source", S),  # messages | documents
        ("record", S),  # digest naming the record (as in `identifiers`)
        *[(n, t) for n, t in PROVENANCE if n not in ("task_id", "partition")],
    ]
)
RECORD_TABLES = ("messages", "contacts", "accounts", "events", "documents")

# Derived by `graph.crossdevice`: one row per pair of devices sharing identifiers.
TABLES["device_similarity"] = pa.schema(
    [
        ("a", S),
        ("b", S),
        ("score", pa.float64()),  # Σ 1 / (devices carrying the identifier)
        ("shared", pa.int64()),  # identifiers on both (stop-listed ones excluded)
        ("top", S),  # JSON [[identifier, contribution], …], the largest first
    ]
)

# Tables rebuilt from the others at the end of each run (entities and graph).
DERIVED = (
    "identifiers",
    "persons",
    "person_identifiers",
    "name_mentions",
    "links",
    "communities",
    "device_similarity",
)

# Tables filled by tasks (through shards); the others are written by `add` directly.
SHARDED = ("volumes", "filesystems", "files", "errors", "features", "carved", *RECORD_TABLES)


def to_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts) to an Arrow table of the declared schema; unknown keys are ignored."""
    schema = TABLES[name]
    columns = {f.name: [row.get(f.name) for row in rows] for f in schema}
    return pa.table(columns, schema=schema)
