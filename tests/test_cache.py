"""The per-file extraction cache: hits skip extraction, changed content or code invalidates."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import kg.build.pipeline
import kg.build.process
from kg.build.cache import Cache, file_key
from kg.build.inputs import sample_corpus
from kg.build.pipeline import build
from kg.resources.version import library_versions, tree_version


@pytest.fixture
def corpus(tmp_path: Path) -> list[Path]:
    """Three real sample pages copied to a scratch folder (so one can be edited)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    files = []
    for src in sample_corpus()[:3]:
        dst = folder / src.name
        dst.write_bytes(src.read_bytes())
        files.append(dst)
    return files


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files process_file is called for (in this process: the builds below use jobs=1)."""
    calls: list[Path] = []
    real = kg.build.process.process_file

    def counting(path: Path):  # type: ignore[no-untyped-def]
        calls.append(path)
        return real(path)

    monkeypatch.setattr(kg.build.process, "process_file", counting)
    return calls


def snapshot(res: kg.build.pipeline.BuildResult) -> tuple[object, ...]:
    return (res.results, list(res.texts), res.graph, res.errors)


def test_rebuild_reads_the_cache(corpus: list[Path], counted: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build(corpus, cache_dir=cache)
    assert counted == corpus
    counted.clear()
    second = build(corpus, cache_dir=cache)
    assert counted == []  # nothing extracted again
    assert snapshot(second) == snapshot(first)
    assert (cache / "CACHEDIR.TAG").exists()


def test_changed_file_is_extracted_again(corpus: list[Path], counted: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(corpus, cache_dir=cache)
    counted.clear()
    changed = corpus[1]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n中关村科技园区与清华大学签署战略合作协议。\n", encoding="utf-8"
    )
    res = build(corpus, cache_dir=cache)
    assert counted == [changed]
    assert snapshot(res) == snapshot(build(corpus))  # same as an uncached build of the edited corpus


def test_no_cache_dir_means_no_cache(corpus: list[Path], counted: list[Path]) -> None:
    build(corpus)
    build(corpus)
    assert counted == corpus + corpus


def test_damaged_entry_is_extracted_again(corpus: list[Path], counted: list[Path], tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = build(corpus, cache_dir=cache_dir)
    cache = Cache(cache_dir)
    key = file_key(corpus[0], corpus[0].read_bytes())
    entry = cache._entry(key)
    good = entry.read_bytes()
    for damaged in (b"not a pickle", good[:-1] + bytes([good[-1] ^ 1]), good[: len(good) // 2]):
        entry.write_bytes(damaged)
        counted.clear()
        again = build(corpus, cache_dir=cache_dir)
        assert counted == [corpus[0]]  # detected, extracted again
        assert snapshot(again) == snapshot(first)
        hit = Cache(cache_dir).get(key)  # and repaired
        assert hit is not None and hit[0] == first.results[:1]
        assert pickle.loads(hit[1]) == list(first.texts)[:1]


def test_files_with_errors_are_not_cached(tmp_path: Path, counted: list[Path]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")  # an empty file is an input error
    cache = tmp_path / "cache"
    res = build([bad], cache_dir=cache)
    assert res.errors and not res.results  # an empty file is reported, never cached
    build([bad], cache_dir=cache)
    assert counted == [bad, bad]


def test_key_depends_on_path_and_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    assert file_key(a, b"x") != file_key(b, b"x")  # results name the file, so the path is part of the key
    assert file_key(a, b"x") != file_key(a, b"y")
    assert file_key(a, b"x") == file_key(a, b"x")


def test_version_follows_lexicons_and_code(tmp_path: Path) -> None:
    pkg = Path(kg.__file__).parent
    copy = tmp_path / "kg"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__", "sample", "ontology", "queries"))
    base = tree_version(copy)
    assert tree_version(copy) == base
    seen = {base}

    def changed() -> str:
        version = tree_version(copy)
        assert version not in seen
        seen.add(version)
        return version

    lexicon = copy / "data" / "lexicons" / "hitech_zones.tsv"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "测试高新区\t测试\t\t\t\tnational\n", encoding="utf-8")
    changed()
    rule = copy / "entities.py" if (copy / "entities.py").exists() else copy / "extract" / "entities.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    changed()
    # Code in a subpackage, however deep, and a model file beside the lexicons are part of the key.
    sub = copy / "extract" / "models"
    sub.mkdir(parents=True, exist_ok=True)
    (sub / "recognizer.py").write_text("THRESHOLD = 0.5\n", encoding="utf-8")
    changed()
    (sub / "recognizer.py").write_text("THRESHOLD = 0.6\n", encoding="utf-8")
    changed()
    model = copy / "data" / "models" / "ner.onnx"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"\x00weights-1")
    changed()
    model.write_bytes(b"\x00weights-2")
    changed()
    # So is the version of a library that changes results (another jieba dictionary, zhconv table…).
    libs = library_versions()
    assert "jieba " in libs and "zhconv " in libs
    assert tree_version(copy, libraries=libs) == tree_version(copy)
    assert tree_version(copy, libraries=libs.replace("jieba ", "jieba 0.0.0+other ")) != tree_version(copy)


def test_stale_cache_is_not_reused_after_a_subpackage_changes(corpus: list[Path], tmp_path: Path) -> None:
    """End to end: entries made under one extractor version are never read under another."""
    cache_dir = tmp_path / "cache"
    pkg = Path(kg.__file__).parent
    copy = tmp_path / "kg"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__", "sample", "ontology", "queries"))
    before = Cache(cache_dir, version=tree_version(copy))
    key = file_key(corpus[0], corpus[0].read_bytes())
    empty = pickle.dumps([])
    before.put(key, empty, empty)
    assert Cache(cache_dir, version=tree_version(copy)).get(key) is not None
    (copy / "data" / "models").mkdir(parents=True, exist_ok=True)
    (copy / "data" / "models" / "ner.onnx").write_bytes(b"weights")
    assert Cache(cache_dir, version=tree_version(copy)).get(key) is None


def test_new_version_drops_old_entries(corpus: list[Path], tmp_path: Path) -> None:
    root = tmp_path / "cache"
    old = Cache(root, version="0" * 16)
    empty = pickle.dumps([])
    old.put("ab" * 32, empty, empty)
    assert (root / old.version).is_dir()
    new = Cache(root, version="1" * 16)
    new.put("cd" * 32, empty, empty)
    assert not (root / old.version).exists()
    assert new.get("cd" * 32) == ([], empty) and new.hits == 1


def test_unwritable_cache_does_not_stop_the_build(
    corpus: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    res = build(corpus, cache_dir=blocker / "cache")
    assert len(res.results) == len(corpus)
    assert "extraction cache off" in capsys.readouterr().err
