"""Relation frames beyond one trigger sentence: sub-parks and the zone they belong to, a park's
enterprises named right after it, zones built around an anchor, lists with an investment figure per
member, and sections that go on about the park of the section before.

Every sentence here is invented (none is taken from the sample pages or dev2); ``doc`` from
``test_relations`` tags each given name, so the tests exercise the relation rules alone."""

from __future__ import annotations

from test_relations import run


def test_park_name_right_before_companies_places_them() -> None:
    got = run(
        "大赛中，武汉东湖高新区光谷新材料有限公司、长江智造研究院分获一等奖。",
        {"武汉东湖高新区": "Park", "光谷新材料有限公司": "Company", "长江智造研究院": "Institute"},
    )
    assert got == {
        ("光谷新材料有限公司", "locatedIn", "武汉东湖高新区"),
        ("长江智造研究院", "locatedIn", "武汉东湖高新区"),
    }


def test_a_park_after_a_coverb_does_not_place_the_company_after_it() -> None:
    got = run(
        "该团队赴合肥高新区海创新材料有限公司调研。",
        {"合肥高新区": "Park", "海创新材料有限公司": "Company"},
    )
    assert got == set()


def test_a_zone_named_as_part_of_a_larger_one() -> None:
    got = run(
        "黄河科创谷作为沿黄生态经济带的重要组团，正在加快建设。",
        {"黄河科创谷": "Park", "沿黄生态经济带": "Park"},
    )
    assert got == {("黄河科创谷", "partOf", "沿黄生态经济带")}


def test_a_zone_built_around_a_part_or_an_anchor() -> None:
    got = run(
        "东海智谷以滨海高新区核心园为核心，联动周边三个县区协同发展。",
        {"东海智谷": "Park", "滨海高新区核心园": "Park"},
    )
    assert got == {("滨海高新区核心园", "partOf", "东海智谷")}
    got = run(
        "青山创新港占地3000亩，以江城理工大学为核心，布局四大研究平台。",
        {"青山创新港": "Park", "江城理工大学": "University"},
    )
    assert got == {("江城理工大学", "locatedIn", "青山创新港")}


def test_a_sub_park_named_after_its_kind() -> None:
    got = run(
        "上周，滨江科技新城特色产业园——云谷数字经济产业园正式授牌。",
        {"滨江科技新城": "Park", "云谷数字经济产业园": "Park"},
    )
    assert got == {("云谷数字经济产业园", "partOf", "滨江科技新城")}


def test_a_list_with_an_investment_figure_per_member_signs_to_settle() -> None:
    texts = [
        "青州经开区一季度新签约项目12个。",
        "此外，总投资8亿元的智能仓储基地项目、总投资15亿元的新能源电机项目等已签订入区协议。",
    ]
    names = {"青州经开区": "Park", "智能仓储基地项目": "Project", "新能源电机项目": "Project"}
    got = run(texts, names, titles=["青州经开区项目建设提速", "项目"])
    assert got == {
        ("智能仓储基地项目", "locatedIn", "青州经开区"),
        ("新能源电机项目", "locatedIn", "青州经开区"),
    }


def test_a_section_of_another_story_naming_no_park_inherits_nothing_it_does_not_state() -> None:
    texts = ["青州经开区一季度新签约项目12个。", "智能仓储基地项目总投资8亿元，建成后年产值10亿元。"]
    names = {"青州经开区": "Park", "智能仓储基地项目": "Project"}
    assert run(texts, names, titles=["青州经开区项目建设提速", "项目"]) == set()


def test_yuanqu_means_the_garden_park_just_named_not_the_whole_zone() -> None:
    text = (
        "滨海高新区今年新开工项目20个。滨海高新区东北部的海星创业园去年建成。"
        "园区内已有蓝海通信、启明风电等多家企业入驻。"
    )
    names = {"滨海高新区": "Park", "海星创业园": "Park", "蓝海通信": "Company", "启明风电": "Company"}
    got = {t for t in run(text, names) if t[1] == "locatedIn"}
    assert got == {("蓝海通信", "locatedIn", "海星创业园"), ("启明风电", "locatedIn", "海星创业园")}


def test_yuanqu_without_a_garden_park_nearby_is_the_story_zone() -> None:
    text = "滨海高新区今年新开工项目20个。蓝海通信、启明风电等企业也签约入驻园区。"
    names = {"滨海高新区": "Park", "蓝海通信": "Company", "启明风电": "Company"}
    assert run(text, names) == {("蓝海通信", "locatedIn", "滨海高新区"), ("启明风电", "locatedIn", "滨海高新区")}


def test_a_settled_enterprise_of_a_park_story() -> None:
    text = "滨海高新区今年新增企业300家。另一家入驻企业，蓝海通信总经理表示，将扩大产能。"
    names = {"滨海高新区": "Park", "蓝海通信": "Company"}
    assert run(text, names) == {("蓝海通信", "locatedIn", "滨海高新区")}
    text = "滨海高新区今年新增企业300家。一家尚未入驻的企业蓝海通信也来参观。"
    assert run(text, names) == set()


