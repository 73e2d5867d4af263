"""The page's look and its one small script, inline, so the report is a single file that opens
offline: system fonts only, no web fonts, no CDN."""

# The graph's own faint background: a colour nothing else on the page uses, so a screenshot
# shows where the graph is (the Chromium test finds it by this colour).
GRAPH_BACKGROUND = "#fbfcfe"

CSS = (
    """
:root { --ink: #1d2330; --muted: #6b7280; --line: #e5e7eb; --accent: #1f4e79;
        --paper: #fff; --shade: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--shade);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
             sans-serif; }
code, .hash, .pid { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
                    font-size: 12px; }
.hash { word-break: break-all; }
header.top { background: var(--accent); color: #fff; padding: 16px 28px 14px 268px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header.top .meta { display: flex; flex-wrap: wrap; gap: 4px 22px; font-size: 13px;
                   opacity: .92; }
header.top .meta b { font-weight: 600; }
nav.toc { position: fixed; top: 0; left: 0; bottom: 0; width: 240px; overflow-y: auto;
          background: #fff; border-right: 1px solid var(--line); padding: 18px 16px; }
nav.toc .brand { font-weight: 700; color: var(--accent); letter-spacing: .02em; }
nav.toc .brand small { display: block; font-weight: 400; color: var(--muted); }
nav.toc ol { padding-left: 20px; margin: 14px 0; }
nav.toc li { margin: 6px 0; }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { color: var(--accent); text-decoration: underline; }
main { margin-left: 240px; padding: 8px 28px 60px; max-width: 1260px; }
section.part { background: var(--paper); border: 1px solid var(--line); border-radius: 6px;
               padding: 6px 22px 18px; margin: 18px 0; }
h2 { font-size: 18px; margin: 14px 0 8px; color: var(--accent); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.lead { margin: 4px 0 10px; }
.muted { color: var(--muted); }
.ok { color: #16794a; font-weight: 600; }
.bad { color: #b3261e; font-weight: 700; }
.yes { color: #111; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
         border-bottom: 1px solid var(--line); }
thead th { background: var(--shade); font-weight: 600; font-size: 12px; color: #374151;
           position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts { width: auto; } table.facts td:first-child { color: var(--muted); }
table.facts thead { display: none; }
table.hashes { margin: 0; width: auto; }
table.hashes th, table.hashes td { border: 0; padding: 0 6px 0 0; background: none;
  font-size: 12px; position: static; white-space: nowrap; }
table.hashes td { white-space: normal; }
table.devices td:first-child, table.recovery td:first-child { white-space: nowrap; }
.pid { color: var(--muted); white-space: nowrap; font-size: 11px; }
table.members { table-layout: fixed; }
table.members th:nth-child(1) { width: 27%; } table.members th:nth-child(2) { width: 31%; }
table.members th:nth-child(3) { width: 24%; } table.members th:nth-child(4) { width: 7%; }
table.members th:nth-child(5) { width: 8%; } table.members th:nth-child(6) { width: 7%; }
table.members td { overflow-wrap: anywhere; }
.image { margin-top: 4px; font-size: 12px; color: var(--muted); }
.image code { color: var(--ink); word-break: break-all; }
ul.ids, ul.paths { list-style: none; margin: 0; padding: 0; }
ul.ids .kind { color: var(--muted); font-size: 11px; }
.figure { overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
.graph-figure { background: GRAPH_BACKGROUND; }
svg.graph { display: block; width: 100%; height: auto; margin: 0 auto; }
svg.graph text { font-size: 12px; fill: #1d2330; paint-order: stroke; stroke: #fff;
                 stroke-width: 3px; stroke-linejoin: round; pointer-events: none; }
svg.graph text.cluster-label { font-size: 13px; font-weight: 700; stroke-width: 4px; }
svg.graph .broker text { font-weight: 700; }
svg.graph .edge { cursor: pointer; }
svg.graph.dim .node:not(.hot) { opacity: .18; }
svg.graph.dim .edge:not(.hot) { opacity: .06; }
svg.heat text { font-size: 12px; }
svg.heat text.row, svg.heat text.col { font-weight: 600; fill: #374151; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 14px;
            margin: 8px 0; }
.chip { display: inline-flex; align-items: center; gap: 5px; color: var(--ink);
        text-decoration: none; font-weight: 600; }
.dot { display: inline-block; width: 12px; height: 12px; border-radius: 50%; }
.ring { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
        border: 2.5px solid #111; vertical-align: -2px; }
.star { color: #b8860b; }
section.group { border-top: 1px solid var(--line); padding-top: 4px; }
details { margin: 4px 0; }
details > summary { cursor: pointer; padding: 3px 0; }
details.pair { border: 1px solid var(--line); border-radius: 4px; padding: 2px 10px;
               margin: 6px 0; background: #fcfcfd; }
details.pair details { margin-left: 14px; }
.kind-tag { display: inline-block; background: #eef2f7; border-radius: 3px; padding: 0 6px;
            font-size: 12px; color: #334155; }
table.evidence { font-size: 12px; } table.evidence td { white-space: nowrap; }
table.evidence td.path { white-space: normal; word-break: break-all; }
button { font: inherit; font-size: 12px; padding: 1px 8px; cursor: pointer; }
:target { outline: 2px solid #f59e0b; outline-offset: 2px; }
@media print { nav.toc { display: none; } main, header.top { margin-left: 0; padding-left: 20px; }
               section.part { break-inside: avoid-page; } }
"""
).replace("GRAPH_BACKGROUND", GRAPH_BACKGROUND)

# Hovering a person dims everyone but its neighbours; the button opens or closes every link.
SCRIPT = """
(function () {
  var svg = document.querySelector('svg.graph');
  if (svg) {
    var edges = svg.querySelectorAll('.edge');
    svg.querySelectorAll('.node').forEach(function (node) {
      node.addEventListener('mouseenter', function () {
        var id = node.getAttribute('data-id'), near = {};
        near[id] = true;
        edges.forEach(function (e) {
          var a = e.getAttribute('data-a'), b = e.getAttribute('data-b');
          if (a === id || b === id) { near[a] = near[b] = true; e.classList.add('hot'); }
        });
        svg.querySelectorAll('.node').forEach(function (n) {
          if (near[n.getAttribute('data-id')]) n.classList.add('hot');
        });
        svg.classList.add('dim');
      });
      node.addEventListener('mouseleave', function () {
        svg.classList.remove('dim');
        svg.querySelectorAll('.hot').forEach(function (n) { n.classList.remove('hot'); });
      });
    });
  }
  document.querySelectorAll('button[data-toggle]').forEach(function (button) {
    button.addEventListener('click', function () {
      var all = document.querySelectorAll('#links-list details.pair');
      var open = button.textContent.indexOf('expand') === 0;
      all.forEach(function (d) { d.open = open; });
      button.textContent = open ? 'collapse all' : 'expand all';
    });
  });
  function openTarget() {  // a link to a pair's evidence opens it
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') target.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
"""
