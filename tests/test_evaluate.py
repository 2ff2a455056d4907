"""The scorer on small hand-made cases whose scores are worked out by hand, and on the real gold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.evaluate import Counts, Scores, load_extractions, score

GOLD = Path(__file__).resolve().parent / "data" / "gold" / "dev.jsonl"  # committed: the gold of the sample pages


def ent(name: str, type_: str, *aliases: str) -> dict[str, Any]:
    return {"name": name, "type": type_, "aliases": list(aliases)}


def rel(head: str, relation: str, tail: str) -> dict[str, str]:
    return {"head": head, "relation": relation, "tail": tail}


def doc(name: str, entities: list[dict[str, Any]], relations: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"doc": name, "entities": entities, "relations": relations or []}


def one(gold: dict[str, Any], pred: dict[str, Any]) -> Scores:
    return score({gold["doc"]: gold}, {pred["doc"]: pred})


def prf(c: Counts) -> tuple[int, int, int, float, float, float]:
    return c.gold, c.pred, c.tp, round(c.precision, 4), round(c.recall, 4), round(c.f1, 4)


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- entities


def test_alias_match() -> None:
    # Gold: 1 company with alias 航空科技; pred names it by the alias -> gold 1, pred 1, tp 1.
    gold = doc("a.txt", [ent("贵州航空科技发展股份有限公司", "Company", "航空科技")])
    pred = doc("a.txt", [ent("航空科技", "Company")])
    s = one(gold, pred)
    assert prf(s.entities) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert prf(s.entity_types["Company"]) == (1, 1, 1, 1.0, 1.0, 1.0)


def test_type_mismatch_is_a_miss_and_a_false_positive() -> None:
    # Gold Company 华为, pred Institute 华为: same name, other type -> tp 0, 1 FP (Institute), 1 miss (Company).
    s = one(doc("a.txt", [ent("华为", "Company")]), doc("a.txt", [ent("华为", "Institute")]))
    assert prf(s.entities) == (1, 1, 0, 0.0, 0.0, 0.0)
    assert prf(s.entity_types["Company"]) == (1, 0, 0, 0.0, 0.0, 0.0)
    assert prf(s.entity_types["Institute"]) == (0, 1, 0, 0.0, 0.0, 0.0)
    errs = s.errors["a.txt"]
    assert [e["type"] for e in errs.fp_entities] == ["Institute"]
    assert [e["type"] for e in errs.missed_entities] == ["Company"]


def test_one_gold_entity_counts_once() -> None:
    # Gold: 中国科学院 (alias 中科院). Pred: 中科院 and 中国科学院 -> the canonical name takes the gold
    # entity, 中科院 is a false positive: gold 1, pred 2, tp 1; P = 1/2, R = 1, F1 = 2*.5*1/1.5 = 2/3.
    gold = doc("a.txt", [ent("中国科学院", "Institute", "中科院")])
    pred = doc("a.txt", [ent("中科院", "Institute"), ent("中国科学院", "Institute")])
    s = one(gold, pred)
    assert prf(s.entities) == (1, 2, 1, 0.5, 1.0, 0.6667)
    assert [e["name"] for e in s.errors["a.txt"].fp_entities] == ["中科院"]
    # An exact duplicate is not forgiven either: same counts.
    s = one(gold, doc("a.txt", [ent("中国科学院", "Institute"), ent("中国科学院", "Institute")]))
    assert prf(s.entities) == (1, 2, 1, 0.5, 1.0, 0.6667)


def test_matching_is_maximum_not_first_come() -> None:
    # Gold g1 = 甲公司 (aliases 甲, 乙), g2 = 甲乙 (alias 甲). Pred, in this order: 甲 (fits g1 or g2), 乙
    # (fits g1 only). First-come would give 甲->g1 and leave 乙 unmatched (tp 1); the maximum matching
    # moves 甲 to g2 so that 乙 takes g1: gold 2, pred 2, tp 2.
    gold = doc("a.txt", [ent("甲公司", "Company", "甲", "乙"), ent("甲乙", "Company", "甲")])
    pred = doc("a.txt", [ent("甲", "Company"), ent("乙", "Company")])
    assert prf(one(gold, pred).entities) == (2, 2, 2, 1.0, 1.0, 1.0)
    # Three predictions for the same two gold entities: tp stays 2, the third is a FP: P = 2/3, R = 1, F1 = 0.8.
    pred3 = doc("a.txt", [ent("甲", "Company"), ent("乙", "Company"), ent("甲公司", "Company")])
    assert prf(one(gold, pred3).entities) == (2, 3, 2, 0.6667, 1.0, 0.8)


def test_nfkc_and_white_space() -> None:
    # Full-width brackets and digits and inner spaces compare equal after NFKC + white-space removal:
    # gold 2, pred 2, tp 2. A half-width/full-width mismatch in a relation head matches too.
    gold = doc(
        "a.txt",
        [ent("西部（重庆）科学城", "Park"), ent("１２３号项目", "Project")],
        [rel("１２３号项目", "locatedIn", "西部（重庆）科学城")],
    )
    pred = doc(
        "a.txt",
        [ent("西部(重庆) 科学城", "Park"), ent("123号 项目", "Project")],
        [rel("123号项目", "locatedIn", "西部 (重庆)科学城")],
    )
    s = one(gold, pred)
    assert prf(s.entities) == (2, 2, 2, 1.0, 1.0, 1.0)
    assert prf(s.relations) == (1, 1, 1, 1.0, 1.0, 1.0)
    # Without normalisation they would differ: a different character is still a miss.
    s = one(gold, doc("a.txt", [ent("西部[重庆]科学城", "Park")]))
    assert prf(s.entity_types["Park"]) == (1, 1, 0, 0.0, 0.0, 0.0)


# --------------------------------------------------------------------------- relations

ORGS = [
    ent("东南大学", "University"),
    ent("南京高新区管委会", "Government"),
    ent("某某公司", "Company"),
    ent("南京高新区", "Park"),
]


def test_cooperates_with_either_direction_and_deduped() -> None:
    # Gold: 东南大学 cooperatesWith 南京高新区管委会. Pred states it reversed, and again in the gold
    # direction: both are the same symmetric key, deduped to one prediction -> gold 1, pred 1, tp 1.
    gold = doc("a.txt", ORGS, [rel("东南大学", "cooperatesWith", "南京高新区管委会")])
    pred = doc(
        "a.txt",
        ORGS,
        [rel("南京高新区管委会", "cooperatesWith", "东南大学"), rel("东南大学", "cooperatesWith", "南京高新区管委会")],
    )
    s = one(gold, pred)
    assert prf(s.relation_types["cooperatesWith"]) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert prf(s.relations) == (1, 1, 1, 1.0, 1.0, 1.0)
    # Reversed and through an alias (东大 for 东南大学): still tp 1.
    gold_alias = doc("a.txt", [ent("东南大学", "University", "东大"), *ORGS[1:]], gold["relations"])
    s = one(gold_alias, doc("a.txt", ORGS, [rel("南京高新区管委会", "cooperatesWith", "东大")]))
    assert prf(s.relations) == (1, 1, 1, 1.0, 1.0, 1.0)


def test_directed_relation_reversed_does_not_match() -> None:
    # Gold: 某某公司 locatedIn 南京高新区; pred the reverse -> gold 1, pred 1, tp 0.
    gold = doc("a.txt", ORGS, [rel("某某公司", "locatedIn", "南京高新区")])
    pred = doc("a.txt", ORGS, [rel("南京高新区", "locatedIn", "某某公司")])
    s = one(gold, pred)
    assert prf(s.relation_types["locatedIn"]) == (1, 1, 0, 0.0, 0.0, 0.0)
    assert s.errors["a.txt"].fp_relations == [rel("南京高新区", "locatedIn", "某某公司")]
    assert s.errors["a.txt"].missed_relations == [rel("某某公司", "locatedIn", "南京高新区")]
    # Duplicated directed predictions count once: two copies of the right one -> pred 1, tp 1.
    s = one(gold, doc("a.txt", ORGS, [rel("某某公司", "locatedIn", "南京高新区")] * 2))
    assert prf(s.relations) == (1, 1, 1, 1.0, 1.0, 1.0)
    # Right head and tail under another relation type: a miss in locatedIn and a FP in undertakes.
    s = one(gold, doc("a.txt", ORGS, [rel("某某公司", "undertakes", "南京高新区")]))
    assert prf(s.relation_types["locatedIn"]) == (1, 0, 0, 0.0, 0.0, 0.0)
    assert prf(s.relation_types["undertakes"]) == (0, 1, 0, 0.0, 0.0, 0.0)


def test_relation_head_and_tail_matched_by_alias() -> None:
    # Gold: 中科院电工研究所 (alias 电工所) partOf 中国科学院 (alias 中科院). Pred writes both ends by
    # alias -> tp 1. A head that is an alias of an unrelated entity does not match -> second pred is FP.
    ents = [
        ent("中科院电工研究所", "Institute", "电工所"),
        ent("中国科学院", "Institute", "中科院"),
        ent("山东产业技术研究院", "Institute", "山东产研院"),
    ]
    gold = doc("a.txt", ents, [rel("中科院电工研究所", "partOf", "中国科学院")])
    pred = doc("a.txt", ents, [rel("电工所", "partOf", "中科院"), rel("山东产研院", "partOf", "中科院")])
    s = one(gold, pred)
    # gold 1, pred 2, tp 1: P = .5, R = 1, F1 = 2/3
    assert prf(s.relations) == (1, 2, 1, 0.5, 1.0, 0.6667)
    assert [r["head"] for r in s.errors["a.txt"].fp_relations] == ["山东产研院"]


def test_one_gold_relation_counts_once() -> None:
    # Pred 电工所 partOf 中科院 and 中科院电工研究所 partOf 中国科学院 are different keys but the same gold
    # relation: the exact one takes it, the alias one is a FP -> gold 1, pred 2, tp 1.
    ents = [ent("中科院电工研究所", "Institute", "电工所"), ent("中国科学院", "Institute", "中科院")]
    gold = doc("a.txt", ents, [rel("中科院电工研究所", "partOf", "中国科学院")])
    pred = doc("a.txt", ents, [rel("电工所", "partOf", "中科院"), rel("中科院电工研究所", "partOf", "中国科学院")])
    s = one(gold, pred)
    assert prf(s.relations) == (1, 2, 1, 0.5, 1.0, 0.6667)
    assert s.errors["a.txt"].fp_relations == [rel("电工所", "partOf", "中科院")]


# --------------------------------------------------------------------------- docs and files


def test_missing_doc_counts_as_misses_and_extra_doc_is_ignored() -> None:
    # Gold: a.txt (2 entities, 1 relation), b.txt (1 entity). Pred: a.txt perfect, c.txt (not in gold,
    # ignored), b.txt absent. Entities: gold 3, pred 2, tp 2 -> P 1, R 2/3, F1 0.8. Relations: 1/1/1.
    a = doc(
        "a.txt", [ent("某某公司", "Company"), ent("南京高新区", "Park")], [rel("某某公司", "locatedIn", "南京高新区")]
    )
    b = doc("b.txt", [ent("东南大学", "University")])
    c = doc("c.txt", [ent("无关公司", "Company")])
    s = score({"a.txt": a, "b.txt": b}, {"a.txt": a, "c.txt": c})
    assert prf(s.entities) == (3, 2, 2, 1.0, 0.6667, 0.8)
    assert prf(s.relations) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert s.missing_docs == ["b.txt"]
    assert s.unscored_docs == ["c.txt"]
    assert not s.errors["b.txt"].has_prediction


def test_doc_ids_compared_by_file_name() -> None:
    # A prediction naming its doc with a folder still scores against the gold doc: tp 1.
    gold = doc("000.txt", [ent("某某公司", "Company")])
    pred = doc("corpus/sub/000.txt", [ent("某某公司", "Company")])
    s = one(gold, pred)
    assert prf(s.entities) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert s.missing_docs == [] and s.unscored_docs == []


def test_unscored_types_are_ignored() -> None:
    # A predicted Place is not a scored type: not a FP, reported in `ignored`.
    s = one(
        doc("a.txt", [ent("某某公司", "Company")]), doc("a.txt", [ent("某某公司", "Company"), ent("贵阳", "Place")])
    )
    assert prf(s.entities) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert s.ignored == {"predicted entities of type Place": 1}


def test_folder_gold(tmp_path: Path) -> None:
    # Gold split over two files in a folder (plus a non-.jsonl file that is not read); pred in one file
    # with 1 of the 2 gold entities and 1 FP -> gold 2, pred 2, tp 1: P = R = F1 = 0.5.
    folder = tmp_path / "gold"
    folder.mkdir()
    write_jsonl(folder / "one.jsonl", [doc("a.txt", [ent("某某公司", "Company")])])
    write_jsonl(folder / "two.jsonl", [doc("b.txt", [ent("东南大学", "University")])])
    (folder / "README.txt").write_text("not gold\n", encoding="utf-8")
    assert sorted(load_extractions(folder)) == ["a.txt", "b.txt"]
    pred = write_jsonl(
        tmp_path / "pred.jsonl", [doc("a.txt", [ent("某某公司", "Company")]), doc("b.txt", [ent("东南", "University")])]
    )
    s = score(load_extractions(folder), load_extractions(pred))
    assert prf(s.entities) == (2, 2, 1, 0.5, 0.5, 0.5)
    result = CliRunner().invoke(main, ["eval", "--gold", str(folder), str(pred), "--errors"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split() == ["Entities", "2", "2", "1", "0.500", "0.500", "0.500"] for line in lines)
    assert "FP    University  东南" in lines
    assert "MISS  University  东南大学" in lines


def test_repeated_doc_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "gold"
    folder.mkdir()
    write_jsonl(folder / "one.jsonl", [doc("a.txt", [])])
    write_jsonl(folder / "two.jsonl", [doc("dir/a.txt", [])])
    with pytest.raises(InputError, match=r"two\.jsonl:1: doc 'a\.txt' appears twice"):
        load_extractions(folder)


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", [doc("a.txt", [ent("某某公司", "Company")])])
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps(doc("a.txt", [])) + '\n\n{"doc": "b.txt", "entities": [\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(pred)])
    assert result.exit_code == 2
    assert f"{pred}:3: bad JSON" in result.stderr
    assert result.stdout == ""
    # A well-formed line of the wrong shape is named too.
    pred.write_text(json.dumps({"doc": "a.txt", "entities": [{"name": "x"}]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(pred)])
    assert result.exit_code == 2
    assert f'{pred}:1: entity 0 has no string "type"' in result.stderr


def test_cli_warns_about_docs_not_in_gold(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", [doc("a.txt", [ent("某某公司", "Company")])])
    pred = write_jsonl(tmp_path / "pred.jsonl", [doc("a.txt", [ent("某某公司", "Company")]), doc("z.txt", [])])
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(pred)])
    assert result.exit_code == 0
    assert "1 predicted doc(s) not in gold, not scored: z.txt" in result.stderr


def test_real_gold_against_itself(tmp_path: Path) -> None:
    pred = tmp_path / "pred.jsonl"
    shutil.copy(GOLD, pred)
    result = CliRunner().invoke(main, ["eval", "--gold", str(GOLD), str(pred), "--errors"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[2:] if line.strip()]
    # 2 overall rows + 7 entity types + 6 relation types, every one perfect, and no error lines.
    assert len(rows) == 15
    gold_docs = load_extractions(GOLD)
    n_ents = sum(len(d["entities"]) for d in gold_docs.values())
    n_rels = sum(len(d["relations"]) for d in gold_docs.values())
    assert rows[0] == ["Entities", str(n_ents), str(n_ents), str(n_ents), "1.000", "1.000", "1.000"]
    assert rows[8] == ["Relations", str(n_rels), str(n_rels), str(n_rels), "1.000", "1.000", "1.000"]
    for row in rows:
        assert row[4:] == ["1.000", "1.000", "1.000"], row
    assert "FP " not in result.stdout and "MISS " not in result.stdout
    # The same input gives byte-identical output.
    again = CliRunner().invoke(main, ["eval", "--gold", str(GOLD), str(pred), "--errors"])
    assert again.stdout == result.stdout
