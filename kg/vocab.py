"""The vocabulary reference (docs/vocabulary.md), generated from the ontology so that the two never
disagree: every class and property of ``hkg:``, with its labels, domain, range and one example triple,
and the terms of other vocabularies that kg.ttl uses.

``python -m kg.vocab`` rewrites docs/vocabulary.md (``-o FILE`` elsewhere, ``--check`` exits 1 when the
file is out of date); tests/test_vocabulary.py fails when the committed file differs from the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .atomic import write_text
from .writers.rdf import ONT, PREFIXES, ontology_file

OUTPUT = Path("docs") / "vocabulary.md"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SECTIONS = [
    (_OWL + "Class", "Classes"),
    (_OWL + "ObjectProperty", "Relations and links between resources (object properties)"),
    (_OWL + "DatatypeProperty", "Values (datatype properties)"),
]
_SHORT = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def short(iri: str) -> str:
    """An IRI as a prefixed name of kg.ttl where one fits."""
    for prefix, ns in _SHORT:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _load(path: Path) -> Any:
    import rdflib

    g = rdflib.Graph()
    g.parse(path, format="turtle")
    return g


def _class_expr(g: Any, node: Any) -> str:
    """A domain or range: a class, or an owl:unionOf list of classes."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        return f"`{short(str(node))}`"
    union = g.value(node, rdflib.URIRef(_OWL + "unionOf"))
    if union is not None:
        return " or ".join(f"`{short(str(c))}`" for c in rdflib.collection.Collection(g, union))
    return "—"


def _text(g: Any, term: Any, prop: str, lang: str | None = None) -> str:
    import rdflib

    values = sorted(
        str(v) for v in g.objects(term, rdflib.URIRef(prop)) if lang is None or getattr(v, "language", None) == lang
    )
    return values[0] if values else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def vocabulary_markdown(path: Path | None = None) -> str:
    """The reference as Markdown: a pure function of the ontology file."""
    import rdflib

    path = path or ontology_file()
    g = _load(path)
    source = path.read_text(encoding="utf-8")
    rdf_type = rdflib.URIRef(_RDF + "type")

    def order(term: Any) -> tuple[int, str]:
        # the order of the ontology file, which groups and explains its terms
        at = source.find(f"\n{short(str(term))} a ")
        return (at if at >= 0 else len(source), str(term))

    out = [
        "# The hitech-kg vocabulary",
        "",
        "<!-- Generated from ontology/kg.ttl by `python -m kg.vocab`: do not edit by hand. -->",
        "",
        f"The classes and properties of the graph `kg build` writes (kg.ttl), in the namespace `{ONT}` "
        "(prefix `hkg:`), and the terms of other vocabularies it uses. The examples use the prefixes "
        "`kg query` predeclares:",
        "",
        "| prefix | namespace |",
        "| --- | --- |",
        *[f"| `{p}:` | `{ns}` |" for p, ns in PREFIXES.items()],
    ]
    for kind, title in _SECTIONS:
        terms = sorted(
            (
                t
                for t in g.subjects(rdf_type, rdflib.URIRef(kind))
                if isinstance(t, rdflib.URIRef) and str(t).startswith(ONT)
            ),
            key=order,
        )
        out += ["", f"## {title}", ""]
        for t in terms:
            zh, en = _text(g, t, _RDFS + "label", "zh"), _text(g, t, _RDFS + "label", "en")
            out += [f"### `{short(str(t))}` — {zh} / {en}", "", _text(g, t, _RDFS + "comment"), ""]
            facts = []
            extra = sorted(short(str(c)) for c in g.objects(t, rdf_type) if str(c) not in (kind,))
            if extra:
                facts.append(("also a", ", ".join(f"`{c}`" for c in extra)))
            for prop, name in ((_RDFS + "subClassOf", "subclass of"), (_RDFS + "subPropertyOf", "sub-property of")):
                parents = sorted(short(str(c)) for c in g.objects(t, rdflib.URIRef(prop)))
                if parents:
                    facts.append((name, ", ".join(f"`{c}`" for c in parents)))
            for prop, name in ((_RDFS + "domain", "domain"), (_RDFS + "range", "range")):
                value = g.value(t, rdflib.URIRef(prop))
                if value is not None:
                    facts.append((name, _class_expr(g, value)))
            facts.append(("example", f"`{_text(g, t, _SKOS + 'example')}`"))
            out += ["| | |", "| --- | --- |", *[f"| {k} | {_cell(v)} |" for k, v in facts], ""]
        if out[-1] == "":
            out.pop()
    external = sorted(
        (
            t
            for t in g.subjects(rdf_type, rdflib.URIRef(_RDF + "Property"))
            if isinstance(t, rdflib.URIRef) and not str(t).startswith(ONT)
        ),
        key=order,
    )
    out += ["", "## Terms of other vocabularies", "", "| term | how kg.ttl uses it | example |", "| --- | --- | --- |"]
    for t in external:
        out.append(
            f"| `{short(str(t))}` | {_cell(_text(g, t, _SKOS + 'scopeNote'))} | "
            f"`{_cell(_text(g, t, _SKOS + 'example'))}` |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.vocab", description="Write the vocabulary reference.")
    ap.add_argument("-o", "--out", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    ap.add_argument("--check", action="store_true", help="exit 1 when the file is not up to date")
    args = ap.parse_args(argv)
    text = vocabulary_markdown()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: run python -m kg.vocab", file=sys.stderr)
            return 1
        return 0
    write_text(args.out, text)
    print(f"vocabulary reference → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
