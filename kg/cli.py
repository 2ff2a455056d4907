"""The ``kg`` command line."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

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


def _choose_recognizers(recognizers: str | None, fast: bool) -> None:
    """Set ``KG_RECOGNIZERS`` for this process and its workers (which inherit the environment), and
    report an unknown name as a usage error before any work."""
    from .extract import mentions

    if fast and recognizers:
        raise click.BadParameter("--fast is --recognizers rules; give one of them", param_hint="'--fast'")
    if fast or recognizers:
        os.environ["KG_RECOGNIZERS"] = "rules" if fast else str(recognizers)
        mentions.configure()
    names, policy = mentions.chosen()
    unknown = [n for n in names if n not in mentions.RECOGNIZERS] + (
        [policy] if policy not in mentions.POLICIES else []
    )
    if unknown:
        raise click.BadParameter(
            f"unknown recognizer or policy: {', '.join(unknown)} (recognizers: "
            f"{', '.join(sorted(mentions.RECOGNIZERS))}; policies: {', '.join(sorted(mentions.POLICIES))})",
            param_hint="'--recognizers'",
        )


@main.command()
@click.argument("inputs", nargs=-1)
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder the outputs are written to.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Draw only the N best-connected entities in kg.html, which says so (the other outputs keep "
    "all): a browser lays out a few thousand nodes smoothly, not tens of thousands.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes extracting files in parallel (default: all cores). Output is the same for any N.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Per-file extraction cache, and the record of the last build into OUT: a rebuild re-extracts "
    "only changed files, and writes nothing when nothing changed [default: ~/.cache/kg].",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Extract every file again and write every output; neither read nor write the cache.",
)
@click.option(
    "--executor",
    default="processes",
    show_default=True,
    help="Where files are extracted: an executor registered in kg.build.executors (serial, processes, dask, …).",
)
@click.option(
    "--recognizers",
    default=None,
    metavar="NAMES",
    help="Entity recognizers to run, comma-separated, registered in kg.extract.recognizers: rules (every "
    "rule component), lac (the LAC model over the clauses holding a rule cue, fused with the rules by the "
    "policy 'confidence'), lac-all (the model over every sentence), lac-naive (the model alone, plain "
    "suffix typing). Default: $KG_RECOGNIZERS, else rules.",
)
@click.option("--fast", is_flag=True, help="Rules only (--recognizers rules), whatever the default.")
@click.option(
    "--relation-model/--no-relation-model",
    default=None,
    help="Add the relations the learned candidate-pair check finds beyond the patterns (kg.extract."
    "relation_model). Default: $KG_RELATION_MODEL (on/off), else what its weights file says (off unless "
    "its out-of-fold gain was real).",
)
@click.option(
    "--scheduler",
    envvar="KG_SCHEDULER",
    default=None,
    metavar="ADDRESS",
    help="Extract on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786; also "
    "KG_SCHEDULER): the executor dask, which needs pip install 'kg[dask]'. The files' contents are sent to "
    "the workers; the cache, linking and writing stay here. Output is the same as a local build.",
)
@click.pass_context
def build(
    ctx: click.Context,
    inputs: tuple[str, ...],
    out: Path,
    max_nodes: int,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    executor: str,
    recognizers: str | None,
    fast: bool,
    relation_model: bool | None,
    scheduler: str | None,
) -> None:
    """Build the graph from INPUTS: files, folders (read recursively) and globs.

    With no INPUTS the bundled sample corpus (five newspaper pages) is built. Writes
    articles.jsonl, extractions.jsonl, entities.csv, relations.csv, kg.ttl, kg.nt, kg.graphml and
    kg.html into OUT. Exit code: 0 when every input was read, 1 when some input was skipped (each
    is named on stderr), 2 for a usage error or an executor that cannot run the build (a --scheduler
    that cannot be reached or is lost).
    """
    from .build.builder import Builder
    from .build.executors import EXECUTORS
    from .build.inputs import INPUT_SUFFIXES, describe_ignored
    from .errors import ExecutorError
    from .writers.tables import Stage

    started = time.perf_counter()
    _choose_recognizers(recognizers, fast)
    if relation_model is not None:  # workers inherit the environment
        os.environ["KG_RELATION_MODEL"] = "on" if relation_model else "off"
    if executor not in EXECUTORS:
        raise click.BadParameter(
            f"no executor named {executor!r} (known: {', '.join(sorted(EXECUTORS))})", param_hint="'--executor'"
        )
    executor, options = _executor_choice(ctx, executor, scheduler)
    builder = Builder(
        out=out,
        jobs=jobs,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        max_nodes=max_nodes,
        executor=executor,
        executor_options=options,
    )
    ignored: list[Path] = []
    files, errors = builder.discover(inputs, ignored)
    for err in errors:
        click.echo(f"kg: skipped {err}", err=True)
    for line in describe_ignored(ignored):
        click.echo(f"kg: note: {line}", err=True)
    if not files:  # an empty folder, or one of PDFs' scans, CSVs…: an empty graph would look like a result
        what = (
            "nothing could be read"
            if errors
            else (f"nothing to build: no {', '.join(INPUT_SUFFIXES)} file in {' '.join(inputs)}")
        )
        click.echo(f"kg: {what}; the outputs in {out}/ are left as they were", err=True)
        sys.exit(1)
    show_bar = sys.stderr.isatty() and len(files) > 3
    try:
        with ExitStack() as stack:
            try:  # the staging folder is made first, to report an unusable output folder before any work
                stage = stack.enter_context(Stage(out))
            except OSError as exc:  # -o under a file, on a read-only or full device
                raise click.BadParameter(
                    f"cannot write to {out}: {exc.strerror or exc}", param_hint="'-o' / '--out'"
                ) from None
            lines = ProgressLines(started, len(files))
            if show_bar:
                from rich.progress import Progress

                bar = stack.enter_context(Progress(transient=True))
                task = bar.add_task("extracting", total=len(files))
                builder.progress = lambda n: bar.advance(task, n)
            else:
                stack.enter_context(lines)
                builder.progress, builder.on_stage = lines.files, lines.stage
            report = builder.build(files, errors, stage)
    except ExecutorError as exc:  # nothing was written: the staging folder is gone with the stack
        click.echo(f"kg: {exc}; the outputs in {out}/ are left as they were", err=True)
        sys.exit(2)
    if report.unchanged:
        for notice in report.notices:
            click.echo(f"kg: note: {notice}", err=True)
        _report(report.summary, 0, time.perf_counter() - started, out, "nothing changed since the last build")
        sys.exit(0)
    for err in report.errors[len(errors) :]:
        click.echo(f"kg: skipped {err}", err=True)
    for notice in report.notices:
        click.echo(f"kg: note: {notice}", err=True)
    if report.nothing_read:
        click.echo(f"kg: nothing could be read; the outputs in {out}/ are left as they were", err=True)
        sys.exit(1)
    skipped = len(report.errors)
    _report(report.summary, skipped, time.perf_counter() - started, out)
    sys.exit(1 if skipped else 0)


def _executor_choice(ctx: click.Context, executor: str, scheduler: str | None) -> tuple[str, dict[str, str]]:
    """The executor and its options: ``--scheduler`` (or ``KG_SCHEDULER``, unless ``--executor`` names
    another) means ``dask`` at that address."""
    explicit = ctx.get_parameter_source("executor") != click.core.ParameterSource.DEFAULT
    from_env = ctx.get_parameter_source("scheduler") == click.core.ParameterSource.ENVIRONMENT
    if scheduler and (executor == "dask" or not explicit):
        return "dask", {"address": scheduler}
    if scheduler and not from_env:
        raise click.BadParameter(
            f"--scheduler runs the executor dask, not {executor!r}", param_hint="'--executor' / '--scheduler'"
        )
    if executor == "dask":
        raise click.BadParameter(
            "the executor dask needs its scheduler's address: --scheduler ADDRESS (or KG_SCHEDULER)",
            param_hint="'--executor'",
        )
    return executor, {}


PROGRESS_AFTER = 3.0  # seconds of a build before ProgressLines says anything
PROGRESS_EVERY = 10.0  # seconds between two counts of the extraction


class ProgressLines:
    """Progress of a build whose stderr is no terminal (a log, CI, a pipe), where rich's bar shows
    nothing: once the build has run PROGRESS_AFTER seconds (a quick build stays quiet), the count of
    files extracted every PROGRESS_EVERY seconds (from a timer thread, since the first file may take
    that long) and a line when a stage starts."""

    def __init__(self, started: float, total: int, clock: Callable[[], float] = time.perf_counter) -> None:
        self.started, self.total, self.clock = started, total, clock
        self.done = 0
        self._stop = threading.Event()

    def _say(self, text: str) -> None:
        now = self.clock()
        if now - self.started >= PROGRESS_AFTER:
            click.echo(f"kg: {text} ({now - self.started:.0f}s)", err=True)

    def files(self, n: int) -> None:
        """Called as files are extracted (n more done)."""
        self.done += n
        if self.done >= self.total:
            self._stop.set()
            self._say(f"extracted {self.done}/{self.total} files; linking the graph")

    def tick(self) -> None:
        """Say how far the extraction is, while it runs."""
        if self.done < self.total:
            self._say(f"extracting: {self.done}/{self.total} files")

    def __enter__(self) -> ProgressLines:
        def run() -> None:
            wait = PROGRESS_AFTER - (self.clock() - self.started)
            while not self._stop.wait(max(wait, 0.0)):
                self.tick()
                wait = PROGRESS_EVERY

        threading.Thread(target=run, name="kg-progress", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    def stage(self, name: str) -> None:
        self._say(name)


def _report(summary: dict, skipped: int, elapsed: float, out: Path, note: str = "") -> None:
    click.echo(
        f"kg: {summary['files']} files, {summary['documents']} documents, {summary['articles']} articles, "
        f"{summary['sentences']} sentences, {summary['entities']} entities, {summary['relations']} relations"
        f"{f', {skipped} skipped' if skipped else ''} in {elapsed:.2f}s → {out}/{f' ({note})' if note else ''}",
        err=True,
    )


def _graph_file(ctx: click.Context, param: click.Parameter, graph: Path) -> Path:
    """A build folder stands for the kg.ttl in it (kg build -o out, then kg query --graph out)."""
    return graph / "kg.ttl" if graph.is_dir() else graph


def _graph_option(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--graph`` as every command that reads a built graph takes it (a kg.ttl or its build folder)."""
    return click.option(
        "--graph",
        type=click.Path(path_type=Path),
        default=Path("out/kg.ttl"),
        envvar="KG_GRAPH",
        show_default=True,
        show_envvar=True,
        callback=_graph_file,
        help=f"The Turtle graph to {verb}: a kg.ttl, or the folder kg build wrote it to.",
    )


