"""`crossdrive report`: one self-contained HTML file, drawn from a real processed case.

The case is an ext4 image holding one mbox written by three cells of people with a broker
between two of them; the names in it are hostile (markup, a bidi override) and so is the
folder it lies in, because evidence is. The report must show every device hash, every group
with its members, the brokers marked, each link's evidence offsets, reference nothing outside
itself, escape everything, come out the same twice, and show the graph in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crossdrive.demo import builders
from crossdrive.demo.builders import MIB
from crossdrive.report.markup import PALETTE
from crossdrive.report.style import GRAPH_BACKGROUND
from tests.helpers import crossdrive, new_case, query

HOSTILE_NAME = "<script>alert(1)</script>"
BIDI_NAME = "Eve invoice\u202efdp.exe"
HOSTILE_FOLDER = "home/u/<img src=x onerror=alert(1)>"
CELLS = {  # cell -> its people's display names (addresses a1@, a2@ …); a1 and b1 bridge two
    "a": ["Ana Silva", HOSTILE_NAME, "Artur Lima", "Alda Reis"],
    "b": ["Борис Петров", BIDI_NAME, "Bruno Costa", "Bea Nunes"],
    "c": ["Χρήστος Παππάς", "سارا احمدی", "Carla Dias"],
}


def address(cell: str, n: int) -> str:
    return f"{cell}{n + 1}@example.org"


def mbox() -> bytes:
    """Every pair inside a cell writes three times each way; a1 and b1 (the broker) twice."""
    pairs = []
    for cell, names in CELLS.items():
        for i in range(len(names)):
            for j in range(len(names)):
                if i != j:
                    pairs += [(cell, i, cell, j)] * 3
    pairs += [("a", 0, "b", 0), ("b", 0, "a", 0)]
    start = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    messages = []
    for n, (fc, fi, tc, ti) in enumerate(pairs):
        sender, recipient = address(fc, fi), address(tc, ti)
        messages.append(
            f"From {sender} Fri Mar  1 09:00:00 2024\n"
            f'From: "{CELLS[fc][fi]}" <{sender}>\n'
            f'To: "{CELLS[tc][ti]}" <{recipient}>\n'
            f"Subject: note {n}\n"
            f"Date: {format_datetime(start + timedelta(hours=n))}\n"
            f"Message-ID: <m{n}@example.org>\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            f"message {n}\n\n"
        )
    return "".join(messages).encode()


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    image = builders.ext4(root / "mail.img", 16 * MIB, {f"{HOSTILE_FOLDER}/Inbox.mbox": mbox()})
    return new_case(root, {"MAIL": image}, workers=1)


@pytest.fixture(scope="module")
def report(case_dir) -> str:
    crossdrive("verify", case_dir)
    output = crossdrive("report", case_dir)
    assert "report.html" in output
    return (case_dir / "report.html").read_text(encoding="utf-8")


def test_every_device_hash_and_the_verify_result_are_shown(case_dir, report):
    devices = query(case_dir, "SELECT label, md5, sha1, sha256 FROM devices")
    assert devices
    for label, *hashes in devices:
        assert label in report
        for value in hashes:
            assert value in report
    assert "Case and evidence" in report and "images verified" in report
    entry = json.loads((case_dir / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["command"] == "report" and entry["result"] == "ok"


def test_every_group_with_its_members_and_the_broker_marked(case_dir, report):
    groups = query(case_dir, "SELECT id, members FROM communities")
    names = dict(query(case_dir, "SELECT id, name FROM persons"))
    assert len([g for g, members in groups if len(members) >= 3]) >= 3
    for group, members in groups:
        assert f'id="group-{group}"' in report
        for member in members:
            assert f'id="person-{member}"' in report
            shown = escape(names[member]).replace("\u202e", "\\u202e")
            assert shown in report, names[member]
    brokers = [pid for (pid,) in query(case_dir, "SELECT id FROM persons WHERE broker")]
    assert brokers
    for pid in brokers:
        assert f'<g class="node broker" data-id="{pid}">' in report
    assert {names[pid] for pid in brokers} == {"Ana Silva", "Борис Петров"}  # a1 and b1


def test_the_graph_has_a_node_per_person_drawn_and_an_edge_per_pair(case_dir, report):
    linked = query(
        case_dir,
        "SELECT count(*) FROM persons WHERE NOT coalesce(bulk, false) AND id IN "
        "(SELECT source FROM links UNION SELECT target FROM links)",
    )[0][0]
    pairs = query(
        case_dir,
        "SELECT count(DISTINCT (least(source, target), greatest(source, target))) FROM links",
    )[0][0]
    svg = re.search(r'<svg class="graph".*?</svg>', report).group()
    assert linked == sum(len(names) for names in CELLS.values())
    assert len(re.findall(r'<g class="node( broker)?" data-id=', svg)) == linked
    assert len(re.findall(r'<line class="edge"', svg)) == pairs


def test_each_link_shows_its_evidence_offsets(case_dir, report):
    links = query(case_dir, "SELECT source, target, evidence FROM links ORDER BY weight DESC")
    assert links
    for source, target, evidence in links:
        a, b = sorted((source, target))
        details = re.search(
            f'<details class="pair" id="pair-{a}-{b}">.*?</details></details>', report, re.S
        )
        assert details, (a, b)
        for item in json.loads(evidence):
            assert f"<code>{item['offset']}</code>" in details.group()
            assert escape(item["path"]) in details.group()


def test_hostile_strings_are_escaped_and_nothing_outside_is_referenced(report):
    assert HOSTILE_NAME not in report and "<img src=x" not in report
    assert escape(HOSTILE_NAME) in report and escape(HOSTILE_FOLDER) in report
    assert "\u202e" not in report and "invoice\\u202efdp.exe" in report
    assert report.count("<script>") == 1  # the page's own
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", report, re.I)
    assert external == []
    assert "@import" not in report and "url(" not in report


def test_a_large_graph_is_cut_to_whole_groups_and_says_so(case_dir, tmp_path):
    output = crossdrive("report", case_dir, "--max-persons", 5, "-o", tmp_path / "top.html")
    assert "4 of 11 linked persons drawn" in " ".join(output.split())  # rich wraps at any width
    page = (tmp_path / "top.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg class="graph".*?</svg>', page).group()
    drawn = set(re.findall(r'<g class="node(?: broker)?" data-id="([^"]+)"', svg))
    best = query(
        case_dir,
        "SELECT members FROM communities ORDER BY (SELECT max(pagerank) FROM persons "
        "WHERE community = communities.id) DESC LIMIT 1",
    )[0][0]
    assert drawn == set(best)  # the group with the highest PageRank, whole
    assert "4 persons with links drawn of 11: whole groups" in page


def test_the_same_case_gives_the_same_report(case_dir, report, tmp_path):
    crossdrive("report", case_dir, "-o", tmp_path / "again.html")
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == report


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_headless_chromium_shows_the_graph(case_dir, report, tmp_path):
    browser = chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is needed in CI (Makefile APT_PKGS)")
        pytest.skip("chromium not installed")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1400,1000",
            (case_dir / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 10_000
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    rows, columns = np.nonzero((pixels == rgb(GRAPH_BACKGROUND)).all(axis=2))
    assert rows.size, "the graph's background is not on screen"
    graph = pixels[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    assert graph.shape[0] > 200 and graph.shape[1] > 300, graph.shape
    seen = {colour: int((np.abs(graph - rgb(colour)) <= 3).all(axis=2).sum()) for colour in PALETTE}
    assert len([colour for colour, count in seen.items() if count >= 40]) >= 3, seen


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
