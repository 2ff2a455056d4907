"""A rebuild into the same output folder copies the unchanged blocks of kg.ttl and kg.nt from the last
build: the outputs must be byte-identical to a full build of the same corpus, whatever changed, and
files that are not the last build's (edited, replaced, another kg version) must never be copied from."""

from __future__ import annotations

import os
import pickle
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.inputs import sample_corpus
from kg.cli import main
from kg.writers import rdf
from kg.writers.tables import OUTPUTS, LastBuild

NEWS = "\n中关村科技园区与清华大学签署战略合作协议，共建人工智能联合实验室。\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for src in sample_corpus():
        (folder / src.name).write_bytes(src.read_bytes())
    return folder


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many blocks each RDF write copied (the builds below use --jobs 1: writers run in this process)."""
    counts: list[int] = []
    real = rdf.write_rdf

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts.append(real(*args, **kwargs))
        return counts[-1]

    monkeypatch.setattr(rdf, "write_rdf", counting)
    return counts


def kg_build(corpus: Path, out: Path, cache: Path | None) -> None:
    args = ["build", str(corpus), "-o", str(out), "--jobs", "1"]
    args += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def assert_same_as_full_build(corpus: Path, out: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    kg_build(corpus, full, None)
    got, want = outputs(out), outputs(full)
    for name in OUTPUTS:
        assert got[name] == want[name], f"{name} differs from a full build"


def test_rebuilds_copy_unchanged_blocks_and_equal_full_builds(corpus: Path, tmp_path: Path, copied: list[int]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    kg_build(corpus, out, cache)
    assert copied == [0]  # nothing to copy from
    index = LastBuild.of(out, cache).index
    assert index.is_file() and not (out / "rdf.index").exists()  # kept in the cache, not among the outputs
    blocks = len(rdf.load_rdf_index(index).blocks)  # type: ignore[union-attr]

    assert blocks > 100

    pages = sorted(corpus.glob("*.txt"))
    rng = random.Random(7)
    edits = [
        # a new sentence with new entities and a relation, and a new spelling of known ones
        lambda: pages[1].write_text(pages[1].read_text(encoding="utf-8") + NEWS, encoding="utf-8"),
        lambda: pages[2].unlink(),  # a page removed: its entities' counts, files and relations change
        lambda: (corpus / "sub").mkdir() or (corpus / "sub" / pages[0].name).write_bytes(pages[0].read_bytes()),
        # the same name in a subfolder: doc ids are renamed, every assertion of the page is new
        lambda: pages[3].write_text(
            "\n".join(rng.sample(pages[3].read_text(encoding="utf-8").splitlines(), k=40)), encoding="utf-8"
        ),
    ]
    for edit in edits:
        edit()
        kg_build(corpus, out, cache)
        assert copied[-1] > 0
        assert_same_as_full_build(corpus, out, tmp_path)


def test_outputs_changed_since_are_not_copied_from(corpus: Path, tmp_path: Path, copied: list[int]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    kg_build(corpus, out, cache)
    ttl = out / "kg.ttl"
    data = ttl.read_bytes()
    ttl.write_bytes(data.replace(b"Company", b"Compxny", 1))  # edited in place, same size
    kg_build(corpus, out, cache)
    assert copied[-1] == 0
    assert_same_as_full_build(corpus, out, tmp_path)

    (out / "kg.nt").unlink()  # removed
    kg_build(corpus, out, cache)
    assert copied[-1] == 0
    assert_same_as_full_build(corpus, out, tmp_path)


def test_an_index_of_another_version_or_damaged_is_not_used(corpus: Path, tmp_path: Path, copied: list[int]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    page = sorted(corpus.glob("*.txt"))[1]
    kg_build(corpus, out, cache)
    index = LastBuild.of(out, cache).index
    saved = rdf.load_rdf_index(index)
    assert saved is not None
    index.write_bytes(pickle.dumps(saved._replace(version="another")))
    page.write_text(page.read_text(encoding="utf-8") + NEWS, encoding="utf-8")
    kg_build(corpus, out, cache)
    assert copied[-1] == 0
    index.write_bytes(index.read_bytes()[:1000])  # damaged
    page.write_text(page.read_text(encoding="utf-8") + NEWS, encoding="utf-8")
    kg_build(corpus, out, cache)
    assert copied[-1] == 0
    assert_same_as_full_build(corpus, out, tmp_path)
    page.write_text(page.read_text(encoding="utf-8") + NEWS, encoding="utf-8")
    kg_build(corpus, out, cache)  # the index was saved again
    assert copied[-1] > 0


def test_a_previous_file_that_breaks_mid_copy_means_a_full_write(
    corpus: Path, tmp_path: Path, copied: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    kg_build(corpus, out, cache)
    calls = []

    def breaking(self, which, start, end, fh):  # type: ignore[no-untyped-def]
        calls.append(which)
        if len(calls) > 3:
            raise rdf._Stale("shorter than its index says")
        real_copy(self, which, start, end, fh)

    real_copy = rdf._Previous.copy
    monkeypatch.setattr(rdf._Previous, "copy", breaking)
    page = sorted(corpus.glob("*.txt"))[1]
    page.write_text(page.read_text(encoding="utf-8") + "\n贵阳高新区引进翰斯智能公司。\n", encoding="utf-8")
    kg_build(corpus, out, cache)
    assert len(calls) > 3 and copied[-1] == 0
    assert_same_as_full_build(corpus, out, tmp_path)


def test_no_cache_keeps_no_index(corpus: Path, tmp_path: Path, copied: list[int]) -> None:
    out = tmp_path / "out"
    kg_build(corpus, out, None)
    kg_build(corpus, out, None)
    assert copied == [0, 0]
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)


def test_an_unchanged_entity_whose_neighbour_is_renamed_is_written_again(tmp_path: Path, copied: list[int]) -> None:
    """A page that spells a park in full renames its node (the fullest name wins): the block of a
    company on another, unchanged page changes only through its relation to the park."""
    corpus, out, cache = tmp_path / "corpus", tmp_path / "out", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "a.txt").write_text("## 落户\n\n华为技术有限公司落户贵阳高新区。\n", encoding="utf-8")
    (corpus / "b.txt").write_text("## 会议\n\n中关村科技园区召开会议。\n", encoding="utf-8")
    kg_build(corpus, out, cache)
    assert "贵阳高新区" in (out / "relations.csv").read_text(encoding="utf-8")
    (corpus / "b.txt").write_text(
        "## 会议\n\n贵阳国家高新技术产业开发区（以下简称“贵阳高新区”）召开会议。\n", encoding="utf-8"
    )
    kg_build(corpus, out, cache)
    assert "贵阳国家高新技术产业开发区" in (out / "relations.csv").read_text(encoding="utf-8")
    assert copied[-1] > 0
    assert_same_as_full_build(corpus, out, tmp_path)


def identities(out: Path) -> dict[str, tuple[int, int]]:
    return {name: ((out / name).stat().st_ino, (out / name).stat().st_mtime_ns) for name in OUTPUTS}


def test_a_rebuild_with_nothing_changed_writes_nothing(corpus: Path, tmp_path: Path, copied: list[int]) -> None:
    """The same inputs (touched or not), options and kg, into outputs nobody changed: the outputs are
    left as they are (so are their time stamps), and the summary is the last build's."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = CliRunner().invoke(main, ["build", str(corpus), "-o", str(out), "--cache-dir", str(cache), "-j", "1"])
    assert first.exit_code == 0
    before = identities(out)
    page = sorted(corpus.glob("*.txt"))[0]
    page.write_bytes(page.read_bytes())  # touched: a new time stamp, the same content
    again = CliRunner().invoke(main, ["build", str(corpus), "-o", str(out), "--cache-dir", str(cache), "-j", "1"])
    assert again.exit_code == 0 and "nothing changed since the last build" in again.output
    assert again.output.split(" in ")[0] == first.output.split(" in ")[0]  # the same counts
    assert identities(out) == before and len(copied) == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)  # no staging folder left

    kg_build_args = ["build", str(corpus), "-o", str(out), "--cache-dir", str(cache), "-j", "1"]
    other = CliRunner().invoke(main, [*kg_build_args, "--max-nodes", "5"])  # another option: built
    assert other.exit_code == 0 and "nothing changed" not in other.output and len(copied) == 2
    back = CliRunner().invoke(main, kg_build_args)
    assert "nothing changed" not in back.output and len(copied) == 3
    assert_same_as_full_build(corpus, out, tmp_path)

    (out / "kg.html").unlink()  # an output removed: built again
    assert "nothing changed" not in CliRunner().invoke(main, kg_build_args).output
    assert (out / "kg.html").is_file()
    (out / "entities.csv").write_text("edited", encoding="utf-8")
    assert "nothing changed" not in CliRunner().invoke(main, kg_build_args).output
    assert_same_as_full_build(corpus, out, tmp_path)

    missing = [*kg_build_args, str(tmp_path / "no-such-page.txt")]
    for _ in range(2):  # a skipped input is reported every time, never taken as unchanged
        res = CliRunner().invoke(main, missing)
        assert res.exit_code == 1 and "no-such-page.txt" in res.output and "nothing changed" not in res.output


