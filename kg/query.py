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

import difflib
import functools
import json
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

import click

from .errors import InputError
from .writers.rdf import ONT, PREFIXES, decode_segment, ontology_file

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
    try:
        is_file = "\n" not in query and path.is_file()
    except OSError:  # a long one-line query is no file name
        is_file = False
    if query.endswith(".rq") or is_file:
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


def _entity_query(graph: Path, name: str) -> str | None:
    """``kg query --show NAME`` where NAME is no example but names an entity (any name the graph or the
    gazetteer knows it by): a query of everything the graph states of it, to run or change."""
    from .writers.rdf import entity_iri, load_graph
    from .writers.viz import find_nodes

    path = graph / "kg.ttl" if graph.is_dir() else graph
    try:
        nodes = find_nodes(load_graph(path), name)
    except InputError:
        return None
    if not nodes:
        return None
    lines = [f"# Everything the graph states of {n.name} ({n.type}), named {name!r} here\n" for n in nodes]
    values = " ".join(f"<{entity_iri(n.id)}>" for n in nodes)
    return (
        "".join(lines)
        + f"SELECT ?entity ?p ?o WHERE {{ VALUES ?entity {{ {values} }} ?entity ?p ?o }} ORDER BY ?entity ?p ?o\n"
    )


def example_text(name: str) -> str:
    """The SPARQL of a bundled example (``kg query --show NAME``)."""
    stem = name[:-3] if name.endswith(".rq") else name
    for e in examples():
        if e.name == stem:
            return e.text
    names = ", ".join(e.name for e in examples())
    raise QueryError(f"unknown example query {name!r}; the examples are: {names} (see `kg query --list`)")


