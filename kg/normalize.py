"""Normalize a raw page (stub)."""

from __future__ import annotations


def normalize(text: str) -> tuple[str, dict[str, list[str]]]:
    """Return the clean page text and the metadata (bylines, captions) taken out of it."""
    return text, {}
