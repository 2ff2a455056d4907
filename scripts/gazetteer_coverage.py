"""Coverage of the gazetteer: its entries per kind, and on built outputs the share of Park, University
and Institute entities linked to an entry (per document entity of extractions.jsonl, and per graph node).

    python scripts/gazetteer_coverage.py out/ d2/
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from kg.resources.gazetteer import gazetteer

TYPES = ("Park", "University", "Institute")


def main(folders: list[str]) -> int:
    entries = gazetteer().entries.values()
    kinds = Counter((e.type, e.kind) for e in entries)
    print(f"gazetteer: {len(gazetteer().entries)} entries, {len(gazetteer().places)} provinces and cities with codes")
    for (type_, kind), n in sorted(kinds.items()):
        print(f"  {type_:<11} {kind:<26} {n:>5}")
    ids = set(gazetteer().entries)
    for folder in folders:
        ents: Counter[tuple[str, bool]] = Counter()
        nodes: dict[str, bool] = {}
        for line in (Path(folder) / "extractions.jsonl").read_text(encoding="utf-8").splitlines():
            for e in json.loads(line)["entities"]:
                if e["type"] in TYPES:
                    linked = e["node"].partition("/")[2] in ids
                    ents[e["type"], linked] += 1
                    nodes[e["node"]] = linked
        print(f"{folder}:")
        for t in TYPES:
            n_ent = ents[t, True] + ents[t, False]
            t_nodes = [v for k, v in nodes.items() if k.startswith(t + "/")]
            print(
                f"  {t:<11} entities {ents[t, True]}/{n_ent} linked ({ents[t, True] / max(n_ent, 1):.0%}); "
                f"nodes {sum(t_nodes)}/{len(t_nodes)} ({sum(t_nodes) / max(len(t_nodes), 1):.0%})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
