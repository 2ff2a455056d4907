"""kg.html in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; no browser is
downloaded): it loads from file:// with no console error and no request to any other origin, holds the
whole graph, shows tooltips, filters and searches, stops its physics, and never runs input text."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kg.model import KnowledgeGraph
from kg.writers.viz import CHROMIUM_ARGS, TYPE_STYLE, degrees, write_html

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (install the Debian package `chromium`, or set KG_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Loaded:
    page: Any
    url: str
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def eval(self, js: str, arg: Any = None) -> Any:
        return self.page.evaluate(js, arg)


def open_page(browser: Any, path: Path, width: int = 1400, height: int = 900) -> Loaded:
    """Open ``path`` and wait until the page says the layout is done (physics switched off)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    loaded = Loaded(page, path.resolve().as_uri())
    page.on("console", lambda m: loaded.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.errors.append(f"page error: {e}"))
    page.on("request", lambda r: loaded.requests.append(r.url))

    def on_dialog(d: Any) -> None:
        loaded.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    # Nothing may leave the file: anything that is not file: or data: is recorded (above) and refused.
    context.route(lambda url: not url.startswith(("file:", "data:")), lambda route: route.abort())
    page.goto(loaded.url)
    deadline = time.monotonic() + 90
    # Polled with evaluate(): the page's CSP forbids eval, which wait_for_function relies on.
    while loaded.eval("document.body.getAttribute('data-kg-state')") != "ready":
        assert time.monotonic() < deadline, "the network never finished its layout"
        assert not loaded.errors, loaded.errors
        time.sleep(0.05)
    return loaded


_DOM_POINT = """([kind, id]) => {
  let p;
  if (kind === "node") { p = network.getPositions([id])[id]; }
  else {
    // the point of the edge farthest from every other edge (its middle, unless edges cross there)
    const others = [];
    for (const o of network.body.data.edges.getIds()) {
      if (o === id) { continue; }
      for (let t = 0; t <= 1; t += 0.02) {
        others.push(network.canvasToDOM(network.body.edges[o].edgeType.getPoint(t)));
      }
    }
    let best = -1;
    for (const t of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7]) {
      const q = network.body.edges[id].edgeType.getPoint(t), d = network.canvasToDOM(q);
      if (network.getNodeAt(d) !== undefined) { continue; }
      const gap = Math.min(Infinity, ...others.map((o) => Math.hypot(o.x - d.x, o.y - d.y)));
      if (gap > best + 10) { best = gap; p = q; }
    }
    if (p === undefined) { p = network.body.edges[id].edgeType.getPoint(0.5); }
  }
  const d = network.canvasToDOM(p);
  const r = document.getElementById("mynetwork").getBoundingClientRect();
  return [r.left + d.x, r.top + d.y];
}"""


# An edge whose middle point is on no node (vis gives nodes precedence when hovering).
_FREE_EDGE = """() => {
  const r = document.getElementById("mynetwork").getBoundingClientRect();
  for (const id of network.body.data.edges.getIds()) {
    const d = network.canvasToDOM(network.body.edges[id].edgeType.getPoint(0.5));
    if (d.x < 5 || d.y < 5 || d.x > r.width - 5 || d.y > r.height - 5) { continue; }
    if (network.getNodeAt(d) === undefined && network.getEdgeAt(d) === id) { return id; }
  }
  return null;
}"""


_ON_TOP = """(id) => network.getNodeAt(network.canvasToDOM(network.getPositions([id])[id])) === id"""


def hover_tooltip(loaded: Loaded, kind: str, item_id: str) -> str:
    """Hover a node or the middle of an edge; the text of the vis tooltip once it is visible."""
    page = loaded.page
    x, y = loaded.eval(_DOM_POINT, [kind, item_id])
    page.mouse.move(2, 2)
    page.mouse.move(x, y, steps=3)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    text: str = tip.inner_text()
    return text


def click_details(loaded: Loaded, kind: str, item_id: str) -> str:
    x, y = loaded.eval(_DOM_POINT, [kind, item_id])
    loaded.page.mouse.click(x, y)
    details = loaded.page.locator("#kg-details")
    details.wait_for(state="visible", timeout=5000)
    text: str = details.inner_text()
    loaded.page.click("#kg-details-close")
    return text


