"""The per-file work of a build, as a worker runs it: read → normalize → segment → mentions → link
(within the document) → relations, then packed for the parent (summaries and text, see :func:`pack`)."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

from ..errors import InputError
from ..extract.entities import resources
from ..extract.mentions import extract_mentions
from ..extract.relations import extract_relations
from ..ingest.normalize import normalize, to_simplified
from ..ingest.read import read_bytes, read_path
from ..ingest.segment import segment, with_headline
from ..link.document import add_original_spellings, link_document, restore_page_text
from ..link.graph import summarize
from ..model import Article, DocResult, RawDoc
from ..writers.tables import pack_texts
from .executors import Source


def process_raw(raw: RawDoc) -> DocResult:
    """All per-document stages: pure, so documents can run in parallel and be cached."""
    original, meta = normalize(raw.text)
    text = to_simplified(original)  # traditional text is matched in simplified characters
    articles = [with_headline(art) for art in segment(raw, text, meta)]  # headlines are searched too
    mentions = [m for art in articles for m in extract_mentions(art)]
    entities = link_document(articles, mentions)
    converted = text != original or any(_title_converted(a) for a in articles)
    if converted:
        add_original_spellings(entities, articles, original)
    relations = extract_relations(articles, entities)
    if converted:  # the outputs quote the page as it is written
        articles = restore_page_text(articles, entities, relations, original)
    page_meta = {k: v for k, v in meta.items() if not k.endswith("_at")}  # offsets are for segment only
    return DocResult(
        doc=raw.doc, path=raw.path, articles=articles, entities=entities, relations=relations, page_meta=page_meta
    )


def _title_converted(art: Article) -> bool:
    """A title given beside a ``.jsonl`` document's text (not on the page) was converted to match."""
    return bool(art.head) and not art.title_spans and art.text[: art.head - 1] != art.title[: art.head - 1]


def process_file(path: Path) -> tuple[list[DocResult], list[InputError]]:
    """Read and process one file. A bad file gives no results and its error; a ``.jsonl`` file with
    broken lines gives the results of its good lines and one error per broken line."""
    errors: list[InputError] = []
    try:
        raws = read_path(path, errors)
    except InputError as err:
        return [], [err]
    return [process_raw(raw) for raw in raws], errors


def process_source(source: Source) -> tuple[list[DocResult], list[InputError]]:
    """:func:`process_file` of a task: the file named by the source, or the bytes it carries (read as
    that file would be read; the worker never opens ``source.name`` then)."""
    if source.data is None:
        return process_file(Path(source.name))
    errors: list[InputError] = []
    try:
        raws = read_bytes(source.name, source.data, errors)
    except InputError as err:
        return [], [err]
    return [process_raw(raw) for raw in raws], errors


def pack(docs: list[DocResult]) -> tuple[bytes, bytes]:
    """A file's documents as the parent takes them: pickled summaries and pickled text."""
    return pickle.dumps([summarize(d) for d in docs], protocol=pickle.HIGHEST_PROTOCOL), pack_texts(docs)


def extract_source(source: Source) -> tuple[bytes, bytes, list[InputError]]:
    """Extract one file in a worker, returned ready for the cache and the text store: the task every
    executor runs (a picklable top-level function that returns bad input as errors, never raises)."""
    docs, errors = process_source(source)
    return (*pack(docs), errors)


_WARM_UP = "## 贵阳高新区与清华大学签署合作协议\n\n贵州翰斯智能技术有限公司落户贵阳高新区，总经理张伟表示。\n"


def init_worker() -> None:
    """Load the entity resources once per process, not once per file, then run every stage on a
    tiny page so each one's lazily built tables (compiled patterns, …) are ready before the first
    real file; keep those millions of long-lived objects out of the cyclic collector's scans."""
    resources()
    try:
        process_raw(RawDoc(doc="warm-up", path="warm-up", text=_WARM_UP))
    except Exception:  # only a warm-up: a real file that fails reports it properly
        pass
    gc.freeze()
