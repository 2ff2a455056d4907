"""Pages into articles, articles into sentences, on the real sample pages."""

from __future__ import annotations

import pytest

from kg.build.inputs import sample_corpus
from kg.ingest.normalize import normalize
from kg.ingest.segment import segment, split_sentences
from kg.model import Article, RawDoc

SAMPLES = {p.name[:3]: p for p in sample_corpus()}


def _segment(text: str, name: str = "page.txt") -> tuple[str, list[Article]]:
    raw = RawDoc(doc=name, path=name, text=text)
    clean, meta = normalize(text)
    return clean, segment(raw, clean, meta)


@pytest.fixture(scope="module")
def pages() -> dict[str, tuple[str, list[Article]]]:
    return {code: _segment(p.read_text(encoding="utf-8"), p.name) for code, p in SAMPLES.items()}


def _by_title(articles: list[Article], start: str) -> Article:
    [art] = [a for a in articles if a.title.startswith(start)]
    return art


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_offsets_are_exact(pages, code: str) -> None:
    clean, articles = pages[code]
    assert [a.index for a in articles] == list(range(len(articles)))
    previous_end = 0
    for art in articles:
        assert clean[art.span[0] : art.span[1]] == art.text
        assert art.span[0] >= previous_end  # articles do not overlap and keep page order
        previous_end = art.span[1]
        assert art.sentences
        for s in art.sentences:
            assert art.text[s.start : s.end] == s.text
            assert s.text == s.text.strip()
        assert not art.text.startswith("#") and art.text.split("\n")[0] != art.title  # the title line is outside


def test_page_003_splits_into_its_stories(pages) -> None:
    clean, articles = pages["003"]
    assert len(articles) >= 8
    # the headlines printed together near the end of the page are mapped to their stories
    expected = {
        "夺取“两线作战”胜利 贵阳高新区拿出科技“硬实力”": "自贵阳市启动疫情防控",
        "厦门火炬高新区：优化环境 聚合招商引资“强磁场”": "今年以来，厦门火炬高新区着力优化营商环境",
        "武汉东湖高新区出台20条新规 加快发展在线新经济": "近日，武汉东湖高新区出台",
        "杭州高新区(滨江) 打造直播产业第一区": "杭州高新区(滨江)又一次站在直播风口",
        "中环股份DW智慧化工厂投产": "日前，天津高新区企业中环股份DW智慧化工厂项目",
        "项目封顶和开工接续进行 咸阳高新区新动能澎湃": "6月9日，咸阳高新区医药企业海尔斯生物科技厂房",
    }
    for title, opening in expected.items():
        assert _by_title(articles, title).text.startswith(opening), title
    # sections stay under their story's headline
    section = _by_title(articles, "服务链优化升级")
    assert section.meta["headline"] == ["厦门火炬高新区：优化环境 聚合招商引资“强磁场”"]
    assert "厦门火炬高新区" in section.text and "贵阳" not in section.text
    # the Guiyang story does not run into the Xiamen one
    assert "厦门" not in _by_title(articles, "进一步加大创新扶持").text
    # bylines go to the story they sign
    assert _by_title(articles, "厦门火炬").meta["bylines"] == ["郭伟 李幼君"]
    assert _by_title(articles, "项目封顶").meta["bylines"] == ["记者 戈清平"]
    assert _by_title(articles, "武汉东湖").meta["bylines"] == ["张珊妮"]


def test_markdown_pages_split_at_headings_and_leads(pages) -> None:
    _clean, articles = pages["000"]
    titles = [a.title for a in articles]
    assert "重庆高新区牵手黔江区 十方面合作促协同发展" in titles
    assert "园镜头" not in titles  # a column label titles nothing
    chongqing = _by_title(articles, "重庆高新区牵手黔江区")
    assert chongqing.text.startswith("全面推进对口协同发展")  # the 科技日报讯 marker is outside the text
    assert chongqing.meta["bylines"] == ["记者雍黎"]
    section = _by_title(articles, "利用大数据新优势")
    assert section.meta["headline"] == ["贵阳高新区：排名跃升背后的创新秘诀"]
    _clean, articles = pages["001"]
    assert _by_title(articles, "主导产业持续发力").text.startswith("一个新一代电子信息产业园即将在广东汕头高新区崛起。")
    assert [a.title for a in articles].count("搭建创新平台：把发展精力放在“刀刃”上") == 1


def test_article_counts_per_page(pages) -> None:
    counts = {code: len(arts) for code, (_c, arts) in pages.items()}
    # every story and every section under a heading is an article; the numbers are the pages' structure
    assert counts["000"] >= 6 and counts["001"] >= 6 and counts["002"] >= 6 and counts["004"] >= 6
    assert sum(counts.values()) >= 45


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_no_byline_or_credit_words_in_articles(pages, code: str) -> None:
    for art in pages[code][1]:
        for marker in ("本报记者", "通讯员", "供图", "图片来源"):
            assert marker not in art.text, (art.title, marker)


