"""The interactive HTML network: one self-contained page (vis-network from pyvis, inlined) that opens
from disk with no network access.

Why it is built this way:

- The nodes, edges and options are the dicts pyvis would assemble (built directly, without importing
  pyvis, which is slow to import), and pyvis's bundled vis-network JS/CSS is inlined; its own page
  template is not used because it pulls Bootstrap and tom-select from CDNs. The small search box,
  type filter, legend and details panel are plain JS in :data:`_TEMPLATE`.
- Everything that comes from the input (names, aliases, file names, evidence sentences) reaches the page
  only as JSON inside a script block, escaped so that it cannot close the block, and is put into the DOM
  with ``textContent``: tooltips are DOM elements, never HTML strings.
- The output is a pure function of the graph (sorted data, fixed layout seed, no ids or dates), so two
  builds of the same input give byte-identical files.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import click
from jinja2 import Environment, select_autoescape

from ..atomic import write_text
from ..model import SYMMETRIC_RELATIONS, Edge, KnowledgeGraph, Node
from ..resources.gazetteer import gazetteer

# Flags for opening a kg.html page in headless Chromium with no network at all (no sandbox as root,
# no background requests to Google's hosts): used by scripts/screenshot.py and the browser tests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# type -> (colour, vis-network shape, label shown in the legend)
TYPE_STYLE: dict[str, tuple[str, str, str]] = {
    "Park": ("#1f77b4", "diamond", "Park 园区"),
    "Company": ("#ff7f0e", "dot", "Company 企业"),
    "University": ("#9467bd", "triangle", "University 高校"),
    "Institute": ("#2ca02c", "square", "Institute 研究机构"),
    "Government": ("#d62728", "star", "Government 政府"),
    "Project": ("#bcbd22", "triangleDown", "Project 项目"),
    "Person": ("#8c564b", "hexagon", "Person 人物"),
}
_OTHER_STYLE = ("#7f7f7f", "dot", "")

RELATION_COLOR: dict[str, str] = {
    "locatedIn": "#6baed6",
    "partOf": "#9e9e9e",
    "cooperatesWith": "#74c476",
    "establishedBy": "#b39ddb",
    "undertakes": "#fdae6b",
    "worksFor": "#e57373",
}
_OTHER_RELATION_COLOR = "#bdbdbd"
# The edge legend's labels, bilingual as the node legend's (the Chinese of the ontology's rdfs:label)
RELATION_LABEL: dict[str, str] = {
    "locatedIn": "locatedIn 位于",
    "partOf": "partOf 隶属于",
    "cooperatesWith": "cooperatesWith 合作",
    "establishedBy": "establishedBy 由…设立",
    "undertakes": "undertakes 承担",
    "worksFor": "worksFor 任职于",
}
# Graphs up to this many entities get their nodes pulled apart after the layout so that no two
# labels overlap (quadratic in n; a bigger graph is an overview where only the hubs' labels show).
_SEPARATE_MAX = 600
# Above 60 entities only the best-connected are kept clear of each other's labels, and the other
# labels are drawn once the user zooms in (vis-network's drawThreshold): all of them would make the
# fitted view too small to read.
_SMALL = 60
_LABELLED = 40

_MAX_EVIDENCE = 3  # evidence sentences carried per edge into the page
_MAX_LIST = 12  # aliases / files carried per node (the count of the rest is kept)
_FONT = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif'


class VizError(Exception):
    """A problem the user can fix (missing graph file, unknown --focus name); the message says how."""


# ----------------------------------------------------------------------------------------------
# Choosing what to draw


def _norm(name: str) -> str:
    """Names are matched as the contract compares them (NFKC, no white space), and case-blind."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def degrees(graph: KnowledgeGraph) -> dict[str, int]:
    deg = {n.id: 0 for n in graph.nodes}
    for e in graph.edges:
        if e.head in deg:
            deg[e.head] += 1
        if e.tail in deg:
            deg[e.tail] += 1
    return deg


def _subgraph(graph: KnowledgeGraph, keep: set[str]) -> KnowledgeGraph:
    return KnowledgeGraph(
        nodes=[n for n in graph.nodes if n.id in keep],
        edges=[e for e in graph.edges if e.head in keep and e.tail in keep],
        articles=graph.articles,
    )


def top_nodes(graph: KnowledgeGraph, max_nodes: int, must_keep: Iterable[str] = ()) -> KnowledgeGraph:
    """The ``max_nodes`` best-connected entities (ties: more mentions, then id) and the edges among them."""
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    if len(graph.nodes) <= max_nodes:
        return graph
    deg = degrees(graph)
    keep = [i for i in must_keep if i in deg][:max_nodes]
    ranked = sorted(graph.nodes, key=lambda n: (-deg[n.id], -n.mentions, n.id))
    chosen = set(keep)
    for n in ranked:
        if len(chosen) >= max_nodes:
            break
        chosen.add(n.id)
    return _subgraph(graph, chosen)


