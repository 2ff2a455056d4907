"""``kg build --jobs N``: the outputs are byte-identical whatever N and whatever the cache holds."""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import partial
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from kg.build.executors import chunksize as _chunksize
from kg.build.inputs import discover
from kg.build.parallel import extract
from kg.cli import main

GEN_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "gen_corpus.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six generated newspaper pages plus a .jsonl file of two documents (a file with several results)."""
    root = tmp_path_factory.mktemp("gen")
    folder = load_generator().generate(0.1, root, seed=11)
    pages = sorted(folder.glob("*.txt"))
    lines = [
        json.dumps({"id": str(i), "text": p.read_text(encoding="utf-8")[:3000]}, ensure_ascii=False)
        for i, p in enumerate(pages[:2])
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def kg_build(*args: str | Path) -> dict[str, bytes]:
    out = Path(str(args[args.index("-o") + 1]))
    result = CliRunner().invoke(main, ["build", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_jobs_1_and_2_give_identical_outputs(corpus: Path, tmp_path: Path) -> None:
    one = kg_build(corpus, "-o", tmp_path / "j1", "--jobs", "1", "--no-cache")
    two = kg_build(corpus, "-o", tmp_path / "j2", "--jobs", "2", "--no-cache")
    assert len(one) == 8 and one["kg.ttl"]
    assert one == two
    docs = [json.loads(line)["doc"] for line in one["extractions.jsonl"].decode().splitlines()]
    assert docs == sorted(docs) and len(docs) == 8  # input order: the discovered (sorted) file order


def test_partly_cached_parallel_build_matches_a_fresh_one(corpus: Path, tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    work.mkdir()
    for p in sorted(corpus.iterdir()):
        (work / p.name).write_bytes(p.read_bytes())
    cache = tmp_path / "cache"
    kg_build(work, "-o", tmp_path / "first", "--jobs", "2", "--cache-dir", cache)
    for name in ("page_000001.txt", "page_000004.txt"):  # changed files between cached ones
        page = work / name
        page.write_text(page.read_text(encoding="utf-8").replace("高新区", "高新技术产业开发区", 3), encoding="utf-8")
    mixed = kg_build(work, "-o", tmp_path / "mixed", "--jobs", "2", "--cache-dir", cache)
    fresh = kg_build(work, "-o", tmp_path / "fresh", "--jobs", "1", "--no-cache")
    assert mixed == fresh
    cached_again = kg_build(work, "-o", tmp_path / "again", "--jobs", "2", "--cache-dir", cache)
    assert cached_again == fresh


def test_extract_yields_in_input_order_with_progress(corpus: Path) -> None:
    files, errors = discover([str(corpus)])
    assert not errors
    ticks: list[int] = []
    out = list(extract(files, jobs=2, progress=ticks.append))
    assert [docs[0].path for docs, _, _ in out] == [str(p) for p in files]
    assert sum(ticks) == len(files)


def test_chunksize_keeps_workers_busy() -> None:
    assert _chunksize(5, 2) == 1
    assert 1 < _chunksize(2000, 2) <= 16


def test_writers_run_in_parallel_and_report_failures(tmp_path: Path) -> None:
    from kg.build.parallel import run_writers

    def ok(name: str, folder: Path) -> None:
        (folder / name).write_text(name, encoding="utf-8")

    def broken(name: str, folder: Path) -> None:
        raise ValueError(f"cannot write {name}")

    run_writers({n: partial(ok, n) for n in ("a.txt", "b.txt", "kg.nt")}, tmp_path, jobs=2)
    assert sorted(p.read_text(encoding="utf-8") for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "kg.nt"]
    with pytest.raises(ValueError, match="cannot write kg.ttl"):
        run_writers({"a.txt": partial(ok, "a.txt"), "kg.ttl": partial(broken, "kg.ttl")}, tmp_path, jobs=2)


def test_big_graphs_are_written_one_writer_at_a_time() -> None:
    from kg.build.parallel import writer_jobs
    from kg.model import Edge, Evidence, KnowledgeGraph, Node

    ev = Evidence(doc="d", path="d", article=0, sentence="s", start=0, end=1, pattern="p")

    def graph(n: int) -> KnowledgeGraph:
        nodes = [Node(id=f"n{i}", name=f"n{i}", type="Park") for i in range(n)]
        return KnowledgeGraph(nodes=nodes, edges=[Edge(f"n{i}", "partOf", "n0", [ev]) for i in range(n)])

    assert writer_jobs(graph(100), 2) == 2
    assert writer_jobs(graph(100), 1) == 1
    assert writer_jobs(graph(100_000), 2) == 2  # ~0.3 M items (the 100 MB benchmark graph): two fit
    assert writer_jobs(graph(400_000), 2) == 1  # ~1.2 M items: parallel writers would not fit the budget
