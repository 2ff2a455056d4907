"""Headlines are searched like sentences: what a headline states counts for the file."""

from __future__ import annotations

import json

from kg.build.process import process_raw
from kg.ingest.normalize import normalize
from kg.ingest.segment import segment, with_headline
from kg.model import RawDoc
from kg.writers.tables import doc_text, extraction_line


def _extract(text: str) -> dict:
    res = process_raw(RawDoc("t.txt", "t.txt", text))
    return json.loads(extraction_line("t.txt", doc_text(res), lambda key: '""'))


def test_headline_entities_and_relation_count_for_the_file() -> None:
    got = _extract("# 星河微电子科技有限公司落户苏州工业园区\n\n本报讯 近日，该公司首条产线投产，年产芯片三千万颗。\n")
    names = {e["name"]: e["type"] for e in got["entities"]}
    assert names.get("星河微电子科技有限公司") == "Company"
    assert names.get("苏州工业园区") == "Park"
    [rel] = [r for r in got["relations"] if r["relation"] == "locatedIn"]
    assert (rel["head"], rel["tail"]) == ("星河微电子科技有限公司", "苏州工业园区")
    assert rel["evidence"] == "星河微电子科技有限公司落户苏州工业园区"


def test_headline_heads_the_article_text_and_body_offsets_still_hold() -> None:
    page = "# 星河微电子科技有限公司落户苏州工业园区\n\n本报讯 近日，该公司首条产线投产。\n"
    clean, meta = normalize(page)
    [art] = segment(RawDoc("t.txt", "t.txt", page), clean, meta)
    assert [clean[s:e] for s, e in art.title_spans] == ["星河微电子科技有限公司落户苏州工业园区"]
    got = with_headline(art)
    assert got.text.startswith("星河微电子科技有限公司落户苏州工业园区\n")
    assert got.text[got.head :] == clean[got.span[0] : got.span[1]] == art.text
    assert got.sentences[0].text == "星河微电子科技有限公司落户苏州工业园区"
    assert all(got.text[s.start : s.end] == s.text for s in got.sentences)
    assert with_headline(got) is got  # once only


def test_credit_in_a_heading_is_not_searched() -> None:
    got = _extract("# 联合实验室揭牌（星河微电子科技有限公司供图）\n\n本报讯 近日，联合实验室在园区揭牌。\n")
    assert "星河微电子科技有限公司" not in {e["name"] for e in got["entities"]}


def test_traditional_headline_keeps_the_page_spelling() -> None:
    got = _extract("# 星河微電子科技有限公司落戶蘇州工業園區\n\n本報訊 近日，該公司首條產線投產。\n")
    names = {e["name"] for e in got["entities"]}
    assert {"星河微電子科技有限公司", "蘇州工業園區"} <= names
    assert ("星河微電子科技有限公司", "locatedIn", "蘇州工業園區") in {
        (r["head"], r["relation"], r["tail"]) for r in got["relations"]
    }
