"""`crossdrive demo`: generate the scenario (cached by seed) → case create → add → process →
exports → verify → report → recovery measured against the truth, printed as a table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from crossdrive.demo.generate import generate
from crossdrive.demo.score import CATEGORIES, write_score

console = Console()


def run_demo(
    directory: Path,
    workers: int,
    seed: int = 7,
    devices: int = 8,
    scale: float = 1.0,
    generate_only: bool = False,
) -> Path:
    """Run the whole job on the demo scenario; returns the case directory (or, with
    `generate_only`, the truth file)."""
    from crossdrive.cli import app  # the same commands an examiner types, audit log included

    directory = Path(directory)
    console.print(f"[bold]demo scenario[/bold] seed={seed} devices={devices} scale={scale:g}")
    truth_path = generate(directory, seed, devices, scale, log=console.print)
    truth = json.loads(truth_path.read_text())
    console.print(
        f"{len(truth['people'])} people in {len(truth['groups'])} groups, "
        f"{len(truth['messages'])} messages, {len(truth['items'])} planted items: {truth_path}"
    )
    if generate_only:
        return truth_path
    case_dir = directory / "case"
    shutil.rmtree(case_dir, ignore_errors=True)

    def crossdrive(*args: str | Path) -> None:
        console.print(f"[dim]$ crossdrive {' '.join(map(str, args))}[/dim]")
        app([str(a) for a in args], standalone_mode=False)

    crossdrive(
        "case",
        "create",
        case_dir,
        "--name",
        f"Demo seed {seed}",
        "--examiner",
        "demo",
        "--authority",
        "DEMO-0001",
    )
    for device in truth["devices"]:
        crossdrive(
            "add", case_dir, truth_path.parent / device["images"][0], "--label", device["label"]
        )
    crossdrive("process", case_dir, "--workers", str(workers))
    exports = directory / "exports"
    crossdrive("export", case_dir, "files", "--format", "dfxml", "-o", exports / "dfxml")
    crossdrive("export", case_dir, "files", "--format", "bodyfile", "-o", exports / "body.txt")
    crossdrive("export", case_dir, "files", "--format", "csv", "-o", exports / "files.csv")
    crossdrive("verify", case_dir)
    report = directory / "report.html"  # after verify: the report shows its result
    crossdrive("report", case_dir, "-o", report)
    measured = write_score(case_dir, truth_path, directory / "score.json")
    print_score(measured)
    console.print(f"\n[bold green]demo done[/bold green]: case {case_dir}, exports {exports}")
    console.print(f"truth {truth_path}, measured {directory / 'score.json'}")
    console.print(f"report {report} (open it in a browser)")
    return case_dir


def print_score(measured: dict) -> None:
    table = Table(title="recovered / planted, per evidence state")
    columns = (
        "state",
        "items",
        "files listed",
        "content exact",
        "emails+phones",
        "national",
        "messages",
        "contact ids",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "state" else "right")
    for category in CATEGORIES:
        row = measured["recovery"][category]
        if row["file_level"]:
            listed, exact = f"{row['listed']}/{row['items']}", f"{row['content']}/{row['items']}"
        else:
            listed = exact = "-"
        found = f"{row['found']}/{row['identifiers']}"
        records = measured["artifacts"][category]
        table.add_row(
            category,
            str(row["items"]),
            listed,
            exact,
            found,
            f"{row['national_found']}/{row['national']}",
            f"{records['messages_found']}/{records['messages']}" if records["messages"] else "-",
            f"{records['contacts_found']}/{records['contacts']}" if records["contacts"] else "-",
        )
    console.print(table)
    console.print(
        "emails+phones: planted e-mail addresses and international numbers found by the sweep in"
        " the item's own bytes; national: numbers written only nationally, read as E.164 with"
        " the device's region (from its own settings) or as a number the case holds in full;"
        " messages / contact ids: planted messages and contact identifiers recovered as"
        " records by the artifact parsers"
    )
    fp = measured["filler_false_positives"]
    console.print(
        f"false positives in {measured['filler_bytes']:,} bytes of benign filler: "
        + (", ".join(f"{k} {v}" for k, v in sorted(fp.items())) or "none")
    )
    carved = measured["carved"]
    console.print(
        "carved from unallocated and unpartitioned space: "
        + (", ".join(f"{n} {what}" for what, n in carved.items()) or "nothing")
    )
    who = measured["identities"]
    console.print(
        f"identities: {who['persons']} persons from {who['identifiers_found']} of "
        f"{who['identifiers']} planted identifiers ({who['identifiers_in_records']} in records); "
        f"B-cubed over those in records: precision {who['b_cubed_precision']}, recall "
        f"{who['b_cubed_recall']}; recall over all found {who['b_cubed_recall_all']}; "
        "communication links: "
        f"{who['communication_pairs_found']}/{who['communication_pairs']} true sender-recipient "
        "pairs"
    )
    console.print(
        f"groups: NMI {who['groups_nmi']} against the true groups over "
        f"{who['group_members_found']} members found; true brokers rank "
        f"{who['broker_ranks']} of {who['persons_ranked']} by betweenness, "
        f"{who['brokers_flagged']}/{who['brokers']} flagged as brokers"
    )
    by_state = who["links_by_state"]
    console.print(
        "communication links per evidence state (true pairs found from that state's copies): "
        + ", ".join(f"{state} {r['found']}/{r['pairs']}" for state, r in by_state.items())
        + f"; mentions {who['mentions']['found']}/{who['mentions']['pairs']}"
    )
    pairs = measured["devices"]
    console.print(
        f"devices: {pairs['partner_of_the_same_group']}/{pairs['devices_with_a_partner']} score "
        "highest with a device of their owner's own group (cross-drive analysis)"
    )
    console.print(
        f"bulk senders flagged: {who['bulk_flagged']}/{who['bulk_senders']} "
        f"({who['bulk_wrongly_flagged']} flagged wrongly)"
    )
