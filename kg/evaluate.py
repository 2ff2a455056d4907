"""Score extractions against gold (stub)."""

from __future__ import annotations

from pathlib import Path


def run_eval(gold: Path, pred: Path, show_errors: bool) -> int:
    raise NotImplementedError