def test_split_sentences_keeps_closing_quotes_and_line_ends() -> None:
    text = "他说：“好。”然后走了！真的吗？是；对\n第二行 "
    got = [s.text for s in split_sentences(text)]
    assert got == ["他说：“好。”", "然后走了！", "真的吗？", "是；", "对", "第二行"]
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_plain_text_without_structure_is_one_article() -> None:
    clean, articles = _segment("贵阳高新区企业贵州力创科技发展有限公司开发了小程序。它很好用。")
    assert len(articles) == 1
    assert articles[0].title == ""
    sentences = [s.text for s in articles[0].sentences]
    assert sentences == ["贵阳高新区企业贵州力创科技发展有限公司开发了小程序。", "它很好用。"]


def test_empty_page_has_no_articles() -> None:
    assert _segment("")[1] == []


def test_a_page_of_headings_only_is_text_too() -> None:
    # a one-line document reads as a headline; its text is all there is to extract (issue 15)
    clean, [art] = _segment("# 只有标题\n")
    assert (art.text, art.title, clean[art.span[0] : art.span[1]]) == ("只有标题", "", "只有标题")
    clean, arts = _segment("# 贵阳高新区\n\n## 苏州工业园区\n")
    assert [a.text for a in arts] == ["贵阳高新区", "苏州工业园区"]
    assert all(clean[a.span[0] : a.span[1]] == a.text for a in arts)
    # page furniture alone is set aside as metadata, but the document still has its article
    for page, kind in (("本报记者 张三", "bylines"), ("图为贵阳高新区", "captions"), ("（完）", None)):
        _, [art] = _segment(page)
        assert art.text == "" and (kind is None or art.meta[kind] == [page])


def test_jsonl_title_titles_an_untitled_first_article() -> None:
    raw = RawDoc(doc="f.jsonl#1", path="f.jsonl", text="贵阳高新区发布新政。第二句。", meta={"title": " 新政 发布 "})
    clean, meta = normalize(raw.text)
    [art] = segment(raw, clean, meta)
    assert art.title == "新政 发布"
    assert art.text == "贵阳高新区发布新政。第二句。"


def test_html_headings_split_articles(tmp_path) -> None:
    from kg.ingest.read import read_path

    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><h1>郑州高新区智慧产业</h1>"
        "<p>本报讯（记者 张三）近日，北京小鸟科技集团入驻郑州天健湖物联网产业园。</p>"
        "<h1>贵阳高新区智慧工程初建</h1><p>近日从贵阳高新区获悉，平台完成一期建设。</p></body></html>",
        encoding="utf-8",
    )
    [raw] = read_path(page)
    clean, meta = normalize(raw.text)
    articles = segment(raw, clean, meta)
    assert [a.title for a in articles] == ["郑州高新区智慧产业", "贵阳高新区智慧工程初建"]
    assert articles[0].text == "近日，北京小鸟科技集团入驻郑州天健湖物联网产业园。"
    assert articles[0].meta["bylines"] == ["记者 张三"]


def _as_pdf_columns(page: str, top: str) -> tuple[str, list[str]]:
    """Lay a Markdown sample page out like page 003: 15-character lines between blank lines, subheadings
    inline without ``#``, the story headlines (``top``) gathered in a block at the end of the page."""
    lines: list[str] = []
    headlines: list[str] = []
    for line in page.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith(top):
            headlines.append(line[len(top) :])
        elif line.startswith("#") or len(line) <= 20:
            lines += [line.lstrip("# "), ""]
        else:
            for i in range(0, len(line), 15):
                lines += [line[i : i + 15], ""]
    return "\n".join(lines) + "\n" + "\n\n".join(headlines) + "\n", headlines


@pytest.mark.parametrize(("code", "top"), [("004", "# "), ("002", "## ")])
def test_headlines_printed_apart_find_their_stories(code: str, top: str) -> None:
    original = SAMPLES[code].read_text(encoding="utf-8")
    page, headlines = _as_pdf_columns(original, top)
    _clean, expected = _segment(original)
    _clean, articles = _segment(page)
    # the same stories, each under its own headline, with the same opening words
    want = [(a.title, a.text[:20]) for a in expected if a.title in headlines]
    got = [(a.title, a.text[:20]) for a in articles if a.title in headlines]
    assert got == want
    # and the subheadings still open sections of their story -- those that are clearly shorter than
    # the column or have their parts set apart by a space (002's 以链招商构建现代产业新体系 fills 13 of
    # 15 columns with no space: it reads as the first line of a paragraph, a known limit)
    titles = [a.title for a in articles]
    for art in expected:
        if art.title and (len(art.title) <= 12 or " " in art.title):
            assert art.title in titles


def test_numbers_split_by_a_column_break_are_joined() -> None:
    clean, _ = normalize("江宁高新区12月1\n\n7日与东南大学合作，投资 2\n\n4.5 亿元。\n")
    assert "12月17日" in clean and "24.5亿元" in clean
