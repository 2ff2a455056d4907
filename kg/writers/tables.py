"""Write the build's outputs. Everything goes to a staging folder first and is renamed into place
at the end, so an interrupted or failed build leaves the previous outputs whole."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pickle
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..atomic import atomic_open, file_identity, signals_held
from ..model import DocResult, KnowledgeGraph

_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


@dataclass
class DocText:
    """One document's lines of articles.jsonl and extractions.jsonl, serialised where it was extracted
    (in a worker, in parallel) but for what is known only once the corpus is linked: the document's
    id (a clash of file names renames it) and each entity's graph node, spliced in when writing."""

    source: str  # the document's path, as JSON
    articles: list[str]  # each article's line after its "doc" value
    extraction: list[str]  # the extractions line after its "doc" value, cut where each entity's node goes
    keys: list[tuple[str, str]]  # each entity's (type, comparison form of its name), to find its node


def _dumps(obj: object) -> str:
    # json.dumps leaves U+2028/U+2029/U+0085 raw, and readers that split on every Unicode line break
    # (str.splitlines, editors) would cut the record there; escaped, they mean the same to JSON.
    return json.dumps(obj, ensure_ascii=False).translate(_LINE_BREAKS)


def doc_text(res: DocResult) -> DocText:
    """Serialise a document's articles and extractions, less its id and its entities' nodes."""
    from ..model import norm_name

    articles = []
    for art in res.articles:
        rest = _dumps(
            {
                "article": art.index,
                "title": art.title,
                "head": art.head,
                "span": list(art.span),
                "text": art.text,
                "sentences": [[s.start, s.end] for s in art.sentences],
                "meta": art.meta,
            }
        )
        articles.append(", " + rest[1:] + "\n")
    source = _dumps(res.path)
    parts: list[str] = []
    keys: list[tuple[str, str]] = []
    buf = ', "source": ' + source + ', "entities": ['
    # A page in traditional characters names its entities as it spells them (the graph's node, found
    # through ``keys``, keeps the simplified name and has the page's spelling as an alias).
    spelled = {(ent.type, ent.name): ent.page_name for ent in res.entities if ent.page_name}
    for i, ent in enumerate(res.entities):
        if ent.page_name:
            name, aliases = ent.page_name, sorted({*ent.aliases, ent.name} - {ent.page_name})
        else:
            name, aliases = ent.name, sorted(ent.aliases)
        head = _dumps({"name": name, "type": ent.type, "aliases": aliases})
        parts.append(buf + (", " if i else "") + head[:-1] + ', "node": ')
        keys.append((ent.type, norm_name(ent.name)))
        mentions = [
            {
                "article": m.article,
                "sentence": m.sentence,
                "start": m.start,
                "end": m.end,
                "surface": m.surface,
                "rule": m.rule,
            }
            for m in ent.mentions
        ]
        buf = ', "mentions": ' + _dumps(mentions) + "}"
    relations = []
    for rel in res.relations:
        ev = rel.evidence[0] if rel.evidence else None
        relations.append(
            {
                "head": spelled.get((rel.head_type, rel.head), rel.head),
                "relation": rel.relation,
                "tail": spelled.get((rel.tail_type, rel.tail), rel.tail),
                "evidence": ev.sentence if ev else "",
                "evidences": [
                    {"article": e.article, "start": e.start, "end": e.end, "sentence": e.sentence, "pattern": e.pattern}
                    for e in rel.evidence
                ],
            }
        )
    parts.append(buf + '], "relations": ' + _dumps(relations) + "}\n")
    return DocText(source=source, articles=articles, extraction=parts, keys=keys)


def pack_texts(docs: list[DocResult]) -> bytes:
    """A file's documents' :class:`DocText`, pickled: one entry of a :class:`TextStore`."""
    return pickle.dumps([doc_text(d) for d in docs], protocol=pickle.HIGHEST_PROTOCOL)


def article_lines(doc: str, text: DocText) -> str:
    """The document's lines of articles.jsonl."""
    head = '{"source": ' + text.source + ', "doc": ' + _dumps(doc)
    return "".join(head + tail for tail in text.articles)


def extraction_line(doc: str, text: DocText, node_json: Callable[[tuple[str, str]], str]) -> str:
    """The document's line of extractions.jsonl, with each entity's node id (``node_json`` gives it
    as JSON)."""
    out = ['{"doc": ', _dumps(doc)]
    for part, key in zip(text.extraction, text.keys, strict=False):
        out += (part, node_json(key))
    out.append(text.extraction[-1])
    return "".join(out)


