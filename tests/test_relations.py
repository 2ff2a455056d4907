"""Relation extraction on hand-written news sentences (none taken from the sample pages).

Each test builds the articles and entities directly: ``doc`` tags every occurrence of the given
names (longest first), so the tests exercise the relation patterns, not the entity extractor.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.extract.relations import extract_relations, patterns
from kg.ingest.segment import split_sentences
from kg.model import Article, Entity, Mention, RawDoc, Relation


def doc(
    texts: str | list[str],
    names: dict[str, str],
    aliases: dict[str, list[str]] | None = None,
    titles: list[str] | None = None,
    headline: str = "",
) -> tuple[list[Article], list[Entity]]:
    """Articles from ``texts`` and entities for ``names`` (name -> type), every occurrence tagged."""
    raw = RawDoc(doc="t.txt", path="/tmp/t.txt", text="")
    texts = [texts] if isinstance(texts, str) else texts
    aliases = aliases or {}
    articles = []
    for i, text in enumerate(texts):
        meta = {"headline": [headline]} if headline and i > 0 else {}
        title = titles[i] if titles else ""
        articles.append(Article(raw.doc, raw.path, i, title, text, (0, len(text)), split_sentences(text), meta))
    entities = [Entity(name, typ, list(aliases.get(name, []))) for name, typ in names.items()]
    forms = sorted(((f, k) for k, e in enumerate(entities) for f in [e.name, *e.aliases]), key=lambda x: -len(x[0]))
    for art in articles:
        taken: list[tuple[int, int]] = []
        for form, k in forms:
            for m in re.finditer(re.escape(form), art.text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                sent = next(i for i, s in enumerate(art.sentences) if s.start <= m.start() < s.end)
                entities[k].mentions.append(
                    Mention(art.index, sent, m.start(), m.end(), m.group(), entities[k].type, "test")
                )
    return articles, entities


def triples(rels: list[Relation]) -> set[tuple[str, str, str]]:
    return {(r.head, r.relation, r.tail) for r in rels}


def run(texts: str | list[str], names: dict[str, str], model: bool = False, **kw: object) -> set[tuple[str, str, str]]:
    """The relations of the patterns (and, with ``model``, of the learned locatedIn check too)."""
    articles, entities = doc(texts, names, **kw)  # type: ignore[arg-type]
    return triples(extract_relations(articles, entities, use_model=model))


# --------------------------------------------------------------------------- locatedIn


def test_settle_trigger() -> None:
    got = run(
        "近日，苏州纳米微电子有限公司正式签约入驻合肥高新区。",
        {"苏州纳米微电子有限公司": "Company", "合肥高新区": "Park"},
    )
    assert got == {("苏州纳米微电子有限公司", "locatedIn", "合肥高新区")}


def test_park_attracts_a_coordinated_list() -> None:
    got = run(
        "近年来，武汉东湖高新区先后引进华星光电、长江存储和小米科技等一批龙头企业。",
        {"武汉东湖高新区": "Park", "华星光电": "Company", "长江存储": "Company", "小米科技": "Company"},
    )
    assert got == {(c, "locatedIn", "武汉东湖高新区") for c in ("华星光电", "长江存储", "小米科技")}


def test_park_enterprise_apposition() -> None:
    got = run("日前，成都高新区企业极米科技发布了新一代激光投影产品。", {"成都高新区": "Park", "极米科技": "Company"})
    assert got == {("极米科技", "locatedIn", "成都高新区")}


def test_located_de() -> None:
    got = run(
        "位于西安高新区的陕西光电子先导院已孵化企业40余家。", {"西安高新区": "Park", "陕西光电子先导院": "Institute"}
    )
    assert got == {("陕西光电子先导院", "locatedIn", "西安高新区")}


def test_park_reference_resolves_to_the_story_park() -> None:
    text = "苏州工业园区召开生物医药产业推进会。苏州工业园区今年新增企业300家。园区企业信达生物的新药获批上市。"
    got = run(text, {"苏州工业园区": "Park", "信达生物": "Company"})
    assert got == {("信达生物", "locatedIn", "苏州工业园区")}


def test_park_in_park_is_part_of() -> None:
    got = run("一个新的人工智能产业园即将在南昌高新区崛起。", {"人工智能产业园": "Park", "南昌高新区": "Park"})
    assert got == {("人工智能产业园", "partOf", "南昌高新区")}


def test_project_built_in_park_fans_out() -> None:
    got = run(
        "宁德时代新能源科技股份有限公司在宜宾三江新区投资120亿元，建设动力电池生产基地项目。",
        {"宁德时代新能源科技股份有限公司": "Company", "宜宾三江新区": "Park", "动力电池生产基地项目": "Project"},
    )
    assert got == {
        ("宁德时代新能源科技股份有限公司", "locatedIn", "宜宾三江新区"),
        ("动力电池生产基地项目", "locatedIn", "宜宾三江新区"),
        ("宁德时代新能源科技股份有限公司", "undertakes", "动力电池生产基地项目"),
    }


# --------------------------------------------------------------------------- cooperatesWith


def test_agreement_between_two_parties() -> None:
    got = run(
        "合肥高新区管委会与中国科学技术大学签署战略合作协议。",
        {"合肥高新区管委会": "Government", "中国科学技术大学": "University", "合肥高新区": "Park"},
    )
    assert ("中国科学技术大学", "cooperatesWith", "合肥高新区管委会") in got
    assert ("合肥高新区管委会", "partOf", "合肥高新区") in got  # the name alone states this
    assert len(got) == 2


def test_three_party_agreement_gives_every_pair_once() -> None:
    got = run(
        "华为技术有限公司、清华大学、北京市科委三方共同签署合作备忘录。",
        {"华为技术有限公司": "Company", "清华大学": "University", "北京市科委": "Government"},
    )
    assert got == {
        ("华为技术有限公司", "cooperatesWith", "清华大学"),
        ("北京市科委", "cooperatesWith", "华为技术有限公司"),
        ("北京市科委", "cooperatesWith", "清华大学"),
    }


def test_one_party_with_a_list_does_not_pair_the_list() -> None:
    got = run(
        "常州高新区与南京大学、东南大学等高校达成合作协议。",
        {"常州高新区": "Park", "南京大学": "University", "东南大学": "University"},
    )
    assert got == {("南京大学", "cooperatesWith", "常州高新区"), ("东南大学", "cooperatesWith", "常州高新区")}


def test_joint_founding_fans_out() -> None:
    got = run(
        "长沙高新区携手湖南大学共建智能制造研究院，聚焦工业软件研发。",
        {"长沙高新区": "Park", "湖南大学": "University", "智能制造研究院": "Institute"},
    )
    assert got == {
        ("湖南大学", "cooperatesWith", "长沙高新区"),
        ("智能制造研究院", "establishedBy", "长沙高新区"),
        ("智能制造研究院", "establishedBy", "湖南大学"),
    }


# --------------------------------------------------------------------------- establishedBy, undertakes


def test_founding_trigger() -> None:
    got = run(
        "深圳市科技创新委员会牵头成立深圳市人工智能产业联盟，首批会员单位120家。",
        {"深圳市科技创新委员会": "Government", "深圳市人工智能产业联盟": "Institute"},
    )
    assert got == {("深圳市人工智能产业联盟", "establishedBy", "深圳市科技创新委员会")}


def test_founded_by_a_list() -> None:
    got = run(
        "由腾讯、中山大学共同打造的数字经济研究院日前正式揭牌。",
        {"腾讯": "Company", "中山大学": "University", "数字经济研究院": "Institute"},
    )
    assert got == {
        ("数字经济研究院", "establishedBy", "腾讯"),
        ("数字经济研究院", "establishedBy", "中山大学"),
        ("中山大学", "cooperatesWith", "腾讯"),
    }


def test_undertakes_trigger_and_owner_named_project() -> None:
    got = run(
        "隆基绿能今年实施“光伏组件智能工厂”项目。隆基绿能二期项目也已开工。",
        {"隆基绿能": "Company", "光伏组件智能工厂": "Project", "隆基绿能二期项目": "Project"},
    )
    assert got == {("隆基绿能", "undertakes", "光伏组件智能工厂"), ("隆基绿能", "undertakes", "隆基绿能二期项目")}


# --------------------------------------------------------------------------- worksFor, partOf


def test_role_apposition_and_park_bureau() -> None:
    got = run(
        "杭州高新区科技局局长张明表示，将加大对企业研发的支持。",
        {"杭州高新区科技局": "Government", "张明": "Person", "杭州高新区": "Park"},
    )
    assert got == {("张明", "worksFor", "杭州高新区科技局"), ("杭州高新区科技局", "partOf", "杭州高新区")}


def test_company_reference_resolves_for_worksfor() -> None:
    text = "浙江海康智能科技有限公司专注机器视觉。该公司总经理李强介绍，今年订单翻了一番。"
    got = run(text, {"浙江海康智能科技有限公司": "Company", "李强": "Person"})
    assert got == {("李强", "worksFor", "浙江海康智能科技有限公司")}


def test_branch_and_sub_institute_by_name() -> None:
    got = run(
        "比亚迪重庆分公司与中国科学院合肥物质科学研究院的专家交流了经验。比亚迪和中国科学院均有代表出席。",
        {
            "比亚迪重庆分公司": "Company",
            "比亚迪": "Company",
            "中国科学院合肥物质科学研究院": "Institute",
            "中国科学院": "Institute",
        },
    )
    assert got == {("比亚迪重庆分公司", "partOf", "比亚迪"), ("中国科学院合肥物质科学研究院", "partOf", "中国科学院")}


# --------------------------------------------------------------------------- no relation without a statement


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("华为技术有限公司和西安高新区的代表出席了当天的会议。", {"华为技术有限公司": "Company", "西安高新区": "Park"}),
        ("长城汽车与比亚迪的销量在上半年均有增长。", {"长城汽车": "Company", "比亚迪": "Company"}),
        ("中国科学技术大学的学生参观了合肥高新区。", {"中国科学技术大学": "University", "合肥高新区": "Park"}),
        ("记者从郑州高新区获悉，阿里巴巴发布了新的财报。", {"郑州高新区": "Park", "阿里巴巴": "Company"}),
        ("长电科技和华天科技是行业内的竞争对手。", {"长电科技": "Company", "华天科技": "Company"}),
        ("天水高新区与兰州大学的专家就产业发展进行了交流。", {"天水高新区": "Park", "兰州大学": "University"}),
        ("天水高新区为华天科技提供了标准厂房。", {"天水高新区": "Park", "华天科技": "Company"}),
        ("毕业于兰州大学的研究员王乘回到家乡创业。", {"兰州大学": "University", "王乘": "Person"}),
        ("今年，芜湖高新区已实施重大科技成果转化项目6项。", {"芜湖高新区": "Park", "重大科技成果转化项目": "Project"}),
        ("芜湖高新区新开工重大工业项目13个。", {"芜湖高新区": "Park", "芜湖高新区新开工重大工业项目": "Project"}),
    ],
)
def test_co_occurrence_is_not_a_relation(text: str, names: dict[str, str]) -> None:
    assert run(text, names) == set()
    assert run(text, names, model=True) == set()  # nor for the learned check


# --------------------------------------------------------------------------- evidence and merging


def test_same_relation_twice_keeps_both_evidence() -> None:
    text = "清华大学与江苏银行签署合作协议。江苏银行与清华大学随后签订框架协议。"
    articles, entities = doc(text, {"清华大学": "University", "江苏银行": "Company"})
    rels = extract_relations(articles, entities)
    assert len(rels) == 1
    r = rels[0]
    assert (r.head, r.relation, r.tail) == ("江苏银行", "cooperatesWith", "清华大学")  # sorted names
    assert (r.head_type, r.tail_type) == ("Company", "University")
    assert [e.sentence for e in r.evidence] == [
        "清华大学与江苏银行签署合作协议。",
        "江苏银行与清华大学随后签订框架协议。",
    ]
    for e in r.evidence:
        assert articles[0].text[e.start : e.end] == e.sentence
        assert (e.doc, e.path, e.article) == ("t.txt", "/tmp/t.txt", 0)
        assert e.pattern


def test_output_is_deterministic() -> None:
    text = "合肥高新区先后引进科大讯飞、阳光电源等企业。科大讯飞与阳光电源签署合作协议。"
    names = {"合肥高新区": "Park", "科大讯飞": "Company", "阳光电源": "Company"}
    first = extract_relations(*doc(text, names))
    second = extract_relations(*doc(text, names))
    assert first == second
    assert len(first) == 3


def test_every_pattern_compiles_and_emits() -> None:
    pats = patterns()
    assert len(pats) > 20
    assert all(p.emits for p in pats)
    assert len({p.name for p in pats}) == len(pats)


# --------------------------------------------------------------------------- references and zero subjects


def test_zero_subject_attract_uses_the_story_park() -> None:
    text = "南宁高新区持续优化营商环境。一方面，引入华润微电子、比亚迪电子等企业，补齐产业链条。"
    got = run(text, {"南宁高新区": "Park", "华润微电子": "Company", "比亚迪电子": "Company"})
    assert got == {("华润微电子", "locatedIn", "南宁高新区"), ("比亚迪电子", "locatedIn", "南宁高新区")}


def test_story_park_spans_sections_under_one_headline() -> None:
    texts = ["兰州高新区今年新增高新技术企业50家。", "园区企业兰石重装研发的新设备投入使用。"]
    got = run(
        texts,
        {"兰州高新区": "Park", "兰石重装": "Company"},
        titles=["兰州高新区跑出加速度", "创新驱动"],
        headline="兰州高新区跑出加速度",
    )
    assert got == {("兰石重装", "locatedIn", "兰州高新区")}


def test_reference_prefers_the_entity_the_passage_is_about() -> None:
    text = (
        "山西智能制造创新中心由太原理工大学发起。山西智能制造创新中心聚焦高端装备。"
        "上月，其研发的机器人在太原卫星发射中心完成测试。该中心落户太原高新区已两年。"
    )
    names = {
        "山西智能制造创新中心": "Institute",
        "太原理工大学": "University",
        "太原卫星发射中心": "Institute",
        "太原高新区": "Park",
    }
    got = run(text, names)
    assert ("山西智能制造创新中心", "locatedIn", "太原高新区") in got
    assert ("太原卫星发射中心", "locatedIn", "太原高新区") not in got


def test_reference_to_one_of_a_list_stays_unresolved() -> None:
    text = "鼓励甲骨文科技、乙丙软件、丁戊网络等企业走出去。该企业目前已成功申报“智慧港口”项目。"
    got = run(text, {"甲骨文科技": "Company", "乙丙软件": "Company", "丁戊网络": "Company", "智慧港口": "Project"})
    assert got == set()


def test_helper_park_is_not_a_location() -> None:
    text = "在绵阳高新区帮助下，九洲电器立项“北斗终端研发”项目。"
    got = run(text, {"绵阳高新区": "Park", "九洲电器": "Company", "北斗终端研发": "Project"})
    assert got == {("九洲电器", "undertakes", "北斗终端研发")}


def test_list_with_an_untagged_member_keeps_the_tagged_ones() -> None:
    text = "由东莞松山湖管委会、某某基金、华为终端联合打造的松山湖材料实验室正式启用。"
    names = {"东莞松山湖管委会": "Government", "华为终端": "Company", "松山湖材料实验室": "Institute"}
    got = run(text, names)
    assert got == {
        ("松山湖材料实验室", "establishedBy", "东莞松山湖管委会"),
        ("松山湖材料实验室", "establishedBy", "华为终端"),
        ("东莞松山湖管委会", "cooperatesWith", "华为终端"),
    }


def test_committee_word_resolves_to_the_park_in_a_title_chain() -> None:
    text = "株洲高新区发展势头良好。株洲市委常委、管委会主任刘华表示，株洲高新区将继续扩大开放。"
    got = run(text, {"株洲高新区": "Park", "株洲市委": "Government", "刘华": "Person"})
    assert got == {("刘华", "worksFor", "株洲市委"), ("刘华", "worksFor", "株洲高新区")}


def test_signing_and_joint_action() -> None:
    text = "大连高新区与东软集团正式签约。大连理工大学与大连高新区共同举办人工智能论坛。"
    got = run(text, {"大连高新区": "Park", "东软集团": "Company", "大连理工大学": "University"})
    assert got == {("东软集团", "cooperatesWith", "大连高新区"), ("大连理工大学", "cooperatesWith", "大连高新区")}


def test_two_title_appositions_in_one_sentence() -> None:
    got = run(
        "华天科技董事长张三与长电科技总经理李四举行会谈。",
        {"华天科技": "Company", "张三": "Person", "长电科技": "Company", "李四": "Person"},
    )
    assert got == {("张三", "worksFor", "华天科技"), ("李四", "worksFor", "长电科技")}


def test_headquarters_and_passive_builder() -> None:
    got = run(
        "华天科技成立于2003年，总部位于天水高新区。光伏产业园项目由隆基绿能投资建设。",
        {"华天科技": "Company", "天水高新区": "Park", "光伏产业园项目": "Project", "隆基绿能": "Company"},
    )
    assert got == {("华天科技", "locatedIn", "天水高新区"), ("隆基绿能", "undertakes", "光伏产业园项目")}


def test_zero_subject_speaks_for_the_park_only_in_a_park_story() -> None:
    names = {"西安高新区": "Park", "隆基绿能": "Company", "光伏领跑者计划": "Project"}
    park_story = "西安高新区加快建设。西安高新区今年新增企业800家。同时，实施“光伏领跑者计划”。"
    assert run(park_story, names) == {("西安高新区", "undertakes", "光伏领跑者计划")}
    company_story = (
        "隆基绿能落户西安高新区多年。隆基绿能是光伏龙头，隆基绿能的组件出货量居首。同时，实施“光伏领跑者计划”。"
    )
    assert run(company_story, names) == {("隆基绿能", "locatedIn", "西安高新区")}


def test_project_started_in_park_and_its_builder_by_reference() -> None:
    text = "近日，总投资50亿元的柔性显示生产线项目在绵阳高新区开工建设。该项目由京东方科技集团股份有限公司投资建设。"
    names = {"柔性显示生产线项目": "Project", "绵阳高新区": "Park", "京东方科技集团股份有限公司": "Company"}
    assert run(text, names) == {
        ("柔性显示生产线项目", "locatedIn", "绵阳高新区"),
        ("京东方科技集团股份有限公司", "undertakes", "柔性显示生产线项目"),
    }


def test_subsidiary_and_won_bid() -> None:
    text = "阿里巴巴集团旗下的蚂蚁集团发布新产品。中电科技集团中标雄安新区智慧城市项目。"
    names = {
        "阿里巴巴集团": "Company",
        "蚂蚁集团": "Company",
        "中电科技集团": "Company",
        "雄安新区智慧城市项目": "Project",
    }
    assert run(text, names) == {
        ("蚂蚁集团", "partOf", "阿里巴巴集团"),
        ("中电科技集团", "undertakes", "雄安新区智慧城市项目"),
    }


def test_separately_signed_agreements_do_not_pair_the_signers() -> None:
    names = {"华为": "Company", "中兴": "Company", "南京大学": "University"}
    assert run("华为和中兴分别与南京大学签署合作协议。", names) == {
        ("华为", "cooperatesWith", "南京大学"),
        ("中兴", "cooperatesWith", "南京大学"),
    }
    assert run("华为、中兴分别签署了合作协议。", names) == set()
    assert ("中兴", "cooperatesWith", "华为") in run("华为和中兴与南京大学签署三方合作协议。", names)


def test_undertaking_stated_as_the_setting_of_a_clause() -> None:
    text = "在实施“科技型企业培育行动”中，宝鸡高新区工作人员深入走访企业。"
    assert run(text, {"科技型企业培育行动": "Project", "宝鸡高新区": "Park"}) == {
        ("宝鸡高新区", "undertakes", "科技型企业培育行动")
    }


def test_zone_named_in_brackets_of_a_park_name() -> None:
    text = "大连甘井子区(大连高新区)软件产业园内新入驻企业20家。大连高新区持续发力。"
    got = run(text, {"大连甘井子区(大连高新区)软件产业园": "Park", "大连高新区": "Park"})
    assert got == {("大连甘井子区(大连高新区)软件产业园", "partOf", "大连高新区")}


def test_business_line_is_not_a_branch() -> None:
    text = "吉利新能源汽车落户济南高新区，吉利的销量持续增长。"
    got = run(text, {"吉利新能源汽车": "Company", "吉利": "Company", "济南高新区": "Park"})
    assert got == {("吉利新能源汽车", "locatedIn", "济南高新区")}


def test_robust_to_places_and_unknown_types() -> None:
    text = "济南量子技术研究院落户济南高新区。"
    got = run(text, {"济南量子技术研究院": "Institute", "济南": "Place", "济南高新区": "Park"})
    assert got == {("济南量子技术研究院", "locatedIn", "济南高新区")}
    assert extract_relations([], []) == []


def test_joint_founding_by_a_list_and_subdivision() -> None:
    text = "华为、中兴、南京大学共同发起成立江苏省5G产业联盟。武汉东湖高新区下辖光谷生物城、光谷未来科技城等园区。"
    names = {
        "华为": "Company",
        "中兴": "Company",
        "南京大学": "University",
        "江苏省5G产业联盟": "Institute",
        "武汉东湖高新区": "Park",
        "光谷生物城": "Park",
        "光谷未来科技城": "Park",
    }
    assert run(text, names) == {
        ("江苏省5G产业联盟", "establishedBy", "华为"),
        ("江苏省5G产业联盟", "establishedBy", "中兴"),
        ("江苏省5G产业联盟", "establishedBy", "南京大学"),
        ("中兴", "cooperatesWith", "华为"),
        ("华为", "cooperatesWith", "南京大学"),
        ("中兴", "cooperatesWith", "南京大学"),
        ("光谷生物城", "partOf", "武汉东湖高新区"),
        ("光谷未来科技城", "partOf", "武汉东湖高新区"),
    }


def test_list_member_tagged_only_in_part_is_passed_over() -> None:
    text = "厦门火炬高新区加快集聚创新资源，引进中科院西光所、微软、IBM等创新赋能中心。"
    got = run(text, {"厦门火炬高新区": "Park", "中科院": "Institute", "微软": "Company", "IBM": "Company"})
    assert got == {("微软", "locatedIn", "厦门火炬高新区"), ("IBM", "locatedIn", "厦门火炬高新区")}


def test_government_programme_and_undertaking_it() -> None:
    text = "榆林高新区承担起科技部“百城百园”项目。"
    got = run(text, {"榆林高新区": "Park", "科技部": "Government", "百城百园": "Project"})
    assert got == {("榆林高新区", "undertakes", "百城百园"), ("百城百园", "establishedBy", "科技部")}


def test_member_of_a_park_stated_by_copula_or_作为() -> None:
    names = {"华天科技": "Company", "天水高新区": "Park", "华天电子项目": "Project"}
    text = "华天科技是天水高新区的龙头企业。作为天水高新区引进的重点项目，华天电子项目已投产。"
    assert run(text, names) == {("华天科技", "locatedIn", "天水高新区"), ("华天电子项目", "locatedIn", "天水高新区")}
    assert run("华天科技是天水高新区最大的客户之一。", names) == set()


def test_joint_action_by_a_list_pairs_the_actors_even_without_a_named_result() -> None:
    names = {"华为": "Company", "中兴": "Company"}
    assert run("华为和中兴共同发布了5G白皮书。", names) == {("中兴", "cooperatesWith", "华为")}
    assert run("华为、中兴分别发布了新品。", names) == set()


def test_park_story_members_and_plots() -> None:
    text = (
        "荆门高新区今年项目建设提速。荆门高新区新开工项目20个。投产企业中，亿纬锂能投资50亿元建设动力电池项目。"
        "格林美在三期地块规划建设“城市矿山”产业园。"
    )
    names = {
        "荆门高新区": "Park",
        "亿纬锂能": "Company",
        "动力电池项目": "Project",
        "格林美": "Company",
        "城市矿山": "Project",
    }
    assert run(text, names) == {
        ("亿纬锂能", "locatedIn", "荆门高新区"),
        ("亿纬锂能", "undertakes", "动力电池项目"),
        ("格林美", "locatedIn", "荆门高新区"),
        ("城市矿山", "locatedIn", "荆门高新区"),
        ("格林美", "undertakes", "城市矿山"),
    }


def test_pattern_snapshot_gives_the_patterns_re_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers make the relation patterns from a snapshot of their compiled code: every pattern must
    equal what ``re.compile`` makes (same code, flags and groups) and have the same needs, be remade
    when the snapshot is damaged, and fall back to ``re.compile`` when the engine refuses the code."""
    from kg.extract import relations

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    table = [(p.name, p.regex.pattern, p.requires) for p in patterns()]

    def check(compiled: list[tuple[re.Pattern[str], tuple[frozenset[str], ...]]]) -> None:
        assert len(compiled) == len(table)
        for (_name, regex, requires), (obj, needs) in zip(table, compiled, strict=True):
            reference = re.compile(regex)
            assert obj == reference  # Pattern equality compares the compiled code
            assert (obj.groups, obj.groupindex, obj.flags) == (reference.groups, reference.groupindex, reference.flags)
            assert needs == relations._pattern_needs(regex, requires)

    re.purge()
    check(relations._compiled(table))  # made and snapshotted
    snapshots = list((tmp_path / "kg" / "regex").glob("*.pickle"))
    assert len(snapshots) == 1
    re.purge()
    check(relations._compiled(table))  # loaded
    snapshots[0].write_bytes(b"damaged")
    check(relations._compiled(table))
    assert snapshots[0].read_bytes() != b"damaged"  # made again

    class Refusing:
        @staticmethod
        def compile(*args: object) -> None:
            raise RuntimeError("invalid SRE code")

    monkeypatch.setattr(relations, "_sre_module", lambda: Refusing)
    check(relations._compiled(table))
    # an unknown regex is a new snapshot key: made again (and a broken one names its pattern)
    with pytest.raises(ValueError, match="pattern broken does not compile"):
        relations._compiled([("broken", "(unclosed", ())])


def test_extraction_with_snapshotted_patterns_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relations found with patterns made from the snapshot are those found with ``re.compile``'s."""
    from kg.build.inputs import sample_corpus
    from kg.build.process import process_raw
    from kg.extract import relations

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    raw = RawDoc(doc="p", path="p", text=sample_corpus()[0].read_text(encoding="utf-8"))
    relations.patterns.cache_clear()
    relations._compiled([(p.name, p.regex.pattern, p.requires) for p in patterns()])  # the snapshot exists
    relations.patterns.cache_clear()
    from_snapshot = process_raw(raw).relations
    relations.patterns.cache_clear()
    monkeypatch.setattr(relations, "_sre_module", lambda: (_ for _ in ()).throw(RuntimeError("off")))
    try:
        from_re = process_raw(raw).relations
    finally:
        relations.patterns.cache_clear()
    assert from_snapshot and from_snapshot == from_re