# Strings, IRIs and comments are matched first so that a ':' or '#' inside them is never taken for a
# prefixed name; what is left of the query are its prefix declarations and prefixed names.
_TOKENS = re.compile(
    r'''(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"|(?P<decl>(?i:PREFIX)\s+(?P<dprefix>[^\W\d][\w.-]*)?:\s*<(?P<dns>[^<>\s]*)>)"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?<![\w?$:])(?P<prefix>[^\W\d][\w.-]*)?:(?P<local>(?:[\w.%:-]|\\.)*)"
)


@dataclass(frozen=True)
class Name:
    """A prefixed name or an IRI written in a query, and where (0-based offset)."""

    prefix: str | None  # None for a full <IRI>
    local: str
    iri: str | None  # None when the prefix is declared neither in the query nor by kg
    offset: int


def query_names(sparql: str) -> list[Name]:
    """The prefixed names and IRIs of a query, resolved with its PREFIX lines and kg's predeclared ones."""
    declared = dict(PREFIXES)
    out = []
    for m in _TOKENS.finditer(sparql):
        if m.group("decl"):
            declared[m.group("dprefix") or ""] = m.group("dns")
        elif m.group("iri"):
            out.append(Name(None, m.group("iri")[1:-1], m.group("iri")[1:-1], m.start()))
        elif m.group("local") is not None and not m.group("string") and not m.group("comment"):
            prefix, local = m.group("prefix") or "", m.group("local").rstrip(".")
            ns = declared.get(prefix)
            out.append(Name(prefix, local, None if ns is None else ns + local, m.start()))
    return out


def with_prefixes(sparql: str) -> str:
    """The query with PREFIX lines for the predeclared prefixes it uses and does not declare, all put
    before its first line (so a server's error positions keep their line numbers): what lets a query
    typed for ``kg query`` run on any SPARQL endpoint. A query that needs none comes back unchanged."""
    declared: set[str] = set()
    used: set[str] = set()
    for m in _TOKENS.finditer(sparql):
        if m.group("decl"):
            declared.add(m.group("dprefix") or "")
        elif m.group("local") is not None and not m.group("string") and not m.group("comment"):
            used.add(m.group("prefix") or "")
    missing = [p for p in PREFIXES if p in used and p not in declared]
    if not missing:
        return sparql
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in missing) + sparql


@functools.lru_cache(maxsize=1)
def ontology_terms() -> frozenset[str]:
    """The local names the ontology defines in the hkg: namespace."""
    import pyoxigraph as ox

    terms = set()
    for quad in ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(ONT):
            terms.add(quad.subject.value[len(ONT) :])
    return frozenset(terms)


def undefined_terms(sparql: str) -> list[str]:
    """Warnings for hkg: IRIs the ontology does not define: a misspelt term matches nothing, silently."""
    terms = ontology_terms()
    by_lower = {t.lower(): t for t in terms}
    warnings = []
    for name in query_names(sparql):
        if name.iri is None or not name.iri.startswith(ONT):
            continue
        local = name.iri[len(ONT) :]
        if not local or local in terms:
            continue
        shown = f"{name.prefix}:{name.local}" if name.prefix is not None else f"<{name.iri}>"
        guess = by_lower.get(local.lower()) or next(iter(difflib.get_close_matches(local, sorted(terms), 1)), None)
        hint = f" (did you mean hkg:{guess}?)" if guess else ""
        warning = f"{shown} is not defined by the ontology and matches nothing{hint}"
        if warning not in warnings:
            warnings.append(warning)
    return warnings


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def syntax_message(sparql: str, err: Exception) -> str:
    """One line for a SPARQL syntax error: the parser's own lists every Unicode range a name may hold."""
    for name in query_names(sparql) if "Prefix not found" in str(err) else []:
        if name.iri is None:
            known = ", ".join(sorted(p for p in PREFIXES if p))
            return (
                f"invalid SPARQL at {_position(sparql, name.offset)}: unknown prefix '{name.prefix}:' in "
                f"{name.prefix}:{name.local}; declare it with PREFIX {name.prefix}: <…> "
                f"(kg predeclares {known})"
            )
    message = " ".join(str(err).split())
    m = re.match(r"error at (\d+):(\d+): (.*)", message)
    if m:
        detail = m.group(3)
        if len(detail) > 120:
            detail = detail[: detail.find(", [")] if ", [" in detail else detail[:120] + "…"
        message = f"at line {m.group(1)}, column {m.group(2)}: {detail}"
    return f"invalid SPARQL {message}" if m else f"invalid SPARQL: {message}"


def load_store(graph: Path) -> Any:
    """An in-memory pyoxigraph store holding the Turtle file ``graph``."""
    import pyoxigraph as ox

    if not graph.is_file():
        if graph.is_dir() and (graph / "kg.ttl").is_file():
            graph = graph / "kg.ttl"
        else:
            raise InputError(
                str(graph),
                "no such graph file; run `kg build` first (it writes OUT/kg.ttl), or point --graph at a kg.ttl",
            )
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
        raise QueryError(syntax_message(sparql, err)) from err
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
                return f"{prefix}:{decode_segment(iri[len(ns) :])}"
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


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, an ellipsis marking the cut."""
    if text_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = text_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def column_cap(widths: list[int], max_width: int) -> int | None:
    """The widest a column may be for a row of ``widths`` to fit ``max_width`` columns (None: it fits)."""
    gaps = 2 * (len(widths) - 1)
    if not widths or sum(widths) + gaps <= max_width:
        return None
    cap = max(widths)
    while cap > 8 and sum(min(w, cap) for w in widths) + gaps > max_width:
        cap -= 1
    return cap


def format_table(variables: list[str], rows: list[list[str]], max_width: int = 0) -> str:
    """An aligned table; with ``max_width`` (terminal columns, 0 for none) the widest cells are cut."""
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [text_width(v) for v in variables]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], text_width(c))
    cap = column_cap(widths, max_width) if max_width > 0 else None
    if cap is not None:
        variables = [_clip(v, cap) for v in variables]
        cells = [[_clip(c, cap) for c in row] for row in cells]
        widths = [min(w, cap) for w in widths]

    def line(values: list[str]) -> str:
        padded = [v + " " * (widths[i] - text_width(v)) for i, v in enumerate(values)]
        return "  ".join(padded).rstrip()

    out = [line(variables), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def default_max_width() -> int:
    """The terminal's width when output goes to one; else 160 columns, readable in any pager or editor."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size((160, 24)).columns
    return 160


def write_results(res: Any, fmt: str, out: IO[str], max_width: int = 0) -> int:
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
    out.write(format_table(variables, rows, max_width))
    return len(rows)


def run_query(
    graph: Path, query: str | None, fmt: str, list_: bool, show: str | None = None, max_width: int | None = None
) -> int:
    """The ``kg query`` command; returns the exit code."""
    if show is not None:
        try:
            click.echo(example_text(show), nl=False)
        except QueryError as err:
            text = _entity_query(graph, show)
            if text is None:
                click.echo(f"kg query: {err}; nor is it the name of an entity of {graph}", err=True)
                return 2
            click.echo(text, nl=False)
        return 0
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
        for warning in undefined_terms(sparql):
            click.echo(f"kg query: warning: {warning}", err=True)
        store = load_store(graph)
        res = execute(store, sparql)
        n = write_results(res, fmt, sys.stdout, default_max_width() if max_width is None else max_width)
    except (QueryError, InputError) as err:
        click.echo(f"kg query: {err}", err=True)
        return 2
    if fmt == "table":
        click.echo(f"({n} row{'s' if n != 1 else ''})", err=True)
    return 0
