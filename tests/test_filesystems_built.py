"""Listings of images built with real tools match TSK's `fls`; deleted content is recovered."""

from __future__ import annotations

import pytest

from tests.conftest import EXT_DELETED, FAT_DELETED, FAT_FILES, NTFS_DELETED, NTFS_FILES, md5
from tests.helpers import crossdrive, fls, listing, missing_from, new_case, query

MIB = 1024 * 1024


@pytest.mark.parametrize("label,key", [("NTFS", "ntfs"), ("FAT", "fat32"), ("EXT", "ext4")])
def test_every_fls_entry_is_listed_with_its_inode_and_path(built, built_case, label, key):
    reference = fls(built[key])
    assert any(e["deleted"] for e in reference), "the image must hold deleted entries"
    ours = listing(built_case, label)
    assert not missing_from(ours, reference)
    for entry in reference:  # same deleted/allocated verdict as TSK
        row = ours[(entry["inode"], entry["path"])]
        assert (row["state"] != "allocated") == entry["deleted"], entry


def test_deleted_ntfs_files_hash_to_their_original_content(built_case):
    rows = {row["path"]: row for row in listing(built_case, "NTFS").values()}
    for name in NTFS_DELETED:
        row = rows[name]
        assert row["state"] == "deleted"
        assert row["md5"] == md5(NTFS_FILES[name]), name
        assert row["byte_runs"], "deleted non-resident data has its runs"


def test_deleted_fat_files_hash_to_their_original_content(built_case):
    by_inode = listing(built_case, "FAT")
    deleted = [row for row in by_inode.values() if row["state"] == "deleted"]
    for name in FAT_DELETED:
        # FAT overwrites the first character of a deleted name: match the rest of the path
        tail = name.rsplit("/", 1)[-1][1:]
        match = [row for row in deleted if row["path"].endswith(tail)]
        assert match, name
        assert match[0]["md5"] == md5(FAT_FILES[name])


def test_ext4_deleted_entry_is_listed(built_case):
    rows = [r for r in listing(built_case, "EXT").values() if r["state"] != "allocated"]
    assert any(r["path"].endswith(EXT_DELETED[0].rsplit("/", 1)[-1]) for r in rows)


def test_ntfs_alternate_data_stream_is_a_file(built_case):
    rows = {row["path"]: row for row in listing(built_case, "NTFS").values()}
    ads = rows["docs/report.txt:Zone.Identifier"]
    assert ads["stream"] == "Zone.Identifier"
    assert ads["md5"] == md5(b"[ZoneTransfer]\r\nZoneId=3\r\n")
    assert rows["docs/report.txt"]["md5"] == md5(NTFS_FILES["docs/report.txt"])


def test_allocated_content_hashes_and_byte_runs_point_at_the_bytes(built, built_case):
    rows = {row["path"]: row for row in listing(built_case, "NTFS").values()}
    big = rows["big.bin"]
    assert big["md5"] == md5(NTFS_FILES["big.bin"])
    data = bytearray()
    with open(built["ntfs"], "rb") as image:
        for run in big["byte_runs"]:
            image.seek(run["img_offset"])
            data += image.read(run["len"])
    assert md5(bytes(data)) == big["md5"]
    assert rows["small.txt"]["resident"] and rows["small.txt"]["md5"] == md5(b"resident data")


def test_times_are_utc_iso8601(built_case):
    (mtime,) = query(
        built_case, "SELECT mtime FROM files WHERE device='EXT' AND path='etc/hostname'"
    )[0]
    assert mtime.endswith("Z") and mtime[4] == "-" and "T" in mtime


def test_mbr_with_extended_partitions_regions_and_listing(built, built_case):
    volumes = query(
        built_case,
        'SELECT kind, "index", start, length FROM volumes '
        "WHERE device='MBR' ORDER BY start, kind",
    )
    parts = [(start, length) for kind, _, start, length in volumes if kind == "partition"]
    assert parts == [(1 * MIB, 32 * MIB), (35 * MIB, 40 * MIB), (76 * MIB, 16 * MIB)]
    gaps = [(start, length) for kind, _, start, length in volumes if kind == "gap"]
    assert (0, MIB) in gaps and (92 * MIB, 8 * MIB) in gaps  # before the first, after the last
    fs = query(
        built_case,
        "SELECT partition, fs_type FROM filesystems WHERE device='MBR' ORDER BY partition",
    )
    assert fs == [(0, "ntfs"), (1, "fat32"), (2, "ext4")]
    for partition, (start, _) in enumerate(parts):
        reference = fls(built["mbr"], start // 512)
        assert not missing_from(listing(built_case, "MBR", start), reference), partition


def test_gpt_partitions_and_listing(built, built_case):
    fs = query(
        built_case,
        'SELECT partition, fs_type, "offset" FROM filesystems '
        "WHERE device='GPT' ORDER BY partition",
    )
    assert [(p, t) for p, t, _ in fs] == [(0, "ext4"), (1, "fat32")]
    for _, _, offset in fs:
        assert not missing_from(
            listing(built_case, "GPT", offset), fls(built["gpt"], offset // 512)
        )


def test_split_raw_and_e01_give_the_same_listing_as_raw(built, built_case, tmp_path):
    raw_hashes = query(built_case, "SELECT md5, sha1, sha256 FROM devices WHERE label='MBR'")
    expected = _content(built_case, "MBR")
    for label, fmt, segments in (("SPLIT", "split", 4), ("EWF", "ewf", 3)):
        case = new_case(
            tmp_path / label, {label: built[label.lower() if fmt == "split" else "e01"]}
        )
        assert query(case, "SELECT format FROM devices") == [(fmt,)]
        assert query(case, "SELECT count(*) FROM images") == [(segments,)]
        assert query(case, "SELECT md5, sha1, sha256 FROM devices") == raw_hashes
        assert _content(case, label) == expected


def test_the_same_evidence_added_twice_is_flagged(built, tmp_path):
    case = new_case(tmp_path, {"FIRST": built["ext4"]})
    out = crossdrive("add", case, built["ext4"], "--label", "AGAIN")
    assert "same content (SHA-256) as device FIRST" in " ".join(out.split())


def _content(case_dir, device):
    rows = query(
        case_dir, "SELECT fs_offset, inode, path, state, md5 FROM files WHERE device = ?", [device]
    )
    return sorted(rows, key=str)