def known_names(node: Node) -> list[str]:
    """Every name a node is known by: its name, aliases and, for a gazetteer entity, every name of its
    entry (short, former, alias), so a user may name it in any of them."""
    names = [node.name, *node.aliases]
    entry = gazetteer().entries.get(node.gazetteer) if node.gazetteer else None
    if entry is not None:
        names += [n for n in entry.names if n not in names]
    return names


def find_nodes(graph: KnowledgeGraph, name: str) -> list[Node]:
    """Every node known by ``name`` (:func:`known_names`; NFKC, white space and case ignored), or by
    its simplified spelling."""
    key = _norm(name)
    found = [n for n in graph.nodes if key and any(_norm(x) == key for x in known_names(n))]
    if not found and key:
        import zhconv  # a name typed in traditional characters: the graph's names are simplified

        simplified = _norm(zhconv.convert(name, "zh-cn"))
        if simplified != key:
            found = [n for n in graph.nodes if any(_norm(x) == simplified for x in known_names(n))]
    return found


def close_matches(graph: KnowledgeGraph, name: str, limit: int = 8) -> list[Node]:
    """Nodes a user probably meant: names containing the query (or contained in it), then similar ones."""
    key = _norm(name)
    if not key:
        return []
    forms: dict[str, list[Node]] = defaultdict(list)
    for n in graph.nodes:
        for x in known_names(n):
            forms[_norm(x)].append(n)
    found: list[Node] = []

    def add(nodes: Iterable[Node]) -> None:
        for n in nodes:
            if n not in found and len(found) < limit:
                found.append(n)

    contained = sorted((f for f in forms if key in f or f in key), key=lambda f: (abs(len(f) - len(key)), f))
    for f in contained:
        add(forms[f])
    for f in difflib.get_close_matches(key, sorted(forms), n=limit, cutoff=0.5):
        add(forms[f])
    return found


def neighbourhood(graph: KnowledgeGraph, seeds: Iterable[str], hops: int) -> KnowledgeGraph:
    """The entities within ``hops`` relations of the seeds (either direction) and the edges among them."""
    adj: dict[str, set[str]] = defaultdict(set)
    for e in graph.edges:
        adj[e.head].add(e.tail)
        adj[e.tail].add(e.head)
    dist: dict[str, int] = {}
    queue: deque[str] = deque()
    for s in seeds:
        if s not in dist:
            dist[s] = 0
            queue.append(s)
    while queue:
        cur = queue.popleft()
        if dist[cur] >= hops:
            continue
        for nxt in sorted(adj[cur]):
            if nxt not in dist:
                dist[nxt] = dist[cur] + 1
                queue.append(nxt)
    return _subgraph(graph, set(dist))


# ----------------------------------------------------------------------------------------------
# Rendering


@dataclass
class PageInfo:
    title: str
    subtitle: str = ""
    note: str = ""  # shown in a notice bar, e.g. when --max-nodes dropped entities
    focus: tuple[str, ...] = ()  # node ids drawn highlighted


