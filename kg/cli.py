"""The ``kg`` command line."""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="kg")
def main() -> None:
    """Build a knowledge graph from Chinese high-tech-zone news.

    kg reads news pages (.txt, .md, .html, .jsonl), extracts parks, companies, universities,
    institutes, government bodies, projects and people and the relations between them, and writes
    the graph as RDF/Turtle, N-Triples, GraphML, CSV/JSONL tables and an interactive HTML network.
    """


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder the outputs are written to.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Draw only the N best-connected entities in kg.html, which says so (the other outputs keep "
                   "all): a browser lays out a few thousand nodes smoothly, not tens of thousands.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes extracting files in parallel (default: all cores). Output is the same for any N.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Per-file extraction cache, and the record of the last build into OUT: a rebuild re-extracts "
                   "only changed files, and writes nothing when nothing changed [default: ~/.cache/kg].")
@click.option("--no-cache", is_flag=True,
              help="Extract every file again and write every output; neither read nor write the cache.")
def build(inputs: tuple[str, ...], out: Path, max_nodes: int, jobs: int | None, cache_dir: Path | None,
          no_cache: bool) -> None:
    """Build the graph from INPUTS: files, folders (read recursively) and globs.

    With no INPUTS the bundled sample corpus (five newspaper pages) is built. Writes
    articles.jsonl, extractions.jsonl, entities.csv, relations.csv, kg.ttl, kg.nt, kg.graphml and
    kg.html into OUT. Exit code: 0 when every input was read, 1 when some input was skipped (each
    is named on stderr), 2 for a usage error.
    """
    from .cache import default_cache_dir
    from .parallel import file_keys
    from .pipeline import build as run_build
    from .pipeline import discover, sample_corpus
    from .write import OUTPUTS, LastBuild, Stage, TextStore, write_outputs

    started = time.perf_counter()
    if inputs:
        files, errors = discover(inputs)
    else:
        files, errors = sample_corpus(), []
    for err in errors:
        click.echo(f"kg: skipped {err}", err=True)
    show_bar = sys.stderr.isatty() and len(files) > 3
    n_jobs, cache = jobs or os.cpu_count() or 1, None if no_cache else (cache_dir or default_cache_dir())
    last = LastBuild.of(out, cache) if cache is not None else None
    keys = file_keys(files) if cache is not None else None
    inputs_used = [(str(p), k) for p, k in zip(files, keys or [], strict=False)]
    options: dict[str, object] = {"max_nodes": max_nodes}
    with ExitStack() as stack:
        try:  # the staging folder is made first, to report an unusable output folder before any work
            stage = stack.enter_context(Stage(out))
        except OSError as exc:  # -o under a file, on a read-only or full device
            raise click.BadParameter(f"cannot write to {out}: {exc.strerror or exc}",
                                     param_hint="'-o' / '--out'") from None
        summary = last.unchanged(inputs_used, options) if last is not None and files and not errors else None
        if summary is not None:  # the same inputs, options and kg as the build whose outputs these are
            for notice in summary["notices"]:
                click.echo(f"kg: note: {notice}", err=True)
            _report(summary, 0, time.perf_counter() - started, out, "nothing changed since the last build")
            sys.exit(0)
        # The articles' text goes to a spill file in the staging folder as files are extracted.
        texts = TextStore(stage.path / "texts.spill")
        if show_bar:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("extracting", total=len(files))
                result = run_build(files, progress=lambda n: bar.advance(task, n), jobs=n_jobs, cache_dir=cache,
                                   texts=texts, keys=keys, keep=False)
        else:
            result = run_build(files, jobs=n_jobs, cache_dir=cache, texts=texts, keys=keys, keep=False)
        for err in result.errors:
            click.echo(f"kg: skipped {err}", err=True)
        for notice in result.notices:
            click.echo(f"kg: note: {notice}", err=True)
        if not result.doc_ids and (errors or result.errors):
            # Every input failed: an empty graph in place of the last good build would only lose it.
            click.echo(f"kg: nothing could be read; the outputs in {out}/ are left as they were", err=True)
            sys.exit(1)
        summary = {
            "files": len(files) - result.skipped_files, "documents": len(result.doc_ids),
            "articles": result.articles, "sentences": result.sentences,
            "entities": len(result.graph.nodes), "relations": len(result.graph.edges), "notices": result.notices,
        }
        write_outputs(stage.path, result.doc_ids, result.texts, result.graph, max_nodes=max_nodes, jobs=n_jobs,
                      reuse=last)
        written = stage.staged(OUTPUTS)
        stage.commit(OUTPUTS)
        if last is not None:
            # a build that skipped inputs is never taken as unchanged: they are read again next time
            last.save(stage.path, written, inputs_used if not (errors or result.errors) else [], options, summary)
    skipped = len(errors) + len(result.errors)
    _report(summary, skipped, time.perf_counter() - started, out)
    sys.exit(1 if skipped else 0)


