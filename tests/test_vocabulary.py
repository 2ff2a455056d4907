"""docs/vocabulary.md (issue 15): generated from the ontology, up to date, with a working example for
every term, and covering every term the writers put into kg.ttl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.vocab import short, vocabulary_markdown
from kg.writers.rdf import ONT, PREFIXES

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "vocabulary.md"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_reference_is_up_to_date() -> None:
    assert DOC.is_file(), "docs/vocabulary.md is missing: run python -m kg.vocab"
    assert DOC.read_text(encoding="utf-8") == vocabulary_markdown(), "run python -m kg.vocab"


def _documented() -> set[str]:
    """The terms the reference documents: its ### headings and the first column of its other-vocabulary table."""
    terms = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("### `"):
            terms.add(line.split("`")[1])
        elif line.startswith("| `") and not line.startswith("| `http") and ":` |" not in line:
            terms.add(line.split("`")[1])
    return terms


def _used(ttl: Path) -> set[str]:
    """Every predicate and every class the graph uses, as prefixed names."""
    used = set()
    for triple in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE):
        if triple.predicate.value == RDF_TYPE:
            used.add(short(triple.object.value))
        else:
            used.add(short(triple.predicate.value))
    return used


@pytest.mark.parametrize("which", ["sample", "fixture"])
def test_every_term_the_writers_use_is_documented(which: str, sample_build: Path, fixture_ttl: Path) -> None:
    used = _used(sample_build / "kg.ttl" if which == "sample" else fixture_ttl)
    assert "hkg:locatedIn" in used and "rdf:subject" in used
    missing = sorted(used - _documented())
    assert not missing, f"used in kg.ttl but not in the ontology / docs/vocabulary.md: {missing}"
    # and an hkg: term is documented only if the ontology defines it
    ontology = {
        short(q.subject.value) for q in ox.parse(path=str(REPO / "ontology" / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    }
    assert {t for t in used if t.startswith("hkg:")} <= ontology


def test_every_example_is_one_triple_using_its_term() -> None:
    text = DOC.read_text(encoding="utf-8")
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    term = None
    checked = 0
    for line in text.splitlines():
        if line.startswith("### `"):
            term = line.split("`")[1]
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if line.startswith("| example |"):
            example = cells[1].strip("`")
        elif line.startswith("| `") and len(cells) == 3:
            term, example = cells[0].strip("`"), cells[2].strip("`").replace("\\|", "|")
        else:
            continue
        triples = list(ox.parse(prologue + example, format=ox.RdfFormat.TURTLE))
        assert len(triples) == 1, (term, example)
        t = triples[0]
        iri = ONT + term[4:] if term and term.startswith("hkg:") else None
        if t.predicate.value == RDF_TYPE:
            assert short(t.object.value) == term, example
        else:
            assert short(t.predicate.value) == term, example
        assert iri is None or iri in (t.predicate.value, t.object.value)
        checked += 1
    assert checked >= 35
