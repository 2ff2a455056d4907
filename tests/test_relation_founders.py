"""Founders, investors and office holders stated in shapes beyond one trigger right after the name:
a founding clause after the founded thing's own clause, founders introduced by a descriptor or a
parent group, a lead founder with partners listed before the verb, an investor named before 投资的,
and several office holders of one organisation in a row.

Every sentence here is invented (none is taken from the sample pages or dev2); ``run`` from
``test_relations`` tags each given name, so the tests exercise the relation rules alone."""

from __future__ import annotations

from test_relations import run


def test_investor_named_before_the_project_it_invests_in() -> None:
    got = run(
        "本批项目包括青禾新材料股份有限公司投资的青禾高性能薄膜生产项目、远山智能装备项目等。",
        {"青禾新材料股份有限公司": "Company", "青禾高性能薄膜生产项目": "Project", "远山智能装备项目": "Project"},
    )
    assert ("青禾新材料股份有限公司", "undertakes", "青禾高性能薄膜生产项目") in got
    assert ("青禾新材料股份有限公司", "undertakes", "远山智能装备项目") not in got


def test_partner_of_a_cooperation_is_not_the_investor() -> None:
    got = run(
        "园区与青禾新材料股份有限公司合作开发的青禾高性能薄膜生产项目开工。",
        {"青禾新材料股份有限公司": "Company", "青禾高性能薄膜生产项目": "Project"},
    )
    assert ("青禾新材料股份有限公司", "undertakes", "青禾高性能薄膜生产项目") not in got


def test_founding_clause_after_the_founded_things_own_clause() -> None:
    got = run(
        "北湖智造基地位于江城高新区，由江城大学和江城市人民政府共建。",
        {"北湖智造基地": "Park", "江城高新区": "Park", "江城大学": "University", "江城市人民政府": "Government"},
    )
    assert ("北湖智造基地", "establishedBy", "江城大学") in got
    assert ("北湖智造基地", "establishedBy", "江城市人民政府") in got
    assert ("北湖智造基地", "establishedBy", "江城高新区") not in got


def test_founders_after_a_parent_group() -> None:
    got = run(
        "数智创新中心由华辰资本旗下华辰科技发展有限公司与滨江发展有限公司共同出资组建。",
        {
            "数智创新中心": "Institute",
            "华辰资本": "Company",
            "华辰科技发展有限公司": "Company",
            "滨江发展有限公司": "Company",
        },
    )
    assert ("数智创新中心", "establishedBy", "华辰科技发展有限公司") in got
    assert ("数智创新中心", "establishedBy", "滨江发展有限公司") in got
    assert ("数智创新中心", "establishedBy", "华辰资本") not in got


def test_lead_founder_with_partners_named_before_the_verb() -> None:
    got = run(
        "南湖医学研究院由医学领军单位东陵大学联合江城市、南湖区以及南湖生物医药基地投资方合作共建。",
        {"南湖医学研究院": "Institute", "东陵大学": "University", "南湖生物医药基地": "Park"},
    )
    assert ("南湖医学研究院", "establishedBy", "东陵大学") in got
    assert ("南湖医学研究院", "establishedBy", "南湖生物医药基地") not in got


def test_office_holders_of_one_organisation_in_a_row() -> None:
    got = run(
        "管理中心李明主任、王强副主任、赵刚副主任参加了调研。",
        {"管理中心": "Institute", "李明": "Person", "王强": "Person", "赵刚": "Person"},
    )
    assert got == {
        ("李明", "worksFor", "管理中心"),
        ("王强", "worksFor", "管理中心"),
        ("赵刚", "worksFor", "管理中心"),
    }


def test_an_honour_inside_a_title_chain_neither_breaks_it_nor_employs() -> None:
    names = {"江城理工大学": "University", "中国科学院": "Institute", "中国工程院": "Institute", "张明": "Person"}
    got = run("江城理工大学副校长、中国科学院院士张明出席仪式。", names)
    assert got == {("张明", "worksFor", "江城理工大学")}
    got = run("中国工程院院士、江城理工大学校长张明出席仪式。", names)
    assert got == {("张明", "worksFor", "江城理工大学")}


def test_a_seat_on_a_party_committee_named_in_full() -> None:
    got = run(
        "北湖高新区党工委委员、管委会副主任张明出席仪式。",
        {"北湖高新区党工委": "Government", "北湖高新区管委会": "Government", "张明": "Person"},
    )
    assert ("张明", "worksFor", "北湖高新区党工委") in got


