"""A project named after an organisation (X公司三期项目) is undertaken by it, but not every such name
says so: X项目 is the organisation's coming itself, X科技园项目 a park built on its brand, and an
owner named nowhere but inside a list of project names is the annotator's unnamed full company.

Every sentence here is invented (none is taken from the sample pages or dev2)."""

from __future__ import annotations

from test_relations import doc, run, triples

from kg.extract.relations import extract_relations
from kg.model import Mention


def test_a_project_named_after_its_company_is_undertaken_by_it() -> None:
    got = run(
        "青禾新材料三期项目今日开工，青禾新材料计划投资8亿元。",
        {"青禾新材料": "Company", "青禾新材料三期项目": "Project"},
    )
    assert ("青禾新材料", "undertakes", "青禾新材料三期项目") in got


def test_the_company_plus_xiangmu_is_its_coming_not_an_undertaking() -> None:
    got = run(
        "青禾新材料项目今日签约，青禾新材料将在此建设研发中心。",
        {"青禾新材料": "Company", "青禾新材料项目": "Project"},
    )
    assert not {r for r in got if r[1] == "undertakes"}


def test_a_park_built_on_a_company_brand_is_not_undertaken_by_the_brand() -> None:
    got = run(
        "星河集团表示，星河智造科技园项目由当地运营公司负责招商。",
        {"星河集团": "Company", "星河智造科技园项目": "Project"},
        aliases={"星河集团": ["星河"]},
    )
    assert ("星河集团", "undertakes", "星河智造科技园项目") not in got
    got = run(
        "星河集团表示，星河智造三期项目由当地运营公司负责建设。",
        {"星河集团": "Company", "星河智造三期项目": "Project"},
        aliases={"星河集团": ["星河"]},
    )
    assert ("星河集团", "undertakes", "星河智造三期项目") in got


def test_an_owner_named_only_inside_a_project_list_undertakes_nothing() -> None:
    text = "今年新开工青禾新材料年产5万吨膜材料项目、蓝湾物流仓储基地项目等重点项目。"
    articles, entities = doc(text, {"青禾新材料年产5万吨膜材料项目": "Project", "蓝湾物流仓储基地项目": "Project"})
    project = entities[0]
    owner = type(project)("青禾新材料", "Company", [])
    first = project.mentions[0]
    owner.mentions.append(
        Mention(
            first.article, first.sentence, first.start, first.start + 5, "青禾新材料", "Company", "owner-in-project"
        )
    )
    got = triples(extract_relations(articles, [*entities, owner]))
    assert ("青禾新材料", "undertakes", "青禾新材料年产5万吨膜材料项目") not in got
    owner.mentions[0] = Mention(
        first.article, first.sentence, first.start, first.start + 5, "青禾新材料", "Company", "suffix:新材料"
    )
    got = triples(extract_relations(articles, [*entities, owner]))
    assert ("青禾新材料", "undertakes", "青禾新材料年产5万吨膜材料项目") in got
