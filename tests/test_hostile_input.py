"""Corrupt input: each damaged part gives a clear error with its location; the run completes."""

from __future__ import annotations

import os

from tests.helpers import crossdrive, new_case, query

MIB = 1024 * 1024


def test_corrupt_images_each_give_an_error_and_the_run_completes(built, tmp_path):
    truncated = tmp_path / "truncated.dd"
    truncated.write_bytes(built["mbr"].read_bytes()[: 50 * MIB])  # cuts the FAT partition
    zeroed = tmp_path / "zeroed-boot.dd"
    data = bytearray(built["gpt"].read_bytes())
    data[18 * MIB : 18 * MIB + 8192] = bytes(8192)  # FAT32 boot sector and its backup
    zeroed.write_bytes(bytes(data))
    random_bytes = tmp_path / "random.bin"
    random_bytes.write_bytes(os.urandom(4 * MIB))
    past_end = tmp_path / "past-end.dd"  # table names partitions that start past the end
    past_end.write_bytes(built["mbr"].read_bytes()[: 20 * MIB])
    case = new_case(
        tmp_path,
        {
            "TRUNC": truncated,
            "ZERO": zeroed,
            "RAND": random_bytes,
            "PAST": past_end,
            "GOOD": built["ext4"],
        },
    )
    errors = query(case, 'SELECT device, stage, "offset", message FROM errors ORDER BY device')
    by_device = {}
    for device, stage, offset, message in errors:
        by_device.setdefault(device, []).append((stage, offset, message))
    # truncated: the FAT partition starting at 35 MiB is cut; NTFS before it is still listed
    assert any("past the end" in m for _, _, m in by_device["TRUNC"])
    assert query(
        case, "SELECT count(*) > 10 FROM files WHERE device='TRUNC' AND fs_offset = 1048576"
    ) == [(True,)]
    # zeroed boot sector: that partition is an error at its offset, the ext4 one is listed
    assert any(o == 18 * MIB and "no file system" in m for _, o, m in by_device["ZERO"])
    assert query(case, "SELECT count(*) > 5 FROM files WHERE device='ZERO'") == [(True,)]
    # random bytes: no table and no file system, said at offset 0
    assert any(o == 0 and "no file system" in m for _, o, m in by_device["RAND"])
    # table pointing past the end
    # the NTFS partition is cut; the extended table (and so its logical partitions) is past it
    past = [(o, m) for _, o, m in by_device["PAST"] if "extends past the end" in m]
    assert (MIB, "partition 0:0") in [(o, m[:13]) for o, m in past]
    assert any(o == 34 * MIB and m.startswith("partition-table entry") for o, m in past)
    assert query(case, "SELECT count(*) > 0 FROM files WHERE device='PAST'") == [(True,)]
    assert "GOOD" not in by_device
    assert query(case, "SELECT count(*) FROM files WHERE device='GOOD' AND state='allocated'")[0][0]
    status = crossdrive("status", case)
    assert "TRUNC" in status and "RAND" in status


def test_unreadable_segment_does_not_stop_other_devices(built, tmp_path):
    case = tmp_path / "case"
    crossdrive("case", "create", case, "--name", "t", "--examiner", "x", "--authority", "y")
    crossdrive("add", case, tmp_path / "nope.dd", expect=1)
    crossdrive("add", case, built["ext4"])
    crossdrive("process", case)
    assert query(case, "SELECT count(*) > 0 FROM files")[0] == (True,)