def test_a_bare_committee_in_a_title_chain_is_the_one_of_the_park_just_named() -> None:
    text = (
        "近日，北湖经济技术开发区党工委书记、管委会主任张明率队赴南山科技园考察。"
        "南山科技园将与北湖经济技术开发区共建产业园。南山科技园发展迅速。"
    )
    names = {"北湖经济技术开发区": "Park", "南山科技园": "Park", "张明": "Person"}
    got = run(text, names)
    assert ("张明", "worksFor", "北湖经济技术开发区") in got
    assert ("张明", "worksFor", "南山科技园") not in got
    got = run(text, {**names, "北湖经济技术开发区党工委": "Government"})
    assert ("张明", "worksFor", "北湖经济技术开发区党工委") in got
    assert ("张明", "worksFor", "南山科技园") not in got


def test_a_bare_title_in_the_clause_after_its_organisation() -> None:
    names = {"青禾新材料股份有限公司": "Company", "北湖高新区": "Park", "江城大学": "University", "李明": "Person"}
    got = run("青禾新材料股份有限公司是入驻北湖高新区的企业之一，副总经理李明介绍了新产品。", names)
    assert ("李明", "worksFor", "青禾新材料股份有限公司") in got
    got = run("青禾新材料股份有限公司与江城大学签约，副总经理李明介绍了新产品。", names)
    assert not any(rel == "worksFor" for _h, rel, _t in got)


def test_a_local_head_titled_by_post_serves_that_places_government() -> None:
    names = {"江城市人民政府": "Government", "北湖区政府": "Government", "李强": "Person", "王明": "Person"}
    got = run("江城市委副书记、市长李强，北湖区区长王明出席仪式。江城市人民政府与北湖区政府签署协议。", names)
    assert ("李强", "worksFor", "江城市人民政府") in got
    assert ("王明", "worksFor", "北湖区政府") in got
    assert ("李强", "worksFor", "北湖区政府") not in got
    # the level of the post picks the place: a 副市长 serves the city, not the district named first
    got = run("北湖区委常委、江城市副市长李强出席。北湖区政府与江城市人民政府签署协议。", names)
    assert ("李强", "worksFor", "江城市人民政府") in got
    assert ("李强", "worksFor", "北湖区政府") not in got


def test_co_building_stated_after_a_long_aside() -> None:
    got = run(
        "根据协议，江城大学与北湖区管委会将本着“优势互补、共同发展”的原则，合作共建“北湖数字产业园”、“北湖创业园”。",
        {"江城大学": "University", "北湖区管委会": "Government", "北湖数字产业园": "Park", "北湖创业园": "Park"},
    )
    for park in ("北湖数字产业园", "北湖创业园"):
        assert (park, "establishedBy", "江城大学") in got
        assert (park, "establishedBy", "北湖区管委会") in got


def test_a_new_subsidiary_as_the_investing_vehicle() -> None:
    got = run(
        "青禾电缆股份有限公司与北湖经开区签订项目投资协议，以新设立的全资子公司——江城青禾铜箔有限公司为投资主体，"
        "在北湖经开区建设青禾超薄铜箔项目。",
        {
            "青禾电缆股份有限公司": "Company",
            "北湖经开区": "Park",
            "江城青禾铜箔有限公司": "Company",
            "青禾超薄铜箔项目": "Project",
        },
    )
    assert ("江城青禾铜箔有限公司", "establishedBy", "青禾电缆股份有限公司") in got
    assert ("江城青禾铜箔有限公司", "undertakes", "青禾超薄铜箔项目") in got


def test_a_joint_venture_of_a_company_and_a_groups_subsidiary() -> None:
    got = run(
        "江城建设有限公司是华辰投资有限公司与江城控股集团旗下子公司江城城投有限公司组建的合资公司。",
        {
            "江城建设有限公司": "Company",
            "华辰投资有限公司": "Company",
            "江城控股集团": "Company",
            "江城城投有限公司": "Company",
        },
    )
    assert ("江城建设有限公司", "establishedBy", "华辰投资有限公司") in got
    assert ("江城建设有限公司", "establishedBy", "江城城投有限公司") in got
    assert ("江城建设有限公司", "establishedBy", "江城控股集团") not in got


def test_opening_a_centre_founds_it() -> None:
    got = run(
        "北湖新区已出台支持青年创业的专项政策、开设北湖青年创业服务中心等一系列措施。",
        {"北湖新区": "Park", "北湖青年创业服务中心": "Institute"},
    )
    assert got == {("北湖青年创业服务中心", "establishedBy", "北湖新区")}


