"""Entity pattern families added for issue 14's entity half, each on invented sentences (no dev2 or
sample text): a zone before a company, bracketed places in company names, 企业集团,
Taiwan's cities, counted and numbered project categories, 按计划, and parks a project
builds; production verbs inside project names; roles and the words after a name."""

from __future__ import annotations

from kg.build.process import process_raw
from kg.model import RawDoc


def entities_of(text: str) -> dict[str, str]:
    res = process_raw(RawDoc(doc="t.txt", path="t.txt", text=text))
    return {e.name: e.type for e in res.entities}


def test_a_zone_before_a_company_with_its_own_trade_name_is_the_zone() -> None:
    found = entities_of("会上，成都高新区蓝翎光电科技(成都)有限公司获评优秀企业。")
    assert found.get("蓝翎光电科技(成都)有限公司") == "Company", found
    assert found.get("成都高新区") == "Park", found
    found = entities_of("会上，芜湖高新区(经开区)鸿鹄电子集团与园区签约。")
    assert found.get("鸿鹄电子集团") == "Company", found
    assert found.get("芜湖高新区") == "Park", found


def test_a_zone_company_without_a_trade_name_keeps_the_zone() -> None:
    found = entities_of("据悉，西安高新区投资有限公司负责园区建设。")
    assert found.get("西安高新区投资有限公司") == "Company", found
    found = entities_of("据悉，合肥经开区招商公司负责项目对接。")
    assert found.get("合肥经开区招商公司") == "Company", found


def test_a_bracketed_place_is_no_trade_name() -> None:
    found = entities_of("会上，青岚显示科技(合肥)有限公司总经理王志远发言。")
    assert found.get("青岚显示科技(合肥)有限公司") == "Company", found
    assert "科技(合肥)有限公司" not in found, found


def test_qiye_before_jituan_stays_in_the_name() -> None:
    found = entities_of("会上，杭州明川企业集团与滨江区签署合作协议。")
    assert found.get("杭州明川企业集团") == "Company", found
    assert entities_of("推动优势企业集团化发展。") == {}


def test_a_taiwan_city_names_a_park() -> None:
    found = entities_of("会议推动高雄软件园区与桃园航空城协同发展。")
    assert found.get("高雄软件园区") == "Park", found
    assert "高雄软件园" not in found, found


def test_counted_categories_and_numbered_slogans_are_not_projects() -> None:
    assert entities_of("今年全区落地五大产业项目，推进“两新”项目建设。") == {}
    assert entities_of("各项工作按计划推进。") == {}
    found = entities_of("启动“百城百园”项目。")
    assert found.get("百城百园项目") == "Project", found


def test_a_park_word_before_xiangmu_is_the_park_the_project_builds() -> None:
    found = entities_of("会上，海蓝智谷未来园区项目、星河光电产业园项目集中签约。")
    assert found.get("海蓝智谷未来园区项目") == "Project", found
    assert found.get("星河光电产业园项目") == "Project", found
    assert entities_of("推动入驻园区项目投产。") == {}


def test_a_production_verb_stays_inside_a_project_a_clause_verb_opens_it() -> None:
    found = entities_of("总投资12亿元！鹭江无人船生产制造中心项目正式开工。")
    assert found.get("鹭江无人船生产制造中心项目") == "Project", found
    found = entities_of("园区加快建设蓝海智能装备生产基地项目。")
    assert found.get("蓝海智能装备生产基地项目") == "Project", found
    assert not any(n.startswith(("建设", "加快")) for n in found), found


def test_roles_and_what_follows_a_name() -> None:
    found = entities_of("市委书记林远航赴高新区调研，省长助理周明川、二级巡视员郑雅琴陪同。")
    assert {"林远航", "周明川", "郑雅琴"} <= {n for n, t in found.items() if t == "Person"}, found
    found = entities_of("科技集团创办人秦朗通过社交媒体宣布，副校长白书砚共同揭牌。")
    assert found.get("秦朗") == "Person" and found.get("白书砚") == "Person", found
    found = entities_of("市领导欧阳青、孙立平、马晓东等参加活动。")
    assert {"欧阳青", "孙立平", "马晓东"} <= {n for n, t in found.items() if t == "Person"}, found


def test_a_plan_name_before_a_middle_dot_is_a_plan() -> None:
    found = entities_of("她入选长沙星城5211人才计划•青年人才。")
    assert found.get("长沙星城5211人才计划") == "Project", found