def _js_json(obj: Any) -> str:
    """JSON that is safe inside an HTML <script> block: no ``</script``, ``<!--`` or line separators."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # '<', '>' and '&' occur only inside JSON strings, where \\uXXXX means the same character.
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _capped(items: list[str], cap: int = _MAX_LIST) -> dict[str, Any]:
    return {"items": items[:cap], "total": len(items)}


def _vis_version(folder: Path) -> tuple[int, ...]:
    """9.1.2 of a folder named vis-9.1.2 (or vis-network-9.1.2); () when it names no version."""
    digits = re.findall(r"\d+", folder.name)
    return tuple(int(d) for d in digits)


def _find_vis_network() -> Path | None:
    """The folder of the installed pyvis holding vis-network.min.js and vis-network.css (the newest)."""
    try:
        files = metadata.files("pyvis") or []
    except metadata.PackageNotFoundError:
        return None
    folders: dict[Path, set[str]] = {}
    for f in files:
        if f.name in ("vis-network.min.js", "vis-network.css"):
            folders.setdefault(Path(str(f.locate())).parent, set()).add(f.name)
    found = sorted(
        (p for p, names in folders.items() if len(names) == 2 and (p / "vis-network.min.js").is_file()),
        key=lambda p: (tuple(-n for n in _vis_version(p)), str(p)),
    )
    return found[0] if found else None


def _vis_lib() -> tuple[str, str]:
    """pyvis's bundled vis-network (JS, CSS), inlined so the page needs no network.

    The files are found among the installed pyvis distribution's files (its record of what it
    installed), wherever that version keeps them, without importing pyvis: ``import pyvis`` pulls in
    networkx and IPython, which cost more than the rest of the page. The newest vis-network it ships wins.
    """
    lib = _find_vis_network()
    if lib is None:
        raise RuntimeError(
            "vis-network (bundled with pyvis) was not found among the files of the installed pyvis; "
            "reinstall kg's dependencies (pip install pyvis)"
        )
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # would end the inline block early
        raise RuntimeError(f"{lib}: the bundled vis-network cannot be inlined")
    return js, css


def _shape_svg(shape: str, color: str) -> str:
    """A 14-px legend icon of a vis-network shape (static markup, never built from input)."""
    s = 14
    c = s / 2
    pts: list[tuple[float, float]]
    if shape == "dot":
        body = f'<circle cx="{c}" cy="{c}" r="6"/>'
    elif shape == "square":
        body = '<rect x="1.5" y="1.5" width="11" height="11"/>'
    else:
        if shape == "diamond":
            pts = [(c, 0.5), (13.5, c), (c, 13.5), (0.5, c)]
        elif shape == "triangle":
            pts = [(c, 1), (13.5, 13), (0.5, 13)]
        elif shape == "triangleDown":
            pts = [(0.5, 1), (13.5, 1), (c, 13)]
        elif shape == "hexagon":
            pts = [(c + 6.5 * math.cos(math.pi / 3 * k), c + 6.5 * math.sin(math.pi / 3 * k)) for k in range(6)]
        elif shape == "star":
            pts = []
            for k in range(10):
                r = 6.8 if k % 2 == 0 else 2.8
                a = -math.pi / 2 + math.pi / 5 * k
                pts.append((c + r * math.cos(a), c + 0.5 + r * math.sin(a)))
        else:
            pts = [(1, 1), (13, 1), (13, 13), (1, 13)]
        body = '<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>'
    return (
        f'<svg class="kg-icon" width="{s}" height="{s}" viewBox="0 0 {s} {s}" aria-hidden="true">'
        f'<g fill="{color}" stroke="#333" stroke-width="0.8">{body}</g></svg>'
    )


def _network_data(graph: KnowledgeGraph, focus: tuple[str, ...]) -> tuple[list[dict], list[dict], dict]:
    """Nodes, edges and options for vis-network.

    The dicts are exactly what pyvis 0.3.2 gave for the same calls (``Network(directed=True)``,
    ``add_node`` with :func:`_node_options`, ``add_edge`` with the options of :func:`_drawn_edges`,
    ``get_network_data``; tests/test_viz.py keeps pyvis as the reference), built directly because
    importing pyvis and its per-edge checks cost more than the rest of the page.
    """
    deg = degrees(graph)
    vis_nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in sorted(graph.nodes, key=lambda x: x.id):
        if node.id in seen:  # pyvis's add_node kept the first node of an id
            continue
        seen.add(node.id)
        # pyvis's key order: the extra options, then id, label (the id when the name is empty), shape
        vis_nodes.append(
            {
                **_node_options(node, deg, node.id in focus),
                "id": node.id,
                "label": node.name or node.id,
                "shape": TYPE_STYLE.get(node.type, _OTHER_STYLE)[1],
            }
        )
    # pyvis's key order: the options, then from and to; "arrows" is always given, so a directed
    # network added no default, and being directed it kept parallel edges (no duplicate check).
    vis_edges = [{**options, "from": e.head, "to": e.tail} for e, options in _drawn_edges(graph)]
    return vis_nodes, vis_edges, _vis_options(len(graph.nodes))


def _node_options(node: Node, deg: dict[str, int], is_focus: bool) -> dict[str, Any]:
    """The options a node is drawn with, besides its id, label and shape."""
    color, _shape, type_label = TYPE_STYLE.get(node.type, _OTHER_STYLE)
    return {
        "color": {
            "background": color,
            "border": "#000000" if is_focus else "#333333",
            "highlight": {"background": color, "border": "#000000"},
            "hover": {"background": color, "border": "#000000"},
        },
        "borderWidth": 4 if is_focus else 1,
        "value": deg[node.id],
        "kg": {
            "name": node.name,
            "type": node.type,
            "typeLabel": type_label or node.type,
            "aliases": _capped(node.aliases),
            "mentions": node.mentions,
            "files": _capped(node.files),
            "degree": deg[node.id],
            "places": node.places,
            "names": known_names(node)[1 + len(node.aliases) :],  # the gazetteer's other names, for search
        },
    }


def _drawn_edges(graph: KnowledgeGraph) -> Iterator[tuple[Edge, dict[str, Any]]]:
    """Each edge between two drawn entities, in drawing order, with its options besides its ends."""
    names = {node.id: node.name for node in graph.nodes}
    big = len(graph.nodes) > 500
    # Several relations between the same two entities are drawn as distinct curves.
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    for i, e in enumerate(sorted(graph.edges, key=lambda e: (e.head, e.relation, e.tail))):
        if e.head not in names or e.tail not in names:
            continue
        pair = (min(e.head, e.tail), max(e.head, e.tail))
        k = pair_count[pair]
        pair_count[pair] += 1
        smooth: dict[str, Any] = (
            # straight lines for big graphs: curves cost every redraw
            {"enabled": not big, "type": "continuous", "roundness": 0.5}
            if k == 0
            else {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW", "roundness": 0.2 * ((k + 1) // 2)}
        )
        symmetric = e.relation in SYMMETRIC_RELATIONS
        yield (
            e,
            {
                "id": f"e{i}",
                "label": e.relation,
                "arrows": {"to": {"enabled": not symmetric, "scaleFactor": 0.6}},
                "color": {"color": RELATION_COLOR.get(e.relation, _OTHER_RELATION_COLOR), "highlight": "#333333"},
                "smooth": smooth,
                "kg": {
                    "relation": e.relation,
                    "head": names[e.head],
                    "tail": names[e.tail],
                    "symmetric": symmetric,
                    "evidence": [
                        {"sentence": ev.sentence, "doc": ev.doc, "article": ev.article}
                        for ev in e.evidence[:_MAX_EVIDENCE]
                    ],
                    "evidenceTotal": len(e.evidence),
                },
            },
        )


def _sizes(n: int) -> tuple[int, int, int, int, int]:
    """Node size range, label size range and spring length for ``n`` entities.

    vis-network scales sizes between the graph's least and most connected node, so a 4-node page
    drew its park at the full 48 px; small graphs get a narrow range and long springs (room for the
    labels), big ones a wide range so the hubs stand out once the view is fitted to 2,000 nodes.
    """
    if n <= 60:
        return 10, 20, 14, 16, 160
    if n <= 500:
        return 8, 30, 12, 30, 110
    return 10, 48, 13, 64, 90


def _vis_options(n: int) -> dict[str, Any]:
    """vis-network's options for a graph of ``n`` entities."""
    big = n > 500
    size_min, size_max, label_min, label_max, spring = _sizes(n)
    # Only JSON-native values (str keys, bool, int, float, str), so pyvis's json.dumps/json.loads round
    # trip of the options was the identity and is skipped.
    return {
        "autoResize": True,
        "layout": {"randomSeed": 20240601, "improvedLayout": n <= 150},
        "nodes": {
            "font": {"face": _FONT, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {
                "min": size_min,
                "max": size_max,
                "label": {
                    "enabled": True,
                    "min": label_min,
                    "max": label_max,
                    "drawThreshold": 4 if n <= _SMALL else 9 if not big else 7,
                },
            },
        },
        "edges": {
            "font": {"face": _FONT, "size": 10, "color": "#555555", "strokeWidth": 3, "align": "middle"},
            # relation names along the edges once zoomed in, not over the whole first view of a big graph
            "scaling": {"label": {"drawThreshold": 5 if n <= _SMALL else 9}},
            "width": 1.2,
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": False,
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                # small graphs: stronger repulsion, so a park's companies go round it, not to one side
                "gravitationalConstant": -150 if n <= _SMALL else -45,
                "centralGravity": 0.025,
                "springLength": spring,
                "springConstant": 0.08,
                "damping": 0.5,
                "avoidOverlap": 1 if n <= 60 else 0.3,
            },
            "minVelocity": 1.0,
            "timestep": 0.5,
            # Fewer iterations for big graphs keep the first paint quick; physics is then switched off.
            "stabilization": {
                "enabled": True,
                "iterations": max(100, min(1000, 200_000 // max(n, 1))),
                "updateInterval": 20,
                "fit": True,
            },
        },
    }


def labelled_nodes(graph: KnowledgeGraph) -> list[str]:
    """The nodes whose labels the first view keeps clear and inside the canvas: all of a small graph,
    else the best-connected."""
    if len(graph.nodes) <= _SMALL:
        return sorted(n.id for n in graph.nodes)
    deg = degrees(graph)
    ranked = sorted(graph.nodes, key=lambda n: (-deg[n.id], -n.mentions, n.id))
    return sorted(n.id for n in ranked[:_LABELLED])


def source_counts(graph: KnowledgeGraph) -> tuple[int, int]:
    """Input files and documents the graph was built from, counted as ``kg build`` reports them (a
    .jsonl file holds many documents, ``FILE#ID``)."""
    paths = {a.doc: a.path for a in graph.articles}
    docs = set(paths) | {f for n in graph.nodes for f in n.files}
    files = {paths.get(d) or d.split("#", 1)[0] for d in docs}
    return len(files), len(docs)


def render_html(graph: KnowledgeGraph, info: PageInfo) -> str:
    """The page as a string: deterministic for a given graph and info."""
    nodes, edges, options = _network_data(graph, info.focus)
    js, css = _vis_lib()
    present = sorted({n.type for n in graph.nodes})
    types = [t for t in TYPE_STYLE if t in present] + [t for t in present if t not in TYPE_STYLE]
    counts = {t: sum(1 for n in graph.nodes if n.type == t) for t in types}
    legend = [
        {
            "type": t,
            "label": TYPE_STYLE.get(t, _OTHER_STYLE)[2] or t,
            "count": counts[t],
            "icon": _shape_svg(*TYPE_STYLE.get(t, _OTHER_STYLE)[1::-1]),
        }
        for t in types
    ]
    rel_present = sorted({e.relation for e in graph.edges})
    relations = [
        {"name": RELATION_LABEL.get(r, r), "color": RELATION_COLOR.get(r, _OTHER_RELATION_COLOR)} for r in rel_present
    ]
    n_files, n_documents = source_counts(graph)
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "focus": list(info.focus),
        "separate": len(nodes) <= _SEPARATE_MAX,
        "labelled": labelled_nodes(graph),
    }
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), keep_trailing_newline=True)
    return env.from_string(_TEMPLATE).render(
        info=info,
        legend=legend,
        relations=relations,
        n_nodes=len(nodes),
        n_edges=len(edges),
        n_files=n_files,
        n_documents=n_documents,
        data_json=_js_json(data),
        vis_js=js,
        vis_css=css,
    )


