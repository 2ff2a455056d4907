"""Generate large, realistic test corpora for ``kg build`` benchmarks.

Pages are made by recombining the sentences, headings and bylines of the bundled sample pages
(``kg/data/sample``) and by swapping the parks, universities, institutes, … and places they name for
other entries of the project's lexicons (``kg/data/lexicons``), consistently within a page (a page
about 贵阳高新区 becomes a page about some other zone, all the way through). Every page is about the
size of a newspaper page (~18 KB) and about one in five is hard-wrapped like a PDF extraction, as
real inputs are. The output depends only on the seed: page *i* is drawn from ``Random(f"{seed}:{i}")``,
so a 10 MB corpus starts with the pages of the 1 MB one.

Usage::

    python benchmarks/gen_corpus.py --sizes 1,10,100          # → benchmarks/corpora/{1,10,100}MB/
    python benchmarks/gen_corpus.py --sizes 5 --out /tmp/c --seed 7

Sizes are in MB of UTF-8 text (1 MB = 1,000,000 bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from kg.atomic import write_text
from kg.build.inputs import sample_corpus
from kg.extract.entities import LEXICONS
from kg.resources.lexicon import load_table, split_multi

GENERATOR_VERSION = "1"
PAGE_BYTES = 18_000
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpora"

_SENT_END = re.compile(r"(?<=[。！？!?])[”’」』）)]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BYLINE = re.compile(r"记者|通讯员")
_CAPTION = re.compile(r"供图|摄$|图片来源")
_PLACE_LEVELS = ("province", "city")

Fragment = str | tuple[str, int, int]  # plain text, or (group, row, form) of a swappable name


@dataclass
class Pools:
    """What pages are assembled from: sentences split into text and swappable names."""

    sentences: list[list[Fragment]] = field(default_factory=list)
    headings: list[list[Fragment]] = field(default_factory=list)
    bylines: list[list[Fragment]] = field(default_factory=list)
    captions: list[list[Fragment]] = field(default_factory=list)
    rows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # group -> rows of forms


def _safe_rows(name: str) -> tuple[dict[str, str], ...]:
    try:
        return load_table(name)
    except FileNotFoundError:
        return ()


def _name_table() -> tuple[dict[str, list[tuple[str, ...]]], ahocorasick.Automaton]:
    """Name groups from the lexicons: each row as (full, short, other forms…) and an automaton that
    finds any form in text, mapped to (group, row, form index)."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    for fname, type_, col, alt_cols in LEXICONS:
        for row in _safe_rows(fname):
            full = row.get(col, "")
            if full:
                forms = [full] + [a for c in alt_cols for a in split_multi(row.get(c, ""))]
                rows.setdefault(type_, []).append(tuple(forms))
    for row in _safe_rows("places.tsv"):
        if row.get("level") in _PLACE_LEVELS and row.get("name"):
            rows.setdefault(f"place:{row['level']}", []).append((row["name"], *split_multi(row.get("short", ""))))
    auto = ahocorasick.Automaton()
    seen: set[str] = set()
    for group in sorted(rows):
        for r, forms in enumerate(rows[group]):
            for f, form in enumerate(forms):
                if len(form) >= 2 and _CJK.search(form) and form not in seen:
                    seen.add(form)
                    auto.add_word(form, (len(form), (group, r, min(f, 1))))  # form 0 = full, 1 = short
    auto.make_automaton()
    return rows, auto


def load_pools(samples: list[Path] | None = None) -> Pools:
    """Split the sample pages into sentence, heading, byline and caption pools."""
    rows, auto = _name_table()
    pools = Pools(rows=rows)
    for path in samples or sample_corpus():
        text = path.read_text(encoding="utf-8")
        body: list[str] = []
        for line in text.splitlines():
            s = line.strip()
            if not s:
                continue
            if s.startswith("#"):
                title = s.lstrip("#").strip()
                if len(title) >= 6 and _CJK.search(title):
                    pools.headings.append(_split_names(auto, title))
            elif len(s) < 40 and _BYLINE.search(s):
                pools.bylines.append(_split_names(auto, s))
            elif len(s) < 40 and _CAPTION.search(s):
                pools.captions.append(_split_names(auto, s))
            else:
                body.append(s)
        # Hard-wrapped pages break sentences across lines: join before splitting into sentences.
        joined = "".join(body)
        start = 0
        for m in _SENT_END.finditer(joined):
            sent = joined[start : m.end()].strip()
            start = m.end()
            if 10 <= len(sent) <= 300 and _CJK.search(sent):
                pools.sentences.append(_split_names(auto, sent))
    if not pools.sentences:
        raise SystemExit("gen_corpus: no sentences in the sample pages")
    return pools


