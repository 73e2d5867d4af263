"""Exports other tools read (DFXML, mactime bodyfile, CSV), and resumable processing."""

from __future__ import annotations

import csv
import shutil
import subprocess
import xml.etree.ElementTree as ET

import duckdb

from tests.conftest import NTFS_DELETED, NTFS_FILES, md5
from tests.helpers import crossdrive, new_case, query

NS = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"}


def test_dfxml_one_document_per_device_with_fileobjects(built_case, tmp_path):
    crossdrive("export", built_case, "files", "--format", "dfxml", "-o", tmp_path / "dfxml")
    documents = sorted(p.name for p in (tmp_path / "dfxml").glob("*.xml"))
    assert documents == ["EXT.xml", "FAT.xml", "GPT.xml", "MBR.xml", "NTFS.xml"]
    root = ET.parse(tmp_path / "dfxml" / "NTFS.xml").getroot()
    objects = {
        fo.findtext("d:filename", namespaces=NS): fo for fo in root.iterfind(".//d:fileobject", NS)
    }
    count = query(built_case, "SELECT count(*) FROM files WHERE device = 'NTFS'")[0][0]
    assert len(root.findall(".//d:fileobject", NS)) == count
    deleted = objects[NTFS_DELETED[0]]
    assert deleted.findtext("d:alloc", namespaces=NS) == "0"
    assert deleted.findtext("d:filesize", namespaces=NS) == str(len(NTFS_FILES[NTFS_DELETED[0]]))
    digest = deleted.find("d:hashdigest[@type='md5']", NS)
    assert digest is not None and digest.text == md5(NTFS_FILES[NTFS_DELETED[0]])
    runs = deleted.findall("d:byte_runs/d:byte_run", NS)
    assert runs and all(int(r.get("img_offset")) > 0 for r in runs)
    assert objects["docs/report.txt"].findtext("d:inode", namespaces=NS)
    assert objects["docs/report.txt"].findtext("d:mtime", namespaces=NS).endswith("Z")
    mbr = ET.parse(tmp_path / "dfxml" / "MBR.xml").getroot()
    assert len(mbr.findall("d:volume", NS)) == 3


def test_bodyfile_is_read_by_mactime(built_case, tmp_path):
    body = tmp_path / "body.txt"
    crossdrive("export", built_case, "files", "--format", "bodyfile", "-o", body)
    lines = body.read_text().splitlines()
    assert len(lines) == query(built_case, "SELECT count(*) FROM files")[0][0]
    assert all(len(line.split("|")) == 11 for line in lines)
    timeline = subprocess.run(
        ["mactime", "-b", str(body), "-d", "-y"], capture_output=True, text=True, check=True
    ).stdout
    assert "/NTFS/whole/gone/secret.txt (deleted)" in timeline
    assert "/MBR/p0/docs/report.txt" in timeline


def test_csv_has_every_entry(built_case, tmp_path):
    out = tmp_path / "files.csv"
    crossdrive("export", built_case, "files", "--format", "csv", "-o", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == query(built_case, "SELECT count(*) FROM files")[0][0]
    row = next(r for r in rows if r["device"] == "NTFS" and r["path"] == NTFS_DELETED[0])
    assert row["state"] == "deleted" and row["md5"] == md5(NTFS_FILES[NTFS_DELETED[0]])


def test_unknown_export_is_refused(built_case, tmp_path):
    crossdrive("export", built_case, "files", "--format", "xlsx", "-o", tmp_path / "x", expect=1)


def _snapshot(case):
    return {
        table: sorted(query(case, f"SELECT * EXCLUDE (task_id) FROM {table}"), key=str)
        for table in ("volumes", "filesystems", "files", "errors")
    }


def test_rerun_and_resume_give_identical_rows_without_duplicates(built, tmp_path):
    case = new_case(tmp_path, {"MBR": built["mbr"], "GPT": built["gpt"]})
    complete = _snapshot(case)
    crossdrive("process", case)  # a rerun does nothing new
    assert _snapshot(case) == complete
    # A run killed midway: one task's output never written, one left half written, one written
    # but not yet loaded; the store holds what was loaded before the kill.
    walks = sorted(p for p in (case / "shards").iterdir() if ".walk." in p.name)
    lost, half, unloaded = walks[0], walks[1], walks[2]
    shutil.rmtree(lost)
    (half / "done").unlink()
    half.rename(half.with_name(half.name + ".partial"))
    with duckdb.connect(str(case / "store.duckdb")) as con:
        for task in (lost.name, half.name):
            con.execute("DELETE FROM files WHERE task_id = ?", [task])
            con.execute("DELETE FROM loaded_tasks WHERE task_id = ?", [task])
        con.execute("DELETE FROM loaded_tasks WHERE task_id = ?", [unloaded.name])  # rows stay
    crossdrive("process", case)
    assert _snapshot(case) == complete