class TextStore:
    """Every document's :class:`DocText`, pickled a file at a time in input order: in a spill file
    beside the outputs (``path``), so a build's memory holds the graph and not the text; or, with no
    path, in memory. Each reader opens the file afresh, so forked writers can read it at once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._blobs: list[bytes] = []
        self._fh: IO[bytes] | None = path.open("wb") if path is not None else None

    def add(self, blob: bytes) -> None:
        """Store one file's pickled ``list[DocText]``."""
        if self.path is None:
            self._blobs.append(blob)
        elif self._fh is None:
            raise ValueError(f"{self.path}: the text store is closed")
        else:
            self._fh.write(blob)

    def add_docs(self, docs: list[DocResult]) -> None:
        self.add(pack_texts(docs))

    def __iter__(self) -> Iterator[DocText]:
        if self.path is None:
            for blob in self._blobs:
                yield from pickle.loads(blob)
            return
        self.close()
        with self.path.open("rb") as fh:
            while True:
                try:
                    docs = pickle.load(fh)
                except EOFError:
                    return
                yield from docs

    def close(self) -> None:
        """Finish writing (before any reader, and before forking: a child must not flush a copy of
        the parent's buffer)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def write_jsonl(folder: Path, doc_ids: Sequence[str], texts: Iterable[DocText], graph: KnowledgeGraph) -> None:
    """Write articles.jsonl and extractions.jsonl in one pass over the stored text."""
    from ..model import norm_name

    # The node each per-document entity ended up in, so users can join the file to the graph.
    alias_to_node: dict[tuple[str, str], str] = {}
    for node in graph.nodes:
        for name in [node.name, *node.aliases]:
            alias_to_node.setdefault((node.type, norm_name(name)), node.id)

    class NodeJson(dict[tuple[str, str], str]):
        """Each key's node id as JSON, made once: the same entities recur in document after document."""

        def __missing__(self, key: tuple[str, str]) -> str:
            # No node knows the entity by this name: its own id, node_id(type, name), from the stored key.
            self[key] = text = _dumps(alias_to_node.get(key) or f"{key[0]}/{key[1]}")
            return text

    node_json = NodeJson().__getitem__

    with (
        (folder / "articles.jsonl").open("w", encoding="utf-8", newline="") as arts,
        (folder / "extractions.jsonl").open("w", encoding="utf-8", newline="") as exts,
    ):
        for doc, text in zip(doc_ids, texts, strict=True):
            arts.write(article_lines(doc, text))
            exts.write(extraction_line(doc, text, node_json))


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


def write_csv(folder: Path, graph: KnowledgeGraph) -> None:
    write_entities_csv(folder / "entities.csv", graph)
    write_relations_csv(folder / "relations.csv", graph)


Writer = Callable[[Path], object]  # writes its files into the folder it is given


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


