"""The RDF outputs: IRIs, the Turtle / N-Triples writer checked against four independent parsers,
determinism, reading kg.ttl back, GraphML, the ontology and the SHACL shapes."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import make_graph, which_or_skip
from hypothesis import given
from hypothesis import strategies as st
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import InputError
from kg.model import ENTITY_TYPES, RELATION_TYPES, KnowledgeGraph
from kg.writers.rdf import (
    ID,
    ONT,
    decode_segment,
    encode_segment,
    entity_iri,
    escape_string,
    iter_triples,
    load_graph,
    node_id_from_iri,
    ontology_file,
    rdflib_graph,
    write_graphml,
    write_ntriples,
    write_turtle,
)

REPO = Path(__file__).resolve().parent.parent
HKG = rdflib.Namespace(ONT)


def to_rdflib(graph: KnowledgeGraph) -> rdflib.Graph:
    """The expected graph, built term by term with rdflib from :func:`iter_triples`."""
    g = rdflib_graph(graph)
    assert len(g) == sum(1 for _ in iter_triples(graph))
    return g


def parse_rdflib(path: Path, fmt: str = "turtle") -> rdflib.Graph:
    return rdflib.Graph().parse(str(path), format=fmt)


# --------------------------------------------------------------------------------------------------
# IRIs


def test_entity_iris_are_readable_and_deterministic() -> None:
    assert entity_iri("Park/贵阳高新区") == "https://w3id.org/hitech-kg/id/Park/贵阳高新区"
    assert entity_iri("Park/西部(重庆)科学城") == f"{ID}Park/西部(重庆)科学城"
    assert entity_iri("Company/A/B 50%?#x") == f"{ID}Company/A%2FB%2050%25%3F%23x"
    assert entity_iri('Company/<"{|}^`\\>') == f"{ID}Company/%3C%22%7B%7C%7D%5E%60%5C%3E"
    # Bidi marks, zero-width characters, controls and ideographic spaces are encoded, never kept invisible.
    assert entity_iri("Company/\u202e甲\u200b乙\x01\u3000") == f"{ID}Company/%E2%80%AE甲%E2%80%8B乙%01%E3%80%80"
    # A name of dots would be eaten by IRI resolution.
    assert entity_iri("Company/..") == f"{ID}Company/%2E%2E"


def test_two_names_never_share_an_iri() -> None:
    # A literal percent escape in a name stays distinct from the character it would stand for.
    assert entity_iri("Company/a/b") != entity_iri("Company/a%2Fb")
    assert entity_iri("Company/..") != entity_iri("Company/%2E%2E")
    assert node_id_from_iri(entity_iri("Company/a%2Fb")) == "Company/a%2Fb"


@given(st.text(max_size=30))
def test_encoding_is_injective_and_valid(name: str) -> None:
    seg = encode_segment(name)
    assert decode_segment(seg) == name
    iri = f"{ID}Company/{seg}"
    # pyoxigraph checks IRIs strictly (RFC 3987).
    assert ox.NamedNode(iri).value == iri
    assert not any(c in seg for c in ' <>"{}|\\^`#?/') and all(ord(c) > 0x20 for c in seg)


def test_escape_string_follows_the_turtle_grammar() -> None:
    assert escape_string('a"b\\c\nd\re\tf') == 'a\\"b\\\\c\\nd\\re\\tf'
    assert escape_string("x\x00y\x1fz\x7f\u2028") == "x\\u0000y\\u001Fz\\u007F\\u2028"
    assert escape_string("贵阳高新区“雏鹰计划”") == "贵阳高新区“雏鹰计划”"


# --------------------------------------------------------------------------------------------------
# The writer against parsers


def test_turtle_and_ntriples_hold_exactly_the_model_triples(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    write_turtle(tmp_path / "kg.ttl", kgraph)
    write_ntriples(tmp_path / "kg.nt", kgraph)
    expected = to_rdflib(kgraph)
    ttl = parse_rdflib(tmp_path / "kg.ttl")
    nt = parse_rdflib(tmp_path / "kg.nt", "nt")
    assert len(ttl) == len(expected) == len(nt) > 200
    assert ttl.isomorphic(expected)
    assert nt.isomorphic(expected)


def test_graph_content(fixture_ttl: Path, kgraph: KnowledgeGraph) -> None:
    g = parse_rdflib(fixture_ttl)
    park = rdflib.URIRef(f"{ID}Park/贵阳高新区")
    company = rdflib.URIRef(entity_iri(next(n.id for n in kgraph.nodes if n.name == "贵州航空科技发展股份有限公司")))
    assert (park, RDF.type, HKG.Park) in g
    assert (park, RDFS.label, rdflib.Literal("贵阳高新区", lang="zh")) in g
    assert {str(o) for o in g.objects(park, HKG.inPlace)} == {f"{ID}Place/贵阳市", f"{ID}Place/贵州省"}
    assert (rdflib.URIRef(f"{ID}Place/贵阳市"), RDFS.label, rdflib.Literal("贵阳市", lang="zh")) in g
    assert (
        company,
        rdflib.URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
        rdflib.Literal("航空科技", lang="zh"),
    ) in g
    assert (company, HKG.mentionCount, rdflib.Literal(4)) in g
    assert (company, HKG.fileCount, rdflib.Literal(2)) in g  # its two dcterms:source files
    assert len(set(g.objects(company, rdflib.URIRef("http://purl.org/dc/terms/source")))) == 2
    assert (company, HKG.locatedIn, park) in g
    # Every piece of evidence is an assertion node that points at the statement, sentence and article.
    q = """SELECT ?sentence ?file ?start ?end ?title WHERE {
        ?a a hkg:Assertion ; rdf:subject ?s ; rdf:predicate hkg:locatedIn ; rdf:object ?o ; hkg:sentence ?sentence ;
           dcterms:source ?file ; hkg:start ?start ; hkg:end ?end ; prov:wasDerivedFrom ?art .
        ?art dcterms:title ?title . } ORDER BY ?file"""
    rows = list(
        g.query(
            q,
            initBindings={"s": company, "o": park},
            initNs={
                "hkg": HKG,
                "rdf": RDF,
                "dcterms": rdflib.Namespace("http://purl.org/dc/terms/"),
                "prov": rdflib.Namespace("http://www.w3.org/ns/prov#"),
            },
        )
    )
    assert [(str(r.file), int(r.start), int(r.end)) for r in rows] == [
        ("003_0761c53e24f34b0b.txt", 80, 102),
        ("news.jsonl#42", 3, 15),
    ]
    assert rows[0].sentence.language == "zh"
    # cooperatesWith is symmetric: stated both ways; an org-to-org partOf is also org:subOrganizationOf.
    seu, jn = rdflib.URIRef(f"{ID}University/东南大学"), rdflib.URIRef(f"{ID}Park/济南高新区")
    assert (seu, HKG.cooperatesWith, jn) in g and (jn, HKG.cooperatesWith, seu) in g
    org_sub = rdflib.URIRef("http://www.w3.org/ns/org#subOrganizationOf")
    iee, cas = rdflib.URIRef(f"{ID}Institute/中国科学院电工研究所"), rdflib.URIRef(f"{ID}Institute/中国科学院")
    assert (iee, org_sub, cas) in g
    assert (rdflib.URIRef(f"{ID}Government/贵阳高新区科技创新创业局"), org_sub, park) not in g


def _count_all_parsers(path: Path) -> dict[str, int]:
    counts = {
        "rdflib": len(parse_rdflib(path)),
        "pyoxigraph": sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)),
    }
    return counts


def _serdi_count(path: Path) -> int:
    serdi = which_or_skip("serdi")
    out = subprocess.run([serdi, "-i", "turtle", "-o", "ntriples", str(path)], capture_output=True, check=True)
    return sum(1 for line in out.stdout.split(b"\n") if line.strip())


def _rapper_count(path: Path) -> int:
    rapper = which_or_skip("rapper")
    out = subprocess.run([rapper, "-i", "turtle", "-c", str(path)], capture_output=True, text=True, check=True)
    last = [line for line in out.stderr.splitlines() if "returned" in line][-1]
    return int(last.split("returned")[1].split()[0])


@pytest.mark.parametrize("which", ["fixture", "sample"])
def test_rdflib_and_pyoxigraph_agree(which: str, fixture_ttl: Path, sample_build: Path) -> None:
    path = fixture_ttl if which == "fixture" else sample_build / "kg.ttl"
    counts = _count_all_parsers(path)
    assert counts["rdflib"] == counts["pyoxigraph"]
    nt = sample_build / "kg.nt" if which == "sample" else None
    if nt is not None:
        assert sum(1 for line in nt.read_bytes().split(b"\n") if line) == counts["rdflib"]


@pytest.mark.parametrize("which", ["fixture", "sample"])
def test_serdi_reads_the_same_triples(which: str, fixture_ttl: Path, sample_build: Path) -> None:
    path = fixture_ttl if which == "fixture" else sample_build / "kg.ttl"
    assert _serdi_count(path) == len(parse_rdflib(path))
    # Not just the count: serdi's N-Triples are the same graph (same IRIs after its own unescaping).
    out = subprocess.run(["serdi", "-i", "turtle", "-o", "ntriples", str(path)], capture_output=True, check=True)
    assert rdflib.Graph().parse(data=out.stdout.decode("utf-8"), format="nt").isomorphic(parse_rdflib(path))


@pytest.mark.parametrize("which", ["fixture", "sample"])
def test_rapper_reads_the_same_triples(which: str, fixture_ttl: Path, sample_build: Path) -> None:
    path = fixture_ttl if which == "fixture" else sample_build / "kg.ttl"
    assert _rapper_count(path) == len(parse_rdflib(path))
    out = subprocess.run(["rapper", "-q", "-i", "turtle", "-o", "ntriples", str(path)], capture_output=True, check=True)
    assert rdflib.Graph().parse(data=out.stdout.decode("utf-8"), format="nt").isomorphic(parse_rdflib(path))


def test_two_builds_are_byte_identical(tmp_path: Path, sample_build: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    again = tmp_path / "again"
    result = CliRunner().invoke(main, ["build", "-o", str(again)])
    assert result.exit_code == 0, result.output
    for name in ("kg.ttl", "kg.nt", "kg.graphml"):
        assert (again / name).read_bytes() == (sample_build / name).read_bytes(), name


def test_output_does_not_depend_on_input_order(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    shuffled = make_graph()
    shuffled.nodes.reverse()
    shuffled.edges.reverse()
    shuffled.articles.reverse()
    for n in shuffled.nodes:
        n.aliases.reverse()
        n.files.reverse()
    write_turtle(tmp_path / "a.ttl", kgraph)
    write_turtle(tmp_path / "b.ttl", shuffled)
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    path = tmp_path / "kg.ttl"
    write_turtle(path, kgraph)
    before = path.read_bytes()
    broken = make_graph()
    broken.edges[0].evidence[0] = None  # type: ignore[call-overload]
    with pytest.raises(AttributeError):
        write_turtle(path, broken)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl"]
    assert path.stat().st_mode & 0o044  # readable like any output, not a private temporary file


def test_empty_graph_is_valid_turtle(tmp_path: Path) -> None:
    write_turtle(tmp_path / "kg.ttl", KnowledgeGraph())
    assert len(parse_rdflib(tmp_path / "kg.ttl")) == 0
    assert load_graph(tmp_path / "kg.ttl") == KnowledgeGraph()


# --------------------------------------------------------------------------------------------------
# Reading back


def test_load_graph_round_trips_the_model(fixture_ttl: Path, kgraph: KnowledgeGraph) -> None:
    assert load_graph(fixture_ttl) == kgraph


def test_load_graph_round_trips_the_sample_build(sample_build: Path, tmp_path: Path) -> None:
    graph = load_graph(sample_build / "kg.ttl")
    write_turtle(tmp_path / "kg.ttl", graph)
    assert (tmp_path / "kg.ttl").read_bytes() == (sample_build / "kg.ttl").read_bytes()


def test_load_graph_names_the_bad_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="kg build") as err:
        load_graph(tmp_path / "missing.ttl")
    assert "missing.ttl" in str(err.value)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid Turtle file") as err:
        load_graph(bad)
    assert "bad.ttl" in str(err.value)
    # Valid Turtle, but not what kg build writes: an article without its file.
    foreign = tmp_path / "foreign.ttl"
    foreign.write_text(f"<{ID}Article/x/0> a <{ONT}Article> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a graph written by `kg build`") as err:
        load_graph(foreign)
    assert "foreign.ttl" in str(err.value)


# --------------------------------------------------------------------------------------------------
# GraphML


def test_graphml_for_gephi(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    import networkx as nx

    path = tmp_path / "kg.graphml"
    write_graphml(path, kgraph)
    ET.parse(path)  # well-formed XML despite quotes, backslashes and a tab in names
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == len(kgraph.nodes)
    assert g.number_of_edges() == len(kgraph.edges)
    hk = next(n for n in kgraph.nodes if n.name == "贵州航空科技发展股份有限公司")
    assert g.nodes[hk.id]["name"] == hk.name and g.nodes[hk.id]["type"] == "Company"
    assert g.nodes[hk.id]["aliases"] == "航空科技"
    counts = {(u, d["relation"], v): d["evidence_count"] for u, v, d in g.edges(data=True)}
    assert counts[(hk.id, "locatedIn", "Park/贵阳高新区")] == 2


# --------------------------------------------------------------------------------------------------
# Ontology and shapes


def _ontology() -> rdflib.Graph:
    return parse_rdflib(REPO / "ontology" / "kg.ttl")


def test_ontology_defines_every_class_and_relation() -> None:
    g = _ontology()
    for name in (*ENTITY_TYPES, "Place", "Article", "Assertion"):
        assert (HKG[name], RDF.type, OWL.Class) in g, name
    for name in RELATION_TYPES:
        assert (HKG[name], RDF.type, OWL.ObjectProperty) in g, name
        assert g.value(HKG[name], RDFS.domain) is not None and g.value(HKG[name], RDFS.range) is not None, name
    assert (HKG.cooperatesWith, RDF.type, OWL.SymmetricProperty) in g
    defined = (
        set(g.subjects(RDF.type, OWL.Class))
        | set(g.subjects(RDF.type, OWL.ObjectProperty))
        | set(g.subjects(RDF.type, OWL.DatatypeProperty))
    )
    for term in (t for t in defined if isinstance(t, rdflib.URIRef)):
        langs = {lit.language for lit in g.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, term
        assert g.value(term, RDFS.comment) is not None, term
    # Every hkg term the built graph uses is defined in the ontology.
    used = {p for _, p, _ in to_rdflib(make_graph()).triples((None, None, None)) if str(p).startswith(ONT)}
    used |= {o for o in to_rdflib(make_graph()).objects(None, RDF.type) if str(o).startswith(ONT)}
    assert used <= defined


def test_ontology_aligns_with_schema_org_and_org() -> None:
    g = _ontology()
    schema = rdflib.Namespace("https://schema.org/")
    expected = {
        "Company": schema.Corporation,
        "University": schema.CollegeOrUniversity,
        "Institute": schema.ResearchOrganization,
        "Government": schema.GovernmentOrganization,
        "Project": schema.Project,
        "Person": schema.Person,
        "Place": schema.Place,
    }
    for cls, parent in expected.items():
        assert (HKG[cls], RDFS.subClassOf, parent) in g, cls


def test_ontology_is_package_data() -> None:
    # The package ships the files (so a non-editable install has them); ontology/ holds identical copies
    # (real files, not symbolic links, which pyshacl and Windows checkouts mishandle).
    for name in ("kg.ttl", "shapes.ttl"):
        shipped = resources.files("kg") / "data" / "ontology" / name
        assert shipped.read_bytes() == (REPO / "ontology" / name).read_bytes(), (
            f"ontology/{name} and kg/data/ontology/{name} differ: edit both, or copy one over the other"
        )
        assert ontology_file(name).read_bytes() == shipped.read_bytes()


def _validate(data: rdflib.Graph) -> tuple[bool, str]:
    import pyshacl

    shapes = parse_rdflib(REPO / "ontology" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), str(text)


def test_fixture_graph_conforms_to_the_shapes(fixture_ttl: Path) -> None:
    conforms, text = _validate(parse_rdflib(fixture_ttl))
    assert conforms, text


def test_sample_build_conforms_to_the_shapes(sample_build: Path) -> None:
    conforms, text = _validate(parse_rdflib(sample_build / "kg.ttl"))
    assert conforms, text


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("person-locatedIn", "closed"),  # a relation outside its domain
        ("english-label", "rdfs:label tagged @zh"),
        ("no-label", "rdfs:label tagged @zh"),
        ("wrong-range", "hkg:Park"),
        ("dangling-assertion", "not stated in the graph"),
    ],
)
def test_a_broken_graph_does_not_conform(fixture_ttl: Path, breakage: str, message: str) -> None:
    g = parse_rdflib(fixture_ttl)
    wang = rdflib.URIRef(f"{ID}Person/王宏志")
    park = rdflib.URIRef(f"{ID}Park/贵阳高新区")
    company = rdflib.URIRef(f"{ID}Company/贵州力创科技发展有限公司")
    if breakage == "person-locatedIn":
        g.add((wang, HKG.locatedIn, park))
    elif breakage == "english-label":
        g.set((wang, RDFS.label, rdflib.Literal("Wang Hongzhi", lang="en")))
    elif breakage == "no-label":
        g.remove((wang, RDFS.label, None))
    elif breakage == "wrong-range":
        g.add((company, HKG.locatedIn, wang))
    else:
        assertion = next(iter(g.subjects(RDF.type, HKG.Assertion)))
        g.set((assertion, RDF.object, wang))
    conforms, text = _validate(g)
    assert not conforms
    assert message in text
