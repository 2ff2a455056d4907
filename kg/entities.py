"""Find entity mentions in an article (stub)."""

from __future__ import annotations

from .model import Article, Mention


def extract_mentions(article: Article) -> list[Mention]:
    return []
