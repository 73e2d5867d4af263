"""The crossdrive command line: parses, calls, prints. Every action on a case is audited."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from crossdrive.case import Case, CaseError

app = typer.Typer(
    help="Forensic examination of many storage media as one case.",
    no_args_is_help=True,
    add_completion=False,
)
case_app = typer.Typer(help="Create and manage cases.", no_args_is_help=True)
app.add_typer(case_app, name="case")
persons_app = typer.Typer(
    help="Persons: show, merge and split (the analyst's decisions, audited, kept across runs).",
    no_args_is_help=True,
)
app.add_typer(persons_app, name="persons")
console = Console(stderr=True)
out = Console()

CaseArg = typer.Argument(..., help="Case directory.")


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@contextmanager
def audited(case: Case, command: str, arguments: dict) -> Iterator[dict]:
    """Record the action in the case's audit log with its result, success or not."""
    outcome = {"result": "ok"}
    try:
        yield outcome
    except typer.Exit as exit_:
        if exit_.exit_code and outcome["result"] == "ok":
            outcome["result"] = f"exit {exit_.exit_code}"
        raise
    except Exception as exc:
        outcome["result"] = f"error: {type(exc).__name__}: {exc}"
        raise
    finally:
        case.audit.append(command, arguments, outcome["result"])


def open_case(path: Path) -> Case:
    try:
        return Case.open(path)
    except CaseError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def byte_progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@case_app.command("create")
def case_create(
    case_dir: Path = CaseArg,
    name: str = typer.Option(..., help="Case name."),
    examiner: str = typer.Option(..., help="Examiner responsible."),
    authority: str = typer.Option(..., help="Legal authority (warrant, order reference)."),
) -> None:
    """Create a case directory: case.json, store, audit log."""
    try:
        case = Case.create(case_dir, name, examiner, authority)
    except CaseError as exc:
        fail(str(exc))
    case.audit.append(
        "case create",
        {"case": str(case_dir), "name": name, "examiner": examiner, "authority": authority},
        "ok",
    )
    out.print(f"created case {name!r} in {case_dir}")


@app.command()
def add(
    case_dir: Path = CaseArg,
    images: list[Path] = typer.Argument(
        ..., help="Images: raw/dd, first segment of split raw (.000/.001) or of an EWF set (.E01)."
    ),
    label: str | None = typer.Option(None, help="Device label (one image only); default DEVnn."),
) -> None:
    """Add disk images as devices: hash them (MD5, SHA-1, SHA-256, one pass), record them."""
    from crossdrive.evidence.intake import add_image

    case = open_case(case_dir)
    if label and len(images) > 1:
        fail("--label names one device: give one image with it")
    if label and not label.replace("-", "").replace("_", "").isalnum():
        fail("a label holds letters, digits, '-' and '_' only")
    args = {"images": [str(p.resolve()) for p in images], "label": label}
    with audited(case, "add", args) as outcome, byte_progress() as progress:
        mismatched = []
        for image in images:
            if not image.is_file():
                fail(f"{image}: no such file")

            def start(total: int, name: str = image.name):
                task = progress.add_task(f"hashing {name}", total=total)
                return lambda n: progress.advance(task, n)

            try:
                intake = add_image(case, image, label, start)
            except CaseError as exc:
                fail(str(exc))
            out.print(
                f"{intake.label}: {image} ({intake.format}, {intake.size:,} bytes)\n"
                f"  md5 {intake.hashes['md5']}\n  sha1 {intake.hashes['sha1']}\n"
                f"  sha256 {intake.hashes['sha256']}"
            )
            if intake.duplicate_of:
                console.print(
                    f"[yellow]note:[/yellow] {intake.label} has the same content "
                    f"(SHA-256) as device {intake.duplicate_of}"
                )
            for kind, value in intake.stored.items():
                same = "matches" if intake.hashes.get(kind) == value else "[red]DIFFERS[/red]"
                out.print(f"  {kind} stored in the container {value}: {same}")
            mismatched += intake.mismatches
        if mismatched:
            outcome["result"] = "stored hash mismatch: " + "; ".join(mismatched)
            fail("hash stored in the container differs from the data:\n" + "\n".join(mismatched))


