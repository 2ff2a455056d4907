"""Split a normalized page into articles and sentences (stub)."""

from __future__ import annotations

import re

from .model import Article, RawDoc, Sentence

_SENT = re.compile(r"[^。！？；\n]+[。！？；]?")


def split_sentences(text: str) -> list[Sentence]:
    return [Sentence(m.start(), m.end(), m.group()) for m in _SENT.finditer(text) if m.group().strip()]


def segment(raw: RawDoc, text: str, meta: dict[str, list[str]]) -> list[Article]:
    return [
        Article(
            doc=raw.doc,
            path=raw.path,
            index=0,
            title="",
            text=text,
            span=(0, len(text)),
            sentences=split_sentences(text),
            meta=dict(meta),
        )
    ]