def _split_names(auto: ahocorasick.Automaton, text: str) -> list[Fragment]:
    """Text with each lexicon name cut out as a (group, row, form) slot, longest match first."""
    out: list[Fragment] = []
    pos = 0
    for end, (length, key) in auto.iter_long(text):
        start = end + 1 - length
        if start < pos:
            continue
        if start > pos:
            out.append(text[pos:start])
        out.append(key)
        pos = end + 1
    if pos < len(text):
        out.append(text[pos:])
    return out


class _Page:
    """One page being written: its random source and its consistent name substitutions."""

    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.pools = pools
        self.rng = rng
        self.swap: dict[tuple[str, int], int] = {}

    def render(self, frags: list[Fragment]) -> str:
        parts = []
        for frag in frags:
            if isinstance(frag, str):
                parts.append(frag)
                continue
            group, r, f = frag
            rows = self.pools.rows[group]
            new = self.swap.get((group, r))
            if new is None:
                new = self.swap[(group, r)] = self.rng.randrange(len(rows))
            forms = rows[new]
            parts.append(forms[1] if f == 1 and len(forms) > 1 and forms[1] else forms[0])
        return "".join(parts)

    def pick(self, pool: list[list[Fragment]]) -> str:
        return self.render(self.rng.choice(pool)) if pool else ""


def make_page(pools: Pools, seed: int, index: int, target: int = PAGE_BYTES) -> str:
    """One newspaper-like page of about ``target`` bytes: several articles with titles, bylines,
    sub-headings, captions and paragraphs of recombined sentences."""
    rng = random.Random(f"{seed}:{index}")
    page = _Page(pools, rng)
    target = rng.randint(int(target * 0.94), int(target * 1.06))
    wrapped = rng.random() < 0.2
    width = rng.randint(13, 18)
    lines: list[str] = []
    size = 0

    def emit(text: str, *, wrap: bool = False) -> None:
        nonlocal size
        if wrap and wrapped:
            chunks = [text[i : i + width] for i in range(0, len(text), width)]
        else:
            chunks = [text]
        for chunk in chunks:
            lines.append(chunk)
            size += len(chunk.encode("utf-8")) + 2

    while size < target:
        emit("## " + page.pick(pools.headings))
        if pools.bylines and rng.random() < 0.8:
            emit(page.pick(pools.bylines))
        for p in range(rng.randint(4, 12)):
            if p and pools.headings and rng.random() < 0.12:
                emit("### " + page.pick(pools.headings))
            if pools.captions and rng.random() < 0.05:
                emit(page.pick(pools.captions))
            para = "".join(page.pick(pools.sentences) for _ in range(rng.randint(1, 5)))
            emit(para, wrap=True)
            if size >= target:
                break
    return "\n\n".join(lines) + "\n"


def corpus_dir(size_mb: float, out: Path = DEFAULT_OUT) -> Path:
    label = f"{size_mb:g}MB"
    return out / label


def _fingerprint(seed: int, size_bytes: int, samples: list[Path]) -> str:
    h = hashlib.sha256(f"{GENERATOR_VERSION}:{seed}:{size_bytes}".encode())
    for p in samples:
        h.update(p.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def generate(size_mb: float, out: Path = DEFAULT_OUT, seed: int = 0, force: bool = False) -> Path:
    """Write a corpus of about ``size_mb`` MB into ``out/<size>MB/`` and return that folder.

    A folder already generated with the same seed, size and generator is reused as it is."""
    folder = corpus_dir(size_mb, out)
    samples = sample_corpus()
    size_bytes = int(size_mb * 1_000_000)
    stamp = folder / ".corpus.json"
    fingerprint = _fingerprint(seed, size_bytes, samples)
    if not force and stamp.exists():
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
                return folder
        except (OSError, ValueError):
            pass
    pools = load_pools(samples)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("page_*.txt"):
        old.unlink()
    total = 0
    index = 0
    while total < size_bytes:
        text = make_page(pools, seed, index)
        data = text.encode("utf-8")
        (folder / f"page_{index:06d}.txt").write_bytes(data)
        total += len(data)
        index += 1
    write_text(
        stamp,
        json.dumps({"fingerprint": fingerprint, "seed": seed, "pages": index, "bytes": total}, indent=1) + "\n",
    )
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="Comma-separated sizes in MB (default: 1,10,100).")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Parent folder of the <size>MB folders.")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--force", action="store_true", help="Regenerate even when an identical corpus exists.")
    args = ap.parse_args(argv)
    for size in (float(s) for s in args.sizes.split(",") if s.strip()):
        folder = generate(size, args.out, args.seed, args.force)
        meta = json.loads((folder / ".corpus.json").read_text(encoding="utf-8"))
        print(f"{folder}: {meta['pages']} pages, {meta['bytes'] / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
