"""Screenshot of kg.html in headless Chromium (Debian's /usr/bin/chromium via Playwright; nothing is
downloaded). Makes the README's picture of the sample network:

    python scripts/screenshot.py                       # builds the sample corpus, writes docs/kg-sample.png
    python scripts/screenshot.py --html out/kg.html -o /tmp/kg.png

Prints how long the page took to lay out. Chinese labels need a CJK font on the machine (Debian:
fonts-wqy-microhei or fonts-noto-cjk), else they show as boxes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.writers.viz import CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]


def screenshot(html: Path, out: Path, width: int, height: int, scale: float, chromium: str) -> float:
    """Open ``html``, wait for the layout to finish, save a PNG; returns the seconds to 'ready'."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
            context.route(lambda url: not url.startswith(("file:", "data:")), lambda route: route.abort())
            page = context.new_page()
            started = time.perf_counter()
            page.goto(html.resolve().as_uri())
            deadline = time.monotonic() + 120
            while page.evaluate("document.body.getAttribute('data-kg-state')") != "ready":
                if time.monotonic() > deadline:
                    raise SystemExit(f"{html}: the network never finished its layout")
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            page.wait_for_timeout(300)  # the last frame is drawn
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f".{out.name}.tmp.png")
            page.screenshot(path=str(tmp))
            os.replace(tmp, out)
            return elapsed
        finally:
            browser.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--html", type=Path, help="the page to shoot (default: a fresh build of the sample corpus)")
    ap.add_argument("-o", "--out", type=Path, default=REPO / "docs" / "kg-sample.png")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--scale", type=float, default=1.0, help="device pixel ratio")
    ap.add_argument("--chromium", default=os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()
    if not Path(args.chromium).is_file():
        print(f"screenshot: no Chromium at {args.chromium}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kg-shot-") as tmp:
        html = args.html
        if html is None:
            build = [sys.executable, "-c", "from kg.cli import main; main()", "build", "-o", tmp]
            subprocess.run(build, check=True, cwd=REPO)
            html = Path(tmp) / "kg.html"
        elapsed = screenshot(html, args.out, args.width, args.height, args.scale, args.chromium)
    print(f"screenshot: {html.name} laid out in {elapsed:.2f}s → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
