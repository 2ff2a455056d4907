"""Run the stages over a corpus: read → normalize → segment → entities → link → relations → graph."""

from __future__ import annotations

import gc
import glob
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .entities import extract_mentions
from .errors import InputError
from .graph import GraphBuilder
from .link import add_original_spellings, link_document
from .model import DocResult, DocSummary, KnowledgeGraph, RawDoc
from .normalize import normalize, to_simplified
from .read import read_path
from .relations import extract_relations
from .segment import segment
from .write import TextStore

if TYPE_CHECKING:
    from .cache import Cache
    from .parallel import FileResult

INPUT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".pdf")


def sample_corpus() -> list[Path]:
    """The bundled sample pages, so an installed ``kg`` can build with no arguments."""
    root = resources.files("kg") / "data" / "sample"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def discover(inputs: Iterable[str], ignored: list[Path] | None = None) -> tuple[list[Path], list[InputError]]:
    """Expand files, folders (recursively) and globs into a sorted, de-duplicated file list.
    The files of a folder that are not of an input format are appended to ``ignored``, so the user can
    be told (hidden files, such as .DS_Store or a .git folder's, are not worth telling)."""
    files: list[Path] = []
    errors: list[InputError] = []
    for item in inputs:
        matches = [Path(m) for m in sorted(glob.glob(item, recursive=True))] if glob.has_magic(item) else []
        candidates = matches or [Path(item)]
        for path in candidates:
            if path.is_dir():
                if not os.access(path, os.R_OK | os.X_OK):
                    errors.append(InputError(str(path), "folder is not readable (permission denied)"))
                    continue
                for sub in sorted(path.rglob("*")):
                    if sub.is_symlink() and not sub.exists():
                        errors.append(InputError(str(sub), "broken symbolic link"))
                    elif sub.is_dir() and not os.access(sub, os.R_OK | os.X_OK):
                        errors.append(InputError(str(sub), "folder is not readable (permission denied)"))
                    elif sub.is_file() and sub.suffix.lower() in INPUT_SUFFIXES:
                        files.append(sub)
                    elif sub.is_file() and ignored is not None and not any(
                            part.startswith(".") for part in sub.relative_to(path).parts):
                        ignored.append(sub)
            elif path.is_symlink() and not path.exists():
                errors.append(InputError(str(path), "broken symbolic link"))
            elif path.exists():
                files.append(path)
            elif glob.has_magic(item):
                errors.append(InputError(item, "no file matches this pattern"))
            else:
                errors.append(InputError(str(path), "no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors


def describe_ignored(ignored: list[Path], shown: int = 5) -> list[str]:
    """One line per kind of ignored file (its suffix), naming the first few of them."""
    by_kind: dict[str, list[Path]] = {}
    for path in ignored:
        by_kind.setdefault(path.suffix.lower(), []).append(path)
    lines = []
    for kind, paths in sorted(by_kind.items()):
        names = ", ".join(str(p) for p in paths[:shown])
        names += f" and {len(paths) - shown} more" if len(paths) > shown else ""
        what = (f"{kind} file" if kind else "file without an extension") + ("s" if len(paths) > 1 else "")
        lines.append(f"ignored {len(paths)} {what} ({names}): kg reads {', '.join(INPUT_SUFFIXES)} files")
    return lines


def process_raw(raw: RawDoc) -> DocResult:
    """All per-document stages: pure, so documents can run in parallel and be cached."""
    original, meta = normalize(raw.text)
    text = to_simplified(original)  # traditional pages are matched in simplified characters
    articles = segment(raw, text, meta)
    mentions = [m for art in articles for m in extract_mentions(art)]
    entities = link_document(articles, mentions)
    if text != original:
        add_original_spellings(entities, articles, original)
    relations = extract_relations(articles, entities)
    page_meta = {k: v for k, v in meta.items() if not k.endswith("_at")}  # offsets are for segment only
    return DocResult(
        doc=raw.doc, path=raw.path, articles=articles, entities=entities, relations=relations, page_meta=page_meta
    )


def process_file(path: Path) -> tuple[list[DocResult], list[InputError]]:
    """Read and process one file. A bad file gives no results and its error; a ``.jsonl`` file with
    broken lines gives the results of its good lines and one error per broken line."""
    errors: list[InputError] = []
    try:
        raws = read_path(path, errors)
    except InputError as err:
        return [], [err]
    return [process_raw(raw) for raw in raws], errors


@dataclass
class BuildResult:
    results: list[DocSummary] = field(default_factory=list)  # empty unless asked for (``keep``)
    doc_ids: list[str] = field(default_factory=list)  # every document, in input order
    articles: int = 0
    sentences: int = 0
    graph: KnowledgeGraph = field(default_factory=KnowledgeGraph)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    skipped_files: int = 0  # files that gave no document because of an error
    notices: list[str] = field(default_factory=list)  # things the user should know that skipped nothing
    texts: TextStore = field(default_factory=TextStore)  # the documents' output text, in results' order


def rename_doc(res: DocSummary, doc: str) -> None:
    """Give a document another id everywhere it is recorded (its articles and its evidence)."""
    res.doc = doc
    for art in res.articles:
        art.doc = doc
    for rel in res.relations:
        rel.evidence = [replace(ev, doc=doc) for ev in rel.evidence]


def run(
    files: list[Path],
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
    keys: list[str | None] | None = None,
) -> Iterator[FileResult]:
    """Extract ``files`` on ``jobs`` processes, yielding each file's results in input order."""
    from .parallel import extract

    yield from extract(files, jobs=jobs, cache=cache, progress=progress, keys=keys)


def build(
    files: list[Path],
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    texts: TextStore | None = None,
    keys: list[str | None] | None = None,
    keep: bool = True,
) -> BuildResult:
    """Extract every file (on ``jobs`` processes; reusing ``cache_dir`` when given) and link the graph.
    ``keys``: the files' cache keys (:func:`kg.parallel.file_keys`), if already known.

    Files stream through: each one's text for the JSONL outputs goes to ``texts`` (a spill file, for
    ``kg build``; memory by default), and linking gathers what it needs of each document's summary
    as it arrives, so memory grows with the graph and not with the corpus. The summaries are kept in
    ``results`` only with ``keep`` (``kg build`` does not keep them: at 100 MB they would double what
    the build holds while the workers run). Write the outputs with :func:`kg.write.write_outputs`.
    """
    from .cache import Cache

    res = BuildResult(files=len(files), texts=texts if texts is not None else TextStore())
    cache = Cache(cache_dir) if cache_dir is not None else None
    linker = GraphBuilder()  # gathers each document as it arrives, while the workers extract the rest
    # The summaries are many long-lived objects without reference cycles, which the cyclic collector
    # would re-scan again and again as they pile up: freeze each batch out of its way.
    seen: set[str] = set()
    for n, (docs, text, errs) in enumerate(run(files, progress, jobs=jobs, cache=cache, keys=keys), 1):
        for doc in docs:
            if doc.doc in seen:  # a/page.txt and b/page.txt: the later one is named by its path
                first = doc.doc
                rename_doc(doc, doc.path + doc.doc[len(doc.doc.split("#")[0]) :])
                res.notices.append(f"{doc.path}: another input is also named {first}; its doc id is {doc.doc}")
            seen.add(doc.doc)
            linker.add(doc)
            res.doc_ids.append(doc.doc)
            res.articles += len(doc.articles)
            res.sentences += doc.sentences
        if docs:
            res.texts.add(text)
        if keep:
            res.results.extend(docs)
        res.errors.extend(errs)
        if errs and not docs:
            res.skipped_files += 1
        if n % 64 == 0:
            gc.freeze()
    res.texts.close()
    was_enabled = gc.isenabled()
    gc.disable()  # linking makes a graph's worth of objects without cycles: nothing for the collector
    try:
        res.graph = linker.graph()
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    return res