@app.command()
def process(
    case_dir: Path = CaseArg,
    workers: int = typer.Option(
        os.cpu_count() or 1, help="Local worker processes (0: all in this process, debugging)."
    ),
    cluster: str = typer.Option(
        None, help="An existing Dask scheduler, e.g. tcp://HOST:8786 (case on shared storage)."
    ),
    worker_memory: str = typer.Option(
        "auto",
        help="Each local worker's memory limit (e.g. 4GiB; auto: the machine's memory / "
        "workers). A worker past 95 % of it is restarted and its task retried once.",
    ),
) -> None:
    """Run every stage on every device: volumes, file systems, sweep, carving, content and
    artifacts, then entities and the graph. Resumable: run it again after a kill."""
    if workers > 0 and not cluster:  # local workers: their fork server loads meanwhile
        from crossdrive.pipeline import forkserver

        forkserver.start()
    from rich.live import Live

    from crossdrive.pipeline.run import process as run_process

    case = open_case(case_dir)
    arguments = {"workers": workers, "cluster": cluster, "worker_memory": worker_memory}
    with (
        audited(case, "process", arguments),
        Live(console=console, refresh_per_second=1, transient=False) as live,
    ):
        shown = [0.0]

        # Redrawn once a second, and at the end: rendering the table of every stage and device
        # takes ~55 ms, a fifth of a core at 4 a second, taken from the workers.
        def redraw(progress) -> None:
            if time.monotonic() - shown[0] > 1.0 or progress.state != "running":
                shown[0] = time.monotonic()
                live.update(progress_table(progress.as_dict()))

        run_process(case, workers, cluster, redraw, worker_memory)
    print_status(case)


