"""Reading files: encodings, formats, and a clear error naming the file for every bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.build.inputs import discover, sample_corpus
from kg.build.process import process_file
from kg.errors import InputError
from kg.ingest.read import decode_bytes, html_to_text, read_path

SAMPLES = {p.name[:3]: p for p in sample_corpus()}


def _text(code: str) -> str:
    return SAMPLES[code].read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_encoded_copies_read_like_the_utf8_page(tmp_path: Path, encoding: str) -> None:
    code = "000" if encoding == "gbk" else "003"  # 003 holds ▶, which GBK cannot encode
    original = _text(code)
    copy = tmp_path / f"{code}_{encoding}.txt"
    copy.write_bytes(original.encode(encoding))
    [doc] = read_path(copy)
    assert doc.text == original
    assert doc.doc == copy.name


def test_big5_traditional_page_is_read(tmp_path: Path) -> None:
    import zhconv

    traditional = zhconv.convert(_text("000"), "zh-tw")
    copy = tmp_path / "big5.txt"
    copy.write_bytes(traditional.encode("big5", errors="ignore"))
    [doc] = read_path(copy)
    assert doc.text == traditional.encode("big5", errors="ignore").decode("big5")
    assert "貴陽高新區" in doc.text


def test_gb18030_only_characters_survive(tmp_path: Path) -> None:
    # 䶮 is outside GBK: a GBK decoder would fail where GB18030 reads it.
    text = "龚䶮在贵阳高新区工作。\n" * 20
    path = tmp_path / "rare.txt"
    path.write_bytes(text.encode("gb18030"))
    assert read_path(path)[0].text == text


def test_html_keeps_visible_text_and_block_structure(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>不要</title><style>p{color:red}</style><script>var x='不要';</script></head>"
        "<body><h2>贵阳高新区：排名跃升</h2><p>第一段&nbsp;文字<b>加粗</b>。</p><div>第二段。<br>第三行。</div>"
        "<noscript>也不要</noscript></body></html>",
        encoding="utf-8",
    )
    [doc] = read_path(page)
    lines = [ln for ln in doc.text.split("\n") if ln.strip()]
    assert lines == ["## 贵阳高新区：排名跃升", "第一段\u00a0文字加粗。", "第二段。", "第三行。"]
    assert "不要" not in doc.text


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = tmp_path / "gbk.htm"
    page.write_bytes('<meta charset="gbk"><p>贵阳高新区企业贵州力创科技发展有限公司</p>'.encode("gbk"))
    assert "贵州力创科技发展有限公司" in read_path(page)[0].text


def test_html_to_text_drops_head() -> None:
    assert html_to_text("<head><title>T</title></head><body><p>正文</p></body>").strip() == "正文"


def test_jsonl_ids_meta_and_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "贵阳高新区消息。", "date": "2021-02-22", "n": 3}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"text": "没有编号的一篇。"}, ensure_ascii=False),
        json.dumps({"id": 7, "title": "无正文"}),
        json.dumps(["not", "an", "object"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors: list[InputError] = []
    docs = read_path(path, errors)
    assert [d.doc for d in docs] == ["news.jsonl#a1", "news.jsonl#4"]
    assert docs[0].meta == {"id": "a1", "date": "2021-02-22", "n": "3"}
    assert [(e.path, e.line) for e in errors] == [(str(path), 3), (str(path), 5), (str(path), 6)]
    assert all(str(path) in str(e) and "broken JSON line" in str(e) for e in errors)
    # without an error channel the first broken line is raised, naming file and line
    with pytest.raises(InputError, match=r"news\.jsonl:3: broken JSON line"):
        read_path(path)


def test_process_file_keeps_good_jsonl_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "x", "text": _text("001")}, ensure_ascii=False)
    path.write_text(good + "\n{broken\n", encoding="utf-8")
    results, errors = process_file(path)
    assert [r.doc for r in results] == ["mixed.jsonl#x"]
    assert results[0].articles
    assert len(errors) == 1 and errors[0].line == 2


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n\t \r\n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4, "binary file"),
        ("latin.txt", bytes(range(0x80, 0x100)) * 30, "cannot decode"),
        ("bad-bom.txt", b"\xef\xbb\xbf\xff\xfe\xfa\xfb", "byte-order mark"),
    ],
)
def test_bad_files_raise_an_error_naming_the_file(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_path(path)
    assert str(info.value).startswith(str(path) + ":")
    assert problem in str(info.value)


def test_missing_folder_and_broken_link(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_path(tmp_path)
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="broken symbolic link"):
        read_path(link)


def test_decode_prefers_utf8_then_detects() -> None:
    assert decode_bytes("科技日报讯".encode(), "x") == "科技日报讯"
    assert decode_bytes("科技日报讯，贵阳高新区。".encode("gbk") * 5, "x") == "科技日报讯，贵阳高新区。" * 5


def test_discover_files_folders_globs_and_problems(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "one.txt").write_text("一。", encoding="utf-8")
    (tmp_path / "a" / "deep" / "two.md").write_text("二。", encoding="utf-8")
    (tmp_path / "a" / "skip.png").write_bytes(b"\x89PNG")
    (tmp_path / "a" / "dead.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "b.jsonl").write_text('{"text": "三。"}\n', encoding="utf-8")
    files, errors = discover(
        [
            str(tmp_path / "a"),
            str(tmp_path / "*.jsonl"),
            str(tmp_path / "a" / "one.txt"),
            str(tmp_path / "none.txt"),
            str(tmp_path / "*.nothing"),
        ]
    )
    assert [f.name for f in files] == ["two.md", "one.txt", "b.jsonl"]
    messages = [str(e) for e in errors]
    assert any("dead.txt" in m and "broken symbolic link" in m for m in messages)
    assert any("none.txt" in m and "no such file" in m for m in messages)
    assert any("*.nothing" in m and "no file matches" in m for m in messages)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_folder_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("一。", encoding="utf-8")
    locked.chmod(0)
    try:
        files, errors = discover([str(locked)])
    finally:
        locked.chmod(0o755)
    assert files == []
    assert len(errors) == 1 and "locked" in str(errors[0]) and "not readable" in str(errors[0])


def test_bytes_read_exactly_as_the_file(tmp_path: Path) -> None:
    """What a cluster's worker does with the bytes it is sent (``read_bytes``) is what a local build does
    with the file: PDF, a web page's main text (readability), legacy encodings, JSON lines, and errors."""
    from test_first_day import _make_pdf

    from kg.ingest.read import read_bytes

    html = Path(__file__).parent / "data" / "html"
    files = sorted(html.glob("*.html"))
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(_make_pdf(["本报讯 贵阳高新区管委会与中国科学院", "签署合作协议。"]))
    gbk = tmp_path / "000.txt"
    gbk.write_bytes(_text("000").encode("gbk"))
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "贵州翰斯智能技术有限公司落户贵阳高新区。"}\n{"id": \n', encoding="utf-8")
    for path in [*files, pdf, gbk, feed]:
        file_errors: list[InputError] = []
        byte_errors: list[InputError] = []
        from_file = read_path(path, file_errors)
        assert from_file and from_file == read_bytes(str(path), path.read_bytes(), byte_errors), path
        assert [str(e) for e in byte_errors] == [str(e) for e in file_errors]
    assert [str(e) for e in byte_errors] == [f"{feed}:2: broken JSON line: Expecting value: line 1 column 8 (char 7)"]
    for name, data in [("broken.pdf", b"%PDF-1.4\nnot really"), ("bin.txt", b"\x00\x01\x02\x03" * 50)]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as from_file_err:
            read_path(tmp_path / name)
        with pytest.raises(InputError) as from_bytes_err:
            read_bytes(str(tmp_path / name), data)
        assert str(from_bytes_err.value) == str(from_file_err.value)