class Stage:
    """A staging folder inside ``out``: outputs are written there and renamed into place by
    :meth:`commit`; leaving the ``with`` block removes it, so a failed build leaves ``out`` as it was."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out  # set by __enter__
        self._made: list[Path] = []  # the folders __enter__ created, deepest first

    def __enter__(self) -> Stage:
        self._made = [p for p in [self.out, *self.out.parents] if not p.exists()]
        self.out.mkdir(parents=True, exist_ok=True)
        _remove_dead_stages(self.out)
        # A Ctrl-C between creating the folder and entering the ``with`` block would leave it behind:
        # held while it is made, and raised here (where the folder is removed) if it came meanwhile.
        try:
            with signals_held(signal.SIGINT, signal.SIGTERM):
                self.path = Path(tempfile.mkdtemp(prefix=f".kg-build-{os.getpid()}-", dir=self.out))
        except BaseException:
            if self.path != self.out:
                shutil.rmtree(self.path, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        for folder in self._made:  # a build that wrote nothing leaves no empty folders behind
            try:
                folder.rmdir()
            except OSError:
                break  # not empty: outputs were committed

    def staged(self, names: Iterable[str]) -> dict[str, tuple[int, ...] | None]:
        """The identity each of ``names`` has as staged, and keeps once committed (see :class:`LastBuild`)."""
        return {name: _identity(self.path / name) for name in names}

    def commit(self, names: Iterable[str]) -> list[Path]:
        """Sync the staged ``names`` and rename them into ``out``; returns the paths written."""
        staged = [(self.path / name, self.out / name) for name in names if (self.path / name).exists()]
        for src, _ in staged:
            with src.open("rb") as fh:
                os.fsync(fh.fileno())
        # The renames are the commit: Ctrl-C (or a TERM) waits the microseconds they take, so DIR never
        # holds some outputs of this build beside others of the previous one.
        with signals_held(signal.SIGINT, signal.SIGTERM):
            for src, dst in staged:
                os.replace(src, dst)
        return [dst for _, dst in staged]


OUTPUTS = (
    "articles.jsonl",
    "extractions.jsonl",
    "entities.csv",
    "relations.csv",
    "kg.ttl",
    "kg.nt",
    "kg.graphml",
    "kg.html",
)


def _identity(path: Path) -> tuple[int, ...] | None:
    """:func:`kg.atomic.file_identity` of ``path``; None when there is no such file."""
    try:
        return file_identity(os.stat(path))
    except OSError:
        return None


@dataclass(frozen=True)
class LastBuild:
    """The record of the last build into an output folder, kept in the cache folder (so the output
    folder holds only the outputs): what it was built from and the identity of the files it wrote,
    and the index of its kg.ttl and kg.nt. A rebuild whose inputs, options and kg are the same, into
    outputs nobody touched since, has nothing to do; otherwise the RDF writer copies the unchanged
    blocks of kg.ttl and kg.nt. Outputs that are not those recorded (edited, replaced, written by
    another build or version of kg) are never trusted."""

    out: Path  # the output folder
    index: Path  # the index saved with its kg.ttl and kg.nt
    record: Path  # what the build was made from and wrote

    @classmethod
    def of(cls, out: Path, cache_root: Path) -> LastBuild:
        key = hashlib.sha256(os.fsencode(str(out.resolve()))).hexdigest()[:16]
        folder = cache_root / "builds"
        return cls(out, folder / f"{key}.rdf-index", folder / f"{key}.build")

    def previous(self) -> tuple[Path, Path, Path] | None:
        """What :func:`kg.writers.rdf.write_rdf` may copy from, if there was an earlier build."""
        return (self.out / "kg.ttl", self.out / "kg.nt", self.index) if self.index.is_file() else None

    def unchanged(self, inputs: Sequence[tuple[str, str | None]], options: dict[str, object]) -> dict | None:
        """The last build's summary if it was made from exactly ``inputs`` (path and content key of each
        file, in order) with the same ``options`` and kg, and its outputs are still the files it wrote."""
        from ..resources.version import extractor_version

        try:
            with self.record.open("rb") as fh:
                rec = pickle.load(fh)
        except Exception:  # none yet, or damaged: build
            return None
        if not isinstance(rec, dict) or any(key is None for _, key in inputs):
            return None
        same = (
            rec.get("version") == extractor_version()
            and rec.get("inputs") == list(inputs)
            and rec.get("options") == options
            and rec.get("outputs") == {name: _identity(self.out / name) for name in OUTPUTS}
        )
        return rec.get("summary") if same else None

    def save(
        self,
        stage: Path,
        written: dict[str, tuple[int, ...] | None],
        inputs: Sequence[tuple[str, str | None]],
        options: dict[str, object],
        summary: dict,
    ) -> None:
        """Keep the record of a build whose outputs were just committed (``written``: their identities,
        taken as staged) and the RDF index it staged. Unsaved (a cache folder that cannot be written),
        the next build just does everything."""
        from ..resources.version import extractor_version

        record = {
            "version": extractor_version(),
            "inputs": list(inputs),
            "options": options,
            "outputs": written,
            "summary": summary,
        }
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            self.record.unlink(missing_ok=True)  # never a record beside another build's index
            if (stage / RDF_INDEX).is_file():
                try:  # moved where the cache is on the output's file system (60 MB at 100 MB of news)
                    os.replace(stage / RDF_INDEX, self.index)
                except OSError:  # another file system: copied
                    with (stage / RDF_INDEX).open("rb") as src, atomic_open(self.index, "wb", None, False) as dst:
                        shutil.copyfileobj(src, dst)
            with atomic_open(self.record, "wb", encoding=None, fsync=False) as fh:
                pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._prune()
        except OSError:
            pass

    def _prune(self) -> None:
        """Keep the records of the :data:`KEPT_BUILDS` output folders built most recently."""
        records = sorted(self.record.parent.glob("*.build"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in records[KEPT_BUILDS:]:
            old.unlink(missing_ok=True)
        for index in self.record.parent.glob("*.rdf-index"):  # of a forgotten build
            if not index.with_suffix(".build").exists():
                index.unlink(missing_ok=True)


RDF_INDEX = "rdf.index"  # staged beside the outputs by the RDF writer, never committed
KEPT_BUILDS = 16  # output folders whose last build is remembered (an index takes ~0.6 MB per MB of news)
