"""Entity spans on invented sentences: the left and right edges of park, institute and project names
(quoted names, compound park suffixes)."""

from __future__ import annotations

import pytest

from kg.build.process import process_raw
from kg.extract.mentions import sentence_candidates
from kg.model import RawDoc


def _found(sent: str) -> set[tuple[str, str]]:
    return {(c.name or sent[c.start : c.end], c.type) for c in sentence_candidates(sent)}


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("青禾大学正式加入“储能装备产业创新联合体”。", "储能装备产业创新联合体"),
        ("研究团队把“量子计算实验室”设在了城东。", "量子计算实验室"),
        ("两家企业共同发起“绿色建材产业联盟”。", "绿色建材产业联盟"),
    ],
)
def test_quoted_institute_named_by_its_fields_is_a_name(sent: str, name: str) -> None:
    assert (name, "Institute") in _found(sent)


@pytest.mark.parametrize(
    "sent",
    ["记者走进“实验室”看到了新设备。", "他说“研究院”三个字很重。"],
)
def test_quoted_bare_suffix_is_not_a_name(sent: str) -> None:
    assert not any(t == "Institute" for _n, t in _found(sent))


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("三家企业进驻青禾软件园区。", "青禾软件园区"),
        ("该公司落户东岭科技园区。", "东岭科技园区"),
        ("首批团队入驻南湖创业园区。", "南湖创业园区"),
    ],
)
def test_compound_park_suffix_ends_the_park(sent: str, name: str) -> None:
    found = _found(sent)
    assert (name, "Park") in found
    assert (name[:-1], "Park") not in found


def _entities_of(text: str) -> dict[str, str]:
    res = process_raw(RawDoc(doc="t.txt", path="t.txt", text=text))
    return {e.name: e.type for e in res.entities}


@pytest.mark.parametrize(
    "text",
    [
        "北山口创业园今天揭牌。园区将以北山口创业园的新身份服务企业。",
        "园区将以北山口创业园的新身份服务企业。北山口创业园今天揭牌。",
    ],
)
def test_preposition_glued_to_a_name_is_dropped_where_the_name_stands_alone(text: str) -> None:
    found = _entities_of(text)
    assert found.get("北山口创业园") == "Park", found
    assert not any(name.startswith("以") for name in found), found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("重庆青禾半导体产业园举行企业签约仪式。", "重庆青禾半导体产业园"),
        ("长沙东岭文化产业园迎来首批入驻企业。", "长沙东岭文化产业园"),
    ],
)
def test_park_named_after_its_city_stays_a_park(text: str, name: str) -> None:
    assert _entities_of(text).get(name) == "Park"


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("明年将推动青禾软件园区二期及东岭园区扩区。", "青禾软件园区二期"),
        ("明年将推动青禾软件园区二期及东岭园区扩区。", "东岭园区扩区"),
        ("南湖产业园三期工程正式开工建设。", "南湖产业园三期工程"),
    ],
)
def test_phase_of_a_park_is_a_project(sent: str, name: str) -> None:
    assert (name, "Project") in _found(sent)


def test_park_without_a_phase_stays_a_park() -> None:
    assert ("南湖产业园", "Park") in _found("南湖产业园正式开园。")


def test_an_institute_does_not_join_a_college_after_it() -> None:
    found = _found("青禾大学科研院与机电学院有关同志参加活动。")
    assert ("青禾大学科研院", "Institute") in found
    assert not any(name.startswith("青禾大学科研院与") for name, _t in found)


def test_first_session_of_a_committee_is_not_inside_the_institute_name() -> None:
    found = _found("东岭产业技术研究院首届专家委员会主任出席仪式。")
    assert ("东岭产业技术研究院", "Institute") in found
    assert not any("首届" in name for name, _t in found)


def test_zone_named_with_its_place_after_another_zone_starts_a_new_name() -> None:
    found = _found("青禾东岭合作示范区广东自贸试验区东湾片区举行签约仪式。")
    assert ("广东自贸试验区东湾片区", "Park") in found
    assert not any(name.startswith("合作示范区") for name, _t in found)


def test_known_park_without_its_own_place_stays_joined_to_the_zone_before_it() -> None:
    assert ("雄安新区中关村科技园", "Park") in _found("雄安新区中关村科技园正式开园。")


def test_same_kind_of_zone_in_two_places_is_two_parks() -> None:
    found = _entities_of("调研组先后考察了长葛市先进制造业开发区、禹州市先进制造业开发区。")
    assert found.get("长葛市先进制造业开发区") == "Park", found
    assert found.get("禹州市先进制造业开发区") == "Park", found


def test_zone_named_with_and_without_its_province_is_one_park() -> None:
    found = _entities_of("河南长葛先进制造业开发区今年新签项目12个。长葛先进制造业开发区将加快建设。")
    assert [n for n in found if n.endswith("先进制造业开发区")] == ["河南长葛先进制造业开发区"], found


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("研究团队入驻青禾大学城后发展迅速。", "青禾大学城"),
        ("代表团考察了东岭科创园区。", "东岭科创园区"),
    ],
)
def test_university_town_and_science_park_suffixes(sent: str, name: str) -> None:
    found = _found(sent)
    assert (name, "Park") in found
    assert not any(t == "University" for _n, t in found)