def _report(summary: dict, skipped: int, elapsed: float, out: Path, note: str = "") -> None:
    click.echo(
        f"kg: {summary['files']} files, {summary['documents']} documents, {summary['articles']} articles, "
        f"{summary['sentences']} sentences, {summary['entities']} entities, {summary['relations']} relations"
        f"{f', {skipped} skipped' if skipped else ''} in {elapsed:.2f}s → {out}/{f' ({note})' if note else ''}",
        err=True,
    )


@main.command("eval")
@click.option("--gold", "gold", required=True, type=click.Path(exists=True, path_type=Path),
              help="Gold extractions: a .jsonl file or a folder of them.")
@click.argument("pred", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors", "show_errors", is_flag=True, help="Also list the false positives and the misses.")
def eval_cmd(gold: Path, pred: Path, show_errors: bool) -> None:
    """Score PRED (an extractions.jsonl) against GOLD: precision, recall, F1 overall and per type."""
    from .evaluate import run_eval

    sys.exit(run_eval(gold, pred, show_errors))


@main.command()
@click.argument("query", required=False)
@click.option("--graph", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/kg.ttl"),
              show_default=True, help="The Turtle graph to query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the bundled example queries and exit.")
@click.option("--show", metavar="NAME", default=None, help="Print the SPARQL of the bundled example NAME and exit.")
@click.option("--max-width", type=click.IntRange(min=0), default=None,
              help="Cut table cells so each row fits N columns (0: never cut) [default: the terminal's width, "
                   "160 when not a terminal].")
def query(query: str | None, graph: Path, fmt: str, list_: bool, show: str | None, max_width: int | None) -> None:
    """Run a SPARQL QUERY: SPARQL text, a .rq file, or the name of a bundled example."""
    from .query import run_query

    sys.exit(run_query(graph, query, fmt, list_, show, max_width))


@main.command()
@click.option("--graph", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/kg.ttl"),
              show_default=True, help="The Turtle graph to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--writable", is_flag=True, help="Allow SPARQL updates and writes (read-only by default).")
def serve(graph: Path, host: str, port: int, writable: bool) -> None:
    """Serve the graph at a SPARQL HTTP endpoint (the Oxigraph server)."""
    from .serve import run_serve

    sys.exit(run_serve(graph, host, port, writable))


@main.command()
@click.option("--graph", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/kg.ttl"),
              show_default=True, help="The Turtle graph to draw.")
@click.option("--focus", default=None, help="Draw only the neighbourhood of this entity (name or alias).")
@click.option("--hops", type=click.IntRange(min=0), default=1, show_default=True,
              help="How far from --focus to go.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Keep only the N best-connected entities.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/viz.html"),
              show_default=True)
def viz(graph: Path, focus: str | None, hops: int, max_nodes: int | None, out: Path) -> None:
    """Write an interactive HTML network of the graph, or of one entity's neighbourhood."""
    from .viz import run_viz

    sys.exit(run_viz(graph, focus, hops, max_nodes, out))