def test_a_park_name_before_a_company_name_inside_a_longer_name_places_nothing() -> None:
    got = run(
        "考察团还考察了滨海高新区蓝湾产业创新社区等项目。",
        {"滨海高新区": "Park", "蓝湾": "Company"},
    )
    assert got == set()


def test_an_organisation_qualifying_enterprises_is_not_the_one_that_settles() -> None:
    got = run(
        "他介绍，星河企业作为行业先锋，选择落户滨海高新区意义重大。",
        {"星河": "Company", "滨海高新区": "Park"},
    )
    assert got == set()


def test_members_of_a_ceremony_s_signed_projects() -> None:
    text = "青州经开区举行重点项目集中签约活动。在现场签约项目中，既涵盖智能仓储基地项目、新能源电机项目等5个产业项目。"
    names = {"青州经开区": "Park", "智能仓储基地项目": "Project", "新能源电机项目": "Project"}
    assert run(text, names) == {
        ("智能仓储基地项目", "locatedIn", "青州经开区"),
        ("新能源电机项目", "locatedIn", "青州经开区"),
    }
    text = "青州经开区举行重点项目集中签约活动。这些百亿项目中，智能仓储基地项目总投资120亿元。"
    assert run(text, names) == {("智能仓储基地项目", "locatedIn", "青州经开区")}


def test_a_park_s_counted_members_named_after_the_count() -> None:
    text = "科技部公布国家级孵化器名单，滨海高新区两家孵化器位列其中，分别是星海孵化器有限公司、蓝湾创业服务有限公司。"
    names = {"滨海高新区": "Park", "星海孵化器有限公司": "Company", "蓝湾创业服务有限公司": "Company"}
    assert run(text, names) == {
        ("星海孵化器有限公司", "locatedIn", "滨海高新区"),
        ("蓝湾创业服务有限公司", "locatedIn", "滨海高新区"),
    }


def test_a_list_goes_on_past_a_member_tagged_only_by_its_owner_and_capacity() -> None:
    text = (
        "青州经开区今年开工项目20个。"
        "截至3月底，智能仓储基地项目、蓝海年产5万吨新材料、新能源电机项目等20个项目均如期开工。"
    )
    names = {"青州经开区": "Park", "智能仓储基地项目": "Project", "蓝海": "Company", "新能源电机项目": "Project"}
    assert run(text, names) == {
        ("智能仓储基地项目", "locatedIn", "青州经开区"),
        ("新能源电机项目", "locatedIn", "青州经开区"),
    }


def test_an_institute_named_after_a_park_is_in_it_not_part_of_it() -> None:
    got = run(
        "为解决中试难题，滨海经济开发区规划建设了滨海经济开发区新材料中试基地。",
        {"滨海经济开发区": "Park", "滨海经济开发区新材料中试基地": "Institute"},
    )
    assert ("滨海经济开发区新材料中试基地", "locatedIn", "滨海经济开发区") in got
    assert not any(r == "partOf" for _h, r, _t in got)


def test_a_new_wholly_owned_subsidiary_belongs_to_the_clause_subject() -> None:
    got = run(
        "今年5月，蓝海电缆股份有限公司与滨海经开区签订投资协议，以新设立的全资子公司——滨海蓝海铜箔有限公司为投资主体。",
        {"蓝海电缆股份有限公司": "Company", "滨海经开区": "Park", "滨海蓝海铜箔有限公司": "Company"},
    )
    assert ("滨海蓝海铜箔有限公司", "partOf", "蓝海电缆股份有限公司") in got


def test_a_park_sited_in_a_larger_zone() -> None:
    got = run(
        "青山数字产业园区选址在滨海新区，规划面积约26平方公里。", {"青山数字产业园区": "Park", "滨海新区": "Park"}
    )
    assert got == {("青山数字产业园区", "partOf", "滨海新区")}


def test_the_two_parties_found_what_a_later_clause_of_their_sentence_names() -> None:
    text = (
        "滨海市政府与江城理工大学签署战略合作协议。"
        "根据协议，双方将开展人才培养合作，在江城理工大学研究院挂牌建立滨海协同创新中心，共建滨海成果转化中心、滨海校友之家。"
    )
    names = {
        "滨海市政府": "Government",
        "江城理工大学": "University",
        "江城理工大学研究院": "Institute",
        "滨海协同创新中心": "Institute",
        "滨海成果转化中心": "Institute",
        "滨海校友之家": "Institute",
    }
    got = {t for t in run(text, names) if t[1] == "establishedBy"}
    assert got == {
        (z, "establishedBy", a)
        for z in ("滨海协同创新中心", "滨海成果转化中心", "滨海校友之家")
        for a in ("滨海市政府", "江城理工大学")
    }