@main.command("eval")
@click.option(
    "--gold",
    "gold",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Gold extractions: a .jsonl file or a folder of them.",
)
@click.argument("pred", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors", "show_errors", is_flag=True, help="Also list the false positives and the misses.")
def eval_cmd(gold: Path, pred: Path, show_errors: bool) -> None:
    """Score PRED (an extractions.jsonl) against GOLD: precision, recall, F1 overall and per type."""
    from .evaluate import run_eval

    sys.exit(run_eval(gold, pred, show_errors))


@main.command()
@click.argument("query", required=False)
@_graph_option("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table: aligned columns for reading; csv and json: the W3C SPARQL CSV and JSON results formats.",
)
@click.option("--list", "list_", is_flag=True, help="List the bundled example queries and exit.")
@click.option("--show", metavar="NAME", default=None, help="Print the SPARQL of the bundled example NAME and exit.")
@click.option(
    "--max-width",
    type=click.IntRange(min=0),
    default=None,
    help="Cut table cells so each row fits N columns (0: never cut) [default: the terminal's width, "
    "160 when not a terminal].",
)
def query(query: str | None, graph: Path, fmt: str, list_: bool, show: str | None, max_width: int | None) -> None:
    """Run a SPARQL QUERY: SPARQL text, a .rq file, or the name of a bundled example."""
    from .query import run_query

    sys.exit(run_query(graph, query, fmt, list_, show, max_width))


@main.command()
@_graph_option("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port to listen on.")
@click.option("--writable", is_flag=True, help="Allow SPARQL updates and writes (read-only by default).")
def serve(graph: Path, host: str, port: int, writable: bool) -> None:
    """Serve the graph at a SPARQL HTTP endpoint (the Oxigraph server)."""
    from .serve import run_serve

    sys.exit(run_serve(graph, host, port, writable))


@main.command()
@_graph_option("draw")
@click.option("--focus", default=None, help="Draw only the neighbourhood of this entity (name or alias).")
@click.option("--hops", type=click.IntRange(min=0), default=1, show_default=True, help="How far from --focus to go.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None, help="Keep only the N best-connected entities.")
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("out/viz.html"),
    show_default=True,
    help="The HTML file to write (one self-contained page that opens from disk).",
)
def viz(graph: Path, focus: str | None, hops: int, max_nodes: int | None, out: Path) -> None:
    """Write an interactive HTML network of the graph, or of one entity's neighbourhood."""
    from .writers.viz import run_viz

    sys.exit(run_viz(graph, focus, hops, max_nodes, out))