def write_html(path: Path, graph: KnowledgeGraph, max_nodes: int | None = None) -> None:
    """Write the whole graph (or its ``max_nodes`` best-connected entities) as ``path``, atomically."""
    shown = top_nodes(graph, max_nodes) if max_nodes is not None else graph
    info = PageInfo(title="kg — knowledge graph", note=_max_note(graph, shown))
    # ``kg build`` stages every output in a temporary folder and renames it into place, so a plain write
    # is atomic there; ``kg viz`` goes through :func:`_write_atomic`.
    Path(path).write_text(render_html(shown, info), encoding="utf-8", newline="")


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, with the usual permissions (the temp file is 0600)."""
    write_text(path, text)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _max_note(full: KnowledgeGraph, shown: KnowledgeGraph) -> str:
    if len(shown.nodes) == len(full.nodes):
        return ""
    return (
        f"Showing the {len(shown.nodes)} best-connected of {len(full.nodes)} entities "
        f"and the {len(shown.edges)} of {len(full.edges)} relations among them (--max-nodes). "
        "Use `kg viz --focus NAME` to see the neighbourhood of any entity."
    )


def focus_page(
    graph: KnowledgeGraph, focus: str | None, hops: int, max_nodes: int | None
) -> tuple[KnowledgeGraph, PageInfo]:
    """What ``kg viz`` draws: the neighbourhood of ``focus`` (or everything), cut to ``max_nodes``."""
    if focus is None:
        shown = top_nodes(graph, max_nodes) if max_nodes is not None else graph
        return shown, PageInfo(title="kg — knowledge graph", note=_max_note(graph, shown))
    seeds = find_nodes(graph, focus)
    if not seeds:
        near = close_matches(graph, focus)
        hint = "close matches: " + ", ".join(f"{n.name} ({n.type})" for n in near) if near else "no close matches"
        raise VizError(f"no entity is named {focus!r} (name or alias); {hint}")
    seed_ids = [n.id for n in seeds]
    around = neighbourhood(graph, seed_ids, hops)
    shown = top_nodes(around, max_nodes, must_keep=seed_ids) if max_nodes is not None else around
    label = " / ".join(f"{n.name} ({n.type})" for n in seeds)
    info = PageInfo(
        title=f"kg — {seeds[0].name}",
        subtitle=f"Neighbourhood of {label}: {hops} hop{'s' if hops != 1 else ''}",
        note=_max_note(around, shown),
        focus=tuple(seed_ids),
    )
    return shown, info


def run_viz(graph: Path, focus: str | None, hops: int, max_nodes: int | None, out: Path) -> int:
    """``kg viz``: 0 on success, 1 when the graph cannot be read or ``focus`` names no entity."""
    if not graph.is_file():
        click.echo(f"kg viz: {graph}: no such graph file (run `kg build` first, or pass --graph)", err=True)
        return 1
    from .rdf import load_graph

    try:
        kg = load_graph(graph)
    except Exception as err:  # noqa: BLE001 - any parse failure is reported with the file name
        click.echo(f"kg viz: {graph}: cannot read the graph: {err}", err=True)
        return 1
    try:
        shown, info = focus_page(kg, focus, hops, max_nodes)
    except VizError as err:
        click.echo(f"kg viz: {graph}: {err}", err=True)
        return 1
    _write_atomic(out, render_html(shown, info))
    click.echo(f"kg viz: {len(shown.nodes)} entities, {len(shown.edges)} relations → {out}", err=True)
    return 0


_TEMPLATE = r"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="generator" content="kg (pyvis / vis-network 9.1.2)">
<title>{{ info.title }}</title>
<style>{{ vis_css|safe }}</style>
<style>
html, body {
  margin: 0; height: 100%;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  font-size: 14px; color: #222;
}
body { display: flex; flex-direction: column; }
#kg-head {
  padding: 6px 12px; border-bottom: 1px solid #ddd; background: #fafafa; display: flex; flex-wrap: wrap;
  gap: 6px 18px; align-items: center;
}
#kg-head h1 { font-size: 16px; margin: 0; }
#kg-sub { color: #555; }
#kg-stats { color: #555; }
#kg-search-form { display: flex; gap: 4px; align-items: center; }
#kg-search { width: 16em; padding: 3px 6px; }
#kg-search-status { color: #a00; min-width: 4em; }
#kg-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; margin: 0; padding: 0; border: 0; }
#kg-legend label { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; white-space: nowrap; }
#kg-legend button { font-size: 12px; }
.kg-icon { vertical-align: middle; }
#kg-relations { display: flex; flex-wrap: wrap; gap: 2px 10px; color: #555; font-size: 12px; }
.kg-rel-swatch { display: inline-block; width: 16px; height: 3px; vertical-align: middle; margin-right: 3px; }
#kg-note { background: #fff3cd; border-bottom: 1px solid #e0c96b; padding: 4px 12px; }
#kg-main { position: relative; flex: 1; min-height: 320px; }
#mynetwork { position: absolute; inset: 0; }
#kg-loading {
  position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  background: rgba(255,255,255,0.85); font-size: 16px; color: #333; z-index: 5;
}
#kg-empty {
  position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: #777;
  font-size: 16px;
}
#kg-details {
  position: absolute; right: 10px; bottom: 10px; max-width: 28em; max-height: 45%; overflow: auto;
  background: #fff; border: 1px solid #aaa; border-radius: 4px; box-shadow: 2px 2px 8px rgba(0,0,0,0.2);
  padding: 8px 10px; z-index: 4;
}
#kg-details-close { float: right; border: 0; background: none; font-size: 16px; cursor: pointer; }
.kg-tip { max-width: 30em; white-space: normal; font-size: 13px; line-height: 1.45; }
.kg-tip-title { font-weight: bold; font-size: 14px; margin-bottom: 2px; }
.kg-row { display: flex; gap: 6px; }
.kg-key { color: #777; min-width: 5.5em; flex: none; }
.kg-val { overflow-wrap: anywhere; }
.kg-ev { margin: 3px 0 0 0; padding-left: 6px; border-left: 3px solid #ddd; }
.kg-ev-src { color: #777; font-size: 12px; }
div.vis-tooltip { white-space: normal; max-width: 32em; font-family: inherit; }
</style>
</head>
<body>
<header id="kg-head">
  <h1>{{ info.title }}</h1>
  {% if info.subtitle %}<span id="kg-sub">{{ info.subtitle }}</span>{% endif %}
  <span id="kg-stats">{{ n_nodes }} entities · {{ n_edges }} relations ·
    {{ n_files }} file{{ "s" if n_files != 1 }}, {{ n_documents }} document{{ "s" if n_documents != 1 }}</span>
  <form id="kg-search-form" role="search" autocomplete="off">
    <input id="kg-search" type="search" list="kg-names" placeholder="Search a name or alias…"
      aria-label="Search entities">
    <datalist id="kg-names"></datalist>
    <button type="submit">Find</button>
    <span id="kg-search-status" role="status"></span>
  </form>
  <fieldset id="kg-legend">
    <legend hidden>Filter by type</legend>
    {% for t in legend %}<label data-type="{{ t.type }}"><input type="checkbox" class="kg-type"
      value="{{ t.type }}" checked>{{ t.icon|safe }}{{ t.label }} <span class="kg-count">({{ t.count }})</span></label>
    {% endfor %}<button type="button" id="kg-all">all</button>
  </fieldset>
  <div id="kg-relations">{% for r in relations %}<span><span class="kg-rel-swatch"
    style="background: {{ r.color }}"></span>{{ r.name }}</span>{% endfor %}</div>
</header>
{% if info.note %}<div id="kg-note" role="note">{{ info.note }}</div>{% endif %}
<main id="kg-main">
  <div id="mynetwork"></div>
  <div id="kg-loading">Laying out {{ n_nodes }} entities… <span id="kg-progress">0%</span></div>
  <div id="kg-details" hidden><button type="button" id="kg-details-close" aria-label="Close">×</button>
    <div id="kg-details-body"></div></div>
</main>
<noscript>This page needs JavaScript to draw the network.</noscript>
<script>{{ vis_js|safe }}</script>
<script>
var KG = {{ data_json|safe }};
var nodes, edges, network;
(function () {
  "use strict";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function row(box, key, value) {
    var r = el("div", "kg-row");
    r.appendChild(el("span", "kg-key", key));
    r.appendChild(el("span", "kg-val", value));
    box.appendChild(r);
  }
  function capped(list) {
    if (!list.total) { return "—"; }
    var text = list.items.join("、");
    return list.total > list.items.length ? text + " … (" + list.total + " in all)" : text;
  }
  function nodeBox(n) {
    var k = n.kg, box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-title", k.name));
    row(box, "type", k.typeLabel);
    row(box, "aliases", capped(k.aliases));
    row(box, "mentions", String(k.mentions));
    row(box, "relations", String(k.degree));
    row(box, "sources", capped(k.files));
    if (k.places && k.places.length) { row(box, "places", k.places.join("、")); }
    return box;
  }
  function edgeBox(e) {
    var k = e.kg, box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-title", k.head + (k.symmetric ? " ↔ " : " → ") + k.tail));
    row(box, "relation", k.relation);
    row(box, "evidence", k.evidenceTotal + (k.evidenceTotal === 1 ? " sentence" : " sentences"));
    k.evidence.forEach(function (ev) {
      var p = el("div", "kg-ev");
      p.appendChild(el("div", "kg-ev-text", ev.sentence));
      p.appendChild(el("div", "kg-ev-src", ev.doc + " · article " + ev.article));
      box.appendChild(p);
    });
    return box;
  }
  function norm(s) { return s.normalize("NFKC").replace(/\s+/g, "").toLowerCase(); }

  // Tooltips are DOM elements filled with textContent, so no input text is ever parsed as HTML.
  KG.nodes.forEach(function (n) { n.title = nodeBox(n); });
  KG.edges.forEach(function (e) { e.title = edgeBox(e); });
  nodes = new vis.DataSet(KG.nodes);
  edges = new vis.DataSet(KG.edges);
  var container = document.getElementById("mynetwork");
  var loading = document.getElementById("kg-loading");
  var details = document.getElementById("kg-details");
  var detailsBody = document.getElementById("kg-details-body");

  // The box each node needs: its shape, and its label too where the first view shows it.
  var labelled = {};
  KG.labelled.forEach(function (id) { labelled[id] = true; });
  function layoutBoxes() {
    var ids = nodes.getIds(), pos = network.getPositions(ids), out = [], pad = 6;
    ids.forEach(function (id) {
      var p = pos[id], b;
      if (labelled[id]) {
        b = network.getBoundingBox(id);
        b = { l: b.left - p.x, r: b.right - p.x, t: b.top - p.y, b: b.bottom - p.y };
      } else {
        var size = network.body.nodes[id].options.size || 10;
        b = { l: -size, r: size, t: -size, b: size };
      }
      out.push({ id: id, x: p.x, y: p.y, l: b.l - pad, r: b.r + pad, t: b.t - pad, b: b.b + pad });
    });
    return out;
  }
  // Pull overlapping boxes apart (physics only keeps the shapes apart, not the labels under them),
  // each overlapping pair along the line between the two so that the layout keeps its shape.
  function separateBoxes(box) {
    var fixed = {};
    KG.focus.forEach(function (id) { fixed[id] = true; });
    for (var round = 0; round < 300; round++) {
      var moved = false;
      box.sort(function (a, b) { return (a.x + a.l) - (b.x + b.l) || (a.id < b.id ? -1 : 1); });
      for (var i = 0; i < box.length; i++) {
        var a = box[i];
        for (var j = i + 1; j < box.length; j++) {
          var c = box[j];
          if (c.x + c.l >= a.x + a.r + 80) { break; }
          var ox = Math.min(a.x + a.r, c.x + c.r) - Math.max(a.x + a.l, c.x + c.l);
          var oy = Math.min(a.y + a.b, c.y + c.b) - Math.max(a.y + a.t, c.y + c.t);
          if (ox <= 0 || oy <= 0) { continue; }
          moved = true;
          var ux = c.x - a.x, uy = c.y - a.y, len = Math.sqrt(ux * ux + uy * uy);
          if (len < 1e-6) { ux = 0; uy = 1; } else { ux /= len; uy /= len; }
          var step = Math.min(Math.abs(ux) > 1e-6 ? ox / Math.abs(ux) : Infinity,
                              Math.abs(uy) > 1e-6 ? oy / Math.abs(uy) : Infinity) / 2 + 0.5;
          step = Math.min(step, 40);
          // a focus node stays put: its neighbours move round it
          var sa = fixed[a.id] ? 0 : fixed[c.id] ? 2 * step : step, sc = 2 * step - sa;
          a.x -= ux * sa; a.y -= uy * sa; c.x += ux * sc; c.y += uy * sc;
        }
      }
      if (!moved) { break; }
    }
    box.forEach(function (a) { network.moveNode(a.id, a.x, a.y); });
  }
  // Fit the view to the boxes, labels included (vis fits the shapes, and no closer than 1:1, which
  // left a small graph in the middle of an empty canvas with its outer labels cut off).
  function fitBoxes(box) {
    var l = Infinity, r = -Infinity, t = Infinity, b = -Infinity;
    box.forEach(function (a) {
      l = Math.min(l, a.x + a.l); r = Math.max(r, a.x + a.r); t = Math.min(t, a.y + a.t); b = Math.max(b, a.y + a.b);
    });
    var margin = 24;  // screen pixels around the drawing
    var scale = Math.min((container.clientWidth - 2 * margin) / Math.max(r - l, 1),
                         (container.clientHeight - 2 * margin) / Math.max(b - t, 1), 1.5);
    network.moveTo({ position: { x: (l + r) / 2, y: (t + b) / 2 }, scale: scale, animation: false });
  }

  function ready() {
    // Physics off once laid out: a big graph stays responsive and nodes stay where they are dragged.
    network.setOptions({ physics: { enabled: false } });
    if (KG.nodes.length) {
      network.redraw();  // labels are measured when drawn, and stabilization drew nothing
      var box = layoutBoxes();
      if (KG.separate) { separateBoxes(box); }
      fitBoxes(box);
    }
    loading.hidden = true;
    loading.style.display = "none";
    window.kgStable = true;
    document.body.setAttribute("data-kg-state", "ready");
  }
  network = new vis.Network(container, { nodes: nodes, edges: edges }, KG.options);
  window.network = network;
  if (KG.nodes.length === 0) {
    var empty = el("div", "", "The graph is empty: no entities were extracted.");
    empty.id = "kg-empty";
    container.appendChild(empty);
    ready();
  } else {
    network.on("stabilizationProgress", function (p) {
      document.getElementById("kg-progress").textContent = Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", ready);
  }

  function showDetails(box) {
    while (detailsBody.firstChild) { detailsBody.removeChild(detailsBody.firstChild); }
    detailsBody.appendChild(box);
    details.hidden = false;
  }
  document.getElementById("kg-details-close").addEventListener("click", function () { details.hidden = true; });
  network.on("click", function (p) {
    if (p.nodes.length) { showDetails(nodeBox(nodes.get(p.nodes[0]))); }
    else if (p.edges.length) { showDetails(edgeBox(edges.get(p.edges[0]))); }
    else { details.hidden = true; }
  });
  if (KG.focus.length) { network.selectNodes(KG.focus.filter(function (id) { return nodes.get(id); })); }

  // Filter by type: hide the unchecked types and every relation that touches them.
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.kg-type"));
  function applyFilter() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var hidden = {};
    nodes.update(KG.nodes.map(function (n) {
      hidden[n.id] = on[n.kg.type] === false;
      return { id: n.id, hidden: hidden[n.id] };
    }));
    edges.update(KG.edges.map(function (e) { return { id: e.id, hidden: hidden[e.from] || hidden[e.to] }; }));
  }
  boxes.forEach(function (b) { b.addEventListener("change", applyFilter); });
  document.getElementById("kg-all").addEventListener("click", function () {
    boxes.forEach(function (b) { b.checked = true; });
    applyFilter();
  });

  // Search by name or alias (NFKC, white space and case ignored): exact matches first, else substrings.
  var names = document.getElementById("kg-names");
  var keys = {};
  KG.nodes.forEach(function (n) {
    var opt = document.createElement("option");
    opt.value = n.kg.name;
    names.appendChild(opt);
    keys[n.id] = [n.kg.name].concat(n.kg.aliases.items, n.kg.names).map(norm);
  });
  var status = document.getElementById("kg-search-status");
  document.getElementById("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = norm(document.getElementById("kg-search").value);
    status.textContent = "";
    if (!q) { network.unselectAll(); return; }
    var exact = KG.nodes.filter(function (n) { return keys[n.id].indexOf(q) >= 0; });
    var hits = exact.length ? exact : KG.nodes.filter(function (n) {
      return keys[n.id].some(function (k) { return k.indexOf(q) >= 0; });
    });
    if (!hits.length) { status.textContent = "no match"; network.unselectAll(); return; }
    var needed = false;
    hits.forEach(function (n) {
      boxes.forEach(function (b) { if (b.value === n.kg.type && !b.checked) { b.checked = true; needed = true; } });
    });
    if (needed) { applyFilter(); }
    var ids = hits.map(function (n) { return n.id; });
    network.selectNodes(ids);
    network.focus(ids[0], { scale: 1.3, animation: { duration: 300 } });
    showDetails(nodeBox(nodes.get(ids[0])));
    status.textContent = hits.length === 1 ? "" : hits.length + " matches";
  });
})();
</script>
</body>
</html>
"""