def _size(value: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    return str(value)


def progress_table(report: dict) -> Table:
    """Per stage and device: tasks done/left, bytes, rate, ETA, errors so far, and the
    largest resident size of a worker running the stage (memory)."""
    title = f"run {report['state']} (workers {report['workers']}"
    title += f", cluster {report['cluster']})" if report.get("cluster") else ")"
    table = Table(title=title)
    columns = ("stage", "device", "tasks", "left", "bytes", "rate", "ETA", "errors", "memory")
    for column in columns:
        table.add_column(column, justify="left" if column in ("stage", "device") else "right")
    for stage in report["stages"]:
        devices = stage["devices"]
        rows = [("all", stage)] + (list(devices.items()) if len(devices) > 1 else [])
        for device, counts in rows:
            whole = device == "all"
            eta = stage["eta_s"] if whole and not stage["finished"] else None
            table.add_row(
                stage["stage"] if whole else "",
                device if not whole or len(devices) != 1 else next(iter(devices)),
                f"{counts['done']:,}/{counts['tasks']:,}",
                f"{counts['tasks'] - counts['done']:,}",
                _size(counts["bytes_done"]) if counts["bytes"] else "",
                f"{_size(stage['bytes_per_s'])}/s" if whole and stage["bytes_per_s"] else "",
                f"{eta:,.0f} s" if eta is not None else ("done" if stage["finished"] else ""),
                f"{counts['errors']:,}",
                _size(counts["peak_memory"]) if whole and counts.get("peak_memory") else "",
            )
    return table


def print_status(case: Case) -> None:
    """Per device: format, size, then what processing recovered (store/summary.py)."""
    from crossdrive.store.summary import recovery

    with case.connect(read_only=True) as con:
        rows = con.execute("SELECT label, format, size FROM devices").fetchall()
        media = {label: (fmt, size) for label, fmt, size in rows}
        found = recovery(con)
    table = Table(title=f"case {case.info['name']}")
    columns = ("device", "format", "bytes", "file systems", "allocated", "deleted", "orphan")
    columns += ("features", "carved", "messages", "contacts", "documents", "errors")
    width = max((len(r.device) for r in found), default=6)
    for column in columns:
        if column == "device":  # labels are never cut, however narrow the terminal
            table.add_column(column, no_wrap=True, min_width=width)
        else:
            table.add_column(column, justify="left" if column == "format" else "right")
    for r in found:
        fmt, size = media[r.device]
        counts = (
            size,
            len(r.filesystems),
            r.files.get("allocated", 0),
            r.files.get("deleted", 0),
            r.files.get("orphan", 0),
            sum(r.features.values()),
            r.carved,
            r.records["messages"],
            r.records["contacts"],
            r.records["documents"],
            r.errors,
        )
        table.add_row(r.device, fmt, *(f"{v:,}" for v in counts))
    out.print(table)


@app.command()
def status(
    case_dir: Path = CaseArg,
    as_json: bool = typer.Option(False, "--json", help="One JSON object, for scripts."),
) -> None:
    """The run's progress per stage and device (also while `process` runs, from another
    terminal), then per-device counts: file systems, files, features, carved files, records,
    errors."""
    import duckdb

    from crossdrive.pipeline.progress import read

    case = open_case(case_dir)
    report = read(case.root)
    if as_json:
        typer.echo(json.dumps({"case": case.info, "run": report}, ensure_ascii=False))
        return
    if report:
        out.print(progress_table(report))
    try:
        print_status(case)
    except duckdb.IOException:  # the running process holds the store: progress is all there is
        out.print("(the store is busy: counts appear when the run has finished)")


@app.command()
def verify(case_dir: Path = CaseArg) -> None:
    """Re-hash every image and check the audit chain; exit 1 and say what differs."""
    from crossdrive.evidence.intake import verify_devices

    case = open_case(case_dir)
    problems = case.audit.verify()  # before this run adds its own entry
    with audited(case, "verify", {}) as outcome, byte_progress() as progress:

        def start(total: int):
            task = progress.add_task("re-hashing", total=total)
            return lambda n: progress.advance(task, n)

        problems += verify_devices(case, start)
        if problems:
            outcome["result"] = "FAILED: " + "; ".join(problems)
            for problem in problems:
                console.print(f"[red]MISMATCH[/red] {problem}")
            raise typer.Exit(1)
    out.print("verified: every image matches its recorded hashes; the audit chain is intact")


EXPORTS = {
    ("files", "dfxml"),
    ("files", "bodyfile"),
    ("files", "csv"),
    ("features", "bulk_extractor"),
    ("features", "jsonl"),
    ("timeline", "jsonl"),
    ("timeline", "bodyfile"),
    ("persons", "jsonl"),
    ("links", "jsonl"),
    ("graph", "graphml"),
    ("graph", "gexf"),
    ("graph", "csv"),
}


@app.command()
def export(
    case_dir: Path = CaseArg,
    what: str = typer.Argument(..., help="files | features | timeline | persons | links | graph"),
    fmt: str = typer.Option(
        ...,
        "--format",
        help="files: dfxml | bodyfile | csv; features: bulk_extractor | jsonl; "
        "timeline: jsonl (Timesketch) | bodyfile; persons, links: jsonl; "
        "graph: graphml | gexf | csv (a directory: nodes.csv, edges.csv)",
    ),
    output: Path = typer.Option(
        ..., "-o", "--output", help="Output file (a directory: dfxml, bulk_extractor, graph csv)."
    ),
) -> None:
    """Export in the formats other tools read: DFXML per device, mactime bodyfile, CSV;
    bulk_extractor feature files and histograms; JSON lines; a Timesketch timeline; persons
    and links as JSON lines; the person graph as GraphML, GEXF (Gephi) or CSV tables."""
    from crossdrive.exports import bodyfile, csvfile, dfxml, features, graph, timeline
    from crossdrive.paths import safe_name

    if (what, fmt) not in EXPORTS:
        fail(
            f"unknown export {what} --format {fmt}; known: "
            + ", ".join(f"{w} --format {f}" for w, f in sorted(EXPORTS))
        )
    case = open_case(case_dir)
    arguments = {"what": what, "format": fmt, "output": str(output)}
    with audited(case, "export", arguments), case.connect(read_only=True) as con:
        if fmt == "dfxml":
            output.mkdir(parents=True, exist_ok=True)
            for device in case.device_labels():
                target = output / f"{safe_name(device)}.xml"
                n = dfxml.write_device(con, device, target)
                out.print(f"{target}: {n:,} fileobjects")
        elif (what, fmt) == ("graph", "csv"):
            n = graph.write_csv(con, output)
            out.print(f"{output}: nodes.csv, edges.csv ({n:,} persons)")
        elif fmt == "bulk_extractor":
            output.mkdir(parents=True, exist_ok=True)
            n = features.write_bulk_extractor(con, output)
            out.print(f"{output}: {n:,} features")
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            writer = {
                ("files", "bodyfile"): bodyfile.write,
                ("files", "csv"): csvfile.write,
                ("features", "jsonl"): features.write_jsonl,
                ("timeline", "jsonl"): timeline.write_jsonl,
                ("timeline", "bodyfile"): timeline.write_bodyfile,
                ("persons", "jsonl"): graph.write_persons,
                ("links", "jsonl"): graph.write_links,
                ("graph", "graphml"): graph.write_graphml,
                ("graph", "gexf"): graph.write_gexf,
            }
            n = writer[what, fmt](con, output)
            out.print(f"{output}: {n:,} entries")


@app.command()
def report(
    case_dir: Path = CaseArg,
    output: Path | None = typer.Option(
        None, "-o", "--output", help="HTML file to write (default: CASE/report.html)."
    ),
    max_persons: int = typer.Option(
        300, min=1, help="Most persons drawn in the graph (those with the highest PageRank)."
    ),
) -> None:
    """Write the case report: one self-contained HTML file that opens offline. Case and
    evidence hashes, recovery per device, the person graph drawn (groups coloured, brokers
    ringed), each group, the brokers, device similarity, every link's evidence, bulk senders."""
    from crossdrive.report import write_report

    case = open_case(case_dir)
    output = output or case.root / "report.html"
    arguments = {"output": str(output), "max_persons": max_persons}
    with audited(case, "report", arguments):
        written = write_report(case, output, max_persons)
    out.print(
        f"{written.path}: {written.persons_drawn:,} of {written.persons_linked:,} linked persons "
        f"drawn, {written.groups:,} groups, {written.links:,} links, {written.size:,} bytes"
    )


def _marked(snippet_html: str) -> str:
    """A tantivy snippet (HTML, matches in <b>) as rich markup, its text escaped."""
    import html

    from rich.markup import escape

    from crossdrive.exports.rows import escape_controls

    parts = snippet_html.replace("</b>", "<b>").split("<b>")
    return "".join(
        f"[bold]{escape(text)}[/bold]" if n % 2 else escape(text)
        for n, text in enumerate(escape_controls(html.unescape(p)) for p in parts)
    )


@app.command()
def search(
    case_dir: Path = CaseArg,
    query: str = typer.Argument(..., help='Words, "phrases", AND/OR/NOT, device:DEV01 …'),
    limit: int = typer.Option(20, help="Most hits shown."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per hit."),
) -> None:
    """Full-text search of message bodies and document text, with where each hit lies."""
    import json
    from dataclasses import asdict

    from crossdrive import fulltext

    case = open_case(case_dir)
    folder = case.root / "index"
    if not (folder / "built-from").exists():
        fail("no full-text index yet: run `crossdrive process` first")
    with audited(case, "search", {"query": query, "limit": limit}):
        hits = list(fulltext.search(folder, query, limit))
    if as_json:
        for hit in hits:
            typer.echo(json.dumps(asdict(hit), ensure_ascii=False))
        return
    table = Table(title=f"{len(hits)} hits for {query!r}")
    for column in ("score", "device", "state", "path / offset", "artifact", "time", "snippet"):
        table.add_column(column)
    for hit in hits:
        where = f"{hit.path or '(no path)'}\n@{hit.offset} {hit.chain or ''}"
        snippet = _marked(hit.snippet)
        table.add_row(
            f"{hit.score:.2f}", hit.device, hit.state, where, hit.artifact, hit.time or "", snippet
        )
    out.print(table)


@app.command()
def demo(
    directory: Path = typer.Argument(Path("demo-out"), help="Where to build and process."),
    workers: int = typer.Option(os.cpu_count() or 1, help="Local worker processes."),
    seed: int = typer.Option(7, help="Scenario seed: the same seed gives the same scenario."),
    devices: int = typer.Option(8, min=1, max=10, help="Number of devices (images)."),
    scale: float = typer.Option(1.0, min=0.1, help="Multiplies the number of messages."),
    generate_only: bool = typer.Option(False, help="Stop after building the images."),
) -> None:
    """Generate the synthetic multi-device scenario (with truth.json), run the whole job on it,
    and measure what was recovered against the truth."""
    from crossdrive.demo.run import run_demo

    run_demo(directory, workers, seed, devices, scale, generate_only)


def _person_values(con, given: list[str]) -> dict[str, list[str]]:
    """Each argument (a person id or an identifier in its normal form) -> the identifiers it
    stands for now; an unknown one fails."""
    found = {}
    for item in given:
        rows = con.execute(
            "SELECT value FROM person_identifiers WHERE person = ? OR value = ? ORDER BY value",
            [item, item],
        ).fetchall()
        if not rows:
            fail(f"{item}: no such person or identifier (`crossdrive persons show CASE`)")
        found[item] = [value for (value,) in rows]
    return found


PersonsArg = typer.Argument(..., help="Person ids (p-…) or identifiers (normal form).")
ReasonOpt = typer.Option(..., "--reason", help="Why: recorded with the decision.")


@persons_app.command("merge")
def persons_merge(case_dir: Path = CaseArg, items: list[str] = PersonsArg, reason: str = ReasonOpt):
    """Make one person of the persons (or identifiers) given."""
    from crossdrive.pipeline.derive import derive

    case = open_case(case_dir)
    with audited(case, "persons merge", {"items": items, "reason": reason}) as outcome:
        with case.connect(read_only=True) as con:
            values = sorted({v for vs in _person_values(con, items).values() for v in vs})
        decision = case.decide("merge", values, reason)
        derive(case)
        outcome["result"] = f"ok: decision {decision['number']}"
    _show_person(case, values[0])


@persons_app.command("split")
def persons_split(case_dir: Path = CaseArg, items: list[str] = PersonsArg, reason: str = ReasonOpt):
    """Take the identifiers given out of their person: they become a person of their own and no
    evidence merge joins them again (until a later `merge`)."""
    from crossdrive.pipeline.derive import derive

    case = open_case(case_dir)
    with audited(case, "persons split", {"items": items, "reason": reason}) as outcome:
        with case.connect(read_only=True) as con:
            values = sorted({v for vs in _person_values(con, items).values() for v in vs})
            owners = con.execute(
                "SELECT DISTINCT person FROM person_identifiers WHERE list_contains(?, value)",
                [values],
            ).fetchall()
            rest = con.execute(
                "SELECT value FROM person_identifiers WHERE list_contains(?, person) "
                "AND NOT list_contains(?, value) ORDER BY value",
                [[p for (p,) in owners], values],
            ).fetchall()
        if not rest:
            fail("nothing to split: those are all the identifiers of their person")
        decision = case.decide("split", values, reason, apart_from=[v for (v,) in rest])
        derive(case)
        outcome["result"] = f"ok: decision {decision['number']}"
    _show_person(case, values[0])
    _show_person(case, rest[0][0])


def _show_person(case: Case, value: str) -> None:
    with case.connect(read_only=True) as con:
        row = con.execute(
            "SELECT p.id, p.name, p.devices, p.community, p.degree, p.betweenness, p.broker, "
            "p.bulk, p.evidence FROM persons p JOIN person_identifiers i ON i.person = p.id "
            "WHERE i.value = ?",
            [value],
        ).fetchone()
        if row is None:
            return
        pid, name, devices, community, degree, betweenness, broker, bulk_, evidence = row
        identifiers = con.execute(
            "SELECT kind, value FROM person_identifiers WHERE person = ? ORDER BY kind, value",
            [pid],
        ).fetchall()
    table = Table(title=f"{pid} {name or ''}".strip(), show_header=False)
    table.add_row("identifiers", "\n".join(f"{k}: {v}" for k, v in identifiers))
    table.add_row("devices", ", ".join(devices or []))
    table.add_row(
        "group",
        f"{community or '-'}  degree {degree or 0}  betweenness "
        f"{betweenness or 0:.4f}{'  BROKER' if broker else ''}{'  BULK' if bulk_ else ''}",
    )
    for because in json.loads(evidence or "[]"):
        where = because.get("path") or because.get("examiner") or ""
        table.add_row(because["reason"], f"{', '.join(because.get('identifiers', []))} {where}")
    out.print(table)


@persons_app.command("show")
def persons_show(case_dir: Path = CaseArg, items: list[str] = PersonsArg):
    """A person's identifiers, devices, scores and why its identifiers were merged."""
    case = open_case(case_dir)
    with case.connect(read_only=True) as con:
        values = _person_values(con, items)
    for first, *_ in values.values():
        _show_person(case, first)


if __name__ == "__main__":
    app()
