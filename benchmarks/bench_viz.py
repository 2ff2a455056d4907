"""How kg.html copes with big graphs: time to write the page, time for headless Chromium to lay it out
(physics on until stabilization, then off), and the cost of one redraw afterwards (what panning and
zooming cost). Prints numbers; asserts nothing.

    python benchmarks/bench_viz.py                 # 500, 2000 and 5000 synthetic entities
    python benchmarks/bench_viz.py --sizes 2000

The graphs are synthetic (hub-heavy: a few parks with many companies, like the real ones) and seeded.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from kg.model import ENTITY_TYPES, Edge, Evidence, KnowledgeGraph, Node, node_id
from kg.writers.viz import write_html

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from screenshot import CHROMIUM_ARGS  # noqa: E402


def synthetic(n: int, seed: int = 1) -> KnowledgeGraph:
    rnd = random.Random(seed)
    nodes = []
    for i in range(n):
        type_ = ENTITY_TYPES[0] if i % 10 == 0 else ENTITY_TYPES[1 + i % (len(ENTITY_TYPES) - 1)]
        name = f"{'高新区' if type_ == 'Park' else '科技有限公司'}{i:05d}号"
        nodes.append(
            Node(
                id=node_id(type_, name),
                name=name,
                type=type_,
                aliases=[f"简称{i}"],
                mentions=rnd.randint(1, 30),
                files=[f"{rnd.randrange(1000):04d}.txt"],
            )
        )
    parks = [x for x in nodes if x.type == "Park"]
    edges: dict[tuple[str, str, str], Edge] = {}
    for x in nodes:
        if x.type == "Park" or rnd.random() < 0.25:
            continue
        park = parks[min(int(rnd.paretovariate(1.1)) - 1, len(parks) - 1)]
        ev = Evidence("0000.txt", "0000.txt", 0, f"{x.name}落户{park.name}。", 0, 10, "落户")
        edges[(x.id, "locatedIn", park.id)] = Edge(x.id, "locatedIn", park.id, [ev])
    for _ in range(n // 5):
        a, b = rnd.sample(nodes, 2)
        ev = Evidence("0001.txt", "0001.txt", 0, f"{a.name}与{b.name}签署合作协议。", 0, 10, "签署")
        h, t = sorted([a.id, b.id])
        edges[(h, "cooperatesWith", t)] = Edge(h, "cooperatesWith", t, [ev])
    return KnowledgeGraph(nodes=sorted(nodes, key=lambda x: x.id), edges=[edges[k] for k in sorted(edges)])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,2000,5000")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"{'entities':>8} {'relations':>9} {'html MB':>7} {'write s':>7} {'layout s':>8} {'redraw ms':>9}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for n in (int(s) for s in args.sizes.split(",")):
            graph = synthetic(n)
            path = Path(tmp) / f"kg{n}.html"
            t0 = time.perf_counter()
            write_html(path, graph)
            write_s = time.perf_counter() - t0
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            while page.evaluate("document.body.getAttribute('data-kg-state')") != "ready":
                time.sleep(0.05)
            layout_s = time.perf_counter() - t0
            redraw_ms = page.evaluate(
                "() => { const t = performance.now(); for (let i = 0; i < 5; i++) { network.redraw(); } "
                "return (performance.now() - t) / 5; }"
            )
            page.close()
            print(
                f"{n:>8} {len(graph.edges):>9} {path.stat().st_size / 1e6:>7.2f} {write_s:>7.2f} "
                f"{layout_s:>8.2f} {redraw_ms:>9.1f}"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
