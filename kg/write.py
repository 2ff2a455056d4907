"""Write the build's outputs. Everything goes to a staging folder first and is renamed into place
at the end, so an interrupted or failed build leaves the previous outputs whole."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .model import DocResult, KnowledgeGraph

_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _jsonl(fh: IO[str], obj: object) -> None:
    # json.dumps leaves U+2028/U+2029/U+0085 raw, and readers that split on every Unicode line break
    # (str.splitlines, editors) would cut the record there; escaped, they mean the same to JSON.
    fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=False).translate(_LINE_BREAKS) + "\n")


def write_articles(path: Path, results: list[DocResult]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        for res in results:
            for art in res.articles:
                _jsonl(
                    fh,
                    {
                        "source": art.path,
                        "doc": art.doc,
                        "article": art.index,
                        "title": art.title,
                        "span": list(art.span),
                        "text": art.text,
                        "sentences": [[s.start, s.end] for s in art.sentences],
                        "meta": art.meta,
                    },
                )


def write_extractions(path: Path, results: list[DocResult], graph: KnowledgeGraph) -> None:
    from .graph import node_id, norm_name

    # The node each per-document entity ended up in, so users can join the file to the graph.
    alias_to_node: dict[tuple[str, str], str] = {}
    for node in graph.nodes:
        for name in [node.name, *node.aliases]:
            alias_to_node.setdefault((node.type, norm_name(name)), node.id)
    with path.open("w", encoding="utf-8", newline="") as fh:
        for res in results:
            entities = []
            for ent in res.entities:
                entities.append(
                    {
                        "name": ent.name,
                        "type": ent.type,
                        "aliases": sorted(ent.aliases),
                        "node": alias_to_node.get((ent.type, norm_name(ent.name)), node_id(ent.type, ent.name)),
                        "mentions": [
                            {
                                "article": m.article,
                                "sentence": m.sentence,
                                "start": m.start,
                                "end": m.end,
                                "surface": m.surface,
                                "rule": m.rule,
                            }
                            for m in ent.mentions
                        ],
                    }
                )
            relations = []
            for rel in res.relations:
                ev = rel.evidence[0] if rel.evidence else None
                relations.append(
                    {
                        "head": rel.head,
                        "relation": rel.relation,
                        "tail": rel.tail,
                        "evidence": ev.sentence if ev else "",
                        "evidences": [
                            {
                                "article": e.article,
                                "start": e.start,
                                "end": e.end,
                                "sentence": e.sentence,
                                "pattern": e.pattern,
                            }
                            for e in rel.evidence
                        ],
                    }
                )
            _jsonl(fh, {"doc": res.doc, "source": res.path, "entities": entities, "relations": relations})


def write_entities_csv(path: Path, graph: KnowledgeGraph) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "type", "aliases", "mentions", "files"])
        for n in graph.nodes:
            w.writerow([n.name, n.type, "|".join(n.aliases), n.mentions, "|".join(n.files)])


def write_relations_csv(path: Path, graph: KnowledgeGraph) -> None:
    names = {n.id: n.name for n in graph.nodes}
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["head", "relation", "tail", "evidence_count", "first_evidence"])
        for e in graph.edges:
            first = e.evidence[0].sentence if e.evidence else ""
            w.writerow([names[e.head], e.relation, names[e.tail], len(e.evidence), first])


Writer = Callable[[Path], None]


def _remove_dead_stages(out: Path) -> None:
    """Staging folders left by a build that was killed outright (SIGKILL, power loss): their process
    is gone, so nothing will rename them; another live build's folder is left alone."""
    for stage in out.glob(".kg-build-*"):
        pid = stage.name.split("-")[2] if stage.name.count("-") >= 3 else ""
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_all(out: Path, results: list[DocResult], graph: KnowledgeGraph, max_nodes: int | None = None,
              jobs: int = 1) -> list[Path]:
    """Write every output into ``out`` (``jobs`` writers at once); returns the paths written."""
    from . import rdf, viz
    from .parallel import run_writers, writer_jobs

    writers: dict[str, Writer] = {
        "articles.jsonl": lambda p: write_articles(p, results),
        "extractions.jsonl": lambda p: write_extractions(p, results, graph),
        "entities.csv": lambda p: write_entities_csv(p, graph),
        "relations.csv": lambda p: write_relations_csv(p, graph),
        "kg.ttl": lambda p: rdf.write_turtle(p, graph),
        "kg.nt": lambda p: rdf.write_ntriples(p, graph),
        "kg.graphml": lambda p: rdf.write_graphml(p, graph),
        "kg.html": lambda p: viz.write_html(p, graph, max_nodes=max_nodes),
    }
    out.mkdir(parents=True, exist_ok=True)
    _remove_dead_stages(out)
    stage = Path(tempfile.mkdtemp(prefix=f".kg-build-{os.getpid()}-", dir=out))
    try:
        run_writers(writers, stage, writer_jobs(graph, jobs))
        staged = [(stage / name, out / name) for name in writers if (stage / name).exists()]
        for src, _ in staged:
            with src.open("rb") as fh:
                os.fsync(fh.fileno())
        # The renames are the commit: Ctrl-C (or a TERM) waits the microseconds they take, so DIR never
        # holds some outputs of this build beside others of the previous one.
        held = hasattr(signal, "pthread_sigmask")
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if held else set()
        try:
            for src, dst in staged:
                os.replace(src, dst)
        finally:
            if held:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return [dst for _, dst in staged]
    finally:
        shutil.rmtree(stage, ignore_errors=True)