def test_only_the_latest_builds_are_remembered(tmp_path: Path) -> None:
    from kg.writers.tables import KEPT_BUILDS

    cache = tmp_path / "cache"
    folder = cache / "builds"
    folder.mkdir(parents=True)
    for i in range(KEPT_BUILDS + 4):
        record = folder / f"{i:016x}.build"
        record.write_bytes(b"x")
        record.with_suffix(".rdf-index").write_bytes(b"x")
        os.utime(record, ns=(i * 10**9, i * 10**9))
    (folder / "orphan.rdf-index").write_bytes(b"x")
    stage = tmp_path / "stage"
    stage.mkdir()
    last = LastBuild.of(tmp_path / "out", cache)
    last.save(stage, {}, [], {}, {})
    kept = sorted(p.name for p in folder.glob("*.build"))
    assert len(kept) == KEPT_BUILDS and last.record.name in kept
    assert f"{0:016x}.build" not in kept and f"{KEPT_BUILDS + 3:016x}.build" in kept
    assert sorted(p.with_suffix(".build").name for p in folder.glob("*.rdf-index")) == sorted(
        n for n in kept if n != last.record.name
    )


def test_the_index_is_saved_across_file_systems(
    corpus: Path, tmp_path: Path, copied: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staged index is moved into the cache folder, or copied when that is another file system."""
    import errno

    out, cache = tmp_path / "out", tmp_path / "cache"
    real_replace = os.replace

    def no_move_across(src, dst):  # type: ignore[no-untyped-def]
        if str(src).endswith("rdf.index"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", no_move_across)
    kg_build(corpus, out, cache)
    monkeypatch.setattr(os, "replace", real_replace)
    assert rdf.load_rdf_index(LastBuild.of(out, cache).index) is not None
    page = sorted(corpus.glob("*.txt"))[1]
    page.write_text(page.read_text(encoding="utf-8") + NEWS, encoding="utf-8")
    kg_build(corpus, out, cache)
    assert copied[-1] > 0
    assert_same_as_full_build(corpus, out, tmp_path)