def assert_no_outside_requests(loaded: Loaded) -> None:
    assert loaded.errors == []
    outside = [u for u in loaded.requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"requests left the file: {outside}"


def test_sample_page_in_browser(browser: Any, sample_build: Path) -> None:
    from kg.writers.rdf import load_graph

    graph = load_graph(sample_build / "kg.ttl")
    loaded = open_page(browser, sample_build / "kg.html")
    assert_no_outside_requests(loaded)
    assert loaded.requests == [loaded.url]
    counts = loaded.eval("[network.body.data.nodes.length, network.body.data.edges.length]")
    assert counts == [len(graph.nodes), len(graph.edges)]
    assert counts[0] > 0, "the sample build has no entities"

    # Physics is off after stabilization: nothing moves any more.
    before = loaded.eval("network.getPositions()")
    time.sleep(0.4)
    assert loaded.eval("network.getPositions()") == before
    assert loaded.eval("network.physics.physicsEnabled") is False

    deg = degrees(graph)
    # the best-connected entity that no other node covers on screen
    ranked = sorted(graph.nodes, key=lambda n: (-deg[n.id], -n.mentions, n.id))
    best = next(n for n in ranked if loaded.eval(_ON_TOP, n.id))
    tip = hover_tooltip(loaded, "node", best.id)
    assert best.name in tip and TYPE_STYLE[best.type][2] in tip and "mentions" in tip and "sources" in tip
    assert best.files[0] in tip
    details = click_details(loaded, "node", best.id)
    assert best.name in details and str(best.mentions) in details
    assert graph.edges, "the sample build has no relations"
    edge_id = loaded.eval(_FREE_EDGE)
    assert edge_id is not None, "every edge's middle is under a node"
    vis_edge = loaded.eval("(id) => network.body.data.edges.get(id).kg", edge_id)
    tip = hover_tooltip(loaded, "edge", edge_id)
    assert vis_edge["relation"] in tip and vis_edge["evidence"][0]["sentence"] in tip

    ARTIFACTS.mkdir(exist_ok=True)
    loaded.eval("document.querySelectorAll('div.vis-tooltip').forEach(t => { t.style.visibility = 'hidden'; })")
    loaded.page.screenshot(path=str(ARTIFACTS / "kg.png"))
    assert (ARTIFACTS / "kg.png").stat().st_size > 10_000
    assert loaded.dialogs == [] and loaded.errors == []


def test_payloads_never_run(browser: Any, tmp_path: Path) -> None:
    from test_viz import PAYLOADS, payload_graph

    graph = payload_graph()
    path = tmp_path / "kg.html"
    write_html(path, graph)
    loaded = open_page(browser, path)
    for node in graph.nodes:
        tip = hover_tooltip(loaded, "node", node.id)
        assert node.name in tip and node.aliases[0] in tip and node.files[0] in tip  # shown as text
        assert node.name in click_details(loaded, "node", node.id)
    for i, edge in enumerate(sorted(graph.edges, key=lambda e: (e.head, e.relation, e.tail))):
        tip = hover_tooltip(loaded, "edge", f"e{i}")
        assert edge.evidence[0].sentence in tip and edge.relation in tip
    page = loaded.page
    for p in PAYLOADS:
        page.fill("#kg-search", p)
        page.press("#kg-search", "Enter")
    page.mouse.move(2, 2)
    time.sleep(0.3)
    assert loaded.eval("typeof window.__pwned") == "undefined"
    assert loaded.dialogs == []
    assert loaded.requests == [loaded.url]  # <img src=x> never loaded
    assert loaded.errors == []
    # Control: the same payload inserted as HTML does run here, so the checks above can fail.
    loaded.eval("(html) => document.body.insertAdjacentHTML('beforeend', html)", PAYLOADS[1])
    deadline = time.monotonic() + 5
    while loaded.eval("window.__pwned") != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loaded.eval("window.__pwned") == 1 and loaded.dialogs


def test_filter_and_search(browser: Any, tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    path = tmp_path / "kg.html"
    write_html(path, kgraph)
    loaded = open_page(browser, path)
    page = loaded.page
    page.uncheck("input.kg-type[value=Company]")
    hidden = loaded.eval("network.body.data.nodes.get().filter(n => n.hidden).map(n => n.id)")
    assert sorted(hidden) == sorted(n.id for n in kgraph.nodes if n.type == "Company")
    hidden_edges = loaded.eval("network.body.data.edges.get().filter(e => e.hidden).length")
    assert hidden_edges == sum(1 for e in kgraph.edges if e.head in hidden or e.tail in hidden) > 0
    page.click("#kg-all")
    assert loaded.eval("network.body.data.nodes.get().filter(n => n.hidden).length") == 0

    def search(text: str) -> list[str]:
        page.fill("#kg-search", text)
        page.press("#kg-search", "Enter")
        selected: list[str] = loaded.eval("network.getSelectedNodes()")
        return selected

    assert search("中科院") == ["Institute/中国科学院"]  # an alias
    assert "中国科学院" in page.inner_text("#kg-details")
    assert search("西部（重庆）科学城") == ["Park/西部(重庆)科学城"]  # full-width brackets, NFKC
    assert sorted(search("济南")) == sorted(n.id for n in kgraph.nodes if "济南" in n.name)
    assert page.inner_text("#kg-search-status").endswith("matches")
    # a hidden type is shown again when a search finds one of its entities
    page.uncheck("input.kg-type[value=Person]")
    assert search("王宏志") == ["Person/王宏志"]
    assert loaded.eval("network.body.data.nodes.get('Person/王宏志').hidden") is False
    assert search("不存在的公司") == [] and page.inner_text("#kg-search-status") == "no match"
    assert_no_outside_requests(loaded)


def test_empty_graph_page(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "kg.html"
    write_html(path, KnowledgeGraph())
    loaded = open_page(browser, path)
    assert loaded.eval("network.body.data.nodes.length") == 0
    assert "no entities" in loaded.page.inner_text("#kg-empty")
    assert_no_outside_requests(loaded)


_LAYOUT = """() => {
  const c = document.getElementById("mynetwork");
  return { w: c.clientWidth, h: c.clientHeight, boxes: network.body.data.nodes.getIds().map((id) => {
    const b = network.getBoundingBox(id);
    const tl = network.canvasToDOM({ x: b.left, y: b.top }), br = network.canvasToDOM({ x: b.right, y: b.bottom });
    return [id, tl.x, tl.y, br.x, br.y];
  }) };
}"""


def test_small_pages_fit_the_view_without_overlapping_labels(browser: Any, sample_build: Path, tmp_path: Path) -> None:
    """Issue 15: on small graphs nodes were huge and labels overlapped, and a focus page drew a few
    nodes in the middle of an empty canvas with the park's label under its neighbours'."""
    from kg.writers.rdf import load_graph
    from kg.writers.viz import focus_page, render_html, top_nodes

    graph = load_graph(sample_build / "kg.ttl")
    deg = degrees(graph)
    hub = max(graph.nodes, key=lambda n: (deg[n.id], -n.mentions, n.id))
    focus, info = focus_page(graph, hub.name, 1, None)
    assert 5 <= len(focus.nodes) <= 60
    pages = {
        "top20.html": render_html(top_nodes(graph, 20), info.__class__(title="t")),
        "focus.html": render_html(focus, info),
    }
    for name, html in pages.items():
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        layout = open_page(browser, path).eval(_LAYOUT)
        w, h, boxes = layout["w"], layout["h"], layout["boxes"]
        # every node and its label on the canvas
        for id_, left, top, right, bottom in boxes:
            assert left >= 0 and top >= 0 and right <= w and bottom <= h, (name, id_)
        # the drawing fills the canvas one way or the other
        width = max(b[3] for b in boxes) - min(b[1] for b in boxes)
        height = max(b[4] for b in boxes) - min(b[2] for b in boxes)
        assert max(width / w, height / h) > 0.8, name
        # no two nodes (label included) overlap
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap_x = min(a[3], b[3]) - max(a[1], b[1])
                overlap_y = min(a[4], b[4]) - max(a[2], b[2])
                assert overlap_x <= 1 or overlap_y <= 1, (name, a[0], b[0])
