"""What a new user gives kg is neither lost nor hidden (issue 15): short documents, .jsonl metadata,
HTML page furniture, empty or unsupported inputs, build folders as graphs, progress, help texts."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import click
import lxml.html
import pyshacl
import pytest
import rdflib
from click.testing import CliRunner

from kg.build.process import process_file
from kg.cli import PROGRESS_AFTER, PROGRESS_EVERY, ProgressLines, main
from kg.model import Article
from kg.query import load_store, select_rows
from kg.writers.rdf import load_graph, write_turtle

REPO = Path(__file__).resolve().parent.parent

# One short sentence a line, as public news-sentence datasets give them: none is a headline or a caption.
SHORT_DOCS = [
    {
        "id": "a",
        "text": "贵阳高新区管委会与中国科学院签署合作协议。",
        "date": "2024-01-10",
        "url": "https://news.example.cn/a.html",
        "source": "贵阳日报",
    },
    {"id": "b", "text": "万达书城朝阳区建国路93号", "date": "2023年5月2日"},
    {
        "id": "c",
        "text": "由远洋集团投资开发的滨海广场位于东四环内，首期推出精装公寓——",
        "date": "上周",
        "url": "not a web address",
        "title": "滨海广场开盘",
    },
    {"id": "d", "text": "苏州工业园区"},
]


def _build(tmp_path: Path, *inputs: str, name: str = "out") -> tuple[int, str, Path]:
    out = tmp_path / name
    res = CliRunner().invoke(main, ["build", *inputs, "-o", str(out), "--no-cache", "-j", "1"])
    return res.exit_code, res.output, out


def _short_build(tmp_path: Path) -> Path:
    src = tmp_path / "short.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in SHORT_DOCS), encoding="utf-8")
    code, output, out = _build(tmp_path, str(src))
    assert code == 0, output
    return out


def test_every_short_document_reaches_extraction(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted({a["doc"] for a in articles}) == [f"short.jsonl#{d['id']}" for d in SHORT_DOCS]
    for doc in SHORT_DOCS:
        [art] = [a for a in articles if a["doc"] == f"short.jsonl#{doc['id']}"]
        assert art["text"][art.get("head", 0) :] == doc["text"]  # a title given beside it heads the text
        assert art["sentences"]
    extractions = {e["doc"]: e for e in map(json.loads, (out / "extractions.jsonl").read_text("utf-8").splitlines())}
    names = {ent["name"] for ent in extractions["short.jsonl#c"]["entities"]}
    assert "远洋集团" in names  # the text of a one-line document is extracted
    assert any(ent["type"] == "Park" for ent in extractions["short.jsonl#d"]["entities"])


def test_jsonl_metadata_is_kept_in_articles(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    arts = {a["doc"]: a for a in map(json.loads, (out / "articles.jsonl").read_text("utf-8").splitlines())}
    assert arts["short.jsonl#a"]["meta"] == {
        "date": ["2024-01-10"],
        "url": ["https://news.example.cn/a.html"],
        "source": ["贵阳日报"],
    }
    assert arts["short.jsonl#c"]["title"] == "滨海广场开盘"
    assert arts["short.jsonl#c"]["meta"]["title"] == ["滨海广场开盘"]


def test_jsonl_metadata_is_in_the_graph_and_queryable(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    store = load_store(out / "kg.ttl")
    _, rows = select_rows(
        store,
        """
        SELECT ?doc ?day WHERE {
            ?a a hkg:Article ; dcterms:source ?doc ; dcterms:issued ?day .
            FILTER(datatype(?day) = xsd:date && YEAR(?day) = 2024)
        } ORDER BY ?doc""",
    )
    assert [[c.value for c in r] for r in rows] == [["short.jsonl#a", "2024-01-10"]]
    g = rdflib.Graph().parse(out / "kg.ttl")
    dct, schema = rdflib.Namespace("http://purl.org/dc/terms/"), rdflib.Namespace("https://schema.org/")
    art = {str(d): a for a, d in g.subject_objects(dct.source) if "Article" in str(a)}
    assert g.value(art["short.jsonl#b"], dct.issued) == rdflib.Literal("2023-05-02", datatype=rdflib.XSD.date)
    assert g.value(art["short.jsonl#c"], dct.issued) == rdflib.Literal("上周")  # not a date: kept as written
    assert g.value(art["short.jsonl#a"], schema.url) == rdflib.URIRef("https://news.example.cn/a.html")
    assert g.value(art["short.jsonl#c"], schema.url) == rdflib.Literal("not a web address")
    assert g.value(art["short.jsonl#a"], dct.publisher) == rdflib.Literal("贵阳日报")
    assert g.value(art["short.jsonl#c"], dct.title) == rdflib.Literal("滨海广场开盘", lang="zh")
    shapes = rdflib.Graph().parse(REPO / "ontology" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=True)
    assert conforms, text


def _make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` in a CID font whose codes are the characters' code points (with a
    ToUnicode map, as PDF exports of newspaper pages carry), written by hand: no PDF writer needed."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "40 800 Td"]
    for line in lines:
        ops.append("<" + "".join(f"{ord(ch):04X}" for ch in line) + "> Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
        b"1 beginbfrange <0000> <FFFF> <0000> endbfrange endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_an_empty_folder_builds_nothing_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, output, out = _build(tmp_path, str(tmp_path / "empty"))
    assert code == 1
    assert "nothing to build" in output and str(tmp_path / "empty") in output
    assert not out.exists()


def test_unsupported_files_are_named_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "table.csv").write_text("园区,企业\n", encoding="utf-8")
    (folder / "README").write_text("贵阳高新区\n", encoding="utf-8")
    (folder / "sub" / "scan.pdf").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(b"\0\1")
    code, output, out = _build(tmp_path, str(folder))
    assert code == 1 and not out.exists()
    assert f"ignored 1 .csv file ({folder / 'table.csv'})" in output
    assert f"ignored 1 file without an extension ({folder / 'README'})" in output
    assert f"skipped {folder / 'sub' / 'scan.pdf'}: empty file" in output
    assert ".DS_Store" not in output
    assert "nothing could be read" in output


def test_pdf_pages_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page1.pdf").write_bytes(_make_pdf(["本报讯 贵阳高新区管委会与中国科学院", "签署合作协议。"]))
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")
    code, output, out = _build(tmp_path, str(folder))
    assert code == 0, output  # a build that built something is not failed by an ignored file
    assert "ignored 1 .csv file" in output
    [art] = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    assert (art["doc"], art["text"]) == ("page1.pdf", "贵阳高新区管委会与中国科学院签署合作协议。")
    rels = (out / "relations.csv").read_text("utf-8")
    assert "贵阳高新区管委会" in rels and "中国科学院" in rels
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really")
    code, output, out = _build(tmp_path, str(folder), name="out2")
    assert code == 1 and f"skipped {folder / 'broken.pdf'}: cannot read the PDF" in output
    assert (out / "articles.jsonl").exists()


def test_a_build_folder_or_kg_graph_names_the_graph_for_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _short_build(tmp_path)
    runner = CliRunner()
    served: list[Path] = []
    monkeypatch.setattr("kg.serve.run_serve", lambda graph, *args: served.append(graph) or 0)
    for env, args in (
        ({}, ["--graph", str(out)]),
        ({"KG_GRAPH": str(out)}, []),
        ({"KG_GRAPH": str(out / "kg.ttl")}, []),
    ):
        res = runner.invoke(
            main, ["query", *args, "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?a a hkg:Article }"], env=env
        )
        assert res.exit_code == 0, res.output
        assert res.output.split() == ["n", str(len(SHORT_DOCS))]
        html = tmp_path / "v.html"
        res = runner.invoke(main, ["viz", *args, "-o", str(html)], env=env)
        assert res.exit_code == 0 and html.is_file(), res.output
        html.unlink()
        res = runner.invoke(main, ["serve", *args], env=env)
        assert res.exit_code == 0, res.output
        assert served.pop() == out / "kg.ttl"


def test_options_have_help_texts() -> None:
    for command in ("build", "eval", "query", "serve", "viz"):
        ctx = click.Context(main.commands[command], info_name=command)  # type: ignore[attr-defined]
        for param in main.commands[command].params:  # type: ignore[attr-defined]
            if isinstance(param, click.Option) and param.name != "help":
                assert (param.help or "").strip(), f"kg {command} {param.opts[0]} has no help text"
        assert ctx.command.get_help(ctx)


def test_eval_of_an_articles_file_says_what_it_is(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    gold = out / "extractions.jsonl"
    res = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(out / "articles.jsonl")])
    assert res.exit_code == 2
    assert "a line of articles.jsonl, not of extractions.jsonl" in res.output
    assert "appears twice" not in res.output
    corpus = tmp_path / "short.jsonl"
    res = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(corpus)])
    assert res.exit_code == 2 and 'not an extraction record: no "entities" or "relations"' in res.output


def test_progress_lines_once_a_build_runs_a_few_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    now = [100.0]
    lines = ProgressLines(100.0, total=4, clock=lambda: now[0])
    lines.tick()  # at once: quiet
    lines.files(1)
    now[0] = 100.0 + PROGRESS_AFTER + 0.5
    lines.tick()
    lines.files(2)
    now[0] += PROGRESS_EVERY
    lines.tick()
    lines.files(1)
    lines.tick()  # extraction over: nothing more to count
    lines.stage("writing the outputs")
    assert capsys.readouterr().err.splitlines() == [
        "kg: extracting: 1/4 files (4s)",
        "kg: extracting: 3/4 files (14s)",
        "kg: extracted 4/4 files; linking the graph (14s)",
        "kg: writing the outputs (14s)",
    ]


def test_progress_lines_come_while_the_first_file_is_still_extracted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.cli.PROGRESS_AFTER", 0.0)
    monkeypatch.setattr("kg.cli.PROGRESS_EVERY", 0.01)
    with ProgressLines(time.perf_counter(), total=2) as lines:
        time.sleep(0.2)  # no file done yet
        lines.files(2)
    err = capsys.readouterr().err
    assert "kg: extracting: 0/2 files" in err and "kg: extracted 2/2 files; linking the graph (0s)" in err


def test_a_build_logged_to_a_file_shows_its_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.cli.PROGRESS_AFTER", 0.0)  # as if the build were slow
    code, output, _ = _build(tmp_path, str(REPO / "kg" / "data" / "sample"))
    assert code == 0, output
    assert "linking the graph" in output and "kg: writing the outputs" in output
    assert output.index("linking the graph") < output.index("writing the outputs") < output.index("entities")


HTML = REPO / "tests" / "data" / "html"
# each page's furniture: menus, breadcrumbs, share and pager lines, sidebars, footers
FURNITURE = [
    "首页",
    "联系我们",
    "版权所有",
    "ICP备",
    "当前位置",
    "上一篇",
    "分享到",
    "热点新闻",
    "友情链接",
    "相关阅读",
    "网站地图",
    "请输入关键词",
    "浏览次数",
    "往期回顾",
]


def _page_articles(name: str) -> list[Article]:
    [res], errors = process_file(HTML / name)
    assert not errors
    return res.articles


def _paragraphs(name: str) -> list[str]:
    page = lxml.html.fromstring((HTML / name).read_bytes())
    return [
        "".join(p.text_content().split())
        for p in page.xpath("//div[@class='content']/p | //article/p[not(@class)] | //div[@class='story']/p")
        if "".join(p.text_content().split())
    ]


def test_html_main_content_without_the_page_furniture() -> None:
    for name in ("news_portal.html", "gov_notice.html", "epaper_page.html"):
        articles = _page_articles(name)
        text = "".join("".join(a.text.split()) for a in articles)
        for word in FURNITURE:
            assert word not in text, (name, word)
        for para in _paragraphs(name):  # every paragraph of the story (a lead marker is outside the text)
            assert para.removeprefix("本报讯").removeprefix("科技日报讯") in text, (name, para)
    [story] = _page_articles("news_portal.html")
    assert story.title == "西安高新区企业与西北工业大学共建联合实验室"  # the headline above the content is kept
    assert [a.title for a in _page_articles("epaper_page.html")] == [
        "武汉东湖高新区光谷实验室揭牌",
        "成都高新区签约12个重大项目",
        "长沙高新区发布人才新政",
    ]


def test_html_fragments_are_read_whole(tmp_path: Path) -> None:
    frag = tmp_path / "frag.html"
    frag.write_text(
        "<h2>贵阳高新区</h2><div>首页</div><p>贵阳高新区管委会与中国科学院签署合作协议。</p>", encoding="utf-8"
    )
    [res], errors = process_file(frag)
    assert not errors
    assert "".join(a.text[a.head :] for a in res.articles) == "首页贵阳高新区管委会与中国科学院签署合作协议。"


def test_readme_commands_name_files_of_the_repository() -> None:
    # a user's clone has no ../shared: every file a README command reads must be in the repository
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    golds = [g for g in re.findall(r"kg eval --gold (\S+)", readme) if not g.isupper()]  # not a GOLD placeholder
    assert golds
    for gold in golds:
        assert not gold.startswith(".."), gold
        assert (REPO / gold).exists(), f"README's kg eval --gold {gold}: no such file in the repository"


def test_a_document_of_page_furniture_keeps_it_as_metadata(tmp_path: Path) -> None:
    src = tmp_path / "bits.jsonl"
    docs = [
        {"id": "by", "text": "本报记者 张三"},
        {"id": "cap", "text": "图为贵阳高新区"},
        {"id": "end", "text": "（完）"},
    ]
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    code, output, out = _build(tmp_path, str(src))
    assert code == 0, output
    arts = {a["doc"]: a for a in map(json.loads, (out / "articles.jsonl").read_text("utf-8").splitlines())}
    assert arts["bits.jsonl#by"]["meta"] == {"bylines": ["本报记者 张三"]}
    assert arts["bits.jsonl#cap"]["meta"] == {"captions": ["图为贵阳高新区"]}
    assert arts["bits.jsonl#end"]["text"] == ""


def test_article_metadata_survives_reading_the_graph_back(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    write_turtle(tmp_path / "again.ttl", load_graph(out / "kg.ttl"))
    assert (tmp_path / "again.ttl").read_bytes() == (out / "kg.ttl").read_bytes()