def test_a_founder_after_a_comma_and_a_lead_founder_with_partners() -> None:
    got = run(
        "星海生物医药孵化器，是滨海生物产业基地打造的首个专业孵化器。",
        {"星海生物医药孵化器": "Institute", "滨海生物产业基地": "Park"},
    )
    assert got == {("星海生物医药孵化器", "establishedBy", "滨海生物产业基地")}
    got = run(
        "该研究院由医学领军单位江城大学联合省、市、区三级政府共同建设。",
        {"滨海精准医学研究院": "Institute", "江城大学": "University"},
    )
    assert got == set()  # 该研究院 names no institute of this text
    got = run(
        "滨海精准医学研究院由医学领军单位江城大学联合省、市、区三级政府共同建设。",
        {"滨海精准医学研究院": "Institute", "江城大学": "University"},
    )
    assert got == {("滨海精准医学研究院", "establishedBy", "江城大学")}


def test_co_hosts_and_a_signing_ceremony_held_together_cooperate() -> None:
    got = run(
        "由星海科技园与滨海分析技术研究院主办的产业生态论坛日前举行。",
        {"星海科技园": "Park", "滨海分析技术研究院": "Institute"},
    )
    assert got == {("星海科技园", "cooperatesWith", "滨海分析技术研究院")}
    got = run(
        "6月7日，滨海市人民政府与江城市人民政府在国际会展中心举行滨江合作园签约仪式。",
        {"滨海市人民政府": "Government", "江城市人民政府": "Government", "滨江合作园": "Park"},
    )
    assert ("江城市人民政府", "cooperatesWith", "滨海市人民政府") in got


def test_an_aside_in_brackets_after_a_party_does_not_hide_the_agreement() -> None:
    got = run(
        "滨海区政府与星海控股股份有限公司(星海科技园建设运营主体)正式签订战略合作框架协议。",
        {"滨海区政府": "Government", "星海控股股份有限公司": "Company", "星海科技园": "Park"},
    )
    assert ("星海控股股份有限公司", "cooperatesWith", "滨海区政府") in got


def test_a_bare_signing_with_a_park_followed_by_an_investment_settles() -> None:
    names = {"星海科技": "Company", "滨海高新区管委会": "Government", "滨海高新区": "Park"}
    got = run("滨海高新区管委会与星海科技签约，星海科技将投资10亿元建设华东总部。", names)
    assert got == {("星海科技", "locatedIn", "滨海高新区"), ("滨海高新区管委会", "partOf", "滨海高新区")}
    got = run("滨海高新区管委会与星海科技签约，双方将在人才培养方面深化交流。", names)
    assert ("星海科技", "cooperatesWith", "滨海高新区管委会") in got


def test_a_park_named_as_a_project_is_not_in_itself_but_its_phase_is() -> None:
    names = {"星海科技城": "Park", "星海科技城项目": "Project", "星海科技城二期项目": "Project"}
    got = run("今年是星海科技城项目的启动年，星海科技城二期项目也已开工。", names)
    assert ("星海科技城项目", "locatedIn", "星海科技城") not in got
    assert ("星海科技城二期项目", "locatedIn", "星海科技城") in got


def test_a_park_that_a_thing_settled_in_only_qualifies_what_follows() -> None:
    got = run(
        "这是《滨海发展总体方案》发布后，在滨海高新区落地的首个外资项目。",
        {"滨海发展总体方案": "Project", "滨海高新区": "Park"},
    )
    assert got == set()


def test_the_park_introduced_as_a_zone_s_core_carrier_is_part_of_it() -> None:
    got = run(
        "作为滨海高新区数字产业核心承载地，此次星海科技签约落户的蓝湾物联网产业园是全省唯一的物联网园区。",
        {"滨海高新区": "Park", "星海科技": "Company", "蓝湾物联网产业园": "Park"},
    )
    assert ("蓝湾物联网产业园", "partOf", "滨海高新区") in got


def test_quoted_names_side_by_side_form_a_list() -> None:
    text = "当前，滨海高新区正着力推进“滨海光谷”“滨海药谷”建设，一批重点项目的落地将成为滨海高新区发展的关键增量。"
    names = {"滨海高新区": "Park", "滨海光谷": "Project", "滨海药谷": "Project"}
    assert run(text, names) == {
        ("滨海高新区", "undertakes", "滨海光谷"),
        ("滨海高新区", "undertakes", "滨海药谷"),
    }


def test_a_subsidiary_after_its_parent_s_bracketed_short_name() -> None:
    got = run(
        "江城电子集团有限公司（江城电子）下属子公司江城光电科技有限公司中标该项目。",
        {"江城电子集团有限公司": "Company", "江城光电科技有限公司": "Company"},
        aliases={"江城电子集团有限公司": ["江城电子"]},
    )
    assert got == {("江城光电科技有限公司", "partOf", "江城电子集团有限公司")}
