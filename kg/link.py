"""Link mentions within a document into entities (stub)."""

from __future__ import annotations

from .model import Article, Entity, Mention


def link_document(articles: list[Article], mentions: list[Mention]) -> list[Entity]:
    by_key: dict[tuple[str, str], Entity] = {}
    for m in mentions:
        ent = by_key.setdefault((m.type, m.surface), Entity(name=m.surface, type=m.type))
        ent.mentions.append(m)
    return sorted(by_key.values(), key=lambda e: (e.type, e.name))