def test_two_parties_hold_the_signing_ceremony_of_a_zone() -> None:
    got = run(
        "6月7日，江城港区管理委员会与北湖市人民政府在江城宾馆举行江城港区北湖功能区签约仪式。",
        {"江城港区管理委员会": "Government", "北湖市人民政府": "Government", "江城港区北湖功能区": "Park"},
    )
    assert ("江城港区北湖功能区", "establishedBy", "江城港区管理委员会") in got
    assert ("江城港区北湖功能区", "establishedBy", "北湖市人民政府") in got


def test_a_builder_named_in_brackets() -> None:
    got = run(
        "北湖区政府与华辰控股股份有限公司（华辰科技园建设运营主体）正式签订战略合作框架协议。",
        {"北湖区政府": "Government", "华辰控股股份有限公司": "Company", "华辰科技园": "Park"},
    )
    assert ("华辰科技园", "establishedBy", "华辰控股股份有限公司") in got
    assert ("华辰科技园", "establishedBy", "北湖区政府") not in got


def test_co_building_listed_among_the_fields_of_a_partnership() -> None:
    got = run(
        "北湖经开区与江城中关村科技园签署园区共建框架合作协议。"
        "双方将在规划咨询合作、联合招商引资、共建“北湖智能制造主题园”等方面深度合作。",
        {"北湖经开区": "Park", "江城中关村科技园": "Park", "北湖智能制造主题园": "Park"},
    )
    assert ("北湖智能制造主题园", "establishedBy", "北湖经开区") in got
    assert ("北湖智能制造主题园", "establishedBy", "江城中关村科技园") in got


def test_a_project_named_after_its_owners_full_registered_name() -> None:
    got = run(
        "今年计划推动建设增资扩产项目5个，包括总投资4.5亿元的青禾新材料(江城)有限公司高端薄膜生产线扩产项目等。",
        {"青禾新材料(江城)有限公司高端薄膜生产线扩产项目": "Project", "青禾新材料(江城)有限公司": "Company"},
    )
    assert ("青禾新材料(江城)有限公司", "undertakes", "青禾新材料(江城)有限公司高端薄膜生产线扩产项目") in got


def test_taking_part_in_or_driving_a_projects_building() -> None:
    got = run(
        "华辰文化集团正积极参与江城的北湖文化旅游项目合作开发。",
        {"华辰文化集团": "Company", "北湖文化旅游项目": "Project"},
    )
    assert got == {("华辰文化集团", "undertakes", "北湖文化旅游项目")}
    got = run(
        "这将为北湖高新区推动江城科技成果转化先行区建设注入动能。",
        {"北湖高新区": "Park", "江城科技成果转化先行区": "Project"},
    )
    assert got == {("北湖高新区", "undertakes", "江城科技成果转化先行区")}
    # driving a project's publicity is no undertaking
    got = run(
        "华辰文化集团积极推动北湖文化旅游项目宣传推广。",
        {"华辰文化集团": "Company", "北湖文化旅游项目": "Project"},
    )
    assert got == set()


def test_a_department_between_the_organisation_and_the_title() -> None:
    got = run(
        "江城理工大学继续教育联合党总支书记、北湖科技园董事长张明出席会议。",
        {"江城理工大学": "University", "北湖科技园": "Park", "张明": "Person"},
    )
    assert ("张明", "worksFor", "江城理工大学") in got
    assert ("张明", "worksFor", "北湖科技园") in got


def test_a_founded_platform_named_after_a_dash() -> None:
    got = run(
        "为解决中试难的问题，北湖经济开发区规划建设了新材料产业中试孵化创新平台——北湖化工中试基地。",
        {"北湖经济开发区": "Park", "北湖化工中试基地": "Institute"},
    )
    assert got == {("北湖化工中试基地", "establishedBy", "北湖经济开发区")}


def test_the_founder_in_the_second_part_of_an_is_clause() -> None:
    got = run(
        "北湖未来城创新产业园是由江城研究院参与策划，北湖区政府打造的科技产业综合体。",
        {"北湖未来城创新产业园": "Park", "江城研究院": "Institute", "北湖区政府": "Government"},
    )
    assert ("北湖未来城创新产业园", "establishedBy", "北湖区政府") in got


def test_a_seat_in_the_government_named_by_its_level_after_the_party_committee() -> None:
    got = run(
        "江城市委常委、市政府党组成员、北湖合作区党工委书记王明出席活动。江城市人民政府高度重视。",
        {"江城市人民政府": "Government", "北湖合作区党工委": "Government", "王明": "Person"},
    )
    assert ("王明", "worksFor", "江城市人民政府") in got
    assert ("王明", "worksFor", "北湖合作区党工委") in got
