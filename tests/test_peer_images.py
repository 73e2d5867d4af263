"""The peer test images of ../shared/testdata: at least what TSK lists, and what their own
projects assert (answer keys, dfvfs/dissect tests)."""

from __future__ import annotations

import gzip
import re
import shutil

import pytest

from tests.conftest import SHARED
from tests.helpers import listing, missing_from, new_case, parse_fls, query

IMAGES = SHARED / "images"
TSK = SHARED / "tsk"
# device label -> (image, TSK reference listing, byte offset of the file system)
PEERS = {
    "DFTT05": ("dftt05_fat_daylight.dd", "dftt05_fat_daylight", 0),
    "DFTT06": ("dftt06_fat_undel.dd", "dftt06_fat_undel", 0),
    "DFTT07": ("dftt07_ntfs_undel.dd", "dftt07_ntfs_undel", 0),
    "DFTT09": ("dftt09_fat_label.dd", "dftt09_fat_label", 0),
    "DFTT14": ("dftt14_iso_dirtree1.iso", "dftt14_iso_dirtree1", 0),
    "HFSP": ("dfvfs_hfsplus.raw", "dfvfs_hfsplus", 0),
    "HFSJ": ("nps_hfsjtest1_image.gen1.dmg", "nps_hfsjtest1_gen1", 0),
    "ISO": ("dfvfs_iso9660.raw", "dfvfs_iso9660", 0),
    "DNTFS": ("dissect_ntfs.bin", "dissect_ntfs", 0),
    "FAT12": ("dissect_fat12.bin", "dissect_fat12", 0),
    "FAT16": ("dissect_fat16.bin", "dissect_fat16", 0),
    "EXFAT": ("dissect_exfat.bin", "dissect_exfat", 0),
    "EXT4": ("dissect_ext4.bin", "dissect_ext4", 0),
    "TSKDD": ("tsk_image.dd", "tsk_image_dd", 0),
    "TSKE01": ("tsk_image.E01", "tsk_image_E01", 0),
    "IMYND": ("dfvfs_imynd.dd", "dfvfs_imynd", 0),
    "SPLITRAW": ("dfvfs_ext2.splitraw.000", "dfvfs_ext2_splitraw", 0),
    "SPLITE01": ("dfvfs_ext2.split.E01", "dfvfs_ext2_split_E01", 0),
    "EXT2E01": ("dfvfs_ext2.E01", "dfvfs_ext2_E01", 0),
    "MMLS": ("tsk_imageformat_mmls_1.E01", "tsk_mmls1_E01_p0", 128 * 512),
    "PLASO": ("plaso_tsk_volume_system.raw", "plaso_tsk_vs_p1", 352 * 512),
}

CONTROL = re.compile(r"[\x00-\x1f]")

pytestmark = pytest.mark.skipif(not IMAGES.exists(), reason="../shared/testdata not present")


@pytest.fixture(scope="module")
def peer_case(tmp_path_factory):
    root = tmp_path_factory.mktemp("peers")
    images = {label: IMAGES / name for label, (name, _, _) in PEERS.items()}
    for label, name in (
        ("DFTT01", "dftt01_ext_part.dd.gz"),
        ("DFTT10", "dftt10_ntfs_autodetect_disk.dd.gz"),
    ):
        target = root / name.removesuffix(".gz")
        with gzip.open(IMAGES / name) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        images[label] = target
    images["APFS"] = IMAGES / "dfvfs_apfs.raw"
    return new_case(root, images, workers=2)


@pytest.mark.parametrize("label", sorted(PEERS))
def test_every_entry_tsk_lists_is_listed(peer_case, label):
    _, reference_name, offset = PEERS[label]
    reference = parse_fls((TSK / f"{reference_name}.fls_rp.txt").read_text())
    assert reference, "reference listing must not be empty"
    # fls shows a control character in a name as "^"; we keep the name as it is on disk
    ours = {
        (inode, CONTROL.sub("^", path)): row
        for (inode, path), row in listing(peer_case, label, offset).items()
    }
    assert not missing_from(ours, reference)
    for entry in reference:
        assert (ours[(entry["inode"], entry["path"])]["state"] != "allocated") == entry["deleted"]


def _answer_md5s(name: str) -> dict[str, tuple[int, str]]:
    """path -> (size, md5) from TSK's icat check of the DFTT answer keys."""
    answers, section = {}, None
    for line in (TSK / "icat_recovery_check.txt").read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif section == f"images/{name}" and "\t" in line:
            fields = dict(f.split("=", 1) for f in line.split("\t")[1:] if "=" in f)
            answers[line.split("\t")[0]] = (int(fields["size"]), fields["expected"])
    return answers


def test_dftt07_every_deleted_file_and_stream_recovered(peer_case):
    expected = _answer_md5s("dftt07_ntfs_undel.dd")
    assert len(expected) == 9
    ours = {row["md5"]: row for row in listing(peer_case, "DFTT07").values() if row["md5"]}
    for path, (size, md5) in expected.items():
        assert md5 in ours, path
        assert ours[md5]["size"] == size and ours[md5]["state"] in ("deleted", "orphan")
    assert ours[expected["\\mult1.dat:ADS"][1]]["path"] == "mult1.dat:ADS"
    assert ours[expected["\\dir3\\sing2.dat"][1]]["path"] == "$OrphanFiles/sing2.dat"


