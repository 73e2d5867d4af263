"""Case creation, hashing on intake, E01 stored hashes, verify, and the audit chain."""

from __future__ import annotations

import hashlib
import json
import os

from tests.helpers import crossdrive, query


def _create(tmp_path):
    case = tmp_path / "case"
    crossdrive(
        "case",
        "create",
        case,
        "--name",
        "Op Test",
        "--examiner",
        "E. Xaminer",
        "--authority",
        "Warrant 42/2026",
    )
    return case


def test_case_create_writes_case_json_store_and_audit_log(tmp_path):
    case = _create(tmp_path)
    info = json.loads((case / "case.json").read_text())
    assert info["name"] == "Op Test" and info["authority"] == "Warrant 42/2026"
    assert (case / "store.duckdb").exists()
    (entry,) = [json.loads(line) for line in (case / "audit.jsonl").read_text().splitlines()]
    assert entry["command"] == "case create" and entry["result"] == "ok"
    assert entry["prev_sha256"] == "0" * 64 and entry["actor"]
    assert entry["arguments"]["examiner"] == "E. Xaminer"
    crossdrive(
        "case", "create", case, "--name", "x", "--examiner", "y", "--authority", "z", expect=1
    )


def test_intake_hashes_match_hashlib_in_one_pass(built, tmp_path):
    case = _create(tmp_path)
    crossdrive("add", case, built["gpt"], "--label", "G")
    data = built["gpt"].read_bytes()
    expected = (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )
    assert query(case, "SELECT md5, sha1, sha256, size FROM devices") == [(*expected, len(data))]


def test_evidence_is_opened_read_only(built, tmp_path):
    image = tmp_path / "ro.dd"
    image.write_bytes(built["ext4"].read_bytes())
    os.chmod(image, 0o444)  # a writable open would fail (when not root) or change mtime
    before = image.stat().st_mtime_ns
    case = _create(tmp_path)
    crossdrive("add", case, image)
    crossdrive("process", case, "--workers", 1)
    assert image.stat().st_mtime_ns == before
    assert query(case, "SELECT label FROM devices") == [("DEV01",)]


def test_e01_stored_hashes_are_checked(built, tmp_path):
    case = _create(tmp_path)
    out = crossdrive("add", case, built["e01"], "--label", "E")
    assert "md5 stored in the container" in out and "matches" in out
    assert "DIFFERS" not in out
    stored = query(case, "SELECT stored_md5 = md5, stored_sha1 = sha1 FROM devices")
    assert stored == [(True, True)]


def test_verify_passes_then_finds_a_flipped_byte(built, tmp_path):
    image = tmp_path / "evidence.dd"
    image.write_bytes(built["fat32"].read_bytes())
    case = _create(tmp_path)
    crossdrive("add", case, image, "--label", "USB")
    assert "verified" in crossdrive("verify", case)
    with open(image, "r+b") as handle:
        handle.seek(123_456)
        byte = handle.read(1)
        handle.seek(123_456)
        handle.write(bytes([byte[0] ^ 0xFF]))
    out = " ".join(crossdrive("verify", case, expect=1).split())
    assert "USB: MD5 recorded" in out and "USB: SHA256 recorded" in out
    last = json.loads((case / "audit.jsonl").read_text().splitlines()[-1])
    assert last["command"] == "verify" and last["result"].startswith("FAILED")


def test_verify_finds_an_edited_audit_line(built, tmp_path):
    case = _create(tmp_path)
    crossdrive("add", case, built["ext4"], "--label", "L")
    log = case / "audit.jsonl"
    lines = log.read_text().splitlines()
    lines[0] = lines[0].replace("E. Xaminer", "Someone Else")
    log.write_text("\n".join(lines) + "\n")
    out = " ".join(crossdrive("verify", case, expect=1).split())
    assert "audit log line 2: chain broken" in out


def test_verify_finds_an_edited_last_audit_line(built, tmp_path):
    case = _create(tmp_path)
    crossdrive("add", case, built["ext4"], "--label", "L")
    log = case / "audit.jsonl"
    lines = log.read_text().splitlines()
    lines[-1] = lines[-1].replace('"result": "ok"', '"result": "fine"')
    log.write_text("\n".join(lines) + "\n")
    out = " ".join(crossdrive("verify", case, expect=1).split())
    assert "last entry does not match audit.head" in out


def test_split_segment_missing_is_reported(built, tmp_path):
    parts = sorted(built["split"].parent.glob("mbr.0*"))
    for part in parts:
        (tmp_path / part.name).write_bytes(part.read_bytes())
    case = _create(tmp_path)
    crossdrive("add", case, tmp_path / "mbr.001", "--label", "S")
    (tmp_path / "mbr.003").unlink()
    out = " ".join(crossdrive("verify", case, expect=1).split())
    assert "S: segment(s) missing" in out
