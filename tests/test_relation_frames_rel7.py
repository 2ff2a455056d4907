"""Frames that place a project or institute in a park without a settling verb: the story's park
pushing a project's construction, a project's investment figure in a story about a park, a park's
flagship project after a dash, 作为“园”首个…项目, and a park planned as named sub-parks.

Every sentence here is invented (none is taken from the sample pages or dev2); ``doc`` from
``test_relations`` tags each given name, so the tests exercise the relation rules alone."""

from __future__ import annotations

from test_relations import run

PARK_STORY = "青川高新区今年新开工项目20个，青川高新区产业集聚效应明显。"


def test_the_story_s_park_speeds_up_a_project_s_construction() -> None:
    got = run(
        PARK_STORY + "今年，加快江城新材料二期项目建设，全力推进北岸数据中心项目建设。",
        {"青川高新区": "Park", "江城新材料二期项目": "Project", "北岸数据中心项目": "Project"},
    )
    assert got == {
        ("江城新材料二期项目", "locatedIn", "青川高新区"),
        ("北岸数据中心项目", "locatedIn", "青川高新区"),
    }


def test_pushing_a_project_elsewhere_does_not_place_it_in_the_story_s_park() -> None:
    got = run(
        PARK_STORY + "同时，加快江城新材料二期项目建设，为长江经济开发区注入动能。",
        {"青川高新区": "Park", "长江经济开发区": "Park", "江城新材料二期项目": "Project"},
    )
    assert ("江城新材料二期项目", "locatedIn", "青川高新区") not in got


def test_a_project_s_investment_in_a_story_about_a_park() -> None:
    got = run(
        PARK_STORY + "其中，远航智能装备项目总投资12亿元，建成后年产值可达30亿元。",
        {"青川高新区": "Park", "远航智能装备项目": "Project"},
    )
    assert got == {("远航智能装备项目", "locatedIn", "青川高新区")}


def test_a_project_s_investment_outside_a_park_story_places_nothing() -> None:
    got = run(
        "远航集团今年业绩增长。远航集团表示，远航智能装备项目总投资12亿元。",
        {"远航集团": "Company", "远航智能装备项目": "Project"},
    )
    assert got == set()


def test_a_park_s_flagship_project_after_a_dash() -> None:
    got = run(
        "北湖科技城重点项目——江南先进材料研究院昨日举行奠基仪式。",
        {"北湖科技城": "Park", "江南先进材料研究院": "Institute"},
    )
    assert got == {("江南先进材料研究院", "locatedIn", "北湖科技城")}


def test_the_first_project_of_a_quoted_park() -> None:
    got = run(
        "作为“光电谷”首个标准化厂房项目，星河智造产业园项目主体已经封顶。",
        {"光电谷": "Park", "星河智造产业园项目": "Project"},
    )
    assert got == {("星河智造产业园项目", "locatedIn", "光电谷")}


def test_a_park_planned_as_named_sub_parks() -> None:
    got = run(
        "西岭工业园初步规划三大园区，包括精密制造园区、绿色食品园区和物流园区。",
        {"西岭工业园": "Park", "精密制造园区": "Park", "绿色食品园区": "Park", "物流园区": "Park"},
    )
    assert got == {
        ("精密制造园区", "partOf", "西岭工业园"),
        ("绿色食品园区", "partOf", "西岭工业园"),
        ("物流园区", "partOf", "西岭工业园"),
    }


def test_an_investment_figure_in_a_section_that_inherits_its_park_places_nothing() -> None:
    texts = ["青川高新区今年新开工项目20个。", "远航智能装备项目总投资12亿元，建成后年产值可达30亿元。"]
    names = {"青川高新区": "Park", "远航智能装备项目": "Project"}
    assert run(texts, names, titles=["青川高新区项目提速", "项目"]) == set()


