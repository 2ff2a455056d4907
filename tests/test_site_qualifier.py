"""A bracket naming a body's site right after its name (某研究院(广州), 某大学科技园(绵阳园)) is part of
the name; a bracket that says something else (以下简称, a year) is not. Sentences are invented."""

from __future__ import annotations

from kg.build.process import process_raw
from kg.model import RawDoc


def names(text: str) -> dict[str, str]:
    return {e.name: e.type for e in process_raw(RawDoc(doc="t.txt", path="t.txt", text=text)).entities}


def test_a_site_bracket_is_part_of_an_institute_name() -> None:
    found = names("双方将共建长江智能制造创新研究院(武汉)，首批引进科研团队12个。")
    assert found.get("长江智能制造创新研究院(武汉)") == "Institute", found


def test_a_place_and_site_word_bracket_is_part_of_a_park_name() -> None:
    found = names("近日，西南交通大学国家大学科技园(绵阳园)正式揭牌运营。")
    assert found.get("西南交通大学国家大学科技园(绵阳园)") == "Park", found


def test_a_bracket_that_is_no_site_stays_out_of_the_name() -> None:
    found = names("双方将共建长江智能制造创新研究院(以下简称研究院)，首批引进科研团队12个。")
    assert "长江智能制造创新研究院" in found, found
    assert not any("(" in n or "（" in n for n in found), found


def test_a_place_joined_by_a_middle_dot_is_part_of_the_name() -> None:
    found = names("两地将合作建设“绵阳·长江科技创新中心”，打造协同创新平台。")
    assert found.get("绵阳·长江科技创新中心") == "Institute", found