_COUNTED = "园区将建设“两基地一中心”，即智能装备产业基地、绿色建材产业基地和检验检测技术研究中心。"


@pytest.mark.parametrize(
    ("name", "type_"),
    [("智能装备产业基地", "Park"), ("绿色建材产业基地", "Park"), ("检验检测技术研究中心", "Institute")],
)
def test_members_of_a_counted_set_are_names(name: str, type_: str) -> None:
    assert (name, type_) in _found(_COUNTED)


def test_one_member_defined_after_a_quoted_count_is_no_set() -> None:
    sent = "“一中心”即数据服务中心，负责汇集数据。"
    assert not any(c.rule == "counted-set" for c in sentence_candidates(sent))


def test_names_listed_side_by_side_stay_two_entities() -> None:
    found = _entities_of("开园当天，武汉智能感知研究院、华中大学武汉智能感知研究院两大研究机构签约入驻。")
    assert found.get("武汉智能感知研究院") == "Institute", found
    assert found.get("华中大学武汉智能感知研究院") == "Institute", found


def test_tail_of_a_longer_name_used_later_is_still_one_entity() -> None:
    found = _entities_of("华中大学武汉智能感知研究院正式揭牌。武汉智能感知研究院将开展联合攻关。")
    assert "武汉智能感知研究院" not in found, found


def test_members_of_a_counted_kind_listed_after_it_are_names() -> None:
    sent = "园区规划三大板块，包括电子材料加工园区、精密零件制造园区及物流配套综合园区，总面积约900亩。"
    found = _found(sent)
    for name in ("电子材料加工园区", "精密零件制造园区", "物流配套综合园区"):
        assert (name, "Park") in found, found


@pytest.mark.parametrize(
    "sent",
    ["本次开工智能仓储物流平台项目3个、跨境电商服务平台项目2个。", "今年新签数字文旅综合体项目两个。"],
)
def test_project_kind_with_a_count_after_it_is_no_name(sent: str) -> None:
    assert not any(t == "Project" for _n, t in _found(sent))


def test_park_named_with_its_province_before_it_is_the_park() -> None:
    found = _entities_of("河北青禾新区今年签约项目30个。青禾新区管委会表示，将继续优化服务。青禾新区迎来新企业。")
    assert [n for n, t in found.items() if t == "Park"] == ["河北青禾新区"], found


def test_branch_of_an_investment_promotion_centre_is_a_government_agency() -> None:
    found = _found("活动现场，青禾新区投资促进服务中心东岭分中心正式揭牌。")
    assert ("青禾新区投资促进服务中心东岭分中心", "Government") in found, found
    assert ("青禾新区投资促进服务中心", "Government") in found, found
    assert not any(t == "Park" and name != "青禾新区" for name, t in found), found


@pytest.mark.parametrize(
    ("sent", "name", "type_"),
    [
        ("东岭高新区中小企业服务中心主任出席仪式。", "东岭高新区中小企业服务中心", "Government"),
        ("青禾科技成果转化服务中心主任出席仪式。", "青禾科技成果转化服务中心", "Institute"),
        ("地块在东岭新区土地发展中心公开挂牌。", "东岭新区土地发展中心", "Government"),
        ("东岭高新区创业园发展中心主任出席仪式。", "东岭高新区创业园发展中心", "Institute"),
    ],
)
def test_zone_service_centre_is_the_zone_agency(sent: str, name: str, type_: str) -> None:
    assert (name, type_) in _found(sent)


def test_generic_kind_before_a_dash_is_not_in_the_name() -> None:
    found = _found("现场举行了园区运营平台-青禾东岭产业技术研究院揭牌仪式。")
    assert ("青禾东岭产业技术研究院", "Institute") in found, found
    assert not any(name.startswith("平台") for name, _t in found), found


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("园区将依托青禾智算中心等数字新基建壮大产业。", "青禾智算中心"),
        ("东岭云计算大数据中心一期已经投用。", "东岭云计算大数据中心"),
    ],
)
def test_computing_centre_is_a_facility_project(sent: str, name: str) -> None:
    assert (name, "Project") in _found(sent)


def test_named_tackling_plan_is_a_project_and_the_plain_kind_is_not() -> None:
    assert ("青禾攻关计划", "Project") in _found("该团队获得2023年度青禾攻关计划支持。")
    assert not any(t == "Project" for _n, t in _found("省里下达科技攻关计划，支持企业研发。"))


def test_park_named_after_a_university_behind_its_zone_is_the_university_project() -> None:
    text = "东岭新区与青禾大学签约。东岭新区青禾大学大数据产业园当天开工。"
    found = _entities_of(text)
    assert found.get("东岭新区青禾大学大数据产业园") == "Project", found


def test_company_short_form_used_as_a_park_name_stays_the_park() -> None:
    text = "天津青禾科技城有限公司负责运营。青禾科技城已吸引300家企业入驻。"
    found = _entities_of(text)
    assert found.get("青禾科技城") == "Park", found
    assert found.get("天津青禾科技城有限公司") == "Company", found