def test_a_body_that_brought_companies_in_for_a_park() -> None:
    got = run(
        "省商务厅还给青川高新区牵线引进了远航船务、江城农业等一批项目。",
        {"省商务厅": "Government", "青川高新区": "Park", "远航船务": "Company", "江城农业": "Company"},
    )
    assert got == {("远航船务", "locatedIn", "青川高新区"), ("江城农业", "locatedIn", "青川高新区")}


def test_one_of_the_projects_that_settled_in_a_park() -> None:
    got = run(
        "北岸国际广场是首批由市政府推荐进驻滨海合作产业园的项目之一。",
        {"北岸国际广场": "Project", "市政府": "Government", "滨海合作产业园": "Park"},
    )
    assert got == {("北岸国际广场", "locatedIn", "滨海合作产业园")}


def test_units_unveiled_in_a_story_about_a_park() -> None:
    got = run(
        PARK_STORY + "活动现场，推动江城智能制造创新中心、北岸数字产业园揭牌。",
        {"青川高新区": "Park", "江城智能制造创新中心": "Institute", "北岸数字产业园": "Park"},
    )
    assert got == {
        ("江城智能制造创新中心", "locatedIn", "青川高新区"),
        ("北岸数字产业园", "partOf", "青川高新区"),
    }


def test_a_unit_unveiled_in_another_park_of_the_story_is_not_placed_in_the_story_s_park() -> None:
    got = run(
        PARK_STORY + "江城智能制造创新中心在长江经济开发区揭牌。",
        {"青川高新区": "Park", "江城智能制造创新中心": "Institute", "长江经济开发区": "Park"},
    )
    assert ("江城智能制造创新中心", "locatedIn", "青川高新区") not in got


def test_a_park_s_plan_named_in_quotes_then_listed() -> None:
    got = run(
        "西岭工业园将重点建设“三基地一中心”，即精密制造基地、绿色食品基地、物流基地和江城检测中心。",
        {
            "西岭工业园": "Park",
            "精密制造基地": "Park",
            "绿色食品基地": "Park",
            "物流基地": "Park",
            "江城检测中心": "Institute",
        },
    )
    assert got == {
        ("精密制造基地", "partOf", "西岭工业园"),
        ("绿色食品基地", "partOf", "西岭工业园"),
        ("物流基地", "partOf", "西岭工业园"),
        ("江城检测中心", "locatedIn", "西岭工业园"),
    }


def test_a_name_built_on_a_zone_s_bare_place_name_is_no_part_of_it() -> None:
    got = run(
        "滨岛新区与滨岛国际人才中心签署合作协议。滨岛的发展日新月异。",
        {"滨岛新区": "Park", "滨岛国际人才中心": "Institute", "滨岛": "Park"},
        aliases={"滨岛": ["滨岛深度合作区"]},
    )
    assert not {t for t in got if t[1] in ("partOf", "locatedIn")}


def test_a_name_built_on_a_zone_s_park_name_or_valley_brand_is_part_of_it() -> None:
    got = run(
        "星谷第二总部集聚区今日开园。江城高新区创新产业园也已建成。",
        {"星谷第二总部集聚区": "Park", "星谷": "Park", "江城高新区创新产业园": "Park", "江城高新区": "Park"},
    )
    assert got == {("星谷第二总部集聚区", "partOf", "星谷"), ("江城高新区创新产业园", "partOf", "江城高新区")}


def test_a_project_as_the_first_entrant_of_a_park_built_by_others() -> None:
    got = run(
        "江城芯片二期项目总投资20亿元，作为青川高新区、远航集团联合打造的北岸半导体产业园首个入园项目，将于年内投产。",
        {"江城芯片二期项目": "Project", "青川高新区": "Park", "远航集团": "Company", "北岸半导体产业园": "Park"},
    )
    assert ("江城芯片二期项目", "locatedIn", "北岸半导体产业园") in got
    assert ("江城芯片二期项目", "locatedIn", "青川高新区") not in got


