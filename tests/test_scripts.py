"""Pages in traditional characters, or mixing both scripts: matched in simplified characters, named
in the extraction file as the page spells them."""

from __future__ import annotations

import json

from kg.build.process import process_raw
from kg.link.graph import build_graph
from kg.model import RawDoc
from kg.writers.tables import doc_text, extraction_line


def _extract(text: str) -> dict:
    res = process_raw(RawDoc("t.txt", "t.txt", text))
    return json.loads(extraction_line("t.txt", doc_text(res), lambda key: '""'))


TRADITIONAL = (
    "本報訊 近日，星河微電子科技有限公司與蘇州工業園區管委會簽署投資協議，正式落戶蘇州工業園區。"
    "星河微電子科技有限公司總經理陳立偉表示，公司將在園區建設研發中心。\n"
)


def test_traditional_page_names_entities_as_it_spells_them() -> None:
    got = _extract(TRADITIONAL)
    names = {e["name"]: e for e in got["entities"]}
    assert "星河微電子科技有限公司" in names
    assert "星河微电子科技有限公司" in names["星河微電子科技有限公司"]["aliases"]
    assert "蘇州工業園區" in names and names["蘇州工業園區"]["type"] == "Park"
    assert "陳立偉" in names
    assert not any(n in names for n in ("星河微电子科技有限公司", "苏州工业园区", "陈立伟"))
    # relations name their ends as the entities are named
    assert got["relations"]
    for rel in got["relations"]:
        assert rel["head"] in names and rel["tail"] in names
    assert ("陳立偉", "worksFor", "星河微電子科技有限公司") in {
        (r["head"], r["relation"], r["tail"]) for r in got["relations"]
    }


def test_traditional_page_graph_is_labelled_in_simplified() -> None:
    res = process_raw(RawDoc("t.txt", "t.txt", TRADITIONAL))
    nodes = {n.name: n for n in build_graph([res]).nodes}
    assert "星河微电子科技有限公司" in nodes
    assert "星河微電子科技有限公司" in nodes["星河微电子科技有限公司"].aliases


def test_mixed_page_is_converted_where_it_is_traditional() -> None:
    from kg.ingest.normalize import to_simplified

    text = "钜丰精工落户台州湾新区，钜丰精工的产品覆盖全国，总经理說：「這是新的開始」。"
    got = to_simplified(text)
    assert len(got) == len(text)
    # simplified clauses are left as they are (not 巨丰), 覆 of 覆盖 (which zhconv counts as traditional) too
    assert got.startswith("钜丰精工落户台州湾新区，钜丰精工的产品覆盖全国，")
    assert got.endswith("总经理说：“这是新的开始”。")


def test_traditional_name_in_a_simplified_story() -> None:
    got = _extract("本报讯 近日，星河微电子科技有限公司与香港科技大學签署战略合作协议，双方将共建联合实验室。\n")
    names = {e["name"]: e for e in got["entities"]}
    assert names["香港科技大學"]["type"] == "University"
    assert "香港科技大学" in names["香港科技大學"]["aliases"]
    assert "星河微电子科技有限公司" in names  # the simplified name stays as it is
    pairs = {frozenset((r["head"], r["tail"])) for r in got["relations"] if r["relation"] == "cooperatesWith"}
    assert frozenset(("星河微电子科技有限公司", "香港科技大學")) in pairs


def test_page_whose_first_telling_character_is_simplified_is_still_converted() -> None:
    # 台 is a character only simplified text uses (臺 in traditional): the rest of the page is traditional
    got = _extract("台州灣新區管委會與星河微電子科技有限公司簽署投資協議，項目落戶台州灣新區。\n")
    assert "星河微電子科技有限公司" in {e["name"] for e in got["entities"]}


def test_outputs_quote_a_traditional_page_as_it_is_written() -> None:
    res = process_raw(RawDoc("t.txt", "t.txt", "# 星河微電子科技有限公司落戶蘇州工業園區\n\n" + TRADITIONAL))
    [art] = res.articles
    assert art.title == "星河微電子科技有限公司落戶蘇州工業園區"
    assert art.text.startswith("星河微電子科技有限公司落戶蘇州工業園區\n")
    assert "總經理陳立偉表示" in art.text
    assert all(art.text[s.start : s.end] == s.text for s in art.sentences)
    for ent in res.entities:
        for m in ent.mentions:
            assert art.text[m.start : m.end] == m.surface
    evidence = [ev.sentence for rel in res.relations for ev in rel.evidence]
    assert evidence and all(ev in art.text for ev in evidence)
    assert "星河微電子科技有限公司落戶蘇州工業園區" in evidence  # the headline states the settlement


def test_jsonl_title_in_traditional_characters_is_matched_and_spelled_as_given() -> None:
    title = "星河微電子科技有限公司落戶蘇州工業園區"
    raw = RawDoc("f.jsonl#1", "f.jsonl", "近日，该公司首条产线投产。", meta={"title": title})
    res = process_raw(raw)
    got = json.loads(extraction_line(raw.doc, doc_text(res), lambda key: '""'))
    assert {"星河微電子科技有限公司", "蘇州工業園區"} <= {e["name"] for e in got["entities"]}
