"""``kg.load``: a built graph as the objects of the libraries notebooks and programs use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .model import ENTITY_TYPES, RELATION_TYPES
from .writers.rdf import ONT, RDF_TYPE, RDFS_LABEL, SKOS_ALT, node_id_from_iri

if TYPE_CHECKING:
    import networkx as nx
    import rdflib


def graph_file(path: str | Path) -> Path:
    """The kg.ttl of an output folder, or the Turtle file itself."""
    path = Path(path)
    ttl = path / "kg.ttl" if path.is_dir() else path
    if not ttl.is_file():
        raise InputError(str(ttl), "no such graph file; run `kg build` first to create it")
    return ttl


def load(path: str | Path) -> tuple[rdflib.Graph, nx.MultiDiGraph]:
    """The graph a build wrote (``path``: its output folder or its kg.ttl) as an rdflib ``Graph`` of
    every triple and a networkx ``MultiDiGraph`` of its entities and relations.

    In the MultiDiGraph, a node per entity (``hkg:Park`` … ``hkg:Person``), keyed by its id
    (``Park/贵阳高新区``) with ``iri``, ``type``, ``name`` (its ``rdfs:label``), ``aliases`` and
    ``mentions``; an edge per relation triple between two entities, keyed by the relation name and
    with a ``relation`` attribute (``locatedIn`` …). Raises :class:`~kg.errors.InputError` naming the
    file when it is missing or not Turtle.
    """
    import networkx as nx
    import rdflib

    ttl = graph_file(path)
    rdf = rdflib.Graph()
    try:
        rdf.parse(ttl, format="turtle")
    except Exception as err:  # rdflib raises several parser errors
        raise InputError(str(ttl), f"not a valid Turtle file: {err}") from err
    g = nx.MultiDiGraph()
    a, label, alt = rdflib.URIRef(RDF_TYPE), rdflib.URIRef(RDFS_LABEL), rdflib.URIRef(SKOS_ALT)
    mentions = rdflib.URIRef(ONT + "mentionCount")
    for type_ in ENTITY_TYPES:
        for s in sorted(rdf.subjects(a, rdflib.URIRef(ONT + type_)), key=str):
            names = sorted(str(o) for o in rdf.objects(s, label))
            count = rdf.value(s, mentions)
            g.add_node(
                node_id_from_iri(str(s)),
                iri=str(s),
                type=type_,
                name=names[0] if names else "",
                aliases=sorted(str(o) for o in rdf.objects(s, alt)),
                mentions=int(str(count)) if count is not None else 0,
            )
    iris = {data["iri"]: n for n, data in g.nodes(data=True)}
    for relation in RELATION_TYPES:
        for s, o in sorted(rdf.subject_objects(rdflib.URIRef(ONT + relation)), key=lambda so: (str(so[0]), str(so[1]))):
            if str(s) in iris and str(o) in iris:
                g.add_edge(iris[str(s)], iris[str(o)], key=relation, relation=relation)
    return rdf, g
