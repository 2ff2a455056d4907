"""The benchmark corpus generator: deterministic, page-sized, every page different, names swapped."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kg.resources.lexicon import load_table

GEN_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "gen_corpus.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_generator()


def corpus_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.txt"))}


def test_same_seed_same_corpus(gen: ModuleType, tmp_path: Path) -> None:
    a = corpus_bytes(gen.generate(0.1, tmp_path / "a", seed=3))
    b = corpus_bytes(gen.generate(0.1, tmp_path / "b", seed=3))
    c = corpus_bytes(gen.generate(0.1, tmp_path / "c", seed=4))
    assert a == b
    assert a.keys() and all(a[name] != c.get(name) for name in a)


def test_size_and_page_size(gen: ModuleType, tmp_path: Path) -> None:
    folder = gen.generate(0.2, tmp_path, seed=0)
    pages = corpus_bytes(folder)
    total = sum(len(b) for b in pages.values())
    assert 200_000 <= total < 200_000 + 20_000  # stops at the first page past the target
    assert all(15_000 <= len(b) <= 21_000 for b in pages.values())
    assert len(set(pages.values())) == len(pages), "two pages are identical"
    texts = [b.decode("utf-8") for b in pages.values()]
    assert all(t.startswith("## ") for t in texts)
    # Pages share few whole paragraphs: they are recombined, not copied.
    paragraphs = [set(p for p in t.split("\n\n") if len(p) > 60) for t in texts]
    assert len(paragraphs[0] & paragraphs[1]) < len(paragraphs[0]) / 2


def test_names_come_from_the_lexicons(gen: ModuleType, tmp_path: Path) -> None:
    text = "".join(b.decode() for b in corpus_bytes(gen.generate(0.2, tmp_path, seed=1)).values())
    parks = {r["name"] for r in load_table("hitech_zones.tsv")} | {r["short"] for r in load_table("hitech_zones.tsv")}
    used = {p for p in parks if p and p in text}
    # The five sample pages name a handful of zones; swapping draws many more from the lexicon.
    assert len(used) > 20


def test_existing_corpus_is_reused(gen: ModuleType, tmp_path: Path) -> None:
    folder = gen.generate(0.05, tmp_path, seed=0)
    page = folder / "page_000000.txt"
    before = page.read_bytes()
    mtime = page.stat().st_mtime_ns
    assert gen.generate(0.05, tmp_path, seed=0) == folder
    assert page.stat().st_mtime_ns == mtime  # not rewritten
    page.write_text("edited", encoding="utf-8")
    gen.generate(0.05, tmp_path, seed=0, force=True)
    assert page.read_bytes() == before
