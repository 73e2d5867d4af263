"""The sections about the media: the evidence itself (intake hashes, last verification) and
what processing recovered from each device."""

from __future__ import annotations

from crossdrive.report.markup import esc, number
from crossdrive.report.model import Device, ReportData
from crossdrive.report.tables import Raw, table


def human_size(size: int | None) -> str:
    if size is None:
        return "–"
    if size < 1024:
        return f"{size} B"
    value, units = size / 1024, ["KiB", "MiB", "GiB", "TiB"]
    while value >= 1024 and len(units) > 1:
        value, units = value / 1024, units[1:]
    return f"{value:.1f} {units[0]}"


def _hashes_and_images(device: Device) -> Raw:
    """The intake hashes, one per line in full, then the image file(s) they were taken of."""
    rows = "".join(
        f'<tr><th>{kind}</th><td><code class="hash">{esc(value)}</code></td></tr>'
        for kind, value in (("MD5", device.md5), ("SHA-1", device.sha1), ("SHA-256", device.sha256))
    )
    first = device.images[0][0] if device.images else "(no image recorded)"
    image = f'<div class="image">image <code>{esc(first)}</code>'
    if len(device.images) > 1:
        names = "".join(
            f'<li><code>{esc(path)}</code> <span class="muted">{esc(human_size(size))}</span></li>'
            for path, size in device.images
        )
        image += (
            f"<details><summary>{len(device.images)} segments</summary>"
            f'<ul class="paths">{names}</ul></details>'
        )
    return Raw(f'<table class="hashes">{rows}</table>{image}</div>')


def _stored(device: Device) -> Raw:
    """The container's own hashes (EWF) compared with those computed at intake."""
    if not device.stored:
        return Raw('<span class="muted">none in the container</span>')
    computed = {"md5": device.md5, "sha1": device.sha1}
    items = []
    for kind, value in sorted(device.stored.items()):
        same = computed.get(kind) == value
        mark = '<span class="ok">matches</span>' if same else '<span class="bad">DIFFERS</span>'
        items.append(f"{esc(kind.upper())} {mark}")
    return Raw("<br>".join(items))


def _verified(data: ReportData, device: Device) -> Raw:
    check = data.verification
    if check.time is None:
        return Raw('<span class="muted">never verified</span>')
    problems = check.device_problems(device.label)
    if problems:
        listed = "<br>".join(esc(p) for p in problems)
        return Raw(f'<span class="bad">MISMATCH</span> {esc(check.time)}<br>{listed}')
    if check.result == "ok" or (check.result or "").startswith("FAILED: "):
        return Raw(
            f'<span class="ok">matches</span><br><span class="muted">{esc(check.time)}</span>'
        )
    return Raw(f"{esc(check.result)} {esc(check.time)}")


def case_section(data: ReportData) -> str:
    info, check = data.info, data.verification
    chain = (
        '<span class="ok">intact</span>'
        if not check.chain_problems
        else '<span class="bad">BROKEN</span>: ' + "; ".join(esc(p) for p in check.chain_problems)
    )
    facts = table(
        ("", ""),
        [
            ("case", info.get("name")),
            ("examiner", info.get("examiner")),
            ("authority", info.get("authority")),
            ("created", info.get("created")),
            ("last processed", check.last_processed or "never"),
            ("last verified", f"{check.time}: {check.result}" if check.time else "never"),
            ("audit log chain", Raw(chain)),
        ],
        "facts",
    )
    rows = [
        (
            Raw(
                f"<td><b>{esc(d.label)}</b><br>{esc(d.format)} · {esc(human_size(d.size))}"
                f'<br><span class="muted">{d.size:,} bytes<br>added {esc(d.added_at)} by '
                f"{esc(d.added_by)}</span></td>"
            ),
            _hashes_and_images(d),
            _stored(d),
            _verified(data, d),
        )
        for d in data.devices
    ]
    headers = (
        "device",
        "hashes at intake (MD5, SHA-1, SHA-256) and image",
        "hashes stored in the container",
        "last verify",
    )
    return facts + table(headers, rows, "devices")


def recovery_section(data: ReportData) -> str:
    files = [
        (
            Raw(f"<td><b>{esc(r.device)}</b></td>"),
            r.partitions,
            ", ".join(r.filesystems) or "–",
            r.files.get("allocated", 0),
            r.files.get("deleted", 0),
            r.files.get("orphan", 0),
            r.carved,
            Raw(f'<td class="num{" bad" if r.errors else ""}">{r.errors:,}</td>'),
        )
        for r in data.recovery
    ]
    first = table(
        (
            "device",
            "partitions",
            "file systems",
            "allocated files",
            "deleted files",
            "orphan files",
            "carved files",
            "errors",
        ),
        files,
        "recovery",
    )
    scanners = sorted({s for r in data.recovery for s in r.features})
    kinds = sorted({k for r in data.recovery for k in r.records})
    found = [
        (
            Raw(f"<td><b>{esc(r.device)}</b></td>"),
            *(r.features.get(s, 0) for s in scanners),
            *(r.records.get(k, 0) for k in kinds),
        )
        for r in data.recovery
    ]
    second = table(("device", *(f"{s} features" for s in scanners), *kinds), found, "recovery")
    return (
        "<h3>Volumes, file systems and files</h3>"
        + first
        + "<h3>Features found by the sweep (per scanner) and records parsed</h3>"
        + second
        + f'<p class="muted">{esc(number(len(data.recovery)))} devices. Features: every byte '
        "swept, decoders followed (see <code>export features</code>). Records: messages, "
        "contacts, accounts, events and documents parsed from allocated, deleted and carved "
        "files.</p>"
    )
