"""Normalization, checked on the real sample pages and on small cases for each rule."""

from __future__ import annotations

import re

import pytest

from kg.build.inputs import sample_corpus
from kg.ingest.normalize import normalize, squeeze_spaces, unify_chars

SAMPLES = {p.name[:3]: p for p in sample_corpus()}


@pytest.fixture(scope="module")
def pages() -> dict[str, tuple[str, str, dict[str, list[str]]]]:
    out = {}
    for code, path in SAMPLES.items():
        raw = path.read_text(encoding="utf-8")
        clean, meta = normalize(raw)
        out[code] = (raw, clean, meta)
    return out


def _paragraphs(clean: str) -> list[str]:
    return [b for b in clean.split("\n\n") if b.strip() and not b.startswith("#")]


def test_pdf_column_wraps_are_joined(pages) -> None:
    raw, clean, _ = pages["003"]
    assert "贵阳高新区企业贵州力创科技发展有限公司" not in raw.replace("\n", "")[:0] + raw  # broken in the input
    assert "贵阳高新区企业贵州力创科技发展有限公司接到贵州省公安厅应援要求后" in clean
    assert "自贵阳市启动疫情防控与经济社会发展“两线作战”以来，贵阳高新区已“出产”大量" in clean
    # the 15-character lines are gone: the page now has a few long paragraphs
    assert len(_paragraphs(clean)) < 80 < raw.count("\n")


def test_words_split_over_blank_lines_are_joined(pages) -> None:
    assert "贵阳高\n\n新区" in pages["003"][0]
    assert "贵阳高新区相关负责人表示，今年，贵阳高新区将加快推进创新要素聚集" in pages["003"][1]
    assert "在党工委的坚强领导\n\n下" in pages["000"][0]
    assert "在党工委的坚强领导下，始终坚持" in pages["000"][1]
    assert "王宏志透露了济南高新区的动向。" in pages["001"][1]
    assert "中国科学院大气物理研究所等10家" in pages["001"][1]


def test_real_paragraph_breaks_stay(pages) -> None:
    clean = pages["003"][1]
    assert "\n\n疫情防控开展以来，贵阳高新区企业" in clean  # previous paragraph ended with 。
    assert "## 小程序发挥“大作用”\n\n贵阳高新区拥有209家" in clean  # a subheading is not joined


def test_stray_spaces_between_chinese_characters_are_removed(pages) -> None:
    raw, clean, _ = pages["003"]
    assert "猪八戒贵州 公 司" in raw
    assert "猪八戒贵州公司利用“猪八戒网”" in clean
    assert "IT行业最具含金量的证书" in clean
    assert "科技创新平台和公共技术服务平台建设" in clean
    assert "209家国家高新技术企业" in clean and "209 家" not in clean
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", "\n".join(_paragraphs(clean)))


def test_spaces_inside_latin_and_numbers_stay() -> None:
    assert squeeze_spaces("采用 Wi Fi 6 技术 和 5 G 网络") == "采用Wi Fi 6技术和5 G网络"
    assert squeeze_spaces("Levi's 等 30 多个") == "Levi's等30多个"


def test_page_001_has_no_paragraph_twice(pages) -> None:
    raw, clean, _ = pages["001"]
    raw_paras = [p.strip() for p in raw.split("\n") if p.strip()]
    assert len(raw_paras) != len(set(raw_paras))  # the input does repeat itself
    paras = _paragraphs(clean)
    assert len(paras) == len(set(paras))
    # nor is a paragraph a piece of another one
    for a in paras:
        assert not any(a != b and len(a) >= 10 and a in b for b in paras), a
    assert clean.count("## 搭建创新平台：把发展精力放在“刀刃”上") == 1
    assert clean.count("今年以来，汕头高新区相继出台“科技创新25条”") == 1


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_no_bylines_captions_or_credits_in_the_text(pages, code: str) -> None:
    clean = pages[code][1]
    for marker in ("本报记者", "通讯员", "供图", "图片来源", "►", "▶", "◎"):
        assert marker not in clean, marker


