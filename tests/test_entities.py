"""Entity recognition and linking on hand-written sentences (not from the sample pages) and on the
real sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.process import process_raw
from kg.cli import main
from kg.model import RawDoc


def entities_of(text: str) -> dict[str, tuple[str, list[str]]]:
    res = process_raw(RawDoc(doc="t.txt", path="t.txt", text=text))
    return {e.name: (e.type, e.aliases) for e in res.entities}


@pytest.mark.parametrize(
    ("sentence", "name", "type_"),
    [
        ("近日，合肥高新区企业安徽智芯微电子股份有限公司发布了新一代芯片。", "安徽智芯微电子股份有限公司", "Company"),
        ("近日，合肥高新区企业安徽智芯微电子股份有限公司发布了新一代芯片。", "合肥高新区", "Park"),
        ("该项目由兰州理工大学牵头承担，预计明年完成。", "兰州理工大学", "University"),
        ("双方将依托中国科学院合肥物质科学研究院开展联合攻关。", "中国科学院合肥物质科学研究院", "Institute"),
        ("会上，成都高新区管委会发布了支持政策。", "成都高新区管委会", "Government"),
        ("会上，四川省科技厅相关负责人介绍了情况。", "四川省科技厅", "Government"),
        ("园区正在推进“青苗培育计划”，首批入选企业30家。", "青苗培育计划", "Project"),
        ("该市新建的武汉光谷生物城新药中试基地项目已经开工。", "武汉光谷生物城新药中试基地项目", "Project"),
    ],
)
def test_each_type_is_recognized(sentence: str, name: str, type_: str) -> None:
    found = entities_of(sentence)
    assert name in found, found
    assert found[name][0] == type_


def test_generic_mentions_are_not_entities() -> None:
    found = entities_of("全国169个国家高新区中，该高新区排名上升。园区企业纷纷开展重大科技项目攻关。")
    assert "国家高新区" not in found and "高新区" not in found
    assert not any(t == "Project" for t, _ in found.values()), found


def test_abbreviation_definition_links_the_short_form() -> None:
    text = "西安智航科技发展股份有限公司（以下简称智航科技）去年营收增长。智航科技计划明年上市。"
    found = entities_of(text)
    assert found["西安智航科技发展股份有限公司"] == ("Company", ["智航科技"])
    assert "智航科技" not in found


def test_short_form_used_later_links_to_the_full_name() -> None:
    text = "昆明云岭数控设备有限公司落户园区。目前，云岭数控已经投产。"
    found = entities_of(text)
    assert "云岭数控" in found["昆明云岭数控设备有限公司"][1]
    assert "云岭数控" not in found


def test_park_name_variants_are_one_entity() -> None:
    text = "记者从长沙高新技术产业开发区获悉，长沙高新区今年新增企业500家。湖南长沙高新区将继续招商。"
    found = entities_of(text)
    parks = {n: v for n, v in found.items() if v[0] == "Park"}
    assert list(parks) == ["长沙高新技术产业开发区"], parks
    assert {"长沙高新区", "湖南长沙高新区"} <= set(parks["长沙高新技术产业开发区"][1])


def test_branch_stays_a_separate_entity() -> None:
    text = "比亚迪股份有限公司在当地设立比亚迪股份有限公司西安分公司。"
    found = entities_of(text)
    assert found.get("比亚迪股份有限公司西安分公司", ("",))[0] == "Company"
    assert found.get("比亚迪股份有限公司", ("",))[0] == "Company"


def test_bylines_yield_no_person() -> None:
    found = entities_of("本报记者 张三丰 通讯员 李四光\n\n苏州工业园区企业数量持续增长。")
    assert not any(t == "Person" for t, _ in found.values()), found


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(main, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    return {d["doc"]: d for d in map(json.loads, lines)}


def _names(doc: dict) -> dict[str, dict]:
    return {e["name"]: e for e in doc["entities"]}


def test_sample_repaired_and_linked_forms(sample_build: dict[str, dict]) -> None:
    p000 = _names(sample_build["000_7f7d6dda138e05f1.txt"])
    assert "航空科技" in p000["贵州航空科技发展股份有限公司"]["aliases"]
    assert "航空科技" not in p000
    assert "贵州力创科技发展有限公司" in _names(sample_build["003_0761c53e24f34b0b.txt"])


def test_sample_cas_is_one_entity(sample_build: dict[str, dict]) -> None:
    for doc in sample_build.values():
        names = _names(doc)
        if "中科院" in names or "中国科学院" in names:
            assert not ("中科院" in names and "中国科学院" in names), doc["doc"]
            ent = names.get("中国科学院") or names["中科院"]
            assert {ent["name"], *ent["aliases"]} >= {"中国科学院", "中科院"} or ent["name"] == "中国科学院"


def test_sample_park_is_one_node_across_pages(sample_build: dict[str, dict], tmp_path: Path) -> None:
    nodes = [
        e["node"]
        for d in ("000_7f7d6dda138e05f1.txt", "003_0761c53e24f34b0b.txt")
        for e in sample_build[d]["entities"]
        if e["name"] == "贵阳高新区"
    ]
    assert len(nodes) == 2 and nodes[0] == nodes[1] == "Park/hz-520100-guiyang"  # its gazetteer entry


def test_person_with_role_and_reporting_verb() -> None:
    found = entities_of("“我们将加大研发投入。”苏州纳芯电子科技有限公司董事长张建国表示。王立新说，园区将继续扩容。")
    assert found.get("张建国", ("",))[0] == "Person"
    assert found.get("王立新", ("",))[0] == "Person"


def test_lexicon_abbreviation_links_to_the_full_name() -> None:
    text = "中国科学院在当地设立分支机构。近年来，中科院不断加强与地方合作。"
    found = entities_of(text)
    assert found["中国科学院"][0] == "Institute"
    assert "中科院" in found["中国科学院"][1]
    assert "中科院" not in found


def test_same_entity_across_documents_is_one_node() -> None:
    from kg.link.graph import build_graph

    a = process_raw(RawDoc(doc="a.txt", path="a.txt", text="中科院在合肥高新区设立研究院。"))
    b = process_raw(RawDoc(doc="b.txt", path="b.txt", text="中国科学院与合肥高新区签署合作协议。"))
    graph = build_graph([a, b])
    cas = [n for n in graph.nodes if n.type == "Institute" and "中科院" in {n.name, *n.aliases}]
    assert len(cas) == 1 and cas[0].name == "中国科学院" and cas[0].files == ["a.txt", "b.txt"]
    parks = [n for n in graph.nodes if "合肥高新区" in {n.name, *n.aliases}]  # named by its gazetteer entry
    assert len(parks) == 1 and parks[0].files == ["a.txt", "b.txt"]


def test_branch_names_its_parent_and_shared_place_bodies() -> None:
    found = entities_of("深圳云帆智能科技集团武汉研发总部落户光谷。云帆智能称，将扩大投资。")
    assert found["深圳云帆智能科技集团武汉研发总部"][0] == "Company"
    assert found["深圳云帆智能科技集团"][0] == "Company"
    assert "云帆智能" in found["深圳云帆智能科技集团"][1]
    found = entities_of("合肥市委、市政府高度重视科技创新。")
    assert found["合肥市委"][0] == "Government" and found["合肥市政府"][0] == "Government"


def test_project_named_after_its_owner_names_the_company() -> None:
    found = entities_of("当日，园区龙头企业鼎晟科技二期项目正式开工。")
    assert found["鼎晟科技二期项目"][0] == "Project"
    assert found["鼎晟科技"][0] == "Company"


def test_joined_fields_inside_an_association_name() -> None:
    found = entities_of("会上，成立了宁波智能装备和工业软件产业联盟。科技局和财政局联合发文。")
    assert found["宁波智能装备和工业软件产业联盟"][0] == "Institute"
    assert "局和财政局" not in "".join(found)


def test_tail_of_a_longer_name_is_an_alias() -> None:
    text = "苏州相城智能网联汽车产业园今年新增企业50家。目前，智能网联汽车产业园已形成完整产业链。"
    found = entities_of(text)
    assert "智能网联汽车产业园" in found["苏州相城智能网联汽车产业园"][1]
    assert "智能网联汽车产业园" not in found


def test_plan_named_after_its_verb_and_projects_in_a_project_list() -> None:
    found = entities_of("开发区将实施专精特新企业培育计划，加快推进华峰氢能产业园、储能电站等项目。")
    assert found["专精特新企业培育计划"][0] == "Project"
    assert found["华峰氢能产业园"][0] == "Project"


def test_enumeration_siblings_share_a_type() -> None:
    found = entities_of(
        "各地布局低轨星座，鸿鹄星座、启明工程、天枢星座等纷纷立项。园区拥有国家重点实验室、工程研究中心等平台。"
    )
    assert {"鸿鹄星座", "启明工程", "天枢星座"} <= {n for n, (t, _) in found.items() if t == "Project"}, found
    assert "工程研究中心" not in found


def test_abbreviation_by_dropped_characters_links() -> None:
    text = "浙江省产业技术研究院今年新设三个分所。浙江省产研院院长表示，将扩大招聘。"
    found = entities_of(text)
    assert "浙江省产研院" in found["浙江省产业技术研究院"][1], found
    text = "北航江西研究院在景德镇设立北航江西景德镇研究院。"
    found = entities_of(text)
    assert "北航江西研究院" in found and "北航江西景德镇研究院" in found, found


def test_academy_units_people_lists_and_college_parents() -> None:
    found = entities_of("园区引进中科院合肥所、中国科学院深圳先进技术研究院等机构。")
    assert found["中科院合肥所"][0] == "Institute"
    assert found["中国科学院"][0] == "Institute" and "中科院" in found["中国科学院"][1]
    found = entities_of("平台聚集了头部主播小影、阿杰、木木等，带动了产业发展。")
    assert {n for n, (t, _) in found.items() if t == "Person"} == {"小影", "阿杰", "木木"}
    found = entities_of("宁波理工大学创新创业学院与园区签约。")
    assert found["宁波理工大学"][0] == "University"


def test_a_name_found_once_is_found_everywhere() -> None:
    text = (
        "园区引进了宝钛新材料、华峰智造等企业。目前，宝钛新材料已经投产。"
        "吉利新能源汽车、比亚迪电池等企业落户。吉利新能源汽车将于明年量产。"
    )
    res = process_raw(RawDoc(doc="t.txt", path="t.txt", text=text))
    counts = {e.name: len(e.mentions) for e in res.entities}
    assert counts["宝钛新材料"] == 2
    assert counts["吉利新能源汽车"] == 2 and "吉利" not in counts


def test_regional_zones_in_general_and_named_satellites() -> None:
    found = entities_of("长江经济带国家高新区协同发展论坛举行。“合肥量子中心号”卫星成功发射。芜湖国家高新区表示欢迎。")
    assert not any(n.startswith("长江经济带") for n in found), found
    assert found.get("合肥量子中心号", ("",))[0] == "Project"
    assert found.get("芜湖国家高新区", ("",))[0] == "Park"


def test_categories_after_an_enumeration_are_not_names() -> None:
    found = entities_of("园区引进华为、腾讯等创新赋能中心，设立博士后科研工作站。")
    assert "创新赋能中心" not in found and "博士后科研工作站" not in found, found


def test_tokenizer_snapshot_is_the_tokenizer_jieba_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers load jieba from a snapshot in the cache folder: it must hold exactly what initialising
    jieba and adding the words gives, be remade when damaged or when the words change, and replace
    the snapshot of other words."""
    from kg.extract import entities

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    words = ["贵阳高新区", "翰斯智能", "高新区"]
    made, tags = entities._tokenizer(words)
    snapshots = list((tmp_path / "kg" / "jieba").glob("*.pickle"))
    assert len(snapshots) == 1
    loaded, tags_again = entities._tokenizer(words)
    assert loaded.FREQ == made.FREQ and loaded.total == made.total and tags_again == tags
    assert loaded.lcut("贵阳高新区翰斯智能公司", HMM=False) == made.lcut("贵阳高新区翰斯智能公司", HMM=False)
    assert made.FREQ["翰斯智能"] == 2000 and tags["公司"] == "n"
    snapshots[0].write_bytes(b"damaged")
    repaired, _ = entities._tokenizer(words)
    assert repaired.FREQ == made.FREQ and repaired.total == made.total
    other, _ = entities._tokenizer([*words, "另一个词"])
    assert other.FREQ["另一个词"] == 2000
    assert [p.name for p in (tmp_path / "kg" / "jieba").glob("*.pickle")] != [snapshots[0].name]
    assert len(list((tmp_path / "kg" / "jieba").glob("*.pickle"))) == 1


def test_a_district_before_a_listed_park_locates_it_and_is_no_part_of_its_name() -> None:
    got = entities_of("位于光明区光明科学城的深圳智感传感器有限公司近日投产，光明科学城再添新动能。")
    assert "光明科学城" in got
    assert "光明区光明科学城" not in got
    assert got["光明科学城"][0] == "Park"


def test_a_province_before_a_listed_park_stays_part_of_its_name() -> None:
    got = entities_of("近日，广东省光明科学城建设推进会召开。")
    assert "广东省光明科学城" in got


def test_a_verb_cut_across_its_last_character_ends_the_name() -> None:
    # jieba cuts 组 / 建华 / 宇: the verb 组建 stands before the name, not in it
    got = entities_of("该县利用闲置土地组建华宇新材料产业园区，规划面积800亩。")
    assert "华宇新材料产业园区" in got
    assert not any(name.endswith("组建华宇新材料产业园区") for name in got)
