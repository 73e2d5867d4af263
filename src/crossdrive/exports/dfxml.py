"""DFXML, one document per device, in the shape fiwalk and tsk_loaddb users expect.

`<volume>` per file system, `<fileobject>` per entry with filename, inode, alloc flags,
filesize, MACB times, byte_runs (absolute img_offset) and hashdigests. Written as a stream.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import duckdb

from crossdrive import __version__
from crossdrive.exports.rows import escape_controls, file_rows, tsk_address

NAMESPACE = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"


def _el(tag: str, value) -> str:
    if value is None:
        return ""
    return f"<{tag}>{escape(escape_controls(str(value)))}</{tag}>"


def write_device(con: duckdb.DuckDBPyConnection, device: str, out: Path) -> int:
    """Write `out` for one device; returns the number of fileobjects."""
    (dev,) = con.execute(
        "SELECT size, md5, sha1, sha256 FROM devices WHERE label = ?", [device]
    ).fetchall()
    segments = [
        p
        for (p,) in con.execute(
            "SELECT path FROM images WHERE device = ? ORDER BY segment", [device]
        ).fetchall()
    ]
    filesystems = {
        offset: (fs_type, block_size, block_count, partition)
        for offset, fs_type, block_size, block_count, partition in con.execute(
            'SELECT "offset", fs_type, block_size, block_count, partition FROM filesystems '
            "WHERE device = ?",
            [device],
        ).fetchall()
    }
    count, current = 0, None
    with open(out, "w", encoding="utf-8") as xml:
        xml.write("<?xml version='1.0' encoding='UTF-8'?>\n")
        xml.write(
            f"<dfxml xmlns={quoteattr(NAMESPACE)} "
            "xmlns:dc='http://purl.org/dc/elements/1.1/' version='1.1.1'>\n"
        )
        xml.write("  <metadata><dc:type>File system listing</dc:type></metadata>\n")
        xml.write(
            f"  <creator><program>crossdrive</program><version>{__version__}</version>"
            "</creator>\n  <source>"
        )
        for path in segments:
            xml.write(_el("image_filename", path))
        xml.write(_el("imagesize", dev[0]))
        for kind, value in zip(("md5", "sha1", "sha256"), dev[1:], strict=True):
            xml.write(f"<hashdigest type='{kind}'>{value}</hashdigest>")
        xml.write(f"{_el('device', device)}</source>\n")
        for row in file_rows(con, device):
            if row["fs_offset"] != current:
                if current is not None:
                    xml.write("  </volume>\n")
                current = row["fs_offset"]
                fs_type, block_size, block_count, _partition = filesystems.get(
                    current, (None, None, None, row["partition"])
                )
                xml.write(
                    f"  <volume offset='{current}'>{_el('partition_offset', current)}"
                    f"{_el('block_size', block_size)}{_el('ftype_str', fs_type)}"
                    f"{_el('block_count', block_count)}\n"
                )
            xml.write(_fileobject(row))
            count += 1
        if current is not None:
            xml.write("  </volume>\n")
        xml.write("</dfxml>\n")
    return count


def _fileobject(row: dict) -> str:
    parts = [
        f"<parent_object>{_el('inode', row['parent_inode'])}</parent_object>",
        _el("filename", row["path"]),
        _el("partition", row["partition"]),
        _el("id", tsk_address(row)),
        _el("name_type", (row["type_str"] or "-/-").split("/")[0]),
        _el("filesize", row["size"]),
        _el("alloc", int(row["state"] == "allocated")),
        _el("alloc_inode", int(bool(row["alloc_meta"]))),
        _el("alloc_name", int(bool(row["alloc_name"]))),
        _el("unalloc", int(row["state"] != "allocated")),
        _el("orphan", 1 if row["state"] == "orphan" else None),
        _el("inode", row["inode"]),
        _el("meta_type", row["meta_type"]),
        _el("mode", row["mode"]),
        _el("nlink", row["nlink"]),
        _el("uid", row["uid"]),
        _el("gid", row["gid"]),
        _el("mtime", row["mtime"]),
        _el("ctime", row["ctime"]),
        _el("atime", row["atime"]),
        _el("crtime", row["crtime"]),
    ]
    if row["byte_runs"]:
        runs = "".join(
            f"<byte_run file_offset='{r['file_offset']}' fs_offset='{r['fs_offset']}' "
            f"img_offset='{r['img_offset']}' len='{r['len']}'/>"
            for r in row["byte_runs"]
        )
        parts.append(f"<byte_runs>{runs}</byte_runs>")
    elif row["resident"]:
        parts.append("<byte_runs><byte_run file_offset='0' type='resident'/></byte_runs>")
    for kind in ("md5", "sha256"):
        if row[kind]:
            parts.append(f"<hashdigest type='{kind}'>{row[kind]}</hashdigest>")
    return "    <fileobject>" + "".join(parts) + "</fileobject>\n"