def test_the_flagship_of_the_signing_in_a_story_about_a_park() -> None:
    got = run(
        PARK_STORY + "其中，远航智能装备项目是本次签约的重磅项目。",
        {"青川高新区": "Park", "远航智能装备项目": "Project"},
    )
    assert got == {("远航智能装备项目", "locatedIn", "青川高新区")}


def test_the_second_list_of_signed_projects_in_a_park_story() -> None:
    got = run(
        PARK_STORY + "在现场签约项目中，既涵盖远航智能装备项目等6个产业项目，也包含江城检测研究院等14个租售项目。",
        {"青川高新区": "Park", "远航智能装备项目": "Project", "江城检测研究院": "Institute"},
    )
    assert got == {("远航智能装备项目", "locatedIn", "青川高新区"), ("江城检测研究院", "locatedIn", "青川高新区")}


def test_a_park_one_of_a_zone_s_quoted_set_of_parks() -> None:
    got = run(
        "他表示，江城通州园是江城国家自主创新示范区“一区八园”之一，辐射带动强。",
        {"江城通州园": "Park", "江城国家自主创新示范区": "Park"},
    )
    assert got == {("江城通州园", "partOf", "江城国家自主创新示范区")}


def test_a_project_under_construction_in_a_story_naming_its_park() -> None:
    got = run(
        PARK_STORY + "远航一期项目已于去年正式投产；江城新材料二期项目正在施工，预计明年竣工。",
        {"青川高新区": "Park", "远航一期项目": "Project", "江城新材料二期项目": "Project"},
    )
    assert ("江城新材料二期项目", "locatedIn", "青川高新区") in got


def test_the_story_s_park_starting_the_construction_of_institutes() -> None:
    got = run(
        PARK_STORY + "目前，已启动了江城先进材料研究院等17个科创平台建设。",
        {"青川高新区": "Park", "江城先进材料研究院": "Institute"},
    )
    assert got == {("江城先进材料研究院", "locatedIn", "青川高新区")}


def test_one_of_a_park_s_customers_is_not_in_it() -> None:
    got = run(
        "远航集团是江城国家自主创新示范区最大的客户之一。",
        {"远航集团": "Company", "江城国家自主创新示范区": "Park"},
    )
    assert got == set()


def test_a_unit_unveiled_at_a_ceremony_held_elsewhere_is_not_placed() -> None:
    got = run(
        PARK_STORY + "9月3日，全省首个江城中试转化平台揭牌仪式在省城举行。",
        {"青川高新区": "Park", "江城中试转化平台": "Institute"},
    )
    assert got == set()


def test_a_branch_named_for_its_city_in_brackets_after_its_parent() -> None:
    names = {
        "江城理工大学": "University",
        "江城理工大学(滨海)高等研究院": "Institute",
        "江城理工大学科技园": "Park",
        "江城理工大学科技园(北岸园)": "Park",
        "远航科技": "Company",
        "远航科技(滨海)有限公司": "Company",
    }
    text = "江城理工大学(滨海)高等研究院今日揭牌。江城理工大学科技园(北岸园)同日开园。远航科技(滨海)有限公司成立。"
    got = {t for t in run(text, names) if t[1] == "partOf"}
    assert got == {
        ("江城理工大学(滨海)高等研究院", "partOf", "江城理工大学"),
        ("江城理工大学科技园(北岸园)", "partOf", "江城理工大学科技园"),
    }
    got = run("江城理工大学(滨海)今年招生。", {"江城理工大学": "University", "江城理工大学(滨海)": "University"})
    assert got == set()


def test_companies_that_signed_entry_agreements_after_a_park_is_named() -> None:
    got = run(
        "近日，北岸大学科技园举行挂牌仪式；远航智能科技有限公司等2家企业签署了入驻协议。",
        {"北岸大学科技园": "Park", "远航智能科技有限公司": "Company"},
    )
    assert got == {("远航智能科技有限公司", "locatedIn", "北岸大学科技园")}
