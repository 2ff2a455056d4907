"""``kg build`` end to end: outputs, messages naming each bad input, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.build.inputs import sample_corpus
from kg.cli import main


def _articles(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]


def test_help_and_version() -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0 and "knowledge graph" in top.output and "build" in top.output
    sub = runner.invoke(main, ["build", "--help"])
    assert sub.exit_code == 0
    for word in ("INPUTS", "folders", "globs", "--out", "articles.jsonl", "Exit code"):
        assert word in sub.output
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and __version__ in version.output


def test_build_without_arguments_uses_the_sample_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    rows = _articles(tmp_path / "out")
    docs = sorted({r["doc"] for r in rows})
    assert docs == sorted(p.name for p in sample_corpus())
    for row in rows:
        assert set(row) >= {"source", "doc", "article", "title", "span", "text"}
        assert row["text"] and row["span"][1] - row["span"][0] == len(row["text"]) - row["head"]
        assert row["text"][: row["head"]] in ("", row["title"] + "\n")  # the headline heads the text
    per_doc = {d: sum(1 for r in rows if r["doc"] == d) for d in docs}
    assert per_doc[next(d for d in docs if d.startswith("003"))] >= 8
    assert "5 files" in result.stderr and f"{len(rows)} articles" in result.stderr
    assert not list((tmp_path / "out").glob(".kg-build-*"))  # the staging folder is gone


def test_bad_inputs_are_named_and_skipped_while_the_rest_is_built(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    shutil.copy(sample_corpus()[3], good)
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03PK\x00\x00" * 100)
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "garbled.txt").write_bytes(bytes(range(0x80, 0x100)) * 20)
    ok = {"id": "ok", "text": "贵阳高新区企业贵州力创科技发展有限公司开发了小程序。"}
    lines = [json.dumps(ok, ensure_ascii=False), '{"id": "bad", "text": ']
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    inputs = [
        str(good),
        str(tmp_path / "binary.txt"),
        str(tmp_path / "empty.md"),
        str(tmp_path / "garbled.txt"),
        str(tmp_path / "docs.jsonl"),
        str(tmp_path / "missing.txt"),
    ]
    result = CliRunner().invoke(main, ["build", *inputs, "-o", str(out)])
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert f"{tmp_path / 'missing.txt'}: no such file" in err
    assert f"{tmp_path / 'binary.txt'}: binary file" in err
    assert f"{tmp_path / 'empty.md'}: empty file" in err
    assert f"{tmp_path / 'garbled.txt'}: cannot decode" in err
    assert f"{tmp_path / 'docs.jsonl'}:2: broken JSON line" in err
    docs = {r["doc"] for r in _articles(out)}
    assert docs == {"good.txt", "docs.jsonl#ok"}
    assert "5 skipped" in err and "2 files" in err


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--no-such-option"])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["build", "-o"])
    assert result.exit_code == 2


def test_unusable_output_folder_is_a_usage_error_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-o", str(blocker / "out"), "--no-cache"])
    assert result.exit_code == 2
    assert "cannot write to" in result.output and str(blocker / "out") in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback


def test_a_build_that_reads_nothing_creates_no_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "missing.txt"), "-o", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert "nothing could be read" in result.output
    assert not (tmp_path / "new").exists()
