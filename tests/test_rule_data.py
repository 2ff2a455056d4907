"""The entity rules' words, company forms and patterns are data files (issue 13): these tests check
the loaders on the shipped files and that the code keeps no word list of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kg.extract import entities
from kg.link.document import short_forms
from kg.resources.lexicon import alternation, load_patterns, load_sets, load_table, load_uses

CJK = re.compile(r"[\u3400-\u9fff]")


def test_word_sets_keep_file_order() -> None:
    sets = load_sets("entity_words.tsv")
    # owner_tails is tried in order: the file's order is the rule's order
    assert sets["owner_tails"][:3] == ("科技", "股份", "集团")
    assert entities._OWNER_TAILS == sets["owner_tails"]
    assert all(words for words in sets.values())


def test_company_forms_are_listed_once() -> None:
    rows = load_table("company_forms.tsv")
    forms = [row["form"] for row in rows]
    assert len(forms) == len(set(forms))
    suffixes = {row["suffix"] for row in load_table("entity_suffixes.tsv")}
    assert not suffixes & set(forms), "a company form is listed again in entity_suffixes.tsv"
    # the forms with a max_len are suffixes of the rule all the same
    res = entities.resources()
    for row in rows:
        if row["max_len"]:
            assert res.suffixes.get(row["form"])[1:] == ("Company", int(row["max_len"]), int(row["need_prefix"]))
        else:
            assert not res.suffixes.exists(row["form"])


def test_company_form_uses_reach_the_rules() -> None:
    uses = load_uses("company_forms.tsv")
    assert set(uses["legal"]) == set(entities._LEGAL_FORMS)
    assert set(uses["registered"]) <= {row["form"] for row in load_table("company_forms.tsv")}
    assert "保险" in uses["core"] and "保险" not in uses["legal"]


@pytest.mark.parametrize(
    ("name", "text", "group"),
    [
        ("parent_form", "北京某科技集团郑州分公司", "北京某科技集团"),
        ("parent_form", "甲乙股份有限公司西安分公司", "甲乙股份有限公司"),
        ("company_core", "恒力集团有限公司", "集团有限公司"),
    ],
)
def test_patterns_expand_company_forms(name: str, text: str, group: str) -> None:
    m = entities._RE[name].search(text)
    assert m is not None
    assert (m.group(1) if name == "parent_form" else m.group()) == group


def test_alternation_is_longest_first() -> None:
    assert alternation(("公司", "有限公司", "集")) == "(?:有限公司|公司|集)"
    assert re.fullmatch(alternation(("公司", "有限公司")), "有限公司")


def test_unknown_word_set_is_an_error_naming_the_table() -> None:
    with pytest.raises(KeyError, match="entity_patterns.tsv"):
        load_patterns("entity_patterns.tsv", ())


def test_link_short_forms_drop_the_listed_forms() -> None:
    assert "航空科技" in short_forms("贵州航空科技发展股份有限公司", "Company")
    assert short_forms("贵州航空科技发展集团有限公司", "Company")[0] == "贵州航空科技发展"


def test_entities_module_holds_no_chinese_words() -> None:
    """Word lists, suffixes, cue words and word alternations live in kg/data/lexicons; the module keeps
    only docstrings and punctuation (the quote and bracket patterns, the hard stops)."""
    path = Path(entities.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    words = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CJK.search(node.value)
    ]
    assert not words, f"Chinese words in code, move them to kg/data/lexicons: {words}"
