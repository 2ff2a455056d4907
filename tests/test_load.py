"""kg.load: the built graph as an rdflib Graph and a networkx MultiDiGraph that agree with kg.ttl."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
import rdflib

import kg
from kg.errors import InputError
from kg.model import RELATION_TYPES
from kg.writers.rdf import load_graph

HKG = "https://w3id.org/hitech-kg/ontology#"


def test_load_gives_the_graph_of_kg_ttl(sample_build: Path) -> None:
    rdf, g = kg.load(sample_build)
    assert isinstance(rdf, rdflib.Graph) and isinstance(g, nx.MultiDiGraph)
    again = rdflib.Graph().parse(sample_build / "kg.ttl", format="turtle")
    assert len(rdf) == len(again) > 1000
    # The nodes: every entity of entities.csv, with its type and name.
    with (sample_build / "entities.csv").open(encoding="utf-8", newline="") as fh:
        rows = {(r["type"], r["name"]) for r in csv.DictReader(fh)}
    assert {(d["type"], d["name"]) for _, d in g.nodes(data=True)} == rows
    assert g.number_of_nodes() == len(rows) > 100
    # The edges: every relation triple between two entities, as SPARQL finds them in the file.
    q = f"""SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . ?s rdfs:label ?a . ?o rdfs:label ?b .
            FILTER(?p IN ({", ".join(f"<{HKG}{r}>" for r in RELATION_TYPES)})) }}"""
    triples = {(str(s), str(p)[len(HKG) :], str(o)) for s, p, o in again.query(q, initNs={"rdfs": rdflib.RDFS})}
    iri = nx.get_node_attributes(g, "iri")
    edges = {(iri[u], k, iri[v]) for u, v, k in g.edges(keys=True)}
    assert edges == triples and len(edges) > 100
    # The same nodes and relations as kg's own reading of the file.
    model = load_graph(sample_build / "kg.ttl")
    assert set(g.nodes) == {n.id for n in model.nodes}
    assert {(e.head, e.relation, e.tail) for e in model.edges} <= {(u, k, v) for u, v, k in g.edges(keys=True)}
    assert kg.load(sample_build / "kg.ttl")[1].number_of_edges() == g.number_of_edges()


def test_load_names_a_missing_or_bad_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such graph file"):
        kg.load(tmp_path)
    bad = tmp_path / "kg.ttl"
    bad.write_text("this is not turtle <<<", encoding="utf-8")
    with pytest.raises(InputError, match=f"{bad}: not a valid Turtle file"):
        kg.load(tmp_path)
