"""SPARQL queries over the graph, in process, with pyoxigraph.

``kg query QUERY`` takes SPARQL text, a ``.rq`` file, or the name of a bundled example
(``kg/data/queries/NAME.rq``; ``kg query --list`` shows them). Output formats:

- ``table``: an aligned plain-text table (CJK characters count as two columns), IRIs shortened to the
  prefixes of kg.ttl, literals as their text; the row count goes to stderr.
- ``csv``: the W3C SPARQL 1.1 CSV results format (full IRIs, plain literal values).
- ``json``: the W3C SPARQL 1.1 JSON results format (``{"head": …, "results": {"bindings": …}}``), which
  any SPARQL tooling reads.

CONSTRUCT and DESCRIBE results are printed as N-Triples in every format. The prefixes of kg.ttl
(``hkg:``, ``rdfs:``, ``park:`` …) are predeclared, so short queries need no PREFIX lines.
Exit codes: 0 on success, 2 for a missing or unreadable graph, an unknown example, or bad SPARQL.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

import click

from .errors import InputError
from .writers.rdf import PREFIXES, decode_segment

EXAMPLE_DIR = "queries"


@dataclass(frozen=True)
class Example:
    name: str
    description: str
    text: str


def examples() -> list[Example]:
    """The bundled example queries, sorted by name; the first line of each is ``# description``."""
    root = resources.files("kg") / "data" / EXAMPLE_DIR
    out = []
    for entry in root.iterdir():
        if entry.name.endswith(".rq"):
            text = entry.read_text(encoding="utf-8")
            first = text.split("\n", 1)[0]
            desc = first[1:].strip() if first.startswith("#") else ""
            out.append(Example(entry.name[:-3], desc, text))
    return sorted(out, key=lambda e: e.name)


class QueryError(Exception):
    """A query that cannot be run: an unknown example, an unreadable file or invalid SPARQL."""


def resolve_query(query: str) -> str:
    """SPARQL text from a query argument: a bundled example's name, a ``.rq`` file, or the text itself."""
    by_name = {e.name: e for e in examples()}
    stem = query[:-3] if query.endswith(".rq") else query
    path = Path(query)
    if query.endswith(".rq") or (len(query) < 4096 and "\n" not in query and path.is_file()):
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise QueryError(f"{path}: cannot read the query file: {err}") from err
        if stem in by_name:
            return by_name[stem].text
        raise QueryError(f"{path}: no such query file")
    if stem in by_name:
        return by_name[stem].text
    if stem.replace("_", "").replace("-", "").isalnum() and stem.isascii():
        # One bare word that is no example: almost certainly a typo, not SPARQL.
        names = ", ".join(sorted(by_name))
        raise QueryError(f"unknown example query {query!r}; the examples are: {names} (see `kg query --list`)")
    return query


def load_store(graph: Path) -> Any:
    """An in-memory pyoxigraph store holding the Turtle file ``graph``."""
    import pyoxigraph as ox

    if not graph.is_file():
        if graph.is_dir() and (graph / "kg.ttl").is_file():
            graph = graph / "kg.ttl"
        else:
            raise InputError(str(graph), "no such graph file; run `kg build` first (it writes OUT/kg.ttl), "
                                         "or point --graph at a kg.ttl")
    store = ox.Store()
    try:
        store.bulk_load(path=str(graph), format=ox.RdfFormat.TURTLE)
    except SyntaxError as err:
        raise InputError(str(graph), f"not a valid Turtle file: {err}") from err
    except OSError as err:
        raise InputError(str(graph), f"cannot read: {err}") from err
    return store


def execute(store: Any, sparql: str) -> Any:
    """Run SPARQL on a store with the kg.ttl prefixes predeclared; bad SPARQL raises QueryError."""
    try:
        return store.query(sparql, prefixes=dict(PREFIXES))
    except SyntaxError as err:
        raise QueryError(f"invalid SPARQL: {err}") from err
    except (OSError, ValueError) as err:
        raise QueryError(f"the query failed: {err}") from err


def select_rows(store: Any, sparql: str) -> tuple[list[str], list[list[Any]]]:
    """Variables and rows (pyoxigraph terms or None) of a SELECT query."""
    import pyoxigraph as ox

    res = execute(store, sparql)
    if not isinstance(res, ox.QuerySolutions):
        raise QueryError("not a SELECT query")
    variables = [v.value for v in res.variables]
    return variables, [[sol[v] for v in variables] for sol in res]


# --------------------------------------------------------------------------------------------------
# Output

_SHORT = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def display(term: Any) -> str:
    """A term as a person reads it: literal text, or an IRI shortened to a kg.ttl prefix."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return str(term.value)
    if isinstance(term, ox.NamedNode):
        iri = term.value
        for prefix, ns in _SHORT:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{decode_segment(iri[len(ns):])}"
        return f"<{iri}>"
    return str(term)


def text_width(text: str) -> int:
    """Columns a string takes in a terminal: wide (CJK) characters two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _cell(text: str) -> str:
    # A table cell is one line: line breaks and tabs become visible escapes.
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def format_table(variables: list[str], rows: list[list[str]]) -> str:
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [text_width(v) for v in variables]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], text_width(c))

    def line(values: list[str]) -> str:
        padded = [v + " " * (widths[i] - text_width(v)) for i, v in enumerate(values)]
        return "  ".join(padded).rstrip()

    out = [line(variables), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def write_results(res: Any, fmt: str, out: IO[str]) -> int:
    """Print a query result; returns the number of rows (or triples)."""
    import pyoxigraph as ox

    if isinstance(res, ox.QueryBoolean):
        value = bool(res)
        if fmt == "json":
            out.write(json.dumps({"head": {}, "boolean": value}) + "\n")
        elif fmt == "csv":
            out.write(f"{str(value).lower()}\r\n")
        else:
            out.write(f"{str(value).lower()}\n")
        return 1
    if isinstance(res, ox.QueryTriples):
        data = res.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        out.write(data.decode("utf-8"))
        return data.count(b"\n")
    if fmt in ("csv", "json"):
        rf = ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.JSON
        data = res.serialize(format=rf) or b""
        text = data.decode("utf-8")
        if fmt == "json":
            parsed = json.loads(text)
            out.write(json.dumps(parsed, ensure_ascii=False, indent=1) + "\n")
            return len(parsed["results"]["bindings"])
        out.write(text)
        return max(text.count("\n") - 1, 0)
    variables = [v.value for v in res.variables]
    rows = [[display(sol[v]) for v in variables] for sol in res]
    out.write(format_table(variables, rows))
    return len(rows)


def run_query(graph: Path, query: str | None, fmt: str, list_: bool) -> int:
    """The ``kg query`` command; returns the exit code."""
    if list_:
        items = examples()
        width = max((len(e.name) for e in items), default=0)
        for e in items:
            click.echo(f"{e.name.ljust(width)}  {e.description}")
        return 0
    if not query:
        click.echo("kg query: give a SPARQL query, a .rq file or an example name (see `kg query --list`)", err=True)
        return 2
    try:
        sparql = resolve_query(query)
        store = load_store(graph)
        res = execute(store, sparql)
        n = write_results(res, fmt, sys.stdout)
    except (QueryError, InputError) as err:
        click.echo(f"kg query: {err}", err=True)
        return 2
    if fmt == "table":
        click.echo(f"({n} row{'s' if n != 1 else ''})", err=True)
    return 0
