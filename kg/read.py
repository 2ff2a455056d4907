"""Read input files into raw documents (stub: UTF-8 .txt only; replaced by the ingestion work)."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .model import RawDoc


def read_path(path: Path) -> list[RawDoc]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), str(exc)) from exc
    return [RawDoc(doc=path.name, path=str(path), text=text)]
