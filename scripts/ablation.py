"""Each recognizer's contribution: build dev2 and the sample pages with each recognizer set and score them.

    python scripts/ablation.py [--gold-dir tests/data/gold] [--sets rules lac-naive rules,lac rules,lac-all]

Prints a Markdown table: entity P/R/F1 overall, entity F1 per type, relation F1 overall and per type. Each
build runs the real CLI with ``--recognizers`` into a scratch folder, without the cache.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.evaluate import load_extractions, score
from kg.model import ENTITY_TYPES, RELATION_TYPES

DEFAULT_SETS = ("rules", "lac-naive", "rules,lac", "rules,lac-all")


def build(corpus: Path | None, recognizers: str, out: Path) -> Path:
    kg = Path(sys.executable).with_name("kg")
    cmd = [
        str(kg),
        "build",
        *([str(corpus)] if corpus else []),
        "-o",
        str(out),
        "--no-cache",
        "-j",
        "2",
        "--recognizers",
        recognizers,
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out / "extractions.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold-dir", type=Path, default=Path("tests/data/gold"))
    ap.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS))
    args = ap.parse_args(argv)
    corpora = {
        "dev2": (args.gold_dir / "dev2" / "corpus", args.gold_dir / "dev2"),
        "sample": (None, args.gold_dir / "dev.jsonl"),
    }
    head = [
        "set",
        "recognizers",
        "ent P",
        "ent R",
        "ent F1",
        *(t for t in ENTITY_TYPES),
        "rel F1",
        *(t for t in RELATION_TYPES),
    ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (corpus, gold) in corpora.items():
            for k, rec in enumerate(args.sets):
                pred = build(corpus, rec, Path(tmp) / f"{name}{k}")
                s = score(load_extractions(gold), load_extractions(pred))
                row = [
                    name,
                    rec,
                    f"{s.entities.precision:.3f}",
                    f"{s.entities.recall:.3f}",
                    f"**{s.entities.f1:.3f}**",
                    *(f"{s.entity_types[t].f1:.2f}" for t in ENTITY_TYPES),
                    f"**{s.relations.f1:.3f}**",
                    *(f"{s.relation_types[t].f1:.2f}" for t in RELATION_TYPES),
                ]
                print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
