"""Extract relations between linked entities (stub)."""

from __future__ import annotations

from .model import Article, Entity, Relation


def extract_relations(articles: list[Article], entities: list[Entity]) -> list[Relation]:
    return []