def test_bylines_captions_and_credits_are_kept_as_metadata(pages) -> None:
    meta000 = pages["000"][2]
    assert "通讯员 李雯文 杨蕾 易颖" in meta000["bylines"]
    assert "本报记者 何星辉" in meta000["bylines"]
    assert "记者叶青 通讯员李建均" in meta000["bylines"]  # taken out of a 科技日报讯 lead
    assert meta000["captions"] == ["贵阳高新区企业研发的道路交通安全仿真平台工作图景"]
    assert meta000["credits"] == ["受访者供图"]
    meta003 = pages["003"][2]
    for byline in ("记者 戈清平", "郭伟 李幼君", "张珊妮", "方管骅 王艺霖"):
        assert byline in meta003["bylines"]
    assert "图片来源：咸阳高新区" in meta003["credits"]
    meta002 = pages["002"][2]
    assert {"席阿罗", "冉瑞成", "张悦", "本报特约通讯员 曹燕妮"} <= set(meta002["bylines"])
    assert "位于景德镇高新区的航空小镇" in meta002["captions"]
    assert "视觉中国供图" in pages["001"][2]["credits"]


def test_captions_inside_a_paragraph_do_not_break_it(pages) -> None:
    assert "景德镇航空职业大学正在筹办" in pages["002"][1]
    assert "轰鸣的设备正在有序运转" in pages["004"][1]
    assert "工作人员正在对产品进行检测" not in pages["004"][1]


def test_pull_quote_headings_are_dropped_and_the_paragraph_rejoined(pages) -> None:
    raw, clean, meta = pages["000"]
    assert "### 雷斌 山东产业技术研究院副院长" in raw
    assert "作为中国科学院控股有限公司在济南的成果转化机构" in clean
    assert "雷斌 山东产业技术研究院副院长" in meta["quotes"]
    assert "# 我们可以把空天信息" not in clean


def test_lead_keeps_its_marker_but_loses_the_byline(pages) -> None:
    clean = pages["003"][1]
    assert "本报讯6月9日，咸阳高新区医药企业海尔斯生物科技厂房顺利封顶" in clean
    assert "戈清平" not in clean


def test_character_unification() -> None:
    assert unify_chars("ＡＢＣ１２３（清远）％") == "ABC123(清远)%"
    assert unify_chars("2020年9月,西部(重庆)科学城;增长7.74%;好吗?") == "2020年9月，西部(重庆)科学城；增长7.74%；好吗？"
    assert unify_chars("1,000 元, a, b") == "1,000 元， a, b"
    # Chinese punctuation stays full-width
    assert unify_chars("你好，世界。“好”《书》、！？；：") == "你好，世界。“好”《书》、！？；："
    assert unify_chars("a\u3000b\u00a0c\u200bd\r\ne") == "a b cd\ne"
    # control characters and direction marks are not text (nor allowed in the XML outputs)
    assert unify_chars("科\x00技\x01有\x7f限\u202e公\u200f司\x85") == "科技有限公司\n"


def test_half_width_page_002_uses_chinese_punctuation(pages) -> None:
    clean = pages["002"][1]
    assert "2020年9月，西部(重庆)科学城建设动员大会召开，标志着" in clean
    assert not re.search(r"[\u4e00-\u9fff][,;]", clean)


def test_metadata_offsets_point_into_the_clean_text(pages) -> None:
    for _raw, clean, meta in pages.values():
        for key in ("bylines", "captions", "credits", "quotes"):
            assert len(meta[key]) == len(meta[f"{key}_at"])
            assert all(0 <= int(o) <= len(clean) for o in meta[f"{key}_at"])


def test_normalize_is_deterministic_and_idempotent_on_output(pages) -> None:
    for raw, clean, meta in pages.values():
        assert normalize(raw) == (clean, meta)
        assert normalize(clean)[0] == clean


def test_empty_and_odd_inputs() -> None:
    assert normalize("") == (
        "",
        {
            k: []
            for k in (
                "bylines",
                "bylines_at",
                "captions",
                "captions_at",
                "credits",
                "credits_at",
                "quotes",
                "quotes_at",
            )
        },
    )
    assert normalize("\n\n  \n")[0] == ""
    clean, _ = normalize("没有标点的一行")
    assert "没有标点的一行" in clean


