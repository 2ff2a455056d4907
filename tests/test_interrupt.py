"""Interrupted builds (issue 8): a writer that fails half-way, and SIGINT sent to a real ``kg build``
at several moments, leave the previous outputs in DIR byte for byte and no temporary files behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_hostile_inputs import OUTPUTS, build, check_outputs  # a sibling test module

from kg.writers import rdf, viz

SAMPLE = Path(__file__).resolve().parents[1] / "kg" / "data" / "sample"


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """DIR holding a finished build of two sample pages, and its bytes."""
    src = tmp_path / "first"
    src.mkdir()
    for name in sorted(p.name for p in SAMPLE.glob("*.txt"))[:2]:
        (src / name).write_bytes((SAMPLE / name).read_bytes())
    out = tmp_path / "out"
    assert build(src, "-o", out).exit_code == 0
    snap = snapshot(out)
    assert sorted(snap) == sorted(OUTPUTS)
    return out, snap


def _boom_after_writing(real: object) -> object:
    def boom(path: Path, *args: object, **kwargs: object) -> None:
        Path(path).write_text("@prefix half-written", encoding="utf-8")  # leave a partial file behind
        raise RuntimeError("disk full (simulated)")

    return boom


def _boom_rdf(graph: object, ttl: Path, nt: Path, **kwargs: object) -> None:
    """kg.ttl and kg.nt are written in one pass: fail after a part of both."""
    for path in (ttl, nt):
        Path(path).write_text("@prefix half-written", encoding="utf-8")
    raise RuntimeError("disk full (simulated)")


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("target", ["turtle", "html"])
def test_writer_failing_midway_keeps_previous_outputs(
    tmp_path: Path, previous: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, jobs: str, target: str
) -> None:
    """One writer raises after writing part of its file (Turtle is written early, HTML late): the build
    fails and DIR is exactly the previous build, with no staging folder or temp file left."""
    out, before = previous
    if target == "turtle":
        monkeypatch.setattr(rdf, "write_rdf", _boom_rdf)
    else:
        monkeypatch.setattr(viz, "write_html", _boom_after_writing(viz.write_html))
    corpus = tmp_path / "second"
    corpus.mkdir()
    for p in sorted(SAMPLE.glob("*.txt")):
        (corpus / p.name).write_bytes(p.read_bytes())
    with pytest.raises(RuntimeError, match="disk full"):  # an internal error: it propagates
        build(corpus, "-o", out, "--jobs", jobs)
    assert snapshot(out) == before
    check_outputs(out)


def test_write_all_failing_keeps_previous_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same at the API level, for both the sequential and the forked writers."""
    from conftest import make_graph

    from kg.build.builder import write_all

    graph = make_graph()
    out = tmp_path / "out"
    write_all(out, [], graph)
    before = snapshot(out)
    monkeypatch.setattr(rdf, "write_rdf", _boom_rdf)
    for jobs in (1, 3):
        with pytest.raises(RuntimeError, match="disk full"):
            write_all(out, [], graph, jobs=jobs)
        assert snapshot(out) == before


# -------------------------------------------------------------------------------------------- SIGINT


def _larger_corpus(folder: Path, copies: int) -> None:
    """The sample pages, each copied with a distinct first line so nothing is shared between copies."""
    folder.mkdir()
    for i in range(copies):
        for p in sorted(SAMPLE.glob("*.txt")):
            text = p.read_text(encoding="utf-8")
            (folder / f"{i:03d}_{p.name}").write_text(f"第{i}期\n\n{text}", encoding="utf-8")


def _kg_build(args: list[str]) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "build", "--no-cache", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _staging(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.fixture(scope="module")
def sigint_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """A larger corpus and the bytes of its uninterrupted build (to recognise a build that finished)."""
    root = tmp_path_factory.mktemp("sigint")
    corpus = root / "corpus"
    _larger_corpus(corpus, 25)  # long enough to be interrupted 1 s in, with extraction at ~10 ms a page
    ref = root / "ref"
    proc = _kg_build([str(corpus), "-o", str(ref)])
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return root, corpus, snapshot(ref)


@pytest.mark.parametrize("moment", ["extracting", "staging-created", "staging-filled"])
def test_sigint_keeps_previous_outputs(
    tmp_path: Path,
    previous: tuple[Path, dict[str, bytes]],
    sigint_setup: tuple[Path, Path, dict[str, bytes]],
    moment: str,
) -> None:
    """SIGINT while extracting, as soon as the staging folder appears, and once staged files exist:
    DIR holds either the previous build or (had it finished first) the new one, never a mix, never a
    temporary file; an interrupted build exits non-zero."""
    out, before = previous
    _, corpus, after = sigint_setup
    proc = _kg_build([str(corpus), "-o", str(out)])
    deadline = time.monotonic() + 120
    try:
        if moment == "extracting":
            time.sleep(1.0)
        else:
            while time.monotonic() < deadline and proc.poll() is None:
                stage = _staging(out)
                if stage and (moment == "staging-created" or (stage[0].is_dir() and len(os.listdir(stage[0])) >= 3)):
                    break
                time.sleep(0.002)
        interrupted = proc.poll() is None
        if interrupted:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    now = snapshot(out)
    assert sorted(now) == sorted(OUTPUTS), f"left behind: {sorted(set(now) - set(OUTPUTS))}"
    if moment == "staging-filled" and proc.returncode == 0:
        # The writers may all be done by then, and the renames are not interruptible: the new build, whole.
        assert now == after
    else:
        assert interrupted, "the build finished before the signal: make the corpus larger"
        assert proc.returncode != 0, f"Ctrl-C was ignored: {err[-2000:]}"
        assert now == before, "an interrupted build changed the previous outputs"
        assert "Traceback" not in err and "Exception ignored" not in err, err[-3000:]
    check_outputs(out)