def test_dftt06_contiguous_deleted_files_recovered(peer_case):
    """The three unfragmented deleted files come back intact (as with icat); the fragmented ones
    (frag1-3) need FAT chain reconstruction, which TSK lacks too."""
    ours = {row["md5"] for row in listing(peer_case, "DFTT06").values()}
    for path, (_, md5) in _answer_md5s("dftt06_fat_undel.dd").items():
        if "frag" not in path:
            assert md5 in ours, path


def test_dftt01_nested_extended_partitions(peer_case):
    filesystems = query(
        peer_case,
        "SELECT \"offset\" / 512, fs_type FROM filesystems WHERE device = 'DFTT01' ORDER BY 1",
    )
    assert filesystems == [
        (63, "fat16"),
        (52416, "fat16"),
        (104832, "fat16"),
        (157311, "fat16"),
        (209727, "fat16"),
        (262143, "fat16"),
    ]
    names = {
        p
        for (p,) in query(
            peer_case, "SELECT path FROM files WHERE device = 'DFTT01' AND path LIKE '%.txt'"
        )
    }
    assert names == {f"primary-{i}.txt" for i in (1, 2, 3)} | {f"second-{i}.txt" for i in (1, 2, 3)}


def test_dftt10_ambiguous_file_system_is_refused_not_guessed(peer_case):
    """Each partition holds two file systems: we must say so at its offset, not pick one."""
    errors = query(
        peer_case, "SELECT \"offset\" / 512, message FROM errors WHERE device = 'DFTT10' ORDER BY 1"
    )
    assert [offset for offset, _ in errors] == [63, 96390]
    assert all("Multiple file system types detected" in message for _, message in errors)
    assert "NTFS" in errors[0][1] and "EXT2/3/4" in errors[0][1]
    assert query(peer_case, "SELECT count(*) FROM filesystems WHERE device = 'DFTT10'") == [(0,)]


def test_ewf_partitions_of_mmls_image(peer_case):
    offsets = query(
        peer_case,
        "SELECT \"offset\" / 512, fs_type FROM filesystems WHERE device = 'MMLS' ORDER BY 1",
    )
    assert offsets == [(128, "ntfs"), (55424, "ntfs")]
    second = parse_fls((TSK / "tsk_mmls1_E01_p1.fls_rp.txt").read_text())
    assert not missing_from(listing(peer_case, "MMLS", 55424 * 512), second)


def test_plaso_volume_system_offsets(peer_case):
    parts = query(
        peer_case,
        "SELECT start, length FROM volumes WHERE device = 'PLASO' "
        "AND kind = 'partition' ORDER BY start",
    )
    assert (512, 179_200) in parts and (180_224, 1_294_336) in parts


def test_dfvfs_ext2_in_every_container_gives_the_same_listing(peer_case):
    def files(label):
        return sorted(
            query(peer_case, "SELECT inode, path, size, md5 FROM files WHERE device = ?", [label]),
            key=str,
        )

    reference = files("EXT2E01")
    assert (14, "passwords.txt", 116) in [r[:3] for r in reference]
    assert files("SPLITRAW") == reference
    assert files("SPLITE01") == reference


def test_dissect_assertions(peer_case):
    ntfs = {row["path"]: row for row in listing(peer_case, "DNTFS").values()}
    assert ntfs["File.txt"]["inode"] == 41 and ntfs["File.txt"]["size"] == 13
    assert ntfs["Large.txt"]["inode"] == 44 and ntfs["Large.txt"]["size"] == 2 * 1024 * 1024
    large_dir = [p for p in ntfs if p.startswith("Large Directory/") and p.count("/") == 1]
    assert len(large_dir) == 2048
    ext4 = {row["path"]: row for row in listing(peer_case, "EXT4").values()}
    assert ext4["test_file"]["size"] == 26
    assert ext4["test_file"]["atime"].startswith("2018-05-29T08:57:58")
    hfs = {row["path"]: row for row in listing(peer_case, "HFSP").values()}
    assert hfs["a_directory/another_file"]["inode"] == 21
    assert (hfs["a_directory/another_file"]["uid"], hfs["a_directory/another_file"]["gid"]) == (
        501,
        20,
    )


def test_hfs_journaled_image_md5s_match_its_dfxml(peer_case):
    expected = {}
    for line in (SHARED / "answers" / "image.gen1.xml.tsv").read_text().splitlines()[1:]:
        fields = line.split("\t")
        md5 = next(
            (f for f in fields if len(f) == 32 and all(c in "0123456789abcdef" for c in f)), None
        )
        if md5:
            expected[fields[0]] = md5
    ours = {row["md5"] for row in listing(peer_case, "HFSJ").values()}
    assert expected and all(md5 in ours for md5 in expected.values())


def test_apfs_is_processed_without_crashing_the_run(peer_case):
    status = query(peer_case, "SELECT count(*) FROM devices WHERE label = 'APFS'")
    assert status == [(1,)]