@pytest.mark.parametrize(
    ("page", "text", "meta"),
    [
        # words that merely end like a credit stay text
        ("# 标题\n\n工作人员正在对现场进行拍摄\n\n之后继续工作。\n", "工作人员正在对现场进行拍摄之后继续工作。", {}),
        ("# 标题\n\n公司为企业提供图\n\n纸设计服务。\n", "公司为企业提供图纸设计服务。", {}),
        # a caption with its credit, apart or in brackets
        ("# 标题\n\n园区全景 张三摄\n\n正文一句。\n", "正文一句。", {"captions": ["园区全景"], "credits": ["张三摄"]}),
        (
            "# 标题\n\n园区全景（本报记者 李四摄）\n\n正文一句。\n",
            "正文一句。",
            {"captions": ["园区全景"], "credits": ["本报记者 李四摄"]},
        ),
        # names after the last full stop sign the article; a place there does not
        ("# 标题\n\n正文一句。 王五\n", "正文一句。", {"bylines": ["王五"]}),
        ("# 标题\n\n正文一句。 高新区\n", "正文一句。高新区", {}),
        ("# 标题\n\n文/图 赵六\n\n正文一句。\n", "正文一句。", {"bylines": ["文/图 赵六"]}),
        ("# 标题\n\n责任编辑：钱七\n\n正文一句。\n", "正文一句。", {"bylines": ["责任编辑：钱七"]}),
        (
            "新华社北京3月1日电（记者 孙八）国家高新区发布报告。\n",
            "新华社北京3月1日电 国家高新区发布报告。",
            {"bylines": ["记者 孙八"]},
        ),
        # photo captions by their opening, inside an unfinished paragraph too; the end mark goes
        (
            "# 标题\n\n第一段没有\n\n▲贵阳高新区一角。 张三 摄\n\n结束的句子。\n\n（完）\n",
            "第一段没有结束的句子。",
            {"captions": ["▲贵阳高新区一角。"], "credits": ["张三 摄"]},
        ),
        ("# 标题\n\n图为工作人员在检测产品\n\n第一段。\n", "第一段。", {"captions": ["图为工作人员在检测产品"]}),
        # a marked line of names is a byline, a marked short phrase a subheading
        ("# 标题\n\n第一段。\n\n■ 张三\n", "第一段。", {"bylines": ["张三"]}),
        ("# 标题\n\n第一段。\n\n■ 加强对外合作\n\n第二段。\n", "第一段。\n\n第二段。", {}),
    ],
)
def test_small_cases(page: str, text: str, meta: dict[str, list[str]]) -> None:
    clean, got = normalize(page)
    body = "\n\n".join(b for b in clean.strip().split("\n\n") if not b.startswith("#"))
    assert squeeze_spaces(body) == squeeze_spaces(text)
    assert {k: v for k, v in got.items() if v and not k.endswith("_at")} == meta


def test_marked_lines_are_subheadings() -> None:
    page = "# 标题\n\n第一段。\n\n**小标题**\n\n第二段。\n\n■ 加强对外合作\n\n第三段。\n\n【园区动态】\n\n第四段。\n"
    clean, _ = normalize(page)
    blocks = clean.strip().split("\n\n")
    assert {"### 小标题", "### 加强对外合作", "### 园区动态"} <= set(blocks)


def test_wrapped_line_ending_after_a_full_stop_is_not_a_byline() -> None:
    page = (
        "正文第一行是很长的一行文字\n\n复产助力。 高新\n\n区召开工作会议。\n\n"
        "另一段文字在这里继续写。 张珊妮\n\n本报讯 近日，某地发布新规。\n"
    )
    clean, meta = normalize(page)
    assert "复产助力。高新区召开工作会议。" in clean
    assert meta["bylines"] == ["张珊妮"]  # this one ends its story: a lead follows


def test_a_metadata_line_ending_in_its_editor_does_not_run_into_the_story() -> None:
    page = (
        "## 江城新区签约五个项目\n\n发布时间：2023-04-02 09:10:11 |来源：江城日报 | 责任编辑：周明\n\n"
        "\n\n江城新区管委会2日与三家企业签署合作协议。\n"
    )
    clean, meta = normalize(page)
    assert "江城新区管委会2日与三家企业签署合作协议。" in [b.strip() for b in _paragraphs(clean)]
    assert "周明" not in clean
    assert any("周明" in b for b in meta["bylines"])
