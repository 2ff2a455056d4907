"""Output staging: a build killed outright leaves a staging folder; the next build clears it, but never
the folder of a build that is still running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kg.model import KnowledgeGraph
from kg.write import write_all


def test_dead_builds_stage_is_removed_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".kg-build-{dead.stdout.strip()}-abc123"
    stale.mkdir()
    (stale / "kg.ttl").write_text("half", encoding="utf-8")
    live = tmp_path / f".kg-build-{os.getpid()}-def456"
    live.mkdir()
    write_all(tmp_path, [], KnowledgeGraph())
    assert not stale.exists()
    assert live.exists()
    assert (tmp_path / "kg.ttl").exists()
    assert sorted(p.name for p in tmp_path.glob(".kg-build-*")) == [live.name]


def test_error_message_stays_on_one_line_for_odd_file_names() -> None:
    from kg.errors import InputError

    err = InputError("in/bad\nname.txt", "file is empty")
    assert "\n" not in str(err) and "bad\\nname.txt" in str(err)
